import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { validateReport } from '../../report/model.js';
import { parseFormats, writeReports } from './output.js';
import type { CommandDef } from './types.js';

const Options = z.object({ in: z.string().min(1), out: z.string().min(1), format: z.unknown().optional() });

export const reportCommand: CommandDef = {
  command: 'report',
  describe: 'Render a report.json again as Markdown and/or HTML (e.g. after upgrading templates)',
  examples: [['$0 report --in out/report.json --out out/ --format md,html', 're-render an analysis']],
  builder: (y) =>
    y
      .option('in', { type: 'string', demandOption: true, describe: 'report.json' })
      .option('out', { type: 'string', demandOption: true, describe: 'directory to write into' })
      .option('format', { type: 'string', describe: 'md,html,json (default all)' }),
  async handler(args) {
    const o = Options.parse(args);
    let model;
    try {
      model = validateReport(JSON.parse(readFileSync(o.in, 'utf8')));
    } catch (e) {
      throw new UserError('BAD_REPORT', `not a valid report.json: ${(e as Error).message}`, o.in, 'pass a report.json written by `run` or `analyze --out`');
    }
    for (const p of writeReports(model, o.out, parseFormats(o.format))) process.stdout.write(`wrote ${p}\n`);
    return 0;
  },
};
