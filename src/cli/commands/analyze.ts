import { z } from 'zod';
import { analyze, exitCodeFor, parseSeverity } from '../../analysis/analyze.js';
import { openDb } from '../../db/open.js';
import { assertAnalysable } from '../../db/state.js';
import { assertWritableDir, lockDb, WAIT_OPTION } from '../db-access.js';
import { UserError } from '../../errors.js';
import { VERSION } from '../../version.js';
import { LANG_OPTION, LangOption, parseFormats, reportClock, TEMPLATE_OPTION, writeReports } from './output.js';
import { checkTemplates } from '../../report/render.js';
import type { CommandDef } from './types.js';
import { render as renderText, text } from '../../i18n/translate.js';

const Options = z.object({
  db: z.string().min(1),
  out: z.string().optional(),
  now: z.string().optional(),
  config: z.string().optional(),
  failOn: z.string().optional(),
  format: z.unknown().optional(),
  template: z.string().optional(),
  wait: z.number().min(0).optional(),
  lang: LangOption,
});

export const analyzeCommand: CommandDef = {
  command: 'analyze',
  describe: 'Run the six-layer analysis on a working database and write report.json (and .md/.html)',
  examples: [['$0 analyze --db case.db --out out/ --fail-on high', 'analyse an ingested bundle; exit 1 on a high or critical finding']],
  builder: (y) =>
    y
      .option('db', { type: 'string', demandOption: true, describe: 'working database (from ingest)' })
      .option('out', { type: 'string', describe: 'report directory (default: print report.json to stdout)' })
      .option('now', { type: 'string', describe: 'the report clock (ISO); default SOURCE_DATE_EPOCH or the block end' })
      .option('config', { type: 'string', describe: 'JSON file with KPI targets' })
      .option('fail-on', { type: 'string', describe: 'exit 1 when a finding is at or above: info|low|medium|high|critical' })
      .option('format', { type: 'string', describe: 'formats to write with --out: json,md,html (default all)' })
      .option('template', TEMPLATE_OPTION)
      .option('lang', LANG_OPTION)
      .option('wait', WAIT_OPTION),
  async handler(args) {
    const o = Options.parse(args);
    const failOn = o.failOn ? parseSeverity(o.failOn) : undefined;
    const formats = parseFormats(o.format);
    const render = checkTemplates(o.template);
    if (o.out) assertWritableDir(o.out, '--out', 'the report directory');
    // Checked before the lock, so a mistyped --db leaves no lock file behind.
    openDb(o.db, { readonly: true }).close();
    // Analysed while no one writes: an ingest in progress would show half its files.
    const lock = await lockDb(o.db, o.wait);
    let db;
    try {
      db = openDb(o.db, { readonly: true, check: true });
    } catch (e) {
      lock.release();
      throw e;
    }
    try {
      assertAnalysable(db, o.db);
      const has = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'block'").get();
      if (!has) throw new UserError('NOT_INGESTED', 'the database holds no ingested block', o.db, 'run `cdb-forensics ingest <bundle> --db ' + o.db + '` first');
      const model = analyze(db, { now: reportClock(o.now, db), configPath: o.config, toolVersion: VERSION, recorded: { now: o.now ?? null }, lang: o.lang });
      if (o.out) {
        for (const p of writeReports(model, o.out, formats, render)) process.stdout.write(renderText(model.lang, text('cli.run.wrote', { path: p })) + '\n');
      } else {
        process.stdout.write(JSON.stringify(model, null, 2) + '\n');
      }
      return exitCodeFor(model, failOn);
    } finally {
      db.close();
      lock.release();
    }
  },
};
