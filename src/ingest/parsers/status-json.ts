import { defineParser, type Row } from '../define-parser.js';
import { JsonElementScanner, findLineNo, isPlainObject, type JsonScanEvent } from '../reports/json-spans.js';

/**
 * A service's `/status` JSON (evidence-formats §8): risk `signals_received`, `orders_approved`,
 * `orders_blocked`, `risk_state{...}`; signal `signals_generated`, `last_signal`; paper runner
 * `events_logged`. Values are flattened to dotted keys (`risk_state.total_exposure`). The service is
 * inferred from the keys, since a renamed capture says nothing else.
 */

const COUNTER_KEYS = ['signals_received', 'orders_approved', 'orders_blocked', 'risk_state', 'signals_generated', 'last_signal', 'events_logged'];
const COUNTER_RE = new RegExp(`"(${COUNTER_KEYS.join('|')})"\\s*:`);

const SERVICE_NAMES: Record<string, string> = {
  risk_manager: 'cdb_risk',
  signal_engine: 'cdb_signal',
  paper_trading_runner: 'cdb_paper_runner',
  execution_service: 'cdb_execution',
  db_writer: 'cdb_db_writer',
};

export function flatten(value: unknown, prefix: string, out: [string, string | null][]): void {
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix) out.push([prefix, '{}']);
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  if (!prefix) return;
  if (value === null || value === undefined) out.push([prefix, null]);
  else if (Array.isArray(value)) out.push([prefix, JSON.stringify(value)]);
  else out.push([prefix, String(value)]);
}

/** Which service wrote this status object, and a note when that is a guess. */
export function inferService(o: Record<string, unknown>): { service: string | null; note?: string } {
  const named = typeof o.service === 'string' ? SERVICE_NAMES[o.service] ?? (o.service.startsWith('cdb_') ? o.service : undefined) : undefined;
  if (named) return { service: named };
  if ('orders_approved' in o || 'orders_blocked' in o || 'signals_received' in o || 'risk_state' in o) return { service: 'cdb_risk' };
  if ('events_logged' in o || 'event_log_file' in o) return { service: 'cdb_paper_runner' };
  if ('signals_generated' in o || 'last_signal' in o) {
    // Era A symbols carry an underscore (BTC_USDT) and the engine ran as cdb_core; B/C run cdb_signal.
    const sym = JSON.stringify(o.last_signal ?? '');
    if (/[A-Z0-9]+_USDT/.test(sym)) return { service: 'cdb_core', note: 'signal engine status with BTC_USDT-style symbols: taken as era-A cdb_core' };
    if (/[A-Z0-9]+USDT/.test(sym)) return { service: 'cdb_signal', note: 'signal engine status with BTCUSDT-style symbols: taken as cdb_signal (era B/C)' };
    return { service: 'cdb_signal', note: 'signal engine status without a symbol to tell the era: taken as cdb_signal (it is cdb_core in era A)' };
  }
  return { service: null, note: 'status JSON without a known counter; service unknown' };
}

export default defineParser({
  id: 'status-json',
  title: 'service /status JSON (risk, signal, paper runner counters)',
  version: 1,
  kind: 'containers',
  tables: ['service_status'],
  specificity: 60,
  claims: {
    sniff(head) {
      const first = head.lines.find((l) => l.trim() !== '');
      if (!first || !/^\s*[[{]/.test(first)) return null;
      if (/^\s*\{\s*"(log|timestamp|channel)"\s*:/.test(first)) return null;
      if (/"State"\s*:\s*[{"]/.test(head.text)) return null;
      const m = COUNTER_RE.exec(head.text);
      if (!m) return null;
      return { confidence: 85, reason: `JSON with the /status counter "${m[1]}"` };
    },
  },
  async *parse(input, ctx) {
    const scanner = new JsonElementScanner();
    function* handle(events: JsonScanEvent[]): Generator<Row> {
      for (const ev of events) {
        if (ev.type === 'punctuation') {
          ctx.structural(ev.line.text.trim() === '' ? 'blank' : 'json_punctuation');
        } else if (ev.type === 'text') {
          const t = ev.line.text.trim();
          if (/^(?:PS [^>]*>\s*|[$#>]\s*)?(curl|wget|Invoke-(WebRequest|RestMethod)|iwr|irm)\b/i.test(t)) ctx.structural('command_echo');
          else ctx.quarantine(ev.line.lineNo, 'not JSON: expected a /status JSON object', ev.line.text);
        } else if (ev.type === 'trailing') {
          ctx.note(`line ${ev.line.lineNo}: text after a JSON value ignored: ${ev.text.slice(0, 80)}`);
        } else if (ev.type === 'invalid') {
          for (const l of ev.owned) ctx.quarantine(l.lineNo, ev.reason, l.text);
        } else {
          if (!isPlainObject(ev.value)) {
            const firstOwned = ev.endLine - ev.ownLines + 1;
            for (const l of ev.lines) if (l.lineNo >= firstOwned) ctx.quarantine(l.lineNo, 'JSON value is not a /status object', l.text);
            continue;
          }
          const { service, note } = inferService(ev.value);
          if (note) ctx.note(`line ${ev.startLine}: ${note}`);
          const pairs: [string, string | null][] = [];
          flatten(ev.value, '', pairs);
          if (pairs.length === 0) {
            ctx.structural('empty_object', ev.ownLines);
            continue;
          }
          let from = ev.startLine;
          let first = true;
          for (const [key, value] of pairs) {
            const last = key.slice(key.lastIndexOf('.') + 1);
            // Pretty-printed objects keep keys in order; point each value at the line that prints it.
            const at = findLineNo(ev.lines, `"${last}"`, from, from);
            from = at;
            yield {
              table: 'service_status',
              line: first ? ev.startLine : at,
              lines: first ? ev.ownLines : 0,
              values: { service, key, value },
            };
            first = false;
          }
        }
      }
    }
    for await (const line of input.lines()) yield* handle(scanner.push(line));
    yield* handle(scanner.end());
  },
});
