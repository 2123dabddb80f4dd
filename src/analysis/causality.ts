/**
 * Causes before consequences: after the engine has ranked the hypotheses, link each one that
 * is a consequence of another — only through an edge the catalog declares (src/catalog/edges.ts)
 * and only when it starts within that edge's delay after the cause starts. A cause then ranks
 * above its consequences, and each hypothesis says when it started and what it led to.
 *
 * Times are the records' `ts` (the corrected UTC time the hourly flow counts by). A hypothesis
 * starts at the first anomalous record of the (service, class) pairs its evidence shows: the
 * first warning or error of that pair, or for a startup sign the first *re*start.
 */
import type Database from 'better-sqlite3';
import { CLIENT_SIDE_CAUSE, DEPENDENCIES, dependsOn, type Dependency } from '../catalog/dependencies.js';
import { EDGES, RESTART_SIGNS, SYMPTOMS, edgeMatches, type CausalEdge } from '../catalog/edges.js';
import { entry } from '../catalog/index.js';
import type { Block, Evidence } from './define-rule.js';
import type { RankedHypothesis, Texts } from './engine.js';
import { render, text, type Param, type Text } from '../i18n/translate.js';
import { anyLogOfService, serviceFirstTs } from '../db/log-rollup.js';

export interface Consequence {
  cause: string;
  title: string;
  started_at: string | null;
  evidence: Evidence[];
  /** The consequence's own hypothesis' keyed title. */
  texts?: Texts;
}

export interface LinkedHypothesis extends RankedHypothesis {
  started_at: string | null;
  consequence_of: string | null;
  consequences: Consequence[];
  chain: string;
}

/**
 * Clocks of different logs disagree by a little, and a process prints its startup banner just
 * before the failure it then reports: a consequence may appear to start this much before its cause.
 */
export const CLOCK_SLACK_MS = 5_000;
/** A startup sign this long after a service's first record is a restart, not its first start. */
const FIRST_START_MS = 60_000;
const HOUR_MS = 3_600_000;
/** How far before the block a steady anomaly is looked for. */
const STEADY_LOOKBACK_MS = 7 * 24 * 3_600_000;
/** Rates within this factor of each other are "the same rate". */
const STEADY_FACTOR = 3;
const CONSEQUENCE_EVIDENCE = 3;

const RESTARTS = new Set<string>(RESTART_SIGNS);

interface Pair {
  service: string;
  cls: string;
  start: number;
}

interface Node {
  h: RankedHypothesis;
  index: number;
  pairs: Pair[];
  /** The time of each evidence record (null: not a timed log record), parallel to h.evidence. */
  evTimes: (number | null)[];
  start: number | null;
  steady: boolean;
  cause: Node | null;
  /** Steady before the block, it would otherwise have explained another one: said in its chain. */
  steadyBlocked: boolean;
  trigger: Text | null;
  triggerEvidence: Evidence | null;
}

function isAnomalyClass(cls: string): boolean {
  try {
    return entry(cls).severity !== 'info';
  } catch {
    return false;
  }
}

export function isoSeconds(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().slice(0, 19) + 'Z';
}

function hourMs(h: string): number {
  return Date.parse(`${h}:00:00.000Z`);
}

/** Reads the working database for the linker: the records behind evidence, pair starts and hourly counts. */
export class Records {
  private readonly fileIds: Database.Statement;
  private readonly row: Database.Statement;
  private readonly firstOf: Database.Statement;
  private readonly firstRecord: (service: string) => string | null;
  private readonly restartAfter: Database.Statement;
  private readonly hourly: Database.Statement;
  private readonly serviceSpan: Database.Statement;
  private readonly around: Database.Statement;
  private readonly anyLog: (service: string) => boolean;

  constructor(db: Database.Database) {
    this.fileIds = db.prepare('SELECT id FROM manifest WHERE path = ?');
    this.row = db.prepare('SELECT service, class, ts FROM log_events WHERE file_id = ? AND line_no = ? LIMIT 1');
    // The class's records in time order (the (class, ts) index): the first of the service is the least.
    this.firstOf = db.prepare('SELECT ts FROM log_events WHERE class = ? AND ts IS NOT NULL AND service = ? ORDER BY ts LIMIT 1');
    this.firstRecord = (service: string) => serviceFirstTs(db, service);
    this.restartAfter = db.prepare('SELECT ts FROM log_events WHERE class = ? AND ts > ? AND service = ? ORDER BY ts LIMIT 1');
    this.hourly = db.prepare('SELECT hour, SUM(n) AS n FROM log_hourly WHERE service = ? AND class = ? AND hour IS NOT NULL GROUP BY hour');
    this.serviceSpan = db.prepare('SELECT MIN(hour) AS f, MAX(hour) AS t FROM log_hourly WHERE service = ? AND hour IS NOT NULL');
    this.around = db.prepare(
      'SELECT file_id, line_no, class, ts, message FROM log_events WHERE service = ? AND ts IS NOT NULL AND ts >= ? AND ts <= ? AND class IN (SELECT value FROM json_each(?)) ORDER BY ts, file_id, line_no',
    );
    this.anyLog = (service: string) => anyLogOfService(db, [service]);
  }

