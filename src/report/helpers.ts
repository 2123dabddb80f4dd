/**
 * Handlebars helpers for the report templates: the small formatting decisions live here so the
 * templates stay declarative (#each/#if and helper calls) and every rule is unit-testable.
 *
 * Everything is deterministic on purpose (no locale, no clock): the same model must render to
 * the same bytes on any machine, so number grouping is done by hand instead of toLocaleString.
 * Words come from the catalog in the report's language (`activeLang()`, set around every helper
 * call from the model's `lang`); numbers and days follow it (`18,340` / `18.340`, `2025-11-26` / `26.11.2025`).
 *
 * Escaping split: the HTML environment escapes every `{{value}}` itself, so helpers return plain
 * text there. The Markdown environment runs with noEscape, so any text that may come from the
 * bundle must pass through `md` (or `code`/`fence`), which neutralise Markdown and HTML syntax.
 */
import type HandlebarsNs from 'handlebars';
import { formatDate, formatDateTime } from '../i18n/format.js';
import { render, text, word, type MessageKey } from '../i18n/translate.js';
import { activeLang, langOf, withLang } from './active-lang.js';
import type { ReportModel } from './model.js';
import { allMetrics, clockNote, collectionAdvice, groupFindings, keyMetrics, plainTicks, sampleMark, sortTodos, stageDowntime, summaryLines, timelineKind, unobservedStages } from './story.js';
import { funnelSvg, hourlyCharts, hourlyTable, reconciliationSvg } from './charts/index.js';
import { cite, citationNotes, citeNote } from './citation.js';

type Hb = typeof HandlebarsNs;
type Status = ReportModel['summary']['status'];
type Severity = ReportModel['layers'][number]['findings'][number]['severity'];
type Likelihood = ReportModel['hypotheses'][number]['likelihood'];
type Todo = ReportModel['todos'][number];
type Expect = ReportModel['verification'][number]['expect'];
type LayerId = ReportModel['layers'][number]['id'];
type Stage = ReportModel['flow']['funnel'][number]['stage'];

export { activeLang } from './active-lang.js';

/** A catalog word in the report's language. */
function w(key: MessageKey): string {
  return word(activeLang(), key);
}

/** "n/a" / "k. A." */
function na(): string {
  return w('report.na');
}

/**
 * 18340 → "18,340" (German "18.340"); 42.25 → "42.25" ("42,25"); null → "n/a". Every digit
 * JavaScript writes is kept (no rounding), so a value reads as the report.json holds it.
 */
export function num(n: unknown): string {
  if (typeof n !== 'number') return n === null || n === undefined ? na() : String(n);
  if (!Number.isFinite(n)) return String(n);
  const neg = n < 0;
  const [int, frac] = String(Math.abs(n)).split('.');
  // Exponent notation (1e21, 1e-7) has no digits to group; show it as JavaScript writes it.
  if (/e/i.test(int) || (frac !== undefined && /e/i.test(frac))) return String(n);
  const [group, point] = activeLang() === 'de' ? ['.', ','] : [',', '.'];
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return (neg ? '-' : '') + grouped + (frac !== undefined ? point + frac : '');
}

/** 12.3 → "12.3%" (German "12,3 %"); null → "–" (no previous stage to compare with). */
export function pct(n: unknown): string {
  if (typeof n !== 'number') return '–';
  return activeLang() === 'de' ? `${num(n)} %` : `${num(n)}%`;
}

const STATUS_ICON: Record<Status, string> = { ok: '✅', warn: '⚠️', fail: '❌', not_evaluable: '➖' };

export function statusIcon(s: unknown): string {
  return STATUS_ICON[s as Status] ?? '❔';
}

const STATUSES: readonly string[] = ['ok', 'warn', 'fail', 'not_evaluable'];

export function statusLabel(s: unknown): string {
  return STATUSES.includes(s as string) ? w(`status.${s as Status}`) : String(s);
}

const SEVERITY_MARK: Record<Severity, string> = { critical: '🟥', high: '🟧', medium: '🟨', low: '🟦', info: '⬜' };

