/**
 * The event catalog: the one place that knows the real services' message texts (German and
 * English, eras A, B, C and the runbook's dialect). Ingest classifies every log record once with
 * `classify`; the model and the rules select records by class and read fields with `fieldsOf`.
 *
 * Bump CATALOG_VERSION whenever an entry is added, removed or its pattern changes: files
 * classified under an older version are classified again on the next ingest.
 */
import type { Era, LayerId } from '../vocabulary.js';
import type { CatalogEntry, Stage } from './define-entry.js';
import { EXECUTION_ENTRIES } from './entries/execution.js';
import { FEED_AND_SIGNAL } from './entries/feed.js';
import { INFRA_ENTRIES } from './entries/infra.js';
import { LIFECYCLE } from './entries/lifecycle.js';
import { RISK_ENTRIES } from './entries/risk.js';

export type { CatalogEntry, Stage } from './define-entry.js';

export const CATALOG_VERSION = 1;

export const CATALOG: readonly CatalogEntry[] = [...LIFECYCLE, ...FEED_AND_SIGNAL, ...RISK_ENTRIES, ...EXECUTION_ENTRIES, ...INFRA_ENTRIES];

const BY_ID = new Map(CATALOG.map((e) => [e.id, e]));
if (BY_ID.size !== CATALOG.length) throw new Error('duplicate catalog id');

/** The entry of a class id; throws on an id the catalog does not declare (a typo in a rule). */
export function entry(id: string): CatalogEntry {
  const e = BY_ID.get(id);
  if (!e) throw new Error(`unknown catalog class: ${id}`);
  return e;
}

/** Class ids, checked against the catalog (so a rule cannot ask for a class that never occurs). */
export function classes(...ids: string[]): string[] {
  for (const id of ids) entry(id);
  return ids;
}

/** One pattern that matches any of the classes' messages (for a verification plan's log check). */
export function patternOf(...ids: string[]): RegExp {
  // Named groups would repeat across alternatives, which this engine refuses: keep them unnamed.
  return new RegExp(ids.map((id) => `(?:${entry(id).pattern.source.replace(/\(\?<([A-Za-z]\w*)>/g, '(')})`).join('|'));
}

/** Every class whose id starts with one of the prefixes (`risk.rejected.`). */
export function classesWithPrefix(...prefixes: string[]): string[] {
  return CATALOG.filter((e) => prefixes.some((p) => e.id.startsWith(p))).map((e) => e.id);
}

export function classesOfStage(stage: Stage): string[] {
  return CATALOG.filter((e) => e.stage === stage).map((e) => e.id);
}

export function classesOfLayer(layer: LayerId): string[] {
  return CATALOG.filter((e) => e.layer === layer).map((e) => e.id);
}

/** Classes whose occurrence is an anomaly of at least this severity. */
export function classesWithSeverity(...severities: CatalogEntry['severity'][]): string[] {
  return CATALOG.filter((e) => severities.includes(e.severity)).map((e) => e.id);
}

export const BULK_CLASSES: readonly string[] = CATALOG.filter((e) => e.bulk).map((e) => e.id);

/** Fields an entry extracts from a message of its class (named groups; `error2` style alternates fold into `error`). */
export function fieldsOf(id: string, message: string): Record<string, string> | null {
  const m = entry(id).pattern.exec(message);
  if (!m) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.groups ?? {})) {
    if (v === undefined) continue;
    const key = k.replace(/\d+$/, '');
    if (out[key] === undefined) out[key] = v;
  }
  return out;
}

interface Compiled {
  id: string;
  pattern: RegExp;
  needles: string[];
  /** Per needle: the bucket of its first two code units (see `pairBucket`), -1 when shorter than two. */
  keys: number[];
  ci: boolean;
}

/**
 * A message holds a needle only if it holds the needle's first two code units side by side, so
 * an entry whose needles' pairs are all absent from the message cannot match: one pass over the
 * message's pairs replaces most `includes` calls. Buckets may collide; a hit still runs `includes`.
 */
const PAIR_BUCKETS = 4096;
function pairBucket(a: number, b: number): number {
  return ((a * 31) ^ b) & (PAIR_BUCKETS - 1);
}

function keyOf(n: string): number {
  return n.length >= 2 ? pairBucket(n.charCodeAt(0), n.charCodeAt(1)) : -1;
}

