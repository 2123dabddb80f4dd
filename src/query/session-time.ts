/**
 * PostgreSQL's time semantics for a session time zone (`SET TimeZone`, here `--tz`): an instant
 * is shown and truncated in local wall time, `DATE(ts)` is the local calendar day, a literal
 * without an offset is local wall time, and day/month interval arithmetic follows the local
 * calendar (so a DST change keeps "+1 day" at the same wall-clock time).
 */
import { UserError } from '../errors.js';

export interface Wall {
  y: number;
  mo: number; // 1-12
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function checkZone(tz: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    throw new UserError('BAD_TZ', `unknown time zone "${tz}"`, '--tz', 'use an IANA zone name, e.g. --tz UTC or --tz Europe/Berlin');
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(tz, f);
  }
  return f;
}

/** Local wall time of an instant. */
export function toWall(epochMs: number, tz: string): Wall {
  const ms = ((epochMs % 1000) + 1000) % 1000;
  if (tz === 'UTC') {
    const d = new Date(epochMs);
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), ms };
  }
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(epochMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year, mo: p.month, d: p.day, h: p.hour, mi: p.minute, s: p.second, ms };
}

const wallAsUtc = (w: Wall) => Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s, w.ms);

/** The instant of a local wall time (a time skipped by DST resolves forward, as PostgreSQL does). */
export function fromWall(w: Wall, tz: string): number {
  const guess = wallAsUtc(w);
  if (tz === 'UTC') return guess;
  const off1 = wallAsUtc(toWall(guess, tz)) - guess;
  const t = guess - off1;
  const off2 = wallAsUtc(toWall(t, tz)) - t;
  return off1 === off2 ? t : guess - Math.max(off1, off2);
}

const TEXT_RE = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d\d(?::?\d\d)?)?$/i;
export const CANONICAL_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * The instant a time text means in the session zone, or null when it is no time. Texts with
 * `Z`/offset are absolute; the rest (`2025-11-26 00:00`, `2025-11-26`) are local wall time.
 */
export function parseInstant(v: unknown, tz: string): number | null {
  if (typeof v !== 'string') return null;
  if (CANONICAL_RE.test(v)) return Date.parse(v);
  const m = TEXT_RE.exec(v.trim());
  if (!m) return null;
  const w: Wall = { y: +m[1], mo: +m[2], d: +m[3], h: +(m[4] ?? 0), mi: +(m[5] ?? 0), s: +(m[6] ?? 0), ms: m[7] ? +(m[7] + '00').slice(0, 3) : 0 };
  if (w.mo < 1 || w.mo > 12 || w.d < 1 || w.d > 31 || w.h > 23 || w.mi > 59 || w.s > 60) return null;
  const z = m[8]?.toUpperCase();
  if (!z) return fromWall(w, tz);
  if (z === 'Z' || z === 'UTC') return wallAsUtc(w);
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  return wallAsUtc(w) - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * 60_000;
}

export const iso = (t: number): string => new Date(t).toISOString();
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
export const wallDate = (w: Wall): string => `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}`;

/** A PostgreSQL interval literal ('3 days', '1 hour 30 minutes', '-2 weeks', '90 min'). */
export interface Interval {
  months: number;
  days: number;
  ms: number;
}

const UNITS: [RegExp, (n: number, iv: Interval) => void][] = [
  [/^(millisecond|milliseconds|ms|msec|msecs)$/, (n, iv) => (iv.ms += n)],
  [/^(s|sec|secs|second|seconds)$/, (n, iv) => (iv.ms += n * 1000)],
  [/^(m|min|mins|minute|minutes)$/, (n, iv) => (iv.ms += n * 60_000)],
  [/^(h|hr|hrs|hour|hours)$/, (n, iv) => (iv.ms += n * 3_600_000)],
  [/^(d|day|days)$/, (n, iv) => (iv.days += n)],
  [/^(w|week|weeks)$/, (n, iv) => (iv.days += 7 * n)],
  [/^(mon|mons|month|months)$/, (n, iv) => (iv.months += n)],
  [/^(y|yr|yrs|year|years)$/, (n, iv) => (iv.months += 12 * n)],
];

export function parseInterval(text: string): Interval | null {
  const iv: Interval = { months: 0, days: 0, ms: 0 };
  const s = text.trim().toLowerCase();
  if (!s) return null;
  const re = /\s*([+-]?\d+(?:\.\d+)?)\s*([a-z]+)\s*/y;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return null;
    const n = Number(m[1]);
    const unit = UNITS.find(([u]) => u.test(m[2]));
    if (!unit) return null;
    // Fractions of days or months are spread by PostgreSQL over smaller units; refuse rather than guess.
    if (!Number.isInteger(n) && !/^(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|ms|msec|msecs|millisecond|milliseconds)$/.test(m[2])) return null;
    unit[1](n, iv);
    pos = re.lastIndex;
  }
  return iv;
}

