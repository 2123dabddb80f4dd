import { defineRule, type RuleResult, type Finding, type Hypothesis, type Severity, type Todo } from '../../define-rule.js';
import { codePath, coverageText, covers, isPipeline, logEvidence, loggedServices, textsAmongFirst } from '../../rule-kit.js';
import { text, type Said, type Text } from '../../../i18n/translate.js';
import { classesPassing, classIn } from '../../../db/log-rollup.js';
import type Database from 'better-sqlite3';

const UNKNOWN = '(unknown service)';
const named = (svc: string): Said => (svc === UNKNOWN ? text('shared.unknown_service') : svc);

/** `"a" ×3; "b" ×2`: error texts hold commas, so the items are chained with "; " rather than listed. */
function topItems(top: readonly Group[]): Text | '' {
  if (!top.length) return '';
  const [g, ...rest] = top;
  const more = topItems(rest);
  return text('exceptions.top_item', { key: g.key, n: g.n, rest: more ? text('exceptions.top_next', { item: more }) : '' });
}

/** One exception class repeating this often in a pipeline service is a per-message failure, not noise. */
const RECURRING = 100;
const TOP = 3;
const CONNECTIVITY = /Authentication required|NOAUTH|WRONGPASS|fe_sendauth|password authentication|connection refused|Verbindung fehlgeschlagen|Initialisierung fehlgeschlagen|Failed to connect|connection failed|Error -?N connecting|Name or service not known|server closed the connection|connection already closed/i;

/** A message without its variable parts, so repeats of one error group together. */
export function normalizeError(message: string): string {
  // socketserver frames its stderr block with 40-dash rules: they name nothing.
  const lines = message.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '' && !/^-{40}$/.test(l));
  let head = lines[0] ?? '';
  if (/^Traceback \(most recent call last\)/.test(head) && lines.length > 1) head = lines[lines.length - 1];
  else if (lines.some((l) => /^Traceback \(most recent call last\)/.test(l))) head = `${head} → ${lines[lines.length - 1]}`;
  return head
    .replace(/MOCK_[0-9A-Za-z]+/g, 'MOCK_…')
    .replace(/sig-[0-9a-f]{8,}/g, 'sig-…')
    .replace(/0x[0-9a-f]+/gi, '0x…')
    .replace(/\d+(?:[.,]\d+)?/g, 'N')
    .slice(0, 160);
}

/** An error record by its kind, level and class alone (so the hourly rollup can tell which classes hold one). */
export const ERROR_RECORD = "COALESCE(kind, '') NOT IN ('health_poll', 'report') AND (UPPER(COALESCE(level, '')) IN ('ERROR', 'CRITICAL', 'FATAL', 'PANIC') OR class = 'python.traceback')";

interface Group {
  key: string;
  n: number;
  first: { file_id: number; line_no: number };
}

/** The error records of a service whose texts share their first 200 characters. */
export interface ErrorGroup {
  service: string;
  n: number;
  first_id: number;
  file_id: number;
  line_no: number;
  /** The text of the group's first record (by id). */
  message: string;
  critical: number;
  tracebacks: number | null;
}

/**
 * The error groups in SQLite alone, ordered by service and first record: each record's first
 * 200 characters are cut and sorted, its level upper-cased and its text searched for a traceback.
 */
export function groupsByHead(db: Database.Database, where: string, params: unknown[]): ErrorGroup[] {
  return db
    .prepare(
      `SELECT COALESCE(service, '(unknown service)') AS service, COUNT(*) AS n, MIN(id) AS first_id, file_id, line_no, message,
              SUM(UPPER(COALESCE(level, '')) IN ('CRITICAL', 'FATAL', 'PANIC')) AS critical,
              SUM(class = 'python.traceback' OR instr(message, 'Traceback (most recent call last)') > 0) AS tracebacks
       FROM log_events
       WHERE ${where}
       GROUP BY COALESCE(service, '(unknown service)'), substr(message, 1, 200)
       ORDER BY service, first_id`,
    )
    .all(...params) as ErrorGroup[];
}

/**
 * groupsByHead's answer from SQLite's groups of whole texts: an error logged on every tick is one
 * text a million times, cut and searched once rather than per record, and its level upper-cased
 * only when it is not plain `ERROR`. The texts are then joined by their first 200 characters here,
 * ordered by first record. Null past `max` texts (each kept in memory until joined).
 */
export function groupsByText(db: Database.Database, where: string, params: unknown[], max: number): ErrorGroup[] | null {
  const texts = db
    .prepare(
      `SELECT COALESCE(service, '(unknown service)') AS service, substr(message, 1, 200) AS head, COUNT(*) AS n, MIN(id) AS first_id, file_id, line_no, message,
              SUM(CASE WHEN level = 'ERROR' THEN 0 ELSE UPPER(COALESCE(level, '')) IN ('CRITICAL', 'FATAL', 'PANIC') END) AS critical,
              CASE WHEN instr(message, 'Traceback (most recent call last)') > 0 THEN COUNT(*) ELSE SUM(class = 'python.traceback') END AS tracebacks
       FROM log_events
       WHERE ${where}
       GROUP BY COALESCE(service, '(unknown service)'), message`,
    )
    .iterate(...params) as IterableIterator<ErrorGroup & { head: string | null }>;
  const heads = new Map<string, ErrorGroup>();
  let seen = 0;
  for (const { head, ...t } of texts) {
    // Leaving the loop closes the statement.
    if (++seen > max) return null;
    const k = JSON.stringify([t.service, head]);
    const g = heads.get(k);
    if (!g) {
      heads.set(k, t);
      continue;
    }
    g.n += t.n;
    g.critical += t.critical;
    g.tracebacks = (g.tracebacks ?? 0) + (t.tracebacks ?? 0);
    if (t.first_id < g.first_id) Object.assign(g, { first_id: t.first_id, file_id: t.file_id, line_no: t.line_no, message: t.message });
  }
  // Within a service by first record, as groupsByHead: the first group of a normalized key names its evidence.
  return [...heads.values()].sort((a, b) => a.first_id - b.first_id);
}

