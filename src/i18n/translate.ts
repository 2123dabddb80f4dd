/**
 * Keyed text: a rule or the report builder says `text('summary.break', { stage, at })`, never a
 * finished sentence; the sentence is made once, in the report's language, when the report is built.
 * Parameters are typed from the English catalog's placeholders, so a missing or misspelt one is a
 * compile error, and `render` checks again at run time for texts read back from a report.json.
 */
import { formatDate, formatDateTime, formatDuration, formatNumber, formatPercent } from './format.js';
import type { Lang } from './lang.js';
import { de, en, type MessageKey } from './messages/index.js';

export type { MessageKey } from './messages/index.js';

export const CATALOGS: Record<Lang, Record<MessageKey, string>> = { en, de };

type Placeholders<S extends string> = S extends `${string}{${infer Body}}${infer Rest}` ? Body | Placeholders<Rest> : never;
type NameOf<B extends string> = B extends `${infer N}:${string}` ? N : B;
/** A text parameter may itself be keyed text (a stage name, a cause title) or a list joined with ", ". */
export type Param = string | number | AnyText;
type ValueOf<B extends string> = B extends `${string}:${infer K}`
  ? K extends 'date' | 'datetime'
    ? string
    : K extends 'list'
      ? readonly Param[]
      : number
  : Param;
/** Number kinds also take null: a value that does not exist (the average of no fills), shown as "–". */
type Nullable<K> = K extends number ? number | null : K;
export type ParamsOf<S extends string> = { [B in Placeholders<S> as NameOf<B>]: Nullable<ValueOf<B>> };
export type Params<K extends MessageKey> = ParamsOf<(typeof en)[K]>;

/** A text not yet rendered: the key and its parameters (kept in report.json beside the rendered text). */
export interface Text<K extends MessageKey = MessageKey> {
  key: K;
  params: Params<K>;
}

/** Keyed text with its parameters not checked against the key (as read back from a report.json). */
export interface AnyText {
  key: string;
  params: Record<string, unknown>;
}

/**
 * What a rule may say where the report shows a sentence. A plain string is evidence quoted as it
 * is (a log line, a service name); a sentence of the tool's own is always keyed `Text`.
 */
export type Said = AnyText | string;

export function isText(v: unknown): v is AnyText {
  return typeof v === 'object' && v !== null && typeof (v as AnyText).key === 'string' && typeof (v as AnyText).params === 'object' && (v as AnyText).params !== null && !Array.isArray((v as AnyText).params);
}

type ParamArgs<K extends MessageKey> = keyof Params<K> extends never ? [] : [Params<K>];

export function text<K extends MessageKey>(key: K, ...params: ParamArgs<K>): Text<K> {
  return { key, params: (params[0] ?? {}) as Params<K> };
}

const PLACEHOLDER = /\{([a-z_][a-z0-9_]*)(?::([a-z]+)(?::([^}]*))?)?\}/gi;

/** The placeholders of a message: name → kind (`text` when none is given). */
export function placeholdersOf(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of message.matchAll(PLACEHOLDER)) out.set(m[1]!, m[2] ?? 'text');
  return out;
}

function formatParam(lang: Lang, v: unknown, where: string): string {
  if (typeof v === 'number') return formatNumber(lang, v);
  if (isText(v)) return render(lang, v);
  if (typeof v === 'string') return v;
  throw new Error(`${where}: expects text, a number or keyed text, got ${JSON.stringify(v)}`);
}

/** `{x:number:4}` / `{x:pct:3}`: more decimals where two would hide the value (price changes of 0.004 %). */
function digitsOf(arg: string | undefined, fallback: number, where: string): number {
  if (arg === undefined || arg === '') return fallback;
  const d = Number(arg);
  if (!Number.isInteger(d) || d < 0 || d > 12) throw new Error(`${where}: "${arg}" is no number of decimals (0-12)`);
  return d;
}

function formatValue(lang: Lang, kind: string, arg: string | undefined, v: unknown, where: string): string {
  if (kind === 'text') return formatParam(lang, v, where);
  if (kind === 'list') {
    if (!Array.isArray(v)) throw new Error(`${where}: expects a list, got ${JSON.stringify(v)}`);
    return v.map((x) => formatParam(lang, x, where)).join(', ');
  }
  if (kind === 'date' || kind === 'datetime') {
    if (typeof v !== 'string') throw new Error(`${where}: expects an ISO ${kind}, got ${JSON.stringify(v)}`);
    return kind === 'date' ? formatDate(lang, v) : formatDateTime(lang, v);
  }
  if (typeof v !== 'number') throw new Error(`${where}: expects a number, got ${JSON.stringify(v)}`);
  switch (kind) {
    case 'number':
      return formatNumber(lang, v, digitsOf(arg, 2, where));
    case 'int':
      return formatNumber(lang, Math.round(v), 0);
    case 'pct':
      return formatPercent(lang, v, digitsOf(arg, 1, where));
    case 'duration':
      return formatDuration(lang, v);
    case 'plural': {
      const [one, other] = (arg ?? '').split('|');
      return `${formatNumber(lang, v)} ${v === 1 ? one : (other ?? one)}`;
    }
    default:
      throw new Error(`${where}: unknown placeholder kind "${kind}"`);
  }
}

const NUMERIC_KINDS = new Set(['number', 'int', 'pct', 'duration', 'plural']);

/** The sentence in `lang`. Throws naming the key and the parameter when one is missing or of the wrong kind. */
export function render(lang: Lang, t: { key: string; params: Record<string, unknown> }): string {
  const message = (CATALOGS[lang] as Record<string, string>)[t.key];
  if (message === undefined) throw new Error(`no ${lang} text for key "${t.key}"`);
  return message.replace(PLACEHOLDER, (_m, name: string, kind: string | undefined, arg: string | undefined) => {
    const where = `text "${t.key}" parameter "${name}"`;
    let v = t.params[name];
    // JSON writes a NaN or infinite number as null: read back from a report.json it is still "no number" ('–').
    if (v === null && kind !== undefined && NUMERIC_KINDS.has(kind)) v = Number.NaN;
    if (!(name in t.params) || v === undefined || v === null) throw new Error(`${where} is missing`);
    return formatValue(lang, kind ?? 'text', arg, v, where);
  });
}

/** Whether every language has a text for the key. */
export function hasText(key: string): boolean {
  return Object.values(CATALOGS).every((c) => Object.hasOwn(c, key));
}

/** A catalog word by key without parameters (headings, status labels). */
export function word(lang: Lang, key: MessageKey): string {
  return render(lang, { key, params: {} });
}

/** What a rule said, as a sentence in `lang` (a plain string is quoted evidence and stays as it is). */
export function say(lang: Lang, s: Said): string {
  return typeof s === 'string' ? s : render(lang, s);
}

/** The same text with every string parameter (nested ones too) passed through `f` — for redaction — and JSON-safe numbers. */
export function mapParams<T extends AnyText>(t: T, f: (s: string) => string): T {
  // NaN/Infinity become null here, as JSON would make them: the sentence rendered now and the one
  // rendered again from report.json must be the same.
  const one = (v: unknown): unknown =>
    typeof v === 'string' ? f(v) : typeof v === 'number' && !Number.isFinite(v) ? null : isText(v) ? mapParams(v, f) : Array.isArray(v) ? v.map(one) : v;
  return { key: t.key, params: Object.fromEntries(Object.entries(t.params).map(([k, v]) => [k, one(v)])) } as T;
}
