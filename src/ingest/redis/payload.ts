/**
 * Decoding a published JSON payload (pub/sub message, MONITOR PUBLISH, stream entry, JSONL
 * event) into the `redis_messages` columns. The same fact is spelled differently per era and
 * dialect (evidence-formats.md §4.2): era A `timestamp` in epoch seconds, era B `ts_ms` and
 * string prices, runbook ISO strings, `volume_24h`, `"approved": false`. Stream entries carry every
 * value as a string, so numbers are read from numeric strings too.
 */

export interface DecodedColumns {
  msg_type: string | null;
  symbol: string | null;
  price: number | null;
  volume: number | null;
  pct_change: number | null;
  side: string | null;
  signal_type: string | null;
  confidence: number | null;
  signal_id: string | null;
  strategy_id: string | null;
  order_id: string | null;
  client_id: string | null;
  status: string | null;
  reason: string | null;
  approved: number | null;
  code: string | null;
  level: string | null;
  quantity: number | null;
  payload_ts: string | null;
}

export const NO_COLUMNS: DecodedColumns = Object.freeze({
  msg_type: null, symbol: null, price: null, volume: null, pct_change: null, side: null, signal_type: null,
  confidence: null, signal_id: null, strategy_id: null, order_id: null, client_id: null, status: null, reason: null,
  approved: null, code: null, level: null, quantity: null, payload_ts: null,
});

export type JsonObject = Record<string, unknown>;

export type PayloadResult = { ok: true; obj: JsonObject; columns: DecodedColumns } | { ok: false; error: string };

const NUMERIC = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && NUMERIC.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function bool(v: unknown): number | null {
  if (v === true || v === 1) return 1;
  if (v === false || v === 0) return 0;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 't' || s === 'true' || s === '1') return 1;
    if (s === 'f' || s === 'false' || s === '0') return 0;
  }
  return null;
}

function first(obj: JsonObject, keys: string[]): unknown {
  for (const k of keys) if (obj[k] !== undefined && obj[k] !== null) return obj[k];
  return undefined;
}

const MIN_YEAR = 1990;
const MAX_YEAR = 2100;

function plausible(ms: number): string | null {
  if (!Number.isFinite(ms)) return null;
  const d = new Date(Math.trunc(ms));
  const y = d.getUTCFullYear();
  return y >= MIN_YEAR && y <= MAX_YEAR ? d.toISOString() : null;
}

/** Epoch seconds, or epoch milliseconds when the number is beyond 1e12 (year 33658 in seconds). */
export function epochToIso(v: number): string | null {
  return plausible(v > 1e12 ? v : v * 1000);
}

/** Epoch milliseconds only (`ts_ms`, stream ids). */
export function epochMsToIso(v: number): string | null {
  return plausible(v);
}

/**
 * ISO 8601 text → ISO UTC with milliseconds. A time without zone is UTC (the services and the
 * paper runner write naive UTC). Fractions are truncated to milliseconds, never rounded, so
 * `...11.907311` stays in the same millisecond it was written in.
 */
export function isoToUtc(s: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, sec = '0', frac = '', zone] = m;
  const ms = Number((frac + '000').slice(0, 3));
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms);
  const check = new Date(base);
  // Date.UTC rolls 2025-02-30 over into March; refuse instead of inventing a day.
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 60) {
    return null;
  }
  let offsetMin = 0;
  if (zone && /^[+-]/.test(zone)) {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    offsetMin = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? '0'));
  }
  return plausible(base - offsetMin * 60_000);
}

/** A payload time in any of the shapes the bot writes: epoch s / ms number or numeric string, or ISO text. */
export function timeFromValue(v: unknown): string | null {
  const n = num(v);
  if (n !== null) return epochToIso(n);
  if (typeof v === 'string') return isoToUtc(v);
  return null;
}

/** `1768557618604-0` → the id's millisecond clock as ISO UTC. */
export function streamIdToIso(id: string): string | null {
  const m = /^(\d+)-\d+$/.exec(id);
  return m ? epochMsToIso(Number(m[1])) : null;
}

