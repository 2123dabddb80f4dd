/**
 * The archive the analyst downloaded gets a manifest row of its own (status 'archive', its size
 * and SHA-256), beside its members, so the report names the file by the hash a download page or
 * a colleague's message shows. No parser reads it; it holds no lines.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { DB } from '../db/open.js';

export async function recordArchiveRow(db: DB, bundlePath: string): Promise<void> {
  const abs = resolve(bundlePath);
  const st = statSync(abs);
  if (!st.isFile()) return;
  const bundle = db.prepare('SELECT id FROM bundles WHERE root = ?').get(abs) as { id: number } | undefined;
  if (!bundle) return;
  const h = createHash('sha256');
  for await (const chunk of createReadStream(abs)) h.update(chunk as Buffer);
  const sha256 = h.digest('hex');
  db.prepare(
    `INSERT INTO manifest (bundle_id, path, bytes, mtime, sha256, status, message) VALUES (?, ?, ?, ?, ?, 'archive', 'the archive itself: its members are listed as <archive>!/<member>')
     ON CONFLICT (bundle_id, path) DO UPDATE SET bytes = excluded.bytes, mtime = excluded.mtime, sha256 = excluded.sha256`,
  ).run(bundle.id, basename(abs), st.size, st.mtime.toISOString(), sha256);
}
