/**
 * One application line of any Claire de Binare container, after the capture wrapper (compose
 * prefix, docker stamp, json-file envelope) is gone: evidence-formats.md §2.3 and §2.5.
 *
 * `parseAppLine` recognises *headers*: lines that start a record in every container. Lines it
 * refuses are continuation candidates; `parsePrintLine` then reads them for the containers where
 * every line is its own record (era-A cdb_ws prints, cdb_reports `[LEVEL] text`).
 *
 * Hot path: called for every line of GB-sized logs, so each shape is guarded by a few charCode
 * tests before its (pre-compiled) regex runs.
 */

export type LogFormat =
  | 'bracket'
  | 'dash'
  | 'plain-name'
  | 'ws-nomillis'
  | 'print'
  | 'werkzeug'
  | 'redis'
  | 'postgres'
  | 'reports-print'
  | 'logfmt'
  | 'glog'
  | 'unformatted';

export type LogKind =
  | 'app'
  | 'health_poll'
  | 'print'
  | 'redis'
  | 'postgres'
  | 'report'
  | 'continuation'
  | 'wrapper'
  /** A block another writer printed to the container's stream outside the logging format (record-joiner.ts). */
  | 'stderr_block';

export interface AppLine {
  format: LogFormat;
  kind: LogKind;
  /** Time as printed, or null. */
  tsText: string | null;
  /** `tsText` as ISO UTC with milliseconds, when it can be read. */
  ts: string | null;
  /** Zone assumed to read `tsText`. */
  zone: string | null;
  level: string | null;
  logger: string | null;
  message: string;
  /** A Python `logging` header (bracket, dash, plain-name, ws-nomillis). */
  python: boolean;
  /** postgres backend pid: DETAIL/STATEMENT lines of the same pid join the previous record. */
  pid?: string;
  /** A distinctive era-A cdb_ws print (only such lines name the service). */
  wsPrint?: boolean;
  /** Era-A cdb_ws `[... UTC] Top movers (15m):` banner: the table lines that follow belong to it. */
  topMovers?: boolean;
}

/** Python asctime is container-local time and no container sets TZ (§2.3). */
export const ZONE_ASSUMED_UTC = 'UTC (assumed)';

const LEVELS: Record<string, string> = {
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARNING: 'WARNING',
  WARN: 'WARNING',
  ERROR: 'ERROR',
  CRITICAL: 'CRITICAL',
  // Python's logging.FATAL is CRITICAL; only non-Python sources print FATAL, and they keep it.
  FATAL: 'CRITICAL',
};

/**
 * Hot path (every header line): the usual levels are told apart by length and compared in place,
 * which costs less than hashing a freshly cut string for the table lookup, and the result is the
 * table's own (internalized) constant, so later comparisons of it are pointer compares.
 */
export function normalizeLevel(level: string): string {
  switch (level.length) {
    case 4:
      if (level === 'INFO') return 'INFO';
      if (level === 'WARN') return 'WARNING';
      break;
    case 5:
      if (level === 'DEBUG') return 'DEBUG';
      if (level === 'ERROR') return 'ERROR';
      if (level === 'FATAL') return 'CRITICAL';
      break;
    case 7:
      if (level === 'WARNING') return 'WARNING';
      break;
    case 8:
      if (level === 'CRITICAL') return 'CRITICAL';
      break;
  }
  return LEVELS[level] ?? level;
}

const MONTHS: Record<string, string> = {
  Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06',
  Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12',
};

/** `YYYY-MM-DD`, `HH:MM:SS`, fractional digits → ISO UTC with ms, or null when out of range. */
export function isoUtc(date: string, time: string, frac: string | undefined): string | null {
  const mo = (date.charCodeAt(5) - 48) * 10 + (date.charCodeAt(6) - 48);
  const d = (date.charCodeAt(8) - 48) * 10 + (date.charCodeAt(9) - 48);
  const h = (time.charCodeAt(0) - 48) * 10 + (time.charCodeAt(1) - 48);
  const mi = (time.charCodeAt(3) - 48) * 10 + (time.charCodeAt(4) - 48);
  const s = (time.charCodeAt(6) - 48) * 10 + (time.charCodeAt(7) - 48);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  let ms = '000';
  if (frac) ms = frac.length >= 3 ? frac.slice(0, 3) : (frac + '00').slice(0, 3);
  return `${date}T${time}.${ms}Z`;
}

