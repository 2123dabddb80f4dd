/**
 * Which container wrote a log: compose prefixes (`cdb_risk-1`), file names (`risk.txt`,
 * `docker_logs_cdb_execution_2025-12-01.txt`) and logger names (`risk_manager`), per
 * evidence-formats.md §1/§2.3. Content beats file names because tests and analysts rename files.
 */
import type { ParseContext } from '../define-parser.js';
import { isWsPrint, parseAppLine, parsePrintLine, type AppLine } from './app-line.js';

/** Every container of every era (§1), longest first so `cdb_market_eth` wins over `cdb_market`. */
export const KNOWN_SERVICES: readonly string[] = [
  'cdb_postgres_exporter',
  'cdb_adaptive_intensity',
  'cdb_redis_exporter',
  'cdb_paper_runner',
  'cdb_alertmanager',
  'cdb_allocation',
  'cdb_market_eth',
  'cdb_prometheus',
  'cdb_db_writer',
  'cdb_execution',
  'cdb_cadvisor',
  'cdb_postgres',
  'cdb_promtail',
  'cdb_candles',
  'cdb_grafana',
  'cdb_reports',
  'cdb_regime',
  'cdb_signal',
  'cdb_market',
  'cdb_redis',
  'cdb_core',
  'cdb_risk',
  'cdb_loki',
  'cdb_ws',
];

/** The signal engine's logger is the same in era A (`cdb_core`) and B/C (`cdb_signal`). */
export const SIGNAL_AMBIGUOUS = 'cdb_core|cdb_signal';

/** Python logger name → container (§2.3). `werkzeug` is absent on purpose: every Flask service has it. */
export const LOGGER_SERVICE: Readonly<Record<string, string>> = {
  risk_manager: 'cdb_risk',
  execution_service: 'cdb_execution',
  db_writer: 'cdb_db_writer',
  __main__: 'cdb_paper_runner',
  email_alerter: 'cdb_paper_runner',
  ws_service: 'cdb_ws',
  candle_service: 'cdb_candles',
  regime_service: 'cdb_regime',
  allocation_service: 'cdb_allocation',
  market_service: 'cdb_market',
  signal_engine: SIGNAL_AMBIGUOUS,
};

/** Logger → service; dotted child loggers (`signal_engine.price_buffer`) map like their root. */
export function serviceForLogger(logger: string | null | undefined): string | null {
  if (!logger) return null;
  const direct = LOGGER_SERVICE[logger];
  if (direct) return direct;
  const dot = logger.indexOf('.');
  if (dot > 0) return LOGGER_SERVICE[logger.slice(0, dot)] ?? null;
  return null;
}

const REPLICA_SUFFIX = /-\d+$/;
const V1_NAME = /^.+[_-](cdb_[a-z0-9_]+?)_\d+$/;
const PROJECT_PREFIXED = /^.+?[_-](cdb_[a-z0-9_]+)$/;

/**
 * Compose prefix / container name → service key: `cdb_risk-1` → `cdb_risk`; compose v1
 * `claire_de_binare_cdb_core_1` and v2 `cdb-blue-cdb_risk-1` → the `cdb_*` part.
 */
export function normalizeContainerName(name: string): string {
  let n = name.trim();
  if (n.startsWith('/')) n = n.slice(1); // docker inspect writes "/cdb_risk"
  n = n.replace(REPLICA_SUFFIX, '');
  const v1 = V1_NAME.exec(n);
  if (v1) return v1[1];
  if (!n.startsWith('cdb_')) {
    const p = PROJECT_PREFIXED.exec(n);
    if (p) return p[1];
  }
  return n;
}

/** Bare words an analyst uses for a service in a file name, longest first. */
const SHORT_NAMES: readonly [string, string][] = [
  ['paper_trading', 'cdb_paper_runner'],
  ['paper_runner', 'cdb_paper_runner'],
  ['paper-runner', 'cdb_paper_runner'],
  ['db_writer', 'cdb_db_writer'],
  ['db-writer', 'cdb_db_writer'],
  ['dbwriter', 'cdb_db_writer'],
  ['allocation', 'cdb_allocation'],
  ['execution', 'cdb_execution'],
  ['exec', 'cdb_execution'],
  ['postgres', 'cdb_postgres'],
  ['reports', 'cdb_reports'],
  ['candles', 'cdb_candles'],
  ['regime', 'cdb_regime'],
  ['signal', 'cdb_signal'],
  ['market', 'cdb_market'],
  ['redis', 'cdb_redis'],
  ['core', 'cdb_core'],
  ['risk', 'cdb_risk'],
  ['ws', 'cdb_ws'],
];

