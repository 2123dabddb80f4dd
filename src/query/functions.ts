/**
 * The SQL functions the PostgreSQL rewrite calls, registered on a connection for one session
 * zone. Times come back as canonical ISO text (`2025-11-26T00:00:00.000Z`), the form every time
 * column of the working database holds, so they compare as instants.
 */
import type Database from 'better-sqlite3';
import { addInterval, extract, iso, parseInstant, parseInterval, toWall, truncate, wallDate } from './session-time.js';

type V = string | number | bigint | null | Buffer;

const DATE_ONLY = /^\d{4}-\d\d-\d\d$/;

export function likeRegex(pattern: string, escape: string, flags: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (escape && c === escape && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, flags);
}

export function registerPgFunctions(db: Database.Database, tz: string): void {
  const opts = { deterministic: true, varargs: false } as const;
  const instant = (v: V) => (typeof v === 'string' ? parseInstant(v, tz) : null);
  db.function('pg_ts', opts, (v: V) => {
    const t = instant(v);
    return t === null ? null : iso(t);
  });
  db.function('pg_date', opts, (v: V) => {
    if (typeof v !== 'string') return null;
    if (DATE_ONLY.test(v)) return v;
    const t = parseInstant(v, tz);
    return t === null ? null : wallDate(toWall(t, tz));
  });
  db.function('pg_add', opts, (v: V, spec: V, sign: V) => {
    const t = instant(v);
    const iv = typeof spec === 'string' ? parseInterval(spec) : null;
    if (t === null || !iv) return null;
    return iso(addInterval(t, iv, Number(sign) < 0 ? -1 : 1, tz));
  });
  db.function('pg_date_trunc', opts, (field: V, v: V) => {
    const t = instant(v);
    if (t === null || typeof field !== 'string') return null;
    const r = truncate(t, field, tz);
    if (r === null) throw new Error(`DATE_TRUNC: unknown field '${field}'`);
    return iso(r);
  });
  db.function('pg_extract', opts, (field: V, v: V) => {
    const t = instant(v);
    if (t === null || typeof field !== 'string') return null;
    const r = extract(t, field, tz);
    if (r === null) throw new Error(`EXTRACT: unknown field '${field}'`);
    return r;
  });
  const cache = new Map<string, RegExp>();
  db.function('pg_ilike', { deterministic: true, varargs: true }, (...args: V[]) => {
    const [v, p, e] = args;
    if (v === null || p === null || v === undefined || p === undefined) return null;
    const esc = e === undefined ? '\\' : e === null ? '' : String(e);
    const key = `${esc}\u0000${String(p)}`;
    let re = cache.get(key);
    if (!re) {
      re = likeRegex(String(p), esc, 'iu');
      if (cache.size > 1000) cache.clear();
      cache.set(key, re);
    }
    return re.test(String(v)) ? 1 : 0;
  });
  db.function('pg_bool', opts, (v: V) => {
    if (v === null) return null;
    if (typeof v === 'number' || typeof v === 'bigint') return Number(v) !== 0 ? 1 : 0;
    const s = String(v).trim().toLowerCase();
    if (['t', 'true', 'y', 'yes', 'on', '1'].includes(s)) return 1;
    if (['f', 'false', 'n', 'no', 'off', '0'].includes(s)) return 0;
    throw new Error(`invalid input syntax for type boolean: "${String(v)}"`);
  });
}