/** The severity as a word of the report's language ("critical" / "kritisch"); an unknown one as it is. */
export function severityWord(s: unknown): string {
  return s && typeof s === 'string' && s in SEVERITY_MARK ? w(`report.severity.${s as Severity}`) : String(s);
}

/** Squares for severity, so they do not read like the runbook's priority circles. */
export function severityBadge(s: unknown): string {
  return `${SEVERITY_MARK[s as Severity] ?? '❔'} ${severityWord(s).toUpperCase()}`;
}

const LIKELIHOOD_STARS: Record<Likelihood, string> = { very_likely: '⭐⭐⭐', likely: '⭐⭐', possible: '⭐', unlikely: '☆' };

export function likelihood(l: unknown): string {
  return typeof l === 'string' && l in LIKELIHOOD_STARS ? w(`likelihood.${l as Likelihood}`) : String(l).replace(/_/g, ' ');
}

export function likelihoodStars(l: unknown): string {
  return LIKELIHOOD_STARS[l as Likelihood] ?? '';
}

const PRIORITY_ICON: Record<Todo['priority'], string> = { high: '🔴', medium: '🟡', low: '🟢' };
const EFFORT_ICON: Record<Todo['effort'], string> = { quick_win: '⚡', larger: '🔧' };

/** Effort without its icon (HTML, where colour carries the signal and emoji fonts may be missing). */
export function effortLabel(e: unknown): string {
  return typeof e === 'string' && e in EFFORT_ICON ? w(`effort.${e as Todo['effort']}`) : String(e).replace(/_/g, ' ');
}

/** Priority without its icon ("high" / "hoch"). */
export function priorityWord(p: unknown): string {
  return typeof p === 'string' && p in PRIORITY_ICON ? w(`priority.${p as Todo['priority']}`) : String(p);
}

export function priority(p: unknown): string {
  return typeof p === 'string' && p in PRIORITY_ICON ? `${PRIORITY_ICON[p as Todo['priority']]} ${priorityWord(p)}` : String(p);
}

export function effort(e: unknown): string {
  return typeof e === 'string' && e in EFFORT_ICON ? `${EFFORT_ICON[e as Todo['effort']]} ${effortLabel(e)}` : String(e).replace(/_/g, ' ');
}

/** 12 hex digits: enough to tell files apart in a table, the full hash stays in report.json. */
export function shortSha(sha: unknown): string {
  return typeof sha === 'string' && sha.length > 0 ? sha.slice(0, 12) : '–';
}

export function eq(a: unknown, b: unknown): boolean {
  return a === b;
}

const LAYER_IDS: readonly string[] = ['system', 'market_data', 'signal_engine', 'risk', 'execution', 'reporting'];

export function layerTitle(id: unknown): string {
  return LAYER_IDS.includes(id as string) ? w(`layer.${id as LayerId}`) : String(id);
}

/** The calendar day of an ISO time ("2025-11-26T00:00:00.000Z" → "2025-11-26", German "26.11.2025"). */
export function day(iso: unknown): string {
  const s = String(iso ?? '');
  return /^\d{4}-\d\d-\d\d/.test(s) ? formatDate(activeLang(), s.slice(0, 10)) : s;
}

/**
 * A moment as the report prints it: English keeps the ISO text as the model holds it (what a
 * reader greps in report.json), German writes `26.11.2025 00:49:33 UTC`.
 */
export function ts(iso: unknown): string {
  const s = String(iso ?? '');
  return activeLang() === 'en' || !/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/.test(s) ? s : formatDateTime(activeLang(), s);
}

/** English only (`plural 3 "day"` → "3 days"); the built-in templates say counts through the catalog (`{{t}}`). */
export function plural(n: unknown, word: unknown): string {
  const k = typeof n === 'number' ? n : 0;
  return `${num(k)} ${String(word)}${k === 1 ? '' : 's'}`;
}

const OPS: Record<Expect['op'], string> = { '>': '>', '>=': '≥', '<': '<', '<=': '≤', '==': '=', '!=': '≠' };