function wordAt(lower: string, word: string): boolean {
  let from = 0;
  for (;;) {
    const i = lower.indexOf(word, from);
    if (i < 0) return false;
    const before = i === 0 ? '' : lower[i - 1];
    const after = lower[i + word.length] ?? '';
    if (!/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after)) return true;
    from = i + 1;
  }
}

/**
 * Service named by a file name, or null. `cdb_risk.log`, `risk.txt`, `docker_logs_cdb_execution_2025-12-01.txt`,
 * `paper_trading_20251130.log`. Only a hint: never required for a correct parse.
 */
export function serviceFromFileName(name: string): string | null {
  const base = name.split(/[\\/]/).pop() ?? name;
  const lower = base.toLowerCase().replace(/\.gz$/, '');
  for (const s of KNOWN_SERVICES) {
    const i = lower.indexOf(s);
    if (i >= 0) {
      const after = lower[i + s.length] ?? '';
      // `cdb_market_eth` is its own service; otherwise `cdb_risk_2025...` still names cdb_risk.
      if (!/[a-z]/.test(after)) return s;
    }
    const dashed = s.replace(/_/g, '-');
    if (dashed !== s && lower.includes(dashed)) return s;
  }
  for (const [word, service] of SHORT_NAMES) if (wordAt(lower, word)) return service;
  return null;
}

// Era tells for the signal engine (§1 "Telling the era", §3.1, §3.3).
const SIGNAL_B_TELLS = /PriceBuffer initialized|pct_change calculated from price buffer|Cold start @|strategy_id|MISSING_STRATEGY_ID|\bsig-[0-9a-f]{8}|Signal generiert: [A-Z0-9]+USDT BUY @ \$[\d.]+ \([+-]?[\d.]+%\)$|0\.0\.0\.0:8005/;
const SIGNAL_A_TELLS = /Confidence: [\d.]+\)|[A-Z0-9]+_USDT\b|0\.0\.0\.0:8001\//;
/** First day of era B (§1); dates are the last resort. */
const ERA_B_START = '2025-12-28';

export interface ServiceDecision {
  service: string | null;
  /** Human text for ctx.note. */
  how: string;
}

/**
 * Collects content evidence about which container wrote a single-container log (docker logs,
 * json-file, paper-runner file) and decides once enough is known. Strong evidence is a service
 * logger name or a redis/postgres line shape; weak evidence (bare werkzeug lines, the dash format,
 * `[LEVEL] text`) only counts when the file name says nothing.
 */
export class ServiceInference {
  private strong = new Map<string, number>();
  private weak = new Map<string, number>();
  private signalSeen = 0;
  private signalB = 0;
  private signalA = 0;
  private firstTs: string | null = null;
  private firstEvidence = new Map<string, string>();

  /** Feed one parsed header (or a recognised print line) and its raw text. */
  feed(h: AppLine | null, text: string): void {
    if (!h) return;
    if (!this.firstTs && h.ts) this.firstTs = h.ts;
    let svc: string | null = null;
    let strong = false;
    let why = '';
    switch (h.format) {
      case 'redis':
        svc = 'cdb_redis';
        strong = true;
        why = 'redis log line shape';
        break;
      case 'postgres':
        svc = 'cdb_postgres';
        strong = true;
        why = 'postgres log line shape';
        break;
      case 'print':
        if (h.wsPrint) {
          svc = 'cdb_ws';
          strong = true;
          why = 'era-A cdb_ws print lines';
        }
        break;
      case 'werkzeug':
        svc = 'cdb_ws';
        why = 'bare werkzeug lines (era-A cdb_ws)';
        break;
      case 'reports-print':
        svc = 'cdb_reports';
        strong = /CDB Daily Orders Summary|Generating daily summary|Next run scheduled|Summary complete:/.test(h.message);
        why = 'cdb_reports `[LEVEL] text` lines';
        break;
      default: {
        const byLogger = serviceForLogger(h.logger);
        if (byLogger === SIGNAL_AMBIGUOUS) {
          this.signalSeen++;
          if (SIGNAL_B_TELLS.test(h.message) || h.logger === 'signal_engine.price_buffer') this.signalB++;
          else if (SIGNAL_A_TELLS.test(h.message)) this.signalA++;
          return;
        }
        if (byLogger) {
          svc = byLogger;
          strong = true;
          why = `logger ${h.logger}`;
        } else if (h.format === 'dash') {
          svc = 'cdb_execution';
          why = 'dash log format (only cdb_execution uses it)';
        }
      }
    }
    void text;
    if (!svc) return;
    const m = strong ? this.strong : this.weak;
    m.set(svc, (m.get(svc) ?? 0) + 1);
    if (!this.firstEvidence.has(svc)) this.firstEvidence.set(svc, why);
  }