/** Decode an already parsed payload object into the columns. */
export function decodeObject(obj: JsonObject): DecodedColumns {
  const tsMs = num(obj.ts_ms);
  const payloadTs =
    obj.timestamp !== undefined && obj.timestamp !== null
      ? timeFromValue(obj.timestamp)
      : tsMs !== null
        ? epochMsToIso(tsMs)
        : obj.ts !== undefined && obj.ts !== null
          ? timeFromValue(obj.ts)
          : null;
  return {
    msg_type: text(obj.type),
    symbol: text(obj.symbol),
    price: num(obj.price),
    volume: num(first(obj, ['volume', 'volume_24h', 'trade_qty'])),
    pct_change: num(obj.pct_change),
    side: text(obj.side),
    signal_type: text(obj.signal_type),
    confidence: num(obj.confidence),
    signal_id: text(obj.signal_id),
    strategy_id: text(obj.strategy_id),
    order_id: text(obj.order_id),
    client_id: text(obj.client_id),
    status: text(obj.status),
    reason: text(first(obj, ['reason', 'error_message'])),
    approved: bool(obj.approved),
    code: text(obj.code),
    level: text(obj.level),
    quantity: num(first(obj, ['quantity', 'filled_quantity', 'size'])),
    payload_ts: payloadTs,
  };
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Parse a payload text. Non-JSON and JSON that is not an object give an error text for the quarantine reason. */
export function decodePayload(payload: string, parsed?: { text: string; value: unknown }): PayloadResult {
  let v: unknown;
  try {
    // A caller that already parsed the same text (whitespace at the start is insignificant in JSON) saves a second parse.
    v = parsed !== undefined && parsed.text === payload.trimStart() ? parsed.value : JSON.parse(payload);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, error: payload.trim() === '' ? 'empty payload' : msg };
  }
  if (jsonKind(v) !== 'object') return { ok: false, error: `a JSON ${jsonKind(v)}, not an object` };
  const obj = v as JsonObject;
  return { ok: true, obj, columns: decodeObject(obj) };
}

/**
 * Stream key from entry fields, only where the fields leave no doubt (§4.3). Order results go to
 * both `stream.fills` and `stream.order_results`, so they tell nothing.
 */
export function streamKeyFromFields(obj: JsonObject): { key: string; why: string } | null {
  const type = typeof obj.type === 'string' ? obj.type : '';
  if (type === 'signal') return { key: 'stream.signals', why: 'entries have type=signal' };
  if (type === 'order') return { key: 'stream.orders', why: 'entries have type=order' };
  if ('regime' in obj && 'adx' in obj) return { key: 'stream.regime_signals', why: 'entries have regime/adx fields' };
  if ('allocation_pct' in obj) return { key: 'stream.allocation_decisions', why: 'entries have an allocation_pct field' };
  if ('timeframe' in obj && 'open' in obj && 'close' in obj) return { key: 'stream.candles_1m', why: 'entries are candles' };
  if ('priority' in obj && 'reason' in obj && !type) return { key: 'stream.bot_shutdown', why: 'entries have priority/reason fields' };
  return null;
}

/** A stream key named in a file name (`xrange_stream.signals.txt` → `stream.signals`). */
export function streamKeyFromName(name: string): string | null {
  const base = name.replace(/\.(txt|log|out)$/i, '');
  const m = /(stream\.[A-Za-z0-9_]+|cdb:envelopes:v1)/.exec(base);
  return m ? m[1] : null;
}

/**
 * The raw text of a top-level member of a JSON object text, so a payload can be stored as it was
 * written (Python's `0.0`, `5.028e-06` and spacing survive) instead of re-serialised.
 * `jsonText` must be valid JSON (checked by the caller with JSON.parse).
 */
export function rawMember(jsonText: string, key: string): string | null {
  let i = jsonText.indexOf('{');
  if (i < 0) return null;
  i++;
  const n = jsonText.length;
  const skipWs = () => {
    while (i < n && /\s/.test(jsonText[i])) i++;
  };
  const readString = (): string => {
    const start = i;
    i++;
    while (i < n && jsonText[i] !== '"') i += jsonText[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(jsonText.slice(start, i)) as string;
  };
  const skipValue = () => {
    let depth = 0;
    while (i < n) {
      const c = jsonText[i];
      if (c === '"') {
        readString();
        if (depth === 0) return;
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (depth === 0) return;
        depth--;
        if (depth === 0) {
          i++;
          return;
        }
      } else if (depth === 0 && c === ',') return;
      i++;
    }
  };
  for (;;) {
    skipWs();
    if (jsonText[i] !== '"') return null;
    const k = readString();
    skipWs();
    if (jsonText[i] !== ':') return null;
    i++;
    skipWs();
    const start = i;
    skipValue();
    let end = i;
    while (end > start && /\s/.test(jsonText[end - 1])) end--;
    if (k === key) return jsonText.slice(start, end);
    skipWs();
    if (jsonText[i] !== ',') return null;
    i++;
  }
}