  /** The log record an evidence pointer names (null for a derived or non-log pointer). */
  recordOf(e: Evidence): { service: string | null; class: string | null; ts: string | null } | null {
    if (!e.line) return null;
    for (const { id } of this.fileIds.all(e.file) as { id: number }[]) {
      const r = this.row.get(id, e.line) as { service: string | null; class: string | null; ts: string | null } | undefined;
      if (r) return r;
    }
    return null;
  }

  /** When the pair first shows an anomaly: its first warning/error, or a startup sign's first restart. */
  pairStart(service: string, cls: string): number | null {
    if (RESTARTS.has(cls)) {
      const first = this.firstRecord(service);
      if (!first) return null;
      const r = (this.restartAfter.get(cls, new Date(Date.parse(first) + FIRST_START_MS).toISOString(), service) as { ts: string } | undefined)?.ts;
      return r ? Date.parse(r) : null;
    }
    const r = (this.firstOf.get(cls, service) as { ts: string } | undefined)?.ts;
    return r ? Date.parse(r) : null;
  }

  /** Per-hour counts of the pairs, and the hours their services' logs cover at all. */
  hours(pairs: Pair[], clip: { from: number; to: number }): { counts: Map<string, number>; covered: string[] } {
    const counts = new Map<string, number>();
    const covered = new Set<string>();
    for (const p of pairs) {
      for (const r of this.hourly.all(p.service, p.cls) as { hour: string; n: number }[]) counts.set(r.hour, (counts.get(r.hour) ?? 0) + r.n);
    }
    // A log covers every hour from its first record to its last, quiet hours included.
    for (const s of new Set(pairs.map((p) => p.service))) {
      const r = this.serviceSpan.get(s) as { f: string | null; t: string | null };
      if (!r.f || !r.t) continue;
      // A clock in 1970 or 2099 is no coverage: the window is clipped around the block.
      for (let h = Math.max(hourMs(r.f), clip.from); h <= Math.min(hourMs(r.t), clip.to); h += HOUR_MS) covered.add(new Date(h).toISOString().slice(0, 13));
    }
    return { counts, covered: [...covered].sort() };
  }

  hasLog(service: string): boolean {
    return this.anyLog(service);
  }

  /** The dependency's own lines that could be a trigger (anomalies, (re)starts, shutdowns) in a window. */
  ownLines(service: string, from: number, to: number): { file_id: number; line_no: number; class: string; ts: string; message: string }[] {
    const ids = DEP_OWN_CLASSES.get(service) ?? [];
    return this.around.all(service, new Date(from).toISOString(), new Date(to).toISOString(), JSON.stringify(ids)) as {
      file_id: number; line_no: number; class: string; ts: string; message: string;
    }[];
  }
}

/** Of a dependency's own classes, those that can take its clients down. */
const DEP_OWN_CLASSES = new Map<string, string[]>(
  DEPENDENCIES.filter((d) => d.mentions).map((d) => [
    d.service,
    EDGES.filter((e) => e.scope === 'dependent')
      .map((e) => e.from)
      .concat([...RESTART_SIGNS], ['pg.shutdown'])
      .filter((c) => !c.endsWith('.'))
      .filter((c, i, a) => a.indexOf(c) === i)
      .filter((c) => {
        try {
          const s = entry(c).services;
          return s.includes(d.service) || s.includes('*');
        } catch {
          return false;
        }
      }),
  ]),
);

/**
 * Steady: already there before the block at about the rate it has in the block, or there from
 * the first covered hour at the same rate throughout. Such an anomaly explains nothing that
 * changes in the block.
 */
export function isSteady(counts: Map<string, number>, covered: string[], blockFrom: string): boolean {
  const withData = covered.filter((h) => (counts.get(h) ?? 0) > 0);
  if (withData.length === 0) return false;
  const firstHit = withData[0];
  const rate = (hours: string[]) => (hours.length ? hours.reduce((a, h) => a + (counts.get(h) ?? 0), 0) / hours.length : 0);
  const same = (a: number, b: number) => a > 0 && b > 0 && a <= b * STEADY_FACTOR && b <= a * STEADY_FACTOR;
  const bFrom = Date.parse(blockFrom);
  if (hourMs(firstHit) + HOUR_MS <= bFrom) {
    const pre = covered.filter((h) => hourMs(h) + HOUR_MS <= bFrom);
    const inBlock = covered.filter((h) => hourMs(h) >= bFrom);
    return same(rate(pre), rate(inBlock));
  }
  if (firstHit !== covered[0] || covered.length < 4) return false;
  const half = Math.floor(covered.length / 2);
  return same(rate(covered.slice(0, half)), rate(covered.slice(half)));
}