const ZONE_MINUTES: Record<string, number> = { UTC: 0, GMT: 0, Z: 0, UCT: 0, CET: 60, CEST: 120, MET: 60, MEST: 120, WET: 0, WEST: 60, EET: 120, EEST: 180 };

/** Local wall time in a named or numeric zone → ISO UTC, or null for a zone we cannot read. */
export function isoFromZoned(date: string, time: string, frac: string | undefined, zone: string): string | null {
  let off: number | undefined = ZONE_MINUTES[zone];
  if (off === undefined) {
    const m = /^([+-])(\d\d):?(\d\d)?$/.exec(zone);
    if (!m) return null;
    off = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
  }
  const base = isoUtc(date, time, frac);
  if (!base || off === 0) return base;
  const t = Date.parse(base) - off * 60_000;
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

// ---------------------------------------------------------------------------------------------
// docker stamps (`--timestamps`, `docker logs -t`, json-file `time`)

/**
 * If `text` starts with an RFC 3339 docker stamp (`2025-11-30T14:02:11.908213457Z`) followed by a
 * space or the end of the line, return the index where the stamp ends; else -1.
 */
export function dockerStampEnd(text: string): number {
  return dockerStampEndAt(text, 0);
}

/**
 * `dockerStampEnd` of the text from `from` on, read in place (no cut string per line): the index
 * in `text` where the stamp ends, else -1.
 */
export function dockerStampEndAt(text: string, from: number): number {
  const o = from;
  if (text.length - o < 20 || text.charCodeAt(o + 10) !== 84 /* T */ || text.charCodeAt(o + 4) !== 45 || text.charCodeAt(o + 13) !== 58) return -1;
  const c0 = text.charCodeAt(o);
  if (c0 < 48 || c0 > 57) return -1;
  let i = o + 19;
  if (text.charCodeAt(i) === 46 /* . */) {
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      i++;
    }
  }
  if (text.charCodeAt(i) === 90 /* Z */) i++;
  else if ((text[i] === '+' || text[i] === '-') && /^[+-]\d\d:\d\d$/.test(text.slice(i, i + 6))) i += 6;
  else return -1;
  if (i < text.length && text.charCodeAt(i) !== 32) return -1;
  return i;
}

const STAMP_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const RFC3339 = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/;

/** isoUtc's range test on a `YYYY-MM-DDTHH:MM:SS` stamp at `o` whose digits are checked. */
function stampInRange(stamp: string, o: number): boolean {
  const mo = (stamp.charCodeAt(o + 5) - 48) * 10 + (stamp.charCodeAt(o + 6) - 48);
  const d = (stamp.charCodeAt(o + 8) - 48) * 10 + (stamp.charCodeAt(o + 9) - 48);
  const h = (stamp.charCodeAt(o + 11) - 48) * 10 + (stamp.charCodeAt(o + 12) - 48);
  const mi = (stamp.charCodeAt(o + 14) - 48) * 10 + (stamp.charCodeAt(o + 15) - 48);
  const sec = (stamp.charCodeAt(o + 17) - 48) * 10 + (stamp.charCodeAt(o + 18) - 48);
  return !(mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60);
}

/** RFC 3339 (any number of fractional digits) → ISO UTC with ms; null when unreadable. */
export function rfc3339ToIso(stamp: string): string | null {
  return rfc3339ToIsoAt(stamp, 0, stamp.length);
}

