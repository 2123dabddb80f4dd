/**
 * List a directory bundle without following anything: regular files are listed, links and
 * special files are refused with a reason, unreadable directories are refused too.
 */
import { lstat, opendir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RefusedEntry } from './types.js';

export interface DirFile {
  /** Relative to the bundle root, `/`-separated. */
  relPath: string;
  abs: string;
  bytes: number;
  mtime: string;
}

export interface DirListing {
  files: DirFile[];
  refused: RefusedEntry[];
}

function code(e: unknown): string {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : 'error';
}

export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function walkDir(root: string): Promise<DirListing> {
  const files: DirFile[] = [];
  const refused: RefusedEntry[] = [];

  async function walk(absDir: string, relDir: string): Promise<void> {
    let names: string[];
    try {
      const dir = await opendir(absDir);
      names = [];
      for await (const d of dir) names.push(d.name);
    } catch (e) {
      refused.push({ path: relDir || '.', reason: `directory cannot be read (${code(e)}) — check its permissions and copy it again` });
      return;
    }
    names.sort(comparePaths);
    for (const name of names) {
      const abs = join(absDir, name);
      const rel = relDir ? `${relDir}/${name}` : name;
      let st;
      try {
        // lstat, not the Dirent type: some file systems report DT_UNKNOWN, and links must never be followed.
        st = await lstat(abs);
      } catch (e) {
        refused.push({ path: rel, reason: `cannot be examined (${code(e)}) — check its permissions` });
        continue;
      }
      if (st.isSymbolicLink()) {
        let target = '';
        try {
          target = ` to ${await readlink(abs)}`;
        } catch {
          // the reason is still right without the target
        }
        refused.push({ path: rel, reason: `symbolic link${target} — not followed; copy the file itself into the bundle if it is evidence` });
      } else if (st.isDirectory()) {
        await walk(abs, rel);
      } else if (st.isFile()) {
        files.push({ relPath: rel, abs, bytes: st.size, mtime: st.mtime.toISOString() });
      } else {
        const what = st.isFIFO() ? 'fifo' : st.isSocket() ? 'socket' : 'device';
        refused.push({ path: rel, reason: `device/fifo (${what}) — not read` });
      }
    }
  }

  await walk(root, '');
  files.sort((a, b) => comparePaths(a.relPath, b.relPath));
  refused.sort((a, b) => comparePaths(a.path, b.path));
  return { files, refused };
}
