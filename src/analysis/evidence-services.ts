/**
 * Which service each cited line belongs to, so a citation can name it before the path
 * (`cdb_risk (json-file …8069e3):530`): a docker json-file log's name is a container id that no
 * reader can map to a service, and a combined compose log mixes every service.
 *
 * The service is what the working database says: the log record that holds the cited line (also
 * when that record was set aside as a copy of another file's), else the file's only service when
 * all its log records belong to one. Non-log evidence (dumps, captures, reports) gets none.
 */
import type Database from 'better-sqlite3';

interface EvidenceLike {
  file: string;
  line: number;
  text: string;
  service?: string;
}

function isEvidence(v: unknown): v is EvidenceLike {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.file === 'string' && typeof o.line === 'number' && typeof o.text === 'string';
}

function tableExists(db: Database.Database, name: string): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);
}

/** A lookup (file path, line) → service, or null when the database cannot say. */
export function serviceLookup(db: Database.Database): (file: string, line: number) => string | null {
  if (!tableExists(db, 'manifest') || !tableExists(db, 'log_events')) return () => null;
  const ids = db.prepare('SELECT id FROM manifest WHERE path = ? ORDER BY bundle_id');
  // The record that starts at or before the line and spans it (multi-line records cite any of their lines).
  const recordAt = db.prepare('SELECT service, line_no, line_count FROM log_events WHERE file_id = ? AND line_no <= ? ORDER BY line_no DESC LIMIT 1');
  const copyAt = tableExists(db, 'copy_log_events')
    ? db.prepare('SELECT service, line_no, line_count FROM copy_log_events WHERE file_id = ? AND line_no <= ? ORDER BY line_no DESC LIMIT 1')
    : null;
  const fileServices = tableExists(db, 'log_hourly') ? db.prepare('SELECT DISTINCT service FROM log_hourly WHERE file_id = ? AND service IS NOT NULL LIMIT 2') : null;
  const cache = new Map<string, string | null>();
  const within = (r: { service: string | null; line_no: number; line_count: number } | undefined, line: number): string | null =>
    r && r.service && line < r.line_no + Math.max(1, r.line_count) ? r.service : null;
  return (file, line) => {
    const key = `${file}\n${line}`;
    if (cache.has(key)) return cache.get(key)!;
    let found: string | null = null;
    for (const { id } of ids.all(file) as { id: number }[]) {
      if (line > 0) {
        found = within(recordAt.get(id, line) as never, line) ?? (copyAt ? within(copyAt.get(id, line) as never, line) : null);
      }
      if (!found && fileServices) {
        const s = fileServices.all(id) as { service: string }[];
        if (s.length === 1) found = s[0].service;
      }
      if (found) break;
    }
    cache.set(key, found);
    return found;
  };
}

/**
 * Set `service` on every evidence pointer of the model (wherever it sits: findings, hypotheses,
 * the break, coverage examples, and whatever section is added later), in place.
 */
export function attachServices<T>(db: Database.Database, model: T): T {
  const lookup = serviceLookup(db);
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (isEvidence(v)) {
      const s = lookup(v.file, v.line);
      if (s) v.service = s;
      else delete v.service;
      return;
    }
    for (const x of Object.values(v as Record<string, unknown>)) walk(x);
  };
  walk(model);
  return model;
}