/** `{op: '>=', value: 10}` → "≥ 10"; a tolerance is shown as "± t". */
export function expectation(e: Expect | undefined): string {
  if (!e) return na();
  const tol = e.tolerance ? ` (± ${num(e.tolerance)})` : '';
  return `${OPS[e.op] ?? e.op} ${num(e.value)}${tol}`;
}

export function checkKind(kind: unknown): string {
  return kind === 'sql' ? w('report.check.sql') : kind === 'log' ? w('report.check.log') : String(kind);
}

/** Fence info string: syntax colouring for SQL, none for a regex. */
export function fenceLang(kind: unknown): string {
  return kind === 'sql' ? 'sql' : 'text';
}

const STAGES: readonly string[] = ['market_data_events', 'signals', 'risk_approved', 'risk_rejected', 'orders', 'trades', 'persisted_trades'];

export function stageLabel(s: unknown): string {
  return STAGES.includes(s as string) ? w(`report.stage.${s as Stage}`) : String(s);
}

/** A count whose source is absent from the bundle is "unknown", not zero. */
export function sourced(n: unknown, source: unknown): string {
  return source === 'none' ? render(activeLang(), text('report.no_evidence_in_bundle', { n: num(n) })) : num(n);
}

export function metric(v: unknown): string {
  return v === null || v === undefined ? na() : typeof v === 'number' ? num(v) : String(v);
}

/** `{critical: 1, high: 0, ...}` → "1 critical, 3 medium"; all zero → "none". */
export function findingCounts(f: ReportModel['summary']['findings'] | undefined): string {
  if (!f) return w('report.none');
  const order: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
  const parts = order.filter((s) => f[s] > 0).map((s) => `${num(f[s])} ${severityWord(s)}`);
  return parts.length ? parts.join(', ') : w('report.none');
}

/** "2025-11-26: 45, 2025-11-27: 52" for one flow stage. */
export function perDay(days: ReportModel['flow']['per_day'] | undefined, stage: unknown): string {
  if (!days || days.length === 0) return w('report.no_block_days');
  return days.map((d) => `${day(d.date)}: ${num(d[stage as Stage])}`).join(', ');
}