function edgeBetween(c: Node, q: Node, era: string | null, edges: readonly CausalEdge[]): CausalEdge | null {
  for (const e of edges) {
    for (const cp of c.pairs) {
      if (!edgeMatches(e.from, cp.cls)) continue;
      for (const qp of q.pairs) {
        if (!edgeMatches(e.to, qp.cls)) continue;
        const scoped = e.scope === 'same-service' ? cp.service === qp.service : dependsOn(qp.service, cp.service, era);
        if (!scoped) continue;
        if (q.start! < c.start! - CLOCK_SLACK_MS || q.start! > c.start! + e.maxDelaySec * 1000) continue;
        return e;
      }
    }
  }
  return null;
}

function descendsFrom(n: Node, ancestor: Node): boolean {
  for (let p: Node | null = n; p; p = p.cause) if (p === ancestor) return true;
  return false;
}

/** The dependencies a client failure is against: named in its evidence, and depended on by its services. */
function dependenciesOf(n: Node, era: string | null): Dependency[] {
  const texts = n.h.evidence.map((e) => e.text);
  return DEPENDENCIES.filter(
    (d) => d.mentions && texts.some((t) => d.mentions!.test(t)) && n.pairs.some((p) => p.service !== d.service && dependsOn(p.service, d.service, era)),
  );
}

/** Is this hypothesis a client's failure against a dependency (the `to` of a dependent edge)? */
function isClientFailure(n: Node, edges: readonly CausalEdge[]): CausalEdge | null {
  return edges.find((e) => e.scope === 'dependent' && n.pairs.some((p) => edgeMatches(e.to, p.cls) && !RESTARTS.has(p.cls))) ?? null;
}

export interface LinkOptions {
  edges?: readonly CausalEdge[];
}

