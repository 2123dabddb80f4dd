/**
 * Citations a person can read: the service first, then a path short enough to scan, the full path
 * one hover (HTML `title`) or footnote (Markdown) away.
 *
 *   containers/<64 hex>/<64 hex>-json.log:530   →  cdb_risk (json-file …8069e3):530
 *   bundle.tgz!/cdb_block_2025-12-15/deep/x.txt  →  cdb_ws (bundle.tgz!/…/x.txt):12
 *
 * The service comes from the working database (report.json `evidence[].service`); this file only
 * decides how it reads.
 */

/** A docker json-file log (rotations `-json.log.1` too), named by its container id. */
const JSON_FILE = /^([0-9a-f]{64})-json\.log((?:\.\d+)?)$/;
/** Paths up to this length (archive members too) are shown whole. */
const LONG_PATH = 48;

function baseName(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

/** The readable form of an evidence path; the path itself when it is already short and plain. */
export function shortPath(path: unknown): string {
  const p = String(path ?? '');
  const base = baseName(p);
  const j = JSON_FILE.exec(base);
  if (j) return `json-file${j[2]} …${j[1].slice(-6)}`;
  if (p.length <= LONG_PATH) return p;
  const bang = p.lastIndexOf('!/');
  if (bang >= 0) {
    // An archive member: the innermost archive's name, then the member's file name.
    const archive = baseName(p.slice(0, bang));
    const member = p.slice(bang + 2);
    return member.includes('/') ? `${archive}!/…/${baseName(member)}` : `${archive}!/${member}`;
  }
  if (p.includes('/')) return `${p.slice(0, p.indexOf('/'))}/…/${base}`;
  return p;
}

/** `cdb_risk (json-file …8069e3):530`; without a service `json-file …8069e3:530`; line 0 cites the whole file. */
export function cite(file: unknown, line: unknown, service?: unknown): string {
  const short = shortPath(file);
  const at = typeof line === 'number' && line > 0 ? `:${line}` : '';
  return typeof service === 'string' && service.length > 0 ? `${service} (${short})${at}` : `${short}${at}`;
}

/** FNV-1a, 32 bit: a stable footnote label from a path, with no dependency and no state between renders. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The Markdown footnote label of a shortened path (`p3f9a0c12`), or null when the path is shown whole. */
export function noteLabel(file: unknown): string | null {
  const p = String(file ?? '');
  return shortPath(p) === p ? null : `p${hash(p)}`;
}

/** ` [^p3f9a0c12]` after a citation whose path was shortened, else "". */
export function citeNote(file: unknown): string {
  const l = noteLabel(file);
  return l ? `[^${l}]` : '';
}

/** Every shortened evidence path of the model, once, sorted by path: the Markdown footnotes. */
export function citationNotes(model: unknown): { label: string; path: string }[] {
  const paths = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as Record<string, unknown>;
    if (typeof o.file === 'string' && typeof o.line === 'number' && typeof o.text === 'string') {
      if (noteLabel(o.file)) paths.add(o.file);
      return;
    }
    Object.values(o).forEach(walk);
  };
  walk(model);
  return [...paths].sort().map((path) => ({ label: noteLabel(path)!, path }));
}
