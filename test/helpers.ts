import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const BIN = join(ROOT, 'bin', 'cdb-forensics.js');
export const SAMPLES = join(ROOT, 'samples');
export const FIXTURES = resolve(ROOT, '..', 'shared', 'fixtures', 'real-tools');

export function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, encoding: 'utf8', maxBuffer: 1 << 28, env: opts.env && { ...process.env, ...opts.env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tmp(prefix = 'cdbf-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** sha256 of every file under a path (or of the file itself), to prove the bundle was not touched. */
export function treeHash(p: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const abs = join(d, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.isFile()) out[relative(p, abs)] = createHash('sha256').update(readFileSync(abs)).digest('hex');
    }
  };
  if (statSync(p).isDirectory()) walk(p);
  else out['.'] = createHash('sha256').update(readFileSync(p)).digest('hex');
  return out;
}

export interface SampleExpected {
  description: string;
  era: string;
  dialect: string;
  block: { from: string; to: string };
  files: Record<string, { lines: number; kind: string }>;
  counts: Record<string, number | Record<string, number> | null>;
  break_layer: string | null;
  break_layer_any_of?: string[];
  top_hypothesis: { layer: string; keywords: string[] };
  secrets?: string[];
}

/** Every sample bundle with its expected.json (kept beside the bundle, so it is not part of it). */
export function samples(): { name: string; path: string; expected: SampleExpected }[] {
  return readdirSync(SAMPLES)
    .filter((f) => f.endsWith('.expected.json'))
    .sort()
    .map((f) => {
      const name = f.replace(/\.expected\.json$/, '');
      const candidates = [name, `${name}.tgz`, `${name}.tar.gz`, `${name}.zip`].map((c) => join(SAMPLES, c));
      const path = candidates.find((c) => existsSync(c));
      if (!path) throw new Error(`no bundle for ${f}`);
      return { name, path, expected: JSON.parse(readFileSync(join(SAMPLES, f), 'utf8')) as SampleExpected };
    });
}

/** Every table's rows in rowid order, the schema and user_version: one comparable text per table. */
export function dumpTables(dbPath: string): Record<string, string> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const out: Record<string, string> = {};
    const objects = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as { type: string; name: string; sql: string }[];
    out['(schema)'] = JSON.stringify(objects);
    out['(user_version)'] = String(db.pragma('user_version', { simple: true }));
    for (const o of objects) if (o.type === 'table') out[o.name] = JSON.stringify(db.prepare(`SELECT * FROM "${o.name}" ORDER BY rowid`).raw().all());
    return out;
  } finally {
    db.close();
  }
}
