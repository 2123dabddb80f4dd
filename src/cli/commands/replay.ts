import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { analyze } from '../../analysis/analyze.js';
import { openDb } from '../../db/open.js';
import type { ReportModel } from '../../report/model.js';
import { manifestSha256, type RecordedOptions } from '../../report/provenance.js';
import { readReportFile } from '../../report/read.js';
import { renderJson } from '../../report/render.js';
import { VERSION } from '../../version.js';
import { runIngest } from './ingest.js';
import type { CommandDef } from './types.js';

const Options = z.object({ report: z.string().min(1), bundle: z.string().min(1), json: z.boolean().default(false) });

type FileRow = ReportModel['manifest']['files'][number];

export interface EvidenceDiff {
  changed: { path: string; was: string | null; now: string | null; bytes_was: number | null; bytes_now: number | null }[];
  added: string[];
  removed: string[];
}

export function diffManifest(a: FileRow[], b: FileRow[]): EvidenceDiff {
  const ma = new Map(a.map((f) => [f.path, f]));
  const mb = new Map(b.map((f) => [f.path, f]));
  return {
    changed: [...ma.values()]
      .filter((f) => mb.has(f.path) && (mb.get(f.path)!.sha256 !== f.sha256 || mb.get(f.path)!.bytes !== f.bytes))
      .map((f) => ({ path: f.path, was: f.sha256, now: mb.get(f.path)!.sha256, bytes_was: f.bytes, bytes_now: mb.get(f.path)!.bytes })),
    added: [...mb.keys()].filter((p) => !ma.has(p)).sort(),
    removed: [...ma.keys()].filter((p) => !mb.has(p)).sort(),
  };
}

/** Top-level sections of two reports whose JSON differs (provenance aside), in report order. */
function differingSections(a: ReportModel, b: ReportModel): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => JSON.stringify((a as Record<string, unknown>)[k]) !== JSON.stringify((b as Record<string, unknown>)[k]));
}

export interface ReplayResult {
  defaults: string | null;
  evidence: { same: boolean; manifest_sha256: { was: string; now: string } } & EvidenceDiff;
  rules: { same: boolean | null; was: string | null; now: string; added: string[]; removed: string[] };
  templates: { same: boolean | null; was: string | null; now: string };
  bytes: { same: boolean; sections: string[] };
  options: RecordedOptions;
}

export async function replay(reportPath: string, bundle: string): Promise<ReplayResult> {
  const old = readReportFile(reportPath);
  const prov = old.model.provenance;
  const recorded: RecordedOptions = { now: null, from: null, to: null, as: [], config: null, ...(prov?.options as Partial<RecordedOptions> | undefined) };
  const work = mkdtempSync(join(tmpdir(), 'cdbf-replay-'));
  try {
    let configPath: string | undefined;
    if (recorded.config) {
      configPath = join(work, 'config.json');
      writeFileSync(configPath, recorded.config.text);
    }
    const { dbPath } = await runIngest({ bundle, db: join(work, 'replay.db'), as: recorded.as ?? [], append: false, quiet: true, from: recorded.from ?? undefined, to: recorded.to ?? undefined });
    const db = openDb(dbPath, { readonly: true });
    let now: ReportModel;
    try {
      const { config: _c, ...rest } = recorded;
      // The clock the report used is its generated_at (whether from --now, SOURCE_DATE_EPOCH or the block end).
      now = analyze(db, { now: old.model.generated_at, configPath, toolVersion: VERSION, recorded: rest, lang: old.model.lang });
    } finally {
      db.close();
    }
    const np = now.provenance!;
    const wasManifest = prov?.manifest_sha256 ?? manifestSha256(old.model.manifest.files);
    const diff = diffManifest(old.model.manifest.files, now.manifest.files);
    const ruleIds = (m: ReportModel) => new Set(m.layers.flatMap((l) => l.rules.map((r) => r.id)));
    const ra = ruleIds(old.model);
    const rb = ruleIds(now);
    const bytesSame = Buffer.compare(Buffer.from(renderJson(now)), old.bytes) === 0;
    return {
      defaults: prov ? null : `${old.notes.join('; ')}: replayed with defaults (clock = its generated_at ${old.model.generated_at}, block inferred from the evidence, default KPI targets, no --as)`,
      evidence: { same: wasManifest === np.manifest_sha256 && diff.changed.length + diff.added.length + diff.removed.length === 0, manifest_sha256: { was: wasManifest, now: np.manifest_sha256 }, ...diff },
      rules: {
        same: prov ? prov.ruleset_sha256 === np.ruleset_sha256 : null,
        was: prov?.ruleset_sha256 ?? null,
        now: np.ruleset_sha256,
        added: [...rb].filter((x) => !ra.has(x)).sort(),
        removed: [...ra].filter((x) => !rb.has(x)).sort(),
      },
      templates: { same: prov ? prov.templates_sha256 === np.templates_sha256 : null, was: prov?.templates_sha256 ?? null, now: np.templates_sha256 },
      bytes: { same: bytesSame, sections: bytesSame ? [] : differingSections(old.model, now) },
      options: recorded,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const replayCommand: CommandDef = {
  command: 'replay <report> <bundle>',
  describe: 'Re-run an analysis with the options its report.json recorded: are the evidence, the rule set and the report bytes the same?',
  examples: [['$0 replay block-12/report.json evidence/block-12.zip', 'exit 0 when everything is identical, 1 when something differs (listed)']],
  builder: (y) =>
    y
      .positional('report', { type: 'string', describe: 'the report.json to replay' })
      .positional('bundle', { type: 'string', describe: 'the evidence bundle it was made from (never written to)' })
      .option('json', { type: 'boolean' }),
  async handler(args) {
    const o = Options.parse(args);
    const r = await replay(o.report, o.bundle);
    if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    else {
      const out: string[] = [];
      if (r.defaults) out.push(`note: ${r.defaults}`);
      const n = r.evidence.changed.length + r.evidence.added.length + r.evidence.removed.length;
      out.push(r.evidence.same ? `evidence: identical (manifest sha256 ${r.evidence.manifest_sha256.now})` : `evidence: CHANGED (${n} file(s); manifest sha256 ${r.evidence.manifest_sha256.was} → ${r.evidence.manifest_sha256.now})`);
      for (const c of r.evidence.changed) out.push(`  changed: ${c.path} (sha256 ${c.was} → ${c.now}, ${c.bytes_was} → ${c.bytes_now} bytes)`);
      for (const p of r.evidence.added) out.push(`  added: ${p}`);
      for (const p of r.evidence.removed) out.push(`  removed: ${p}`);
      out.push(r.rules.same === null ? `rules: not recorded in the report (now ${r.rules.now})` : r.rules.same ? 'rules: identical' : `rules: CHANGED (${r.rules.was} → ${r.rules.now})`);
      for (const x of r.rules.added) out.push(`  rule added: ${x}`);
      for (const x of r.rules.removed) out.push(`  rule removed: ${x}`);
      out.push(r.templates.same === null ? 'templates: not recorded in the report' : r.templates.same ? 'templates: identical' : `templates: CHANGED (${r.templates.was} → ${r.templates.now})`);
      out.push(r.bytes.same ? 'report bytes: identical' : `report bytes: DIFFER (sections: ${r.bytes.sections.join(', ') || 'formatting only'})`);
      process.stdout.write(out.join('\n') + '\n');
    }
    const same = r.evidence.same && r.rules.same !== false && r.templates.same !== false && r.bytes.same;
    return same ? 0 : 1;
  },
};