/** `rfc3339ToIso(text.slice(start, end))`, read in place: the usual stamp costs one cut, not three. */
export function rfc3339ToIsoAt(text: string, start: number, end: number): string | null {
  // Fast path for the daemon's usual `YYYY-MM-DDTHH:MM:SS[.f+]Z`: no regex per line.
  const o = start;
  const n = end - start;
  if (n >= 20 && text.charCodeAt(end - 1) === 90 && text.charCodeAt(o + 10) === 84 && text.charCodeAt(o + 4) === 45 && text.charCodeAt(o + 7) === 45 && text.charCodeAt(o + 13) === 58 && text.charCodeAt(o + 16) === 58) {
    let digits = true;
    for (let k = 0; k < STAMP_DIGITS.length; k++) if (!isDigit(text.charCodeAt(o + STAMP_DIGITS[k]))) digits = false;
    // What isoUtc would build, cut from the stamp itself: one string per stamp instead of four.
    if (digits && n === 20) return stampInRange(text, o) ? `${text.slice(o, o + 19)}.000Z` : null;
    if (digits && text.charCodeAt(o + 19) === 46 && n > 21) {
      for (let i = o + 20; i < end - 1; i++) if (!isDigit(text.charCodeAt(i))) digits = false;
      if (digits && n >= 24) return stampInRange(text, o) ? `${text.slice(o, o + 23)}Z` : null;
      if (digits) return isoUtc(text.slice(o, o + 10), text.slice(o + 11, o + 19), text.slice(o + 20, Math.min(o + 23, end - 1)));
    }
  }
  const m = RFC3339.exec(start === 0 && end === text.length ? text : text.slice(start, end));
  if (!m) return null;
  return m[4] === 'Z' ? isoUtc(m[1], m[2], m[3]) : isoFromZoned(m[1], m[2], m[3], m[4]);
}

// ---------------------------------------------------------------------------------------------
// headers