/** Link consequences to causes and rank each cause above its consequences. */
export function linkCauses(
  db: Database.Database,
  block: Block,
  hypotheses: RankedHypothesis[],
  evidence: (fileId: number, line: number) => Evidence,
  opts: LinkOptions = {},
): LinkedHypothesis[] {
  const edges = opts.edges ?? EDGES;
  const rec = new Records(db);
  const era = block.era;
  const nodes: Node[] = hypotheses.map((h, index) => {
    const pairs = new Map<string, Pair>();
    let fallback: number | null = null;
    const evTimes: (number | null)[] = [];
    for (const e of h.evidence) {
      const r = rec.recordOf(e);
      evTimes.push(r?.ts ? Date.parse(r.ts) : null);
      if (!r) continue;
      if (r.ts) fallback = fallback === null ? Date.parse(r.ts) : Math.min(fallback, Date.parse(r.ts));
      if (!r.class || !r.service || !(isAnomalyClass(r.class) || RESTARTS.has(r.class))) continue;
      const key = `${r.service}\u0000${r.class}`;
      if (pairs.has(key)) continue;
      const start = rec.pairStart(r.service, r.class);
      if (start !== null) pairs.set(key, { service: r.service, cls: r.class, start });
    }
    const list = [...pairs.values()];
    const start = list.length ? Math.min(...list.map((p) => p.start)) : fallback;
    const { counts, covered } = rec.hours(list, { from: Date.parse(block.from) - STEADY_LOOKBACK_MS, to: Date.parse(block.to) + 24 * HOUR_MS });
    return { h, index, pairs: list, evTimes, start, steady: list.length > 0 && isSteady(counts, covered, block.from), cause: null, steadyBlocked: false, trigger: null, triggerEvidence: null };
  });

  // Earliest first, so a cause is linked before what it causes is considered as a cause itself.
  const byStart = [...nodes].sort((a, b) => (a.start ?? Infinity) - (b.start ?? Infinity) || a.index - b.index);
  for (const q of byStart) {
    if (q.start === null || q.pairs.length === 0) continue;
    let best: Node | null = null;
    for (const c of byStart) {
      if (c === q || c.start === null || descendsFrom(c, q)) continue;
      if (!edgeBetween(c, q, era, edges)) continue;
      // A steady anomaly explains nothing that changes in the block.
      if (c.steady && !q.steady) {
        c.steadyBlocked = true;
        continue;
      }
      if (!best || c.start < best.start! || (c.start === best.start && c.index < best.index)) best = c;
    }
    q.cause = best;
  }

  // A client failing against a dependency no hypothesis explains: the dependency's own log names the trigger, or says nothing.
  for (const n of nodes) {
    if (n.cause || n.start === null) continue;
    const edge = isClientFailure(n, edges);
    if (!edge || n.h.evidence.some((e) => CLIENT_SIDE_CAUSE.test(e.text))) continue;
    for (const d of dependenciesOf(n, era)) {
      if (!rec.hasLog(d.service)) {
        n.trigger = text('causality.trigger.no_log', { service: d.service });
        continue;
      }
      const lines = rec.ownLines(d.service, n.start - edge.maxDelaySec * 1000, n.start + CLOCK_SLACK_MS);
      const pick = lines.find((l) => isAnomalyClass(l.class)) ?? lines[lines.length - 1];
      if (!pick) {
        n.trigger = text('causality.trigger.silent', { service: d.service });
        continue;
      }
      const what = isAnomalyClass(pick.class) ? 'causality.trigger.failed' : RESTARTS.has(pick.class) ? 'causality.trigger.restarted' : 'causality.trigger.shut_down';
      n.trigger = text(what, { service: d.service, at: isoSeconds(Date.parse(pick.ts))! });
      n.triggerEvidence = evidence(pick.file_id, pick.line_no);
      break;
    }
  }

  // Only signs (restarts, a feed that reconnects) that started in the block and nothing explains: the trigger is elsewhere.
  for (const n of nodes) {
    if (n.cause || n.trigger || n.start === null || n.steady || n.pairs.length === 0) continue;
    if (n.pairs.every((p) => SYMPTOMS.includes(p.cls))) n.trigger = text('causality.trigger.unknown');
  }

  // Rank: each tree takes the best rank of its members; within it, the cause first.
  const root = (n: Node): Node => (n.cause ? root(n.cause) : n);
  const best = new Map<Node, number>();
  for (const n of nodes) best.set(root(n), Math.min(best.get(root(n)) ?? Infinity, n.index));
  const children = (c: Node) => nodes.filter((n) => n.cause === c).sort((a, b) => a.index - b.index);
  const ordered: Node[] = [];
  const walk = (n: Node) => {
    ordered.push(n);
    for (const k of children(n)) walk(k);
  };
  for (const r of [...best.keys()].sort((a, b) => best.get(a)! - best.get(b)! || a.index - b.index)) walk(r);

  return ordered.map((n) => {
    const kids = children(n);
    const consequences: Consequence[] = kids.map((k) => ({
      cause: k.h.cause,
      title: k.h.title,
      started_at: isoSeconds(k.start),
      evidence: fromStart(k),
      ...(k.h.texts?.title ? { texts: { title: k.h.texts.title } } : {}),
    }));
    const chain = chainOf(n, kids);
    const texts: Texts = { ...n.h.texts, ...(chain ? { chain } : {}) };
    return {
      ...n.h,
      evidence: n.triggerEvidence ? [n.triggerEvidence, ...n.h.evidence.filter((e) => !(e.file === n.triggerEvidence!.file && e.line === n.triggerEvidence!.line))] : n.h.evidence,
      started_at: isoSeconds(n.start),
      consequence_of: n.cause?.h.cause ?? null,
      consequences,
      chain: chain ? render('en', chain) : '',
      ...(Object.keys(texts).length ? { texts } : {}),
    };
  });
}

/** A consequence's evidence from its start on (a crash loop's first banner is the normal start, not the loop). */
function fromStart(n: Node): Evidence[] {
  const after = n.h.evidence.filter((_, i) => n.start === null || n.evTimes[i] === null || n.evTimes[i]! >= n.start - CLOCK_SLACK_MS);
  return (after.length ? after : n.h.evidence).slice(0, CONSEQUENCE_EVIDENCE);
}

/** A hypothesis' title (keyed when its rule gave keyed text; else quoted as the rule wrote it), with its start. */
function titled(n: Node): Param {
  const title: Param = n.h.texts?.title ?? n.h.title;
  const s = isoSeconds(n.start);
  return s ? text('causality.from', { title, at: s }) : title;
}

/** One sentence: trigger → cause → its consequences (keyed, so it is in the report's language with the titles). */
function chainOf(n: Node, kids: Node[]): Text | null {
  const first: Param | null = n.cause ? titled(n.cause) : n.trigger && n.triggerEvidence ? n.trigger : null;
  if (first === null && kids.length === 0 && !n.trigger && !n.steadyBlocked) return null;
  let s: Param = first === null ? titled(n) : text('causality.arrow', { from: first, to: titled(n) });
  if (kids.length) {
    const tail = kids.map(titled).reduceRight((rest: Param | null, k) => (rest === null ? k : text('causality.then', { first: k, rest })), null)!;
    s = text('causality.arrow', { from: s, to: tail });
  }
  if (n.trigger && !n.triggerEvidence) s = text('causality.why', { chain: s, trigger: n.trigger });
  if (n.steadyBlocked) s = text('causality.steady', { chain: s });
  // A lone title without trigger or consequence never reaches here; the chain is always a composed text.
  return typeof s === 'string' ? null : (s as Text);
}
