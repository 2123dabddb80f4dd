import { z } from 'zod';
import { runChecks } from '../../analysis/verify.js';
import { openDb } from '../../db/open.js';
import { dbFor, inputKind, reportFor } from './inputs.js';
import { assertAnalysable } from '../../db/state.js';
import { UserError } from '../../errors.js';
import { VerificationSchema } from '../../report/model.js';
import type { CommandDef } from './types.js';

const Options = z.object({ db: z.string().min(1), plan: z.string().min(1), json: z.boolean().default(false) });

export const verifyCommand: CommandDef = {
  command: 'verify',
  describe: "Run the previous block's verification plan (from its report.json) on the next block's database",
  examples: [
    ['$0 verify --plan old/report.json --db next-block.db', 'did the changes work? exit 1 when a check fails'],
    ['$0 verify --plan evidence/block-12.zip --db evidence/block-13.zip', 'bundles are ingested first (default working DBs)'],
  ],
  builder: (y) =>
    y
      .option('db', { type: 'string', demandOption: true, describe: 'the next block: its working database or bundle' })
      .option('plan', { type: 'string', demandOption: true, describe: 'the previous block: its report.json, working database or bundle' })
      .option('json', { type: 'boolean' }),
  async handler(args) {
    const o = Options.parse(args);
    const plan = await reportFor(o.plan);
    for (const n of plan.notes) process.stderr.write(`note: --plan (${plan.kind}): ${n}\n`);
    const checks = plan.model.verification;
    const db = openDb(await dbFor(o.db, inputKind(o.db), '--db'), { readonly: true });
    try {
      // Checks counted on half the evidence would pass or fail for the wrong reason.
      assertAnalysable(db, o.db);
      const results = runChecks(db, checks);
      if (o.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
      else {
        for (const r of results) {
          const want = `${r.expect.op} ${r.expect.value}${r.expect.tolerance ? ` ±${r.expect.tolerance}` : ''}`;
          process.stdout.write(`${r.status.toUpperCase().padEnd(5)} ${r.id}: ${r.title} — got ${r.value ?? '-'}, want ${want}${r.message ? ` (${r.message})` : ''}\n`);
        }
        const failed = results.filter((r) => r.status !== 'pass').length;
        process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
      }
      return results.some((r) => r.status !== 'pass') ? 1 : 0;
    } finally {
      db.close();
    }
  },
};