const LV = '(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)';
const ASCTIME = '(\\d{4}-\\d\\d-\\d\\d) (\\d\\d:\\d\\d:\\d\\d)';
const BRACKET = new RegExp(`^${ASCTIME}(?:,(\\d{3}))? \\[${LV}\\] ([\\w.\\-]+): ?(.*)$`);
const DASH = new RegExp(`^${ASCTIME}(?:,(\\d{3}))? - ([\\w.\\-]+) - ${LV} -(?: (.*))?$`);
const PLAIN_NAME = new RegExp(`^${ASCTIME}(?:,(\\d{3}))? ([\\w.\\-]+) ${LV}(?: (.*))?$`);
const POSTGRES = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))? ([A-Za-z]{1,5}|[+-]\d\d(?::?\d\d)?) \[(\d+)\] (?:\S*@\S* )?([A-Z][A-Z0-9]{2,9}):  ?(.*)$/;
const REDIS = /^(\d+):([XCSM]) (\d\d?) ([A-Z][a-z]{2}) (\d{4}) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))? ([.\-*#]) ?(.*)$/;
const REDIS_OLD = /^\[(\d+)\] (\d\d? [A-Z][a-z]{2} \d\d:\d\d:\d\d(?:\.\d{1,6})?) ([.\-*#]) ?(.*)$/;
const WERKZEUG_BARE = /^(\S+) - (\S+) \[(\d\d)\/([A-Z][a-z]{2})\/(\d{4}) (\d\d:\d\d:\d\d)\] (.*)$/;
const GLOG = /^([IWEF])(\d{4} \d\d:\d\d:\d\d\.\d{6}) +(\d+) ([^\s:\]]+:\d+)\] ?(.*)$/;
const LOGFMT_PAIR = /([A-Za-z_][\w.\-]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
const HEALTH_POLL = /"(?:GET|HEAD) \/(?:health|status)(?:[/?][^" ]*)? HTTP\/[\d.]+"/;

const REDIS_LEVEL: Record<string, string> = { '.': 'DEBUG', '-': 'VERBOSE', '*': 'NOTICE', '#': 'WARNING' };
const GLOG_LEVEL: Record<string, string> = { I: 'INFO', W: 'WARNING', E: 'ERROR', F: 'FATAL' };
const LOGFMT_LEVEL: Record<string, string> = {
  debug: 'DEBUG', dbug: 'DEBUG', trace: 'DEBUG', info: 'INFO', warn: 'WARNING', warning: 'WARNING',
  error: 'ERROR', eror: 'ERROR', err: 'ERROR', crit: 'CRITICAL', critical: 'CRITICAL', fatal: 'FATAL', panic: 'PANIC',
};

function werkzeugKind(logger: string | null, message: string): LogKind {
  if (logger === 'werkzeug' && message.indexOf('"') >= 0 && HEALTH_POLL.test(message)) return 'health_poll';
  return 'app';
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Whether `dockerTs` is the text isoUtc(date, time, ms) gives (`YYYY-MM-DDTHH:MM:SS.mmmZ`),
 * compared in place: most Python records are stamped by docker in the millisecond they were
 * logged, and then `ts` is the docker stamp's own string — none is built, one string less to keep
 * and bind per record, and the writer's comparisons of the two are pointer compares.
 */
function isIsoOf(dockerTs: string, date: string, time: string, ms: string | undefined): boolean {
  return (
    dockerTs.length === 24 &&
    dockerTs.charCodeAt(10) === 84 /* T */ &&
    dockerTs.charCodeAt(19) === 46 /* . */ &&
    dockerTs.charCodeAt(23) === 90 /* Z */ &&
    dockerTs.startsWith(time, 11) &&
    dockerTs.startsWith(ms ?? '000', 20) &&
    dockerTs.startsWith(date) &&
    stampInRange(dockerTs, 0)
  );
}

/** `text` starts with the asctime `date time[,ms]` (all Python header shapes do). */
function python(
  format: LogFormat,
  text: string,
  date: string,
  time: string,
  ms: string | undefined,
  level: string,
  logger: string,
  message: string,
  dockerTs: string | null,
): AppLine {
  return {
    format,
    kind: werkzeugKind(logger, message),
    // Cut from the line, not built from its parts: `${date} ${time},${ms}` is the line's first characters.
    tsText: text.slice(0, ms ? 23 : 19),
    ts: dockerTs !== null && isIsoOf(dockerTs, date, time, ms) ? dockerTs : isoUtc(date, time, ms),
    zone: ZONE_ASSUMED_UTC,
    level: normalizeLevel(level),
    logger,
    message,
    python: true,
  };
}

function unquoteLogfmt(v: string): string {
  if (v.length >= 2 && v.charCodeAt(0) === 34 && v.charCodeAt(v.length - 1) === 34) {
    return v.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
  }
  return v;
}

/** Go services (grafana, prometheus, loki, exporters): `logger=x t=... level=info msg="..."`. */
function parseLogfmt(text: string): AppLine | null {
  // Cheap guard: logfmt starts with `key=` and always carries a level.
  const eq = text.indexOf('=');
  if (eq <= 0 || eq > 24 || !/^[A-Za-z_][\w.\-]*$/.test(text.slice(0, eq))) return null;
  if (text.indexOf('level=') < 0 && text.indexOf('lvl=') < 0) return null;
  let tsText: string | null = null;
  let level: string | null = null;
  let logger: string | null = null;
  let msg: string | null = null;
  const rest: string[] = [];
  let consumed = 0;
  LOGFMT_PAIR.lastIndex = 0;
  for (let m = LOGFMT_PAIR.exec(text); m; m = LOGFMT_PAIR.exec(text)) {
    const gap = text.slice(consumed, m.index);
    if (gap.trim() !== '') return null; // not a clean key=value line
    consumed = m.index + m[0].length;
    const k = m[1];
    const v = unquoteLogfmt(m[2]);
    if ((k === 't' || k === 'ts' || k === 'time') && tsText === null) tsText = v;
    else if ((k === 'level' || k === 'lvl') && level === null) level = LOGFMT_LEVEL[v.toLowerCase()] ?? v.toUpperCase();
    else if ((k === 'logger' || k === 'component' || k === 'caller') && logger === null) logger = v;
    else if (k === 'msg' && msg === null) msg = v;
    else rest.push(m[0]);
  }
  if (text.slice(consumed).trim() !== '' || level === null) return null;
  const message = [msg ?? '', ...rest].filter((s) => s !== '').join(' ');
  const ts = tsText ? rfc3339ToIso(tsText.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) : null;
  return {
    format: 'logfmt',
    kind: 'app',
    tsText,
    ts,
    zone: ts ? (/Z$|[+-]00:?00$/.test(tsText ?? '') ? 'UTC' : (/([+-]\d\d:?\d\d)$/.exec(tsText ?? '')?.[1] ?? null)) : null,
    level,
    logger,
    message,
    python: false,
  };
}

/**
 * A header line of any known format, or null when the line continues the previous record (or is
 * a print, see parsePrintLine). `text` has no compose prefix and no docker stamp; `dockerTs`, the
 * line's docker stamp as ISO, only lets a Python header's equal time share its string.
 */
export function parseAppLine(text: string, dockerTs: string | null = null): AppLine | null {
  const len = text.length;
  if (len < 8) return null;
  const c0 = text.charCodeAt(0);
  if (isDigit(c0)) {
    // `YYYY-MM-DD HH:MM:SS`: Python asctime or postgres %m.
    if (len >= 19 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45 && text.charCodeAt(10) === 32 && text.charCodeAt(13) === 58) {
      const c19 = text.charCodeAt(19);
      if (c19 === 46 /* . */ || (c19 === 32 && len > 21 && !isDigit(text.charCodeAt(20)) && text.charCodeAt(20) !== 91 && text.charCodeAt(20) !== 45)) {
        const pg = POSTGRES.exec(text);
        if (pg) {
          const zone = pg[4];
          return {
            format: 'postgres',
            kind: 'postgres',
            tsText: `${pg[1]} ${pg[2]}${pg[3] ? '.' + pg[3] : ''} ${zone}`,
            ts: isoFromZoned(pg[1], pg[2], pg[3], zone),
            zone,
            level: pg[6],
            logger: `[${pg[5]}]`,
            message: pg[7],
            python: false,
            pid: pg[5],
          };
        }
      }
      if (c19 === 44 /* , */ || c19 === 32) {
        // After the time (and millis) comes ` [` (bracket), ` - ` (dash) or ` <name> ` (plain).
        const after = c19 === 44 ? 23 : 19;
        const a1 = text.charCodeAt(after + 1);
        if (a1 === 91 /* [ */) {
          const m = BRACKET.exec(text);
          if (m) return python(m[3] ? 'bracket' : 'ws-nomillis', text, m[1], m[2], m[3], m[4], m[5], m[6], dockerTs);
        } else if (a1 === 45 /* - */ && text.charCodeAt(after + 2) === 32) {
          const m = DASH.exec(text);
          if (m) return python('dash', text, m[1], m[2], m[3], m[5], m[4], m[6] ?? '', dockerTs);
        } else {
          const m = PLAIN_NAME.exec(text);
          if (m) return python('plain-name', text, m[1], m[2], m[3], m[5], m[4], m[6] ?? '', dockerTs);
        }
      }
      return null;
    }
    // redis `1:M 29 Nov 2025 20:50:01.123 * text`
    const colon = text.indexOf(':');
    if (colon > 0 && colon < 8 && text.charCodeAt(colon + 2) === 32) {
      const m = REDIS.exec(text);
      if (m) {
        const date = `${m[5]}-${MONTHS[m[4]] ?? '00'}-${m[3].padStart(2, '0')}`;
        return {
          format: 'redis',
          kind: 'redis',
          tsText: `${m[3]} ${m[4]} ${m[5]} ${m[6]}${m[7] ? '.' + m[7] : ''}`,
          ts: MONTHS[m[4]] ? isoUtc(date, m[6], m[7]) : null,
          zone: ZONE_ASSUMED_UTC,
          level: REDIS_LEVEL[m[8]],
          logger: `${m[1]}:${m[2]}`,
          message: m[9],
          python: false,
        };
      }
    }
    // bare werkzeug `127.0.0.1 - - [29/Nov/2025 20:52:46] "GET /health HTTP/1.1" 200 -`
    if (text.indexOf(' - ') > 0 && text.indexOf('] ') > 0) {
      const m = WERKZEUG_BARE.exec(text);
      if (m && MONTHS[m[4]]) {
        const message = text;
        return {
          format: 'werkzeug',
          kind: werkzeugKind('werkzeug', message),
          tsText: `${m[3]}/${m[4]}/${m[5]} ${m[6]}`,
          ts: isoUtc(`${m[5]}-${MONTHS[m[4]]}-${m[3]}`, m[6], undefined),
          zone: ZONE_ASSUMED_UTC,
          level: 'INFO',
          logger: 'werkzeug',
          message,
          python: false,
        };
      }
    }
    return null;
  }
  if (c0 === 91 /* [ */) {
    // pre-3.0 redis `[1] 29 Nov 20:50:01.123 # text` (no year: time kept as text only)
    if (isDigit(text.charCodeAt(1))) {
      const m = REDIS_OLD.exec(text);
      if (m) {
        return { format: 'redis', kind: 'redis', tsText: m[2], ts: null, zone: null, level: REDIS_LEVEL[m[3]], logger: `[${m[1]}]`, message: m[4], python: false };
      }
    }
    return null;
  }
  // glog (cadvisor): `I1221 23:54:05.571123       1 manager.go:123] msg`
  if ((c0 === 73 || c0 === 87 || c0 === 69 || c0 === 70) && isDigit(text.charCodeAt(1)) && text.charCodeAt(5) === 32) {
    const m = GLOG.exec(text);
    if (m) return { format: 'glog', kind: 'app', tsText: m[2], ts: null, zone: null, level: GLOG_LEVEL[m[1]], logger: m[4], message: m[5], python: false };
    return null;
  }
  if ((c0 >= 97 && c0 <= 122) || c0 === 95) return parseLogfmt(text);
  // Some werkzeug lines start with a host name or an IPv6 address instead of a digit.
  if (c0 === 58 || (c0 >= 65 && c0 <= 90)) {
    if (text.indexOf(' - - [') > 0) {
      const m = WERKZEUG_BARE.exec(text);
      if (m && MONTHS[m[4]]) {
        return {
          format: 'werkzeug', kind: werkzeugKind('werkzeug', text), tsText: `${m[3]}/${m[4]}/${m[5]} ${m[6]}`,
          ts: isoUtc(`${m[5]}-${MONTHS[m[4]]}-${m[3]}`, m[6], undefined), zone: ZONE_ASSUMED_UTC, level: 'INFO', logger: 'werkzeug', message: text, python: false,
        };
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// prints (era-A cdb_ws, cdb_reports)

const TOP_MOVERS = /^\[(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) (UTC|[A-Z]{2,5})\] Top movers/;
const WS_PRINT = /^(?:\[WS(?: [A-Z]+)?\] |Hole Symbolliste|✓ Redis verbunden|⚠ Redis nicht verf|Redis publish fehler|on_message fehler|Invalid WS URL scheme)/;
const REPORTS_PRINT = /^\[(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\] ?(.*)$/;

/** Is this one of the distinctive era-A cdb_ws prints (§2.5)? */
export function isWsPrint(text: string): boolean {
  const c0 = text.charCodeAt(0);
  if (c0 === 91 /* [ */) return text.startsWith('[WS') || TOP_MOVERS.test(text);
  return WS_PRINT.test(text);
}

/**
 * Read a line that is its own record although it has no logging header: era-A cdb_ws prints,
 * cdb_reports `[LEVEL] text`, or any other standalone line. Never null.
 */
export function parsePrintLine(text: string): AppLine {
  const c0 = text.charCodeAt(0);
  if (c0 === 91 /* [ */) {
    const tm = TOP_MOVERS.exec(text);
    if (tm) {
      const zone = tm[3];
      return {
        format: 'print', kind: 'print', tsText: `${tm[1]} ${tm[2]} ${zone}`, ts: isoFromZoned(tm[1], tm[2], undefined, zone),
        zone, level: null, logger: null, message: text, python: false, wsPrint: true, topMovers: true,
      };
    }
    if (text.startsWith('[WS')) {
      const level = text.startsWith('[WS ERROR]') ? 'ERROR' : null;
      return { format: 'print', kind: 'print', tsText: null, ts: null, zone: null, level, logger: null, message: text, python: false, wsPrint: true };
    }
    const rp = REPORTS_PRINT.exec(text);
    if (rp) {
      return { format: 'reports-print', kind: 'print', tsText: null, ts: null, zone: null, level: normalizeLevel(rp[1]), logger: null, message: rp[2], python: false };
    }
  } else if (WS_PRINT.test(text)) {
    // Only the explicit markers carry a level; the other prints have none and none is invented.
    const level = text.startsWith('⚠') ? 'WARNING' : null;
    return { format: 'print', kind: 'print', tsText: null, ts: null, zone: null, level, logger: null, message: text, python: false, wsPrint: true };
  }
  return { format: 'print', kind: 'print', tsText: null, ts: null, zone: null, level: null, logger: null, message: text, python: false };
}

/** Lines of the pandas table printed under a Top movers banner (§2.4). */
const TOP_TABLE =
  /^(?:TOP \d+ (?:Gewinner|Verlierer):?|\s*symbol\s+pct_change\s*|\s*(?:\d+\s+)?[A-Za-z0-9_./-]+\s+(?:-?\d[\d.]*(?:e[+-]?\d+)?|NaN|nan|-?inf)\s*|Noch keine Daten.*|Empty DataFrame|Columns: .*|Index: .*)$/;

export function isTopMoversTableLine(text: string): boolean {
  return TOP_TABLE.test(text);
}

// ---------------------------------------------------------------------------------------------
// PowerShell 5.1 `2>&1` wrapper (§2.1)

const PS_AT_LINE = /^At (?:line:\d+ char:\d+|[^\n]*:\d+ char:\d+)$/;
const PS_FIELDS = /^\s*\+ (?:CategoryInfo|FullyQualifiedErrorId)\s*:/;

/**
 * Windows PowerShell wraps the first stderr line of a native command as `docker : <line>` and
 * follows it with `At line:1 char:1`, `+ <command>`, `+ ~~~~`, `+ CategoryInfo ...`,
 * `+ FullyQualifiedErrorId ...` and a blank line. This tracks that block.
 */
export class PowerShellWrapper {
  private inBlock = false;
  private afterFqid = false;

  /** Text after a leading `docker : ` (the wrapped line is real output), else the text itself. */
  static unwrap(text: string): string {
    return text.startsWith('docker : ') ? text.slice(9) : text;
  }

  /** In the state of a file's start: no wrapper block is open. */
  isFresh(): boolean {
    return !this.inBlock && !this.afterFqid;
  }

  /** True when the line is wrapper noise and carries no container output. */
  isNoise(text: string): boolean {
    if (this.afterFqid) {
      this.afterFqid = false;
      if (text.trim() === '') return true;
    }
    // Hot path (every line of a log): a line that starts with a printable ASCII character other
    // than `+` and `A` can open no wrapper line, and outside a block it is no noise.
    const c0 = text.charCodeAt(0);
    if (!this.inBlock && c0 > 32 && c0 < 127 && c0 !== 43 /* + */ && c0 !== 65 /* A */) return false;
    if (PS_FIELDS.test(text)) {
      this.inBlock = !text.includes('FullyQualifiedErrorId');
      if (!this.inBlock) this.afterFqid = true;
      return true;
    }
    if (text.charCodeAt(0) === 65 /* A */ && PS_AT_LINE.test(text)) {
      this.inBlock = true;
      return true;
    }
    if (this.inBlock) {
      if (/^\s*\+ /.test(text) || /^\s*\+\s*~+\s*$/.test(text)) return true;
      this.inBlock = false;
    }
    return false;
  }
}