/** Past this many texts among the first 1,024 error records (texts that carry a payload), they are not counted first. */
const PROBE_TEXTS = 64;
/** Past this many (service, text) groups the records are grouped by their first 200 characters alone. */
const MAX_TEXTS = 4096;

/** The error records grouped per service and first 200 characters: by text where the texts repeat, else by head. */
function errorGroups(db: Database.Database, where: string, params: unknown[]): ErrorGroup[] {
  return (textsAmongFirst(db, where, params) <= PROBE_TEXTS ? groupsByText(db, where, params, MAX_TEXTS) : null) ?? groupsByHead(db, where, params);
}

export default defineRule({
  id: 'exceptions',
  layer: 'system',
  title: 'Exceptions, tracebacks and ERROR/CRITICAL records per service',
  needs: ['service logs (log_events)'],
  keyMetrics: ['errors_total', 'tracebacks_total'],
  check(ctx): RuleResult {
    // Grouped in SQL: a per-message error at the tick rate can be millions of records. Only the
    // classes the hourly rollup shows with an error level are read (through the class index),
    // not every DEBUG tick of the bundle.
    const cls = classesPassing(ctx.db, ERROR_RECORD);
    const only = cls === null ? { sql: '', params: [] } : classIn(cls);
    const groups = errorGroups(ctx.db, `COALESCE(in_block, 1) = 1 AND ${ERROR_RECORD}${only.sql}`, only.params);
    const services = loggedServices(ctx);
    if (groups.length === 0) {
      const covered = services.filter((s) => covers(ctx, s));
      if (covered.length === 0) {
        return {
          status: 'not_evaluable',
          missing: services.length
            ? text('exceptions.missing', { coverage: services.slice(0, 4).map((s) => coverageText(ctx, s)) })
            : text('exceptions.missing_logs'),
        };
      }
      return { status: 'ok', metrics: { errors_total: 0, tracebacks_total: 0, services_with_errors: 0 } };
    }

    const per = new Map<string, { errors: number; critical: number; tracebacks: number; groups: Map<string, Group> }>();
    for (const r of groups) {
      let p = per.get(r.service);
      if (!p) per.set(r.service, (p = { errors: 0, critical: 0, tracebacks: 0, groups: new Map() }));
      p.errors += r.n;
      p.critical += r.critical;
      p.tracebacks += r.tracebacks ?? 0;
      const key = normalizeError(r.message);
      const g = p.groups.get(key);
      if (g) g.n += r.n;
      else p.groups.set(key, { key, n: r.n, first: { file_id: r.file_id, line_no: r.line_no } });
    }
    const total = groups.reduce((a, g) => a + g.n, 0);

    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    const metrics: Record<string, number | string | null> = {
      errors_total: total,
      tracebacks_total: [...per.values()].reduce((a, p) => a + p.tracebacks, 0),
      services_with_errors: per.size,
    };
    for (const [svc, p] of [...per.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      metrics[`errors.${svc}`] = p.errors;
      const top = [...p.groups.values()].sort((a, b) => b.n - a.n || (a.key < b.key ? -1 : 1)).slice(0, TOP);
      const severity: Severity = p.critical > 0 ? 'high' : p.tracebacks > 0 || p.errors >= 10 ? 'medium' : 'low';
      findings.push({
        subject: svc,
        severity,
        message: text('exceptions.summary', {
          service: named(svc),
          errors: p.errors,
          tracebacks: p.tracebacks,
          critical: p.critical ? text('exceptions.critical', { n: p.critical }) : '',
          top: topItems(top),
        }),
        evidence: top.map((g) => logEvidence(ctx, g.first)),
      });
      const rec = top[0];
      // Connection and credential errors are connectivity-failures' to explain, with a better fix.
      if (rec && rec.n >= RECURRING && isPipeline(svc) && !CONNECTIVITY.test(rec.key)) {
        const cause = `system.recurring_error.${svc}`;
        hypotheses.push({
          cause,
          title: text('exceptions.hyp.recurring', { service: svc, error: rec.key }),
          likelihood: rec.n >= 10 * RECURRING ? 'likely' : 'possible',
          evidence: [logEvidence(ctx, rec.first)],
          why: text('exceptions.hyp.recurring_why', { n: rec.n }),
        });
        todos.push({
          category: 'CODE',
          title: text('exceptions.todo.handle', { service: svc, error: rec.key.slice(0, 80) }),
          priority: 'medium',
          effort: 'larger',
          where: codePath(ctx.block.era, svc),
          cause,
        });
      }
    }
    todos.push({
      category: 'MONITORING',
      title: text('exceptions.todo.alert'),
      priority: 'low',
      effort: 'larger',
      where: ctx.block.era === 'A' ? text('exceptions.where.alert_a') : text('exceptions.where.alert_loki'),
    });
    const anyMedium = findings.some((f) => f.severity !== 'low');
    return {
      status: anyMedium ? 'warn' : 'ok',
      metrics,
      findings,
      hypotheses,
      todos,
      verification: [
        {
          id: 'system.tracebacks',
          title: text('exceptions.check.tracebacks'),
          kind: 'log',
          check: 'Traceback \\(most recent call last\\)',
          expect: { op: '==', value: 0 },
        },
      ],
    };
  },
});