/** "3 rules: 1 fail, 2 ok" — in the fixed status order, zeros left out. */
export function ruleSummary(rules: { status: Status }[] | undefined): string {
  const list = rules ?? [];
  const order: Status[] = ['fail', 'warn', 'ok', 'not_evaluable'];
  const parts = order
    .map((s) => [s, list.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${num(n)} ${w(`report.rule_status.${s}`)}`);
  return `${render(activeLang(), text('report.rules_count', { n: list.length }))}${parts.length ? ': ' + parts.join(', ') : ''}`;
}

/**
 * Manifest status → ok/warn/fail: only a clean, complete ingest is ok; quarantined lines or a file
 * the analyst did not fully get are flagged.
 */
export function fileStatus(status: unknown, quarantined?: unknown): 'ok' | 'warn' | 'fail' {
  switch (status) {
    case 'ingested':
      return typeof quarantined === 'number' && quarantined > 0 ? 'warn' : 'ok';
    case 'partial':
    case 'not_ingested':
    case 'binary':
      return 'warn';
    default:
      return 'fail';
  }
}

export function fileStatusIcon(status: unknown, quarantined?: unknown): string {
  return statusIcon(fileStatus(status, quarantined));
}

type FileStatus = 'ingested' | 'partial' | 'not_ingested' | 'binary' | 'refused' | 'error' | 'archive';
const FILE_STATUSES: readonly string[] = ['ingested', 'partial', 'not_ingested', 'binary', 'refused', 'error', 'archive'];

/** A manifest status in words (English keeps the status as report.json has it; an unknown one stays as it is). */
export function fileStatusWord(status: unknown): string {
  return FILE_STATUSES.includes(status as string) ? w(`report.file_status.${status as FileStatus}`) : String(status);
}

/** "10 files: 9 ingested, 1 not_ingested" (statuses in first-seen order, which is manifest order). */
export function manifestSummary(files: { status: string }[] | undefined): string {
  const list = files ?? [];
  const counts = new Map<string, number>();
  for (const f of list) counts.set(f.status, (counts.get(f.status) ?? 0) + 1);
  const parts = [...counts.entries()].map(([s, n]) => `${num(n)} ${fileStatusWord(s)}`);
  return `${render(activeLang(), text('report.files_count', { n: list.length }))}${parts.length ? ': ' + parts.join(', ') : ''}`;
}

/** Statuses of files that are not evidence (no parser claimed them): summarised by folder, not listed one by one. */
const NOT_EVIDENCE = new Set(['not_ingested', 'binary']);

/** Files that were claimed as evidence (or refused, or broke): each keeps its row in the report's table. */
export function evidenceFiles<T extends { status: string }>(files: T[] | undefined): T[] {
  return (files ?? []).filter((f) => !NOT_EVIDENCE.has(f.status));
}

/** Files the analyst must look at: evidence not cleanly ingested, or with quarantined lines. */
export function problemFiles<T extends { status: string; quarantined: number }>(files: T[] | undefined): T[] {
  return (files ?? []).filter((f) => !NOT_EVIDENCE.has(f.status) && (f.status !== 'ingested' || f.quarantined > 0));
}

export interface FolderGroup {
  folder: string;
  files: number;
  bytes: number;
  /** The first file of the folder (by path), shown as an example. */
  example: string;
  /** `12 not_ingested, 3 binary` */
  statuses: string;
}

/** Path segments that name a folder: `a/b/c.txt` → a, b; an archive member's `x.zip!/d/e` → x.zip!, d. */
function folderOf(path: string, depth: number): string {
  const parts = path.split('/');
  parts.pop();
  return parts.length === 0 ? '.' : parts.slice(0, depth).join('/');
}

/** Folders that hold more than this many groups are cut one level higher, so the summary stays short. */
const MAX_FOLDER_GROUPS = 40;

/**
 * Files that are not evidence, summarised by folder (count, bytes, one example): a copied project
 * with its `.venv` lists as a few lines, not 20,000. The JSON manifest still has every file.
 * Folders are taken two levels deep, or one when that gives too many.
 */
export function otherFilesByFolder(files: { path: string; status: string; bytes: number | null }[] | undefined): FolderGroup[] {
  const others = (files ?? []).filter((f) => NOT_EVIDENCE.has(f.status));
  const group = (depth: number): FolderGroup[] => {
    const by = new Map<string, { files: number; bytes: number; example: string; statuses: Map<string, number> }>();
    for (const f of others) {
      const key = folderOf(f.path, depth);
      let g = by.get(key);
      if (!g) by.set(key, (g = { files: 0, bytes: 0, example: f.path, statuses: new Map() }));
      g.files++;
      g.bytes += f.bytes ?? 0;
      if (f.path < g.example) g.example = f.path;
      g.statuses.set(f.status, (g.statuses.get(f.status) ?? 0) + 1);
    }
    return [...by.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([folder, g]) => ({
        folder,
        files: g.files,
        bytes: g.bytes,
        example: g.example,
        statuses: [...g.statuses.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([st, n]) => `${num(n)} ${fileStatusWord(st)}`).join(', '),
      }));
  };
  const two = group(2);
  return two.length > MAX_FOLDER_GROUPS ? group(1) : two;
}

/** 1536 → "1.5 KiB"; bytes in binary units with one decimal, deterministic. */
export function size(n: unknown): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return na();
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${num(n)} B` : `${num(Math.round(v * 10) / 10)} ${units[u]}`;
}

export function sum(list: Record<string, unknown>[] | undefined, key: unknown): number {
  let t = 0;
  for (const r of list ?? []) {
    const v = r[String(key)];
    if (typeof v === 'number') t += v;
  }
  return t;
}

export interface TodoGroup {
  category: Todo['category'];
  todos: (Todo & { n: number })[];
}

/**
 * To-dos in the runbook's four groups, always all four (an empty group says "nothing to do"
 * there, which is information too), numbered through the groups like the runbook's #1..#7.
 */
export function groupTodos(todos: Todo[] | undefined): TodoGroup[] {
  const cats: Todo['category'][] = ['CONFIG', 'CODE', 'MONITORING', 'RISK'];
  let n = 0;
  return cats.map((category) => ({
    category,
    todos: (todos ?? []).filter((t) => t.category === category).map((t) => ({ ...t, n: ++n })),
  }));
}

export interface TodoSection {
  heading: string;
  /** Category groups say "nothing to do" when empty; a priority list shows only the priorities it has. */
  showEmpty: boolean;
  todos: (Todo & { n: number })[];
}

/**
 * The to-do sections for `--todo-order`: `category` (default) is the runbook's four groups;
 * `priority` lists every to-do by priority across categories (high first), numbered in that order.
 */
export function todoGroups(todos: Todo[] | undefined, order: unknown): TodoSection[] {
  if (order !== 'priority') return groupTodos(todos).map((g) => ({ heading: g.category, showEmpty: true, todos: g.todos }));
  let n = 0;
  const sorted = sortTodos(todos, 'priority').map((t) => ({ ...t, n: ++n }));
  return (['high', 'medium', 'low'] as const)
    .map((p) => ({ heading: render(activeLang(), text('report.todo.priority_heading', { p: priority(p) })), showEmpty: false, todos: sorted.filter((t) => t.priority === p) }))
    .filter((g) => g.todos.length > 0);
}

/** "hypothesis #2" when a to-do addresses a ranked cause, else "". */
export function hypothesisRef(cause: unknown, hypotheses: ReportModel['hypotheses'] | undefined): string {
  if (typeof cause !== 'string') return '';
  const h = (hypotheses ?? []).find((x) => x.cause === cause);
  return h ? render(activeLang(), text('report.hypothesis_ref', { n: h.rank })) : '';
}

export function isBreak(layer: unknown, breakLayer: unknown): boolean {
  return breakLayer !== null && breakLayer !== undefined && layer === breakLayer;
}

/** Class for a flow column or card of the break layer (HTML). */
export function breakClass(layer: unknown, breakLayer: unknown): string {
  return isBreak(layer, breakLayer) ? 'brk' : '';
}

export function many(list: unknown[] | undefined, n: unknown): boolean {
  return (list?.length ?? 0) > Number(n);
}

/** True when any item has a truthy `key` (e.g. any KPI with a note). */
export function some(list: Record<string, unknown>[] | undefined, key: unknown): boolean {
  return (list ?? []).some((r) => !!r[String(key)]);
}

/** 1-based position for numbered lists. */
export function inc(i: unknown): number {
  return Number(i) + 1;
}

/** "file:line" for an evidence pointer (line 0 means the file as a whole). */
export function loc(file: unknown, line: unknown): string {
  return typeof line === 'number' && line > 0 ? `${String(file)}:${line}` : String(file);
}

export function len(list: unknown[] | undefined): number {
  return list?.length ?? 0;
}

/** Newlines folded into a visible mark: a report line must stay one line (table rows, list items). */
export function oneLine(s: string): string {
  return s.replace(/\r\n|\r|\n/g, ' ↵ ');
}

/**
 * Text from the bundle made inert for Markdown, valid both inline and inside a table cell:
 * backslash and Markdown punctuation escaped, `|` escaped for tables, newlines folded (a newline
 * could start a heading or an HTML block), `<` and `&` backslash-escaped — the Markdown way, so a
 * renderer shows them as typed and the source holds no HTML entity — and a leading
 * `#`/`>`/list marker escaped.
 */
export function md(text: unknown): string {
  if (text === null || text === undefined) return '';
  let s = oneLine(String(text));
  s = s.replace(/[\\`*[\]|<&]/g, (c) => '\\' + c);
  // Intraword underscores never start emphasis (GFM), so snake_case stays readable; `__main__` is escaped.
  s = s.replace(/_/g, (c, i: number, all: string) => (/[\p{L}\p{N}]/u.test(all[i - 1] ?? '') && /[\p{L}\p{N}]/u.test(all[i + 1] ?? '') ? c : '\\_'));
  // After a list marker these would still open a heading, quote, nested list, ordered list or fence.
  s = s.replace(/^(\s*)(#|>|[-+](?=\s|$)|~~~)/, (_m, ws: string, lead: string) => `${ws}\\${lead}`);
  s = s.replace(/^(\s*\d+)([.)])(?=\s|$)/, (_m, digits: string, mark: string) => `${digits}\\${mark}`);
  return s;
}

/**
 * Inline code for identifiers and log text (file:line, rule ids, a log line): inside a code span
 * `<` and `&` are inert, so they stay as typed. Falls back to `md` text for a `|`, which would
 * split a table row even inside a code span.
 */
export function code(text: unknown): string {
  if (text === null || text === undefined) return '';
  const s = oneLine(String(text));
  if (s.length === 0 || s.includes('|')) return md(s);
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const tick = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${tick}${pad}${s}${pad}${tick}`;
}

/**
 * Text whose backtick-quoted parts are commands (our own advice: "`--timestamps`"): those become
 * code spans, the rest is escaped as `md` — so a rule's `needs` text can never inject markup.
 */
export function mdTicks(text: unknown): string {
  const parts = String(text ?? '').split('`');
  // An odd number of backticks leaves the last one unpaired: the whole text is plain then.
  if (parts.length % 2 === 0) return md(text);
  return parts.map((p, i) => (i % 2 ? code(p) : md(p))).join('');
}

/** A fenced block whose fence is longer than any backtick run inside, so content cannot close it. */
export function fence(text: unknown, lang: unknown): string {
  const s = String(text ?? '').replace(/\r\n?/g, '\n');
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const f = '`'.repeat(Math.max(3, longest + 1));
  return `${f}${typeof lang === 'string' ? lang : ''}\n${s}\n${f}`;
}

type Recon = ReportModel['reconciliation'][number];

type Explanation = NonNullable<Recon['explanation']>;
const EXPLANATION_ICON: Record<Explanation, string> = {
  window: '⚠️',
  timezone: '⚠️',
  restart_reset: '↺',
  duplicate_rows: '✅',
  query_bug: '⚠️',
  report_failed: '❌',
  unexplained: '❓',
};

/** A reconciliation row's verdict in a few words: matches, or the explanation of the difference. */
export function verdict(matches: unknown, explanation: unknown, close: unknown): string {
  if (typeof explanation === 'string' && explanation in EXPLANATION_ICON) {
    const e = explanation as Explanation;
    return `${EXPLANATION_ICON[e]} ${w(e === 'unexplained' && close === true ? 'report.verdict.unexplained_close' : `report.verdict.${e}`)}`;
  }
  if (matches === true) return `✅ ${w('report.verdict.matches')}`;
  return `➖ ${w('report.verdict.not_evaluable')}`;
}

type Interpretation = NonNullable<Recon['interpretation']>;
const INTERPRETATIONS: readonly string[] = ['named_day_utc', 'previous_utc_day', 'local_day', 'day_elapsed', 'rolling_24h', 'runner_start_day', 'since_process_start', 'all_rows', 'unfiltered', 'wrong_table'];

/** The window a value was counted over, as words (with the twins note when both writers' rows count). */
export function interpretation(r: unknown): string {
  const row = r as Recon | null;
  if (!row || !row.interpretation) return '–';
  const window = INTERPRETATIONS.includes(row.interpretation) ? w(`report.window.${row.interpretation as Interpretation}`) : row.interpretation;
  return row.counting === 'raw' && row.explanation !== null ? render(activeLang(), text('report.window.both_writers', { window })) : window;
}

const SNAPSHOT_WHEN: readonly string[] = ['during_block', 'at_collection', 'before_block', 'unknown'];

/** When a capture was taken relative to the block, in words (English keeps the model's value). */
export function snapshotWhen(when: unknown): string {
  return SNAPSHOT_WHEN.includes(when as string) ? w(`report.when.${when as 'unknown'}`) : String(when);
}

/** Registry: name → pure function; the Handlebars options argument is stripped before the call. */
const COMMON = {
  num,
  pct,
  ts,
  statusIcon,
  statusLabel,
  severityBadge,
  severityWord,
  likelihood,
  likelihoodStars,
  priority,
  priorityWord,
  effort,
  effortLabel,
  shortSha,
  eq,
  layerTitle,
  day,
  plural,
  expectation,
  checkKind,
  fenceLang,
  stageLabel,
  sourced,
  metric,
  findingCounts,
  perDay,
  ruleSummary,
  fileStatus,
  fileStatusIcon,
  fileStatusWord,
  manifestSummary,
  problemFiles,
  evidenceFiles,
  otherFilesByFolder,
  size,
  sum,
  groupTodos,
  hypothesisRef,
  isBreak,
  breakClass,
  many,
  some,
  inc,
  loc,
  len,
  verdict,
  interpretation,
  snapshotWhen,
  summaryLines,
  stageDowntime,
  keyMetrics,
  allMetrics,
  groupFindings,
  timelineKind,
  clockNote,
  collectionAdvice,
  unobservedStages,
  todoGroups,
  sampleMark,
  plainTicks,
  // Charts and citations (issue 14 item 2 and 4): SVG strings are built by src/report/charts from
  // the model and printed raw ({{{svg}}}); they escape every text they carry themselves.
  cite,
  hourlyTable,
} as const;

/**
 * HTML only: the charts' SVG, marked safe so `{{svg}}` prints it as markup (the templates use no
 * triple-stash). Safe because src/report/charts escapes every text it puts into a chart.
 */
function htmlOnly(hb: Hb) {
  return {
    hourlyCharts: (m: ReportModel) => hourlyCharts(m, langOf(m.lang)).map((c) => ({ ...c, svg: new hb.SafeString(c.svg) })),
    funnelChart: (m: ReportModel) => new hb.SafeString(funnelSvg(m, langOf(m.lang))),
    reconciliationChart: (m: ReportModel) => new hb.SafeString(reconciliationSvg(m, langOf(m.lang))),
  };
}
const HTML_ONLY_NAMES = ['hourlyCharts', 'funnelChart', 'reconciliationChart'];

const MARKDOWN_ONLY = { md, code, fence, mdTicks, citeNote, citationNotes } as const;

export type HelperFormat = 'md' | 'html';

/** The helper names of a format (a bare `{{name}}` in a template calls the helper, not the field). */
export function helperNames(format: HelperFormat): string[] {
  return ['t', ...Object.keys({ ...COMMON, ...(format === 'md' ? MARKDOWN_ONLY : {}) }), ...(format === 'html' ? HTML_ONLY_NAMES : [])].sort();
}

/** The language of the model being rendered, from Handlebars' options (`@root.lang`). */
function rootLang(options: unknown) {
  return langOf((options as { data?: { root?: { lang?: unknown } } } | undefined)?.data?.root?.lang);
}

/**
 * `{{t "report.heading.summary"}}`, `{{t "report.block_days" from=block.from to=block.to days=3}}`:
 * a catalog text in the report's language, its parameters as hash arguments. An unknown key or a
 * missing parameter throws, naming both (a template bug, caught by the render tests).
 */
export function t(key: unknown, params: Record<string, unknown> = {}): string {
  return render(activeLang(), { key: String(key), params });
}

/** Register the helpers of one output format on a private Handlebars environment. */
export function registerHelpers(hb: Hb, format: HelperFormat): void {
  const fns: Record<string, (...a: never[]) => unknown> = { ...COMMON, ...(format === 'md' ? MARKDOWN_ONLY : htmlOnly(hb)) };
  for (const [name, fn] of Object.entries(fns)) {
    hb.registerHelper(name, function (this: unknown, ...args: unknown[]) {
      // Handlebars appends its options object; helpers here are plain functions of their arguments.
      return withLang(rootLang(args[args.length - 1]), () => (fn as (...a: unknown[]) => unknown)(...args.slice(0, -1)));
    });
  }
  hb.registerHelper('t', function (this: unknown, key: unknown, options: { hash?: Record<string, unknown> }) {
    const said = withLang(rootLang(options), () => t(key, options?.hash ?? {}));
    if (format === 'md') return said;
    // HTML: escaped like every `{{value}}` (parameters may be bundle text), except that an
    // apostrophe stays one — catalog sentences have them ("the runbook's"), and the templates put
    // `{{t}}` only in text and double-quoted attributes, where it is inert.
    return new hb.SafeString(hb.Utils.escapeExpression(said).replace(/&#x27;/g, "'"));
  });
}