  /** True when content alone names a service without doubt. */
  hasStrong(): boolean {
    return this.strong.size > 0 || this.signalB > 0 || this.signalA > 0;
  }

  private static top(m: Map<string, number>): string | null {
    let best: string | null = null;
    let n = -1;
    for (const [k, v] of m) if (v > n || (v === n && best !== null && k < best)) ((best = k), (n = v));
    return best;
  }

  /**
   * Decide from what was fed plus the file name. `final` = no more content will come (end of
   * file or of the look-ahead), so weak evidence and date guesses are allowed.
   */
  decide(fileName: string, final: boolean): ServiceDecision | null {
    const fromName = serviceFromFileName(fileName);
    const strongTop = ServiceInference.top(this.strong);
    if (strongTop) {
      const why = this.firstEvidence.get(strongTop) ?? 'content';
      const others = [...this.strong.keys()].filter((k) => k !== strongTop);
      let how = `service ${strongTop} taken from content (${why})`;
      if (others.length) how += `; the file also holds lines of ${others.sort().join(', ')}`;
      if (fromName && fromName !== strongTop) how += `; the file name suggests ${fromName}, content wins`;
      return { service: strongTop, how };
    }
    if (this.signalSeen > 0 || this.signalA > 0 || this.signalB > 0) {
      if (fromName === 'cdb_signal' || fromName === 'cdb_core') {
        return { service: fromName, how: `logger signal_engine is ${SIGNAL_AMBIGUOUS}; the file name names ${fromName}` };
      }
      if (this.signalB > 0 && this.signalA === 0) {
        return { service: 'cdb_signal', how: 'logger signal_engine with era-B-only messages: cdb_signal' };
      }
      if (this.signalA > 0 && this.signalB === 0) {
        return { service: 'cdb_core', how: 'logger signal_engine with era-A-only messages: cdb_core' };
      }
      if (!final) return null;
      const guess = this.firstTs && this.firstTs.slice(0, 10) >= ERA_B_START ? 'cdb_signal' : 'cdb_core';
      return {
        service: guess,
        how: `service ambiguous (${SIGNAL_AMBIGUOUS}): logger signal_engine without era tells and no service in the file name; ` +
          `guessed ${guess} from the first time ${this.firstTs ?? 'unknown'} (era B starts ${ERA_B_START})`,
      };
    }
    if (fromName) return { service: fromName, how: `service ${fromName} taken from the file name` };
    const weakTop = ServiceInference.top(this.weak);
    if (weakTop && final) {
      return { service: weakTop, how: `service ${weakTop} inferred from weak content evidence (${this.firstEvidence.get(weakTop)})` };
    }
    if (!final) return null;
    return { service: null, how: 'service unknown: no service logger in the content and none in the file name' };
  }
}

/**
 * The header (or recognisable print) a line offers as service evidence, or null. Prints count
 * only when distinctive (era-A cdb_ws, cdb_reports `[LEVEL] text`).
 */
export function evidenceLine(text: string): AppLine | null {
  const h = parseAppLine(text);
  if (h) return h;
  if (text.charCodeAt(0) === 91 /* [ */ || isWsPrint(text)) {
    const p = parsePrintLine(text);
    if (p.wsPrint || p.format === 'reports-print') return p;
  }
  return null;
}

/**
 * The service of a single-container log (docker logs, json-file, paper-runner file): decided from
 * the head when possible, else as soon as strong content evidence streams by. Rows emitted before
 * that carry no service — a guess would be worse than a gap, and the note says so.
 */
export class ServiceTracker {
  service: string | null = null;
  private pending = false;
  private readonly inference = new ServiceInference();

  constructor(
    private readonly fileName: string,
    private readonly ctx: ParseContext,
  ) {}

  /** Decide from the head's lines (already stripped of wrappers). */
  fromHead(texts: Iterable<string>): void {
    for (const t of texts) this.inference.feed(evidenceLine(t), t);
    const d = this.inference.decide(this.fileName, true)!;
    this.service = d.service;
    this.pending = d.service === null;
    if (!this.pending) this.ctx.note(d.how);
  }

  get undecided(): boolean {
    return this.pending;
  }

  /** Feed a streamed line while undecided; true when the service was just decided. */
  observe(h: AppLine | null, text: string, lineNo: number): boolean {
    if (!this.pending) return false;
    this.inference.feed(h ?? evidenceLine(text), text);
    if (!this.inference.hasStrong()) return false;
    const d = this.inference.decide(this.fileName, true)!;
    if (!d.service) return false;
    this.service = d.service;
    this.pending = false;
    this.ctx.note(`${d.how} — decided at line ${lineNo}; records completed before it carry no service`);
    return true;
  }

  finish(): void {
    if (this.pending) this.ctx.note('service unknown: no service logger or log shape in the content and none in the file name');
  }
}
