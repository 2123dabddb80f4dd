import { join, resolve } from 'node:path';
import { z } from 'zod';
import { analyze, exitCodeFor, parseSeverity } from '../../analysis/analyze.js';
import { openDb } from '../../db/open.js';
import { assertAnalysable } from '../../db/state.js';
import { faultPoint } from '../../util/fault.js';
import { assertWritableDb, assertWritableDir, WAIT_OPTION } from '../db-access.js';
import { VERSION } from '../../version.js';
import { bundleDisplayName, defaultDbPath } from '../paths.js';
import { writeFileSync } from 'node:fs';
import { RULES } from '../../analysis/registry.js';
import type { RuleDef } from '../../analysis/define-rule.js';
import { Progress, type Phase } from '../progress.js';
import { endWriting, runIngest } from './ingest.js';
import { LANG_OPTION, LangOption, parseFormats, reportClock, TEMPLATE_OPTION, TODO_ORDER_OPTION, TodoOrderOption, writeReports } from './output.js';
import { checkTemplates } from '../../report/render.js';
import type { CommandDef } from './types.js';
import { render as renderText, text, type AnyText } from '../../i18n/translate.js';

const Options = z.object({
  bundle: z.string().min(1),
  out: z.string().optional(),
  db: z.string().optional(),
  now: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  tz: z.string().optional(),
  config: z.string().optional(),
  failOn: z.string().optional(),
  format: z.unknown().optional(),
  template: z.string().optional(),
  as: z.array(z.string()).default([]),
  append: z.boolean().default(false),
  quiet: z.boolean().default(false),
  jobs: z.number().int().min(1).max(64).optional(),
  wait: z.number().min(0).optional(),
  todoOrder: TodoOrderOption,
  lang: LangOption,
});

export const runCommand: CommandDef = {
  command: 'run <bundle>',
  describe: 'Ingest a bundle and analyse it: writes report.json, report.md and report.html',
  examples: [['$0 run samples/drawdown-runbook --out report/ --now 2025-11-29T08:00:00Z', 'the main job, on a bundled sample']],
  builder: (y) =>
    y
      .positional('bundle', { type: 'string', describe: 'bundle directory or archive (never written to)' })
      .option('out', { type: 'string', describe: 'report directory (default ./cdb-forensics-report/<bundle>/)' })
      .option('db', { type: 'string', describe: 'working database (default ./.cdb-forensics/<bundle>.db)' })
      .option('now', { type: 'string', describe: 'the report clock (ISO); default SOURCE_DATE_EPOCH or the block end' })
      .option('from', { type: 'string', describe: 'block start (UTC); default inferred' })
      .option('to', { type: 'string', describe: 'block end (UTC); default inferred' })
      .option('tz', { type: 'string', describe: "zone of the block's calendar days (IANA); default inferred, else UTC" })
      .option('config', { type: 'string', describe: 'JSON file with KPI targets' })
      .option('fail-on', { type: 'string', describe: 'exit 1 when a finding is at or above this severity' })
      .option('format', { type: 'string', describe: 'json,md,html (default all)' })
      .option('todo-order', TODO_ORDER_OPTION)
      .option('lang', LANG_OPTION)
      .option('template', TEMPLATE_OPTION)
      .option('as', { type: 'string', array: true, describe: 'force a parser: <parser>=<glob>' })
      .option('append', { type: 'boolean', describe: 'add to a database that holds another bundle' })
      .option('jobs', { type: 'number', describe: 'threads parsing files at once (default: one per core, at most 3), and reading one large log or psql CSV export in pieces; the report is the same for any value' })
      .option('wait', WAIT_OPTION)
      .option('quiet', { type: 'boolean', describe: 'print only the report paths' }),
  async handler(args) {
    const o = Options.parse({ ...args, as: args.as ?? [] });
    const failOn = o.failOn ? parseSeverity(o.failOn) : undefined;
    const formats = parseFormats(o.format);
    const render = checkTemplates(o.template);
    const dbPath = o.db ?? defaultDbPath(o.bundle);
    const out = resolve(o.out ?? join('cdb-forensics-report', bundleDisplayName(o.bundle)));
    // Before any work: a place that cannot be written would only fail after the whole ingest.
    assertWritableDb(dbPath);
    assertWritableDir(out, '--out', 'the report directory');
    // One lock over ingest, analysis and report: a second run waits, then finds nothing to do.
    const progress = new Progress(process.stderr, { quiet: o.quiet });
    const { summary, lock, checkpoints } = await runIngest(
      { bundle: o.bundle, db: dbPath, as: o.as, append: o.append, quiet: o.quiet, from: o.from, to: o.to, tz: o.tz, jobs: o.jobs, wait: o.wait },
      { keepLock: true, progress },
    );
    faultPoint('analyze');
    let db;
    let done = false;
    try {
      db = openDb(dbPath, { readonly: true });
    } catch (e) {
      await endWriting(checkpoints, lock);
      throw e;
    }
    try {
      assertAnalysable(db, dbPath);
      const analysing = progress.phase('analysis', RULES.length, 'steps');
      const model = analyze(db, {
        now: reportClock(o.now, db), configPath: o.config, toolVersion: VERSION, recorded: { now: o.now ?? null, from: o.from ?? null, to: o.to ?? null, as: o.as },
        rules: progress.enabled ? RULES.map((r) => counted(r, analysing)) : RULES,
        lang: o.lang,
      });
      analysing.end();
      const rendering = progress.phase('render', formats.length, 'steps');
      const written = writeReports(model, out, formats, { ...render, todoOrder: o.todoOrder }, (f) => rendering.step(`report.${f}`));
      rendering.end();
      writePhaseTimes(progress);
      // The summary speaks the report's language; ids (break layer, paths) stay as they are.
      const say = (t: AnyText) => renderText(model.lang, t) + '\n';
      if (!o.quiet) {
        const q = summary.files.reduce((a, f) => a + f.quarantined, 0);
        const top = model.hypotheses[0];
        process.stdout.write(
          say(text('cli.run.ingested', { files: summary.files.length, db: dbPath, read: summary.files.length - summary.unchanged, unchanged: summary.unchanged, quarantined: q })) +
            say(text('cli.run.block', { from: model.block.from, to: model.block.to, era: model.block.era ?? '?', dialect: model.block.dialect ?? '?' })) +
            say(text('cli.run.break_layer', { layer: model.flow.break_layer ?? text('cli.run.no_break') })) +
            (top ? say(text('cli.run.top', { title: top.title, likelihood: text(`likelihood.${top.likelihood}`) })) : ''),
        );
      }
      for (const w of summary.warnings) process.stderr.write(say(text('cli.warning', { warning: w })));
      for (const p of written) process.stdout.write(say(text('cli.run.wrote', { path: p })));
      done = true;
      return exitCodeFor(model, failOn);
    } finally {
      db.close();
      await endWriting(checkpoints, lock, done ? dbPath : null);
    }
  },
};

/** The same rule, counted as an analysis step when it runs (its id and layer, hence the report, unchanged). */
function counted(rule: RuleDef, phase: Phase): RuleDef {
  return { ...rule, check: (ctx) => {
    phase.step(rule.id);
    return rule.check(ctx);
  } };
}

/**
 * For `npm run bench`: with CDB_FORENSICS_PHASE_TIMES=<file>, each phase's start and end (epoch
 * ms) are written there as JSON, so the bench reports what each phase of a real `run` took.
 */
function writePhaseTimes(progress: Progress): void {
  const path = process.env.CDB_FORENSICS_PHASE_TIMES;
  if (path) writeFileSync(path, JSON.stringify(progress.timings) + '\n');
}