export function addInterval(t: number, iv: Interval, sign: 1 | -1, tz: string): number {
  let out = t;
  if (iv.months || iv.days) {
    const w = toWall(t, tz);
    const months = w.y * 12 + (w.mo - 1) + sign * iv.months;
    const y = Math.floor(months / 12);
    const mo = (months % 12) + 1;
    // PostgreSQL clamps to the month's last day (Jan 31 + 1 month = Feb 28/29).
    const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    const base = Date.UTC(y, mo - 1, Math.min(w.d, last)) + sign * iv.days * 86_400_000;
    const b = new Date(base);
    out = fromWall({ ...w, y: b.getUTCFullYear(), mo: b.getUTCMonth() + 1, d: b.getUTCDate() }, tz);
  }
  return out + sign * iv.ms;
}

export const TRUNC_FIELDS = ['millisecond', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'decade', 'century'] as const;

export function truncate(t: number, field: string, tz: string): number | null {
  const w = toWall(t, tz);
  const f = field.toLowerCase();
  const z: Wall = { ...w };
  switch (f) {
    case 'millisecond':
    case 'milliseconds':
      return t;
    case 'second':
      z.ms = 0;
      break;
    case 'minute':
      Object.assign(z, { s: 0, ms: 0 });
      break;
    case 'hour':
      Object.assign(z, { mi: 0, s: 0, ms: 0 });
      break;
    case 'day':
      Object.assign(z, { h: 0, mi: 0, s: 0, ms: 0 });
      break;
    case 'week': {
      const dow = (new Date(Date.UTC(w.y, w.mo - 1, w.d)).getUTCDay() + 6) % 7; // Monday = 0
      const b = new Date(Date.UTC(w.y, w.mo - 1, w.d - dow));
      Object.assign(z, { y: b.getUTCFullYear(), mo: b.getUTCMonth() + 1, d: b.getUTCDate(), h: 0, mi: 0, s: 0, ms: 0 });
      break;
    }
    case 'month':
      Object.assign(z, { d: 1, h: 0, mi: 0, s: 0, ms: 0 });
      break;
    case 'quarter':
      Object.assign(z, { mo: w.mo - ((w.mo - 1) % 3), d: 1, h: 0, mi: 0, s: 0, ms: 0 });
      break;
    case 'year':
      Object.assign(z, { mo: 1, d: 1, h: 0, mi: 0, s: 0, ms: 0 });
      break;
    case 'decade':
      Object.assign(z, { y: w.y - (w.y % 10), mo: 1, d: 1, h: 0, mi: 0, s: 0, ms: 0 });
      break;
    case 'century':
      Object.assign(z, { y: w.y - ((w.y - 1) % 100), mo: 1, d: 1, h: 0, mi: 0, s: 0, ms: 0 });
      break;
    default:
      return null;
  }
  return fromWall(z, tz);
}

export const EXTRACT_FIELDS = ['year', 'quarter', 'month', 'week', 'day', 'doy', 'dow', 'isodow', 'hour', 'minute', 'second', 'milliseconds', 'epoch'] as const;

export function extract(t: number, field: string, tz: string): number | null {
  const w = toWall(t, tz);
  const day = Date.UTC(w.y, w.mo - 1, w.d);
  switch (field.toLowerCase()) {
    case 'year':
      return w.y;
    case 'quarter':
      return Math.floor((w.mo - 1) / 3) + 1;
    case 'month':
      return w.mo;
    case 'day':
      return w.d;
    case 'hour':
      return w.h;
    case 'minute':
      return w.mi;
    case 'second':
      return w.s + w.ms / 1000;
    case 'milliseconds':
      return w.s * 1000 + w.ms;
    case 'epoch':
      return t / 1000;
    case 'dow':
      return new Date(day).getUTCDay();
    case 'isodow':
      return new Date(day).getUTCDay() || 7;
    case 'doy':
      return Math.round((day - Date.UTC(w.y, 0, 1)) / 86_400_000) + 1;
    case 'week': {
      // ISO 8601 week: the week with the year's first Thursday is week 1.
      const dow = new Date(day).getUTCDay() || 7;
      const thursday = day + (4 - dow) * 86_400_000;
      const y = new Date(thursday).getUTCFullYear();
      return Math.floor((thursday - Date.UTC(y, 0, 1)) / (7 * 86_400_000)) + 1;
    }
    default:
      return null;
  }
}
