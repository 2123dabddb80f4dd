/**
 * Provenance of a report: which evidence, which rules, which templates and which options made
 * it. Each part is a SHA-256 over a canonical text, so two runs can be compared by hash and,
 * where they differ, by the parts (the manifest lists every file with its own hash).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleDef } from '../analysis/define-rule.js';
import type { ParserDef } from '../ingest/define-parser.js';
import type { ReportModel } from './model.js';

const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

export type Provenance = NonNullable<ReportModel['provenance']>;

export const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Over every file's path, size and SHA-256, sorted by path: the evidence as the analyst had it. */
export function manifestSha256(files: { path: string; bytes: number | null; sha256: string | null }[]): string {
  return sha(
    files
      .map((f) => `${f.path}\t${f.bytes ?? ''}\t${f.sha256 ?? ''}\n`)
      .sort()
      .join(''),
  );
}

/** Rules carry no version of their own; the tool version stands for the code of each. */
export function rulesetSha256(rules: RuleDef[], toolVersion: string): string {
  return sha(
    rules
      .map((r) => `${r.id}\t${r.layer}\t${toolVersion}\n`)
      .sort()
      .join(''),
  );
}

/** The parser catalog: which parser id at which version reads the evidence. */
export function catalogVersion(parsers: ParserDef[]): string {
  return `parsers-${sha(
    parsers
      .map((p) => `${p.id}@${p.version}\n`)
      .sort()
      .join(''),
  ).slice(0, 16)}`;
}

let templatesCache: string | null = null;
export function templatesSha256(dir = TEMPLATE_DIR): string {
  if (dir === TEMPLATE_DIR && templatesCache) return templatesCache;
  const h = createHash('sha256');
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else if (e.isFile()) h.update(`${rel}${e.name}\n`).update(readFileSync(join(d, e.name))).update('\n');
    }
  };
  walk(dir, '');
  const out = h.digest('hex');
  if (dir === TEMPLATE_DIR) templatesCache = out;
  return out;
}

/**
 * The options that change a report's bytes, as recorded. `config` is kept by content (KPI
 * targets, no secrets) as text with its hash, so a replay does not need the file; unset options are null.
 */
export interface RecordedOptions {
  now: string | null;
  from: string | null;
  to: string | null;
  as: string[];
  config: { sha256: string; text: string } | null;
  [k: string]: unknown;
}

export function configRecord(path: string | undefined): RecordedOptions['config'] {
  if (!path) return null;
  const text = readFileSync(path, 'utf8');
  return { sha256: sha(text), text };
}
