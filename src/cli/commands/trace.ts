import { z } from 'zod';
import { trace } from '../../analysis/trace.js';
import { openDb } from '../../db/open.js';
import { UserError } from '../../errors.js';
import type { CommandDef } from './types.js';

const Options = z.object({ id: z.string(), db: z.string().min(1), json: z.boolean().default(false) });

export const traceCommand: CommandDef = {
  command: 'trace <id>',
  describe: 'Follow one signal (sig id, client id, MOCK order id, epoch time or row id) through risk, execution, DB and report',
  examples: [['$0 trace MOCK_95890685 --db case.db', 'where did this order come from, and did it reach the DB?']],
  builder: (y) =>
    y
      .positional('id', { type: 'string' })
      .option('db', { type: 'string', demandOption: true, describe: 'working database' })
      .option('json', { type: 'boolean', describe: 'machine-readable output' }),
  async handler(args) {
    const o = Options.parse({ ...args, id: args.id === undefined ? '' : String(args.id) });
    if (o.id.trim() === '') {
      throw new UserError('USAGE', 'trace needs an id, and the one given is empty', 'trace <id>', 'e.g. cdb-forensics trace sig_1001 --db case.db (a sig id, client id, MOCK_ order id, epoch seconds or signals row id)');
    }
    const db = openDb(o.db, { readonly: true });
    try {
      const r = trace(db, o.id);
      if (o.json) {
        process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      } else {
        process.stdout.write(`trace ${r.query} (${r.kind})\n`);
        for (const h of r.hops) {
          const mark = h.found === true ? '✔' : h.found === false ? '✘' : '?';
          process.stdout.write(`  ${mark} ${h.hop.padEnd(14)} ${h.summary}\n`);
          for (const e of h.evidence.slice(0, 3)) process.stdout.write(`      ${e.file}:${e.line}  ${e.text}\n`);
        }
        if (r.ended) process.stdout.write(`ended at ${r.ended.at}: ${r.ended.reason}\n`);
        process.stdout.write(r.vanished_at ? `vanished at: ${r.vanished_at}\n` : r.ended ? '' : 'followed to the end\n');
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