function compile(e: CatalogEntry): Compiled {
  const needles = (Array.isArray(e.needle) ? e.needle : [e.needle]).map((n) => (e.needleCi ? n.toLowerCase() : n));
  const list = needles.includes('') ? [] : needles;
  return { id: e.id, pattern: e.pattern, needles: list, keys: list.map(keyOf), ci: !!e.needleCi };
}

/** The pairs present in a text: a bucket holds the current stamp when some pair of the text falls in it. */
class Pairs {
  private readonly seen = new Uint32Array(PAIR_BUCKETS);
  private stamp = 0;

  fill(text: string): void {
    if (++this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const seen = this.seen;
    const stamp = this.stamp;
    let prev = text.length > 0 ? text.charCodeAt(0) : 0;
    for (let i = 1; i < text.length; i++) {
      const c = text.charCodeAt(i);
      seen[pairBucket(prev, c)] = stamp;
      prev = c;
    }
  }

  has(key: number): boolean {
    return key < 0 || this.seen[key] === this.stamp;
  }
}

const EXACT_PAIRS = new Pairs();
const LOWER_PAIRS = new Pairs();

function tryEntries(list: Compiled[], message: string): string | null {
  EXACT_PAIRS.fill(message);
  let lower: string | null = null;
  for (const c of list) {
    if (c.needles.length) {
      let pairs = EXACT_PAIRS;
      let hay = message;
      if (c.ci) {
        if (lower === null) LOWER_PAIRS.fill((lower = message.toLowerCase()));
        pairs = LOWER_PAIRS;
        hay = lower;
      }
      let hit = false;
      const needles = c.needles;
      const keys = c.keys;
      for (let i = 0; i < needles.length; i++) {
        if (pairs.has(keys[i]) && hay.includes(needles[i])) {
          hit = true;
          break;
        }
      }
      if (!hit) continue;
    }
    if (c.pattern.test(message)) return c.id;
  }
  return null;
}

/**
 * Per service: the entries it declares first (in catalog order), then the ones any service may
 * print, then library texts (generic), then the other services' entries, so that a bundle whose
 * service names are unusual is still classified.
 */
class Classifier {
  private readonly specific: Compiled[];
  private readonly own: CatalogEntry[];
  private readonly any: Compiled[];
  private readonly generic: Compiled[];
  private readonly perService = new Map<string, Compiled[]>();
  private readonly fallback: Compiled[];

  private readonly byKind: Map<string, string>;

  constructor(entries: readonly CatalogEntry[]) {
    this.byKind = new Map(entries.filter((e) => e.kind).map((e) => [e.kind!, e.id]));
    entries = entries.filter((e) => !e.kind);
    this.specific = entries.filter((e) => !e.generic && !e.services.includes('*') && !e.ownServicesOnly).map(compile);
    this.own = entries.filter((e) => e.ownServicesOnly);
    this.any = entries.filter((e) => !e.generic && e.services.includes('*')).map(compile);
    this.generic = entries.filter((e) => e.generic).map(compile);
    this.fallback = [...this.specific, ...this.any, ...this.generic];
  }

  private order(service: string | null): Compiled[] {
    if (service === null) return this.fallback;
    let list = this.perService.get(service);
    if (!list) {
      const own = new Set(CATALOG.filter((e) => e.services.includes(service)).map((e) => e.id));
      if (own.size === 0) list = this.fallback;
      else {
        const mine = this.specific.filter((c) => own.has(c.id));
        const others = this.specific.filter((c) => !own.has(c.id));
        // Catch-alls of a service come last of its own: anything more specific wins.
        const catchAll = this.own.filter((e) => e.services.includes(service)).map(compile);
        list = [...mine, ...this.any, ...this.generic, ...others, ...catchAll];
      }
      this.perService.set(service, list);
    }
    return list;
  }

  classify(service: string | null, message: string | null, kind: string | null): string | null {
    if (kind === 'health_poll') return 'http.health_poll';
    if (kind !== null) {
      const k = this.byKind.get(kind);
      if (k) return k;
    }
    if (message === null) return null;
    return tryEntries(this.order(service), message);
  }
}

const CLASSIFIER = new Classifier(CATALOG);

/** The class of one log record, or null when no entry matches (counted as unmatched per service). */
export function classify(service: string | null, message: string | null, kind: string | null = null): string | null {
  return CLASSIFIER.classify(service, message, kind);
}

/** Which eras a class belongs to (the era vote reads it). */
export function erasOf(id: string): readonly Era[] {
  return entry(id).eras;
}
