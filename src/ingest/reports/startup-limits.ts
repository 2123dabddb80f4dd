/**
 * Limits and modes the services print at startup (evidence-formats §3.1), mapped to the `.env`
 * variable they come from, so a rule can put the effective value beside the configured one
 * ("limits not as configured", §9). Called by the log ingest on each log record's message; a
 * message may hold one line (`   Max Exposure: 50.0%`) or several.
 */

export interface StartupLimit {
  /** The `.env` variable the printed value comes from. */
  key: string;
  /** Other variables that may be the source (Max Exposure: A reads MAX_EXPOSURE_PCT, B also names MAX_TOTAL_EXPOSURE_PCT). */
  altKeys: string[];
  /** The value in the unit of the `.env` variable, as text (`0.1` for `Max Position: 10.0%`). */
  value: string;
  /** The same as a number when it is one. */
  num: number | null;
  /** The label as the service prints it (`Max Exposure`). */
  label: string;
  /** The value as printed (`50.0%`). */
  printed: string;
}

type Unit = 'pct-to-fraction' | 'number' | 'text' | 'bool';

interface Rule {
  re: RegExp;
  label: string;
  key: string;
  altKeys?: string[];
  unit: Unit;
  services: string[];
}

const RISK = ['cdb_risk'];
const SIGNAL = ['cdb_core', 'cdb_signal'];
const RUNNER = ['cdb_paper_runner'];
const EXECUTION = ['cdb_execution'];
const WS = ['cdb_ws'];

const NUM = '([-+]?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)';

const RULES: Rule[] = [
  { re: new RegExp(`^\\s*Max Position:\\s*${NUM}\\s*%`), label: 'Max Position', key: 'MAX_POSITION_PCT', unit: 'pct-to-fraction', services: RISK },
  {
    re: new RegExp(`^\\s*Max Exposure:\\s*${NUM}\\s*%`),
    label: 'Max Exposure',
    key: 'MAX_EXPOSURE_PCT',
    altKeys: ['MAX_TOTAL_EXPOSURE_PCT'],
    unit: 'pct-to-fraction',
    services: RISK,
  },
  { re: new RegExp(`^\\s*Max Drawdown:\\s*${NUM}\\s*%`), label: 'Max Drawdown', key: 'MAX_DAILY_DRAWDOWN_PCT', unit: 'pct-to-fraction', services: RISK },
  { re: new RegExp(`^\\s*Stop-Loss:\\s*${NUM}\\s*%`), label: 'Stop-Loss', key: 'STOP_LOSS_PCT', unit: 'pct-to-fraction', services: RISK },
  // SIGNAL_THRESHOLD_PCT is itself a percent (3.0 = 3 %), so it stays as printed.
  { re: new RegExp(`^\\s*Schwelle:\\s*${NUM}\\s*%`), label: 'Schwelle', key: 'SIGNAL_THRESHOLD_PCT', unit: 'number', services: SIGNAL },
  { re: new RegExp(`^\\s*Lookback:\\s*${NUM}\\s*min\\b`), label: 'Lookback', key: 'SIGNAL_LOOKBACK_MIN', unit: 'number', services: SIGNAL },
  { re: new RegExp(`^\\s*Min\\. Volume:\\s*${NUM}\\s*$`), label: 'Min. Volume', key: 'SIGNAL_MIN_VOLUME', unit: 'number', services: SIGNAL },
  { re: new RegExp(`^\\s*Duration:\\s*${NUM}\\s*days?\\s*$`), label: 'Duration', key: 'PAPER_TRADING_DURATION_DAYS', unit: 'number', services: RUNNER },
  { re: /\bTRADING_MODE=(\S+)/, label: 'TRADING_MODE', key: 'TRADING_MODE', unit: 'text', services: EXECUTION },
  { re: /\bDRY_RUN=(\S+)/, label: 'DRY_RUN', key: 'DRY_RUN', unit: 'bool', services: EXECUTION },
  { re: /\bMOCK_TRADING=(\S+)/, label: 'MOCK_TRADING', key: 'MOCK_TRADING', unit: 'bool', services: EXECUTION },
  { re: /WEBSOCKET SERVICE - MODE:\s*(\S+)/, label: 'WEBSOCKET SERVICE - MODE', key: 'WS_SOURCE', unit: 'text', services: WS },
  { re: /Starting MEXC WS client:.*\bsymbol=([^,\s]+)/, label: 'symbol', key: 'MEXC_SYMBOL', unit: 'text', services: WS },
  { re: /Starting MEXC WS client:.*\binterval=([^,\s]+)/, label: 'interval', key: 'MEXC_INTERVAL', unit: 'text', services: WS },
];

const KNOWN_SERVICES = new Set([...RISK, ...SIGNAL, ...RUNNER, ...EXECUTION, ...WS]);

/** Python prints `0.07*100` as `7.000000000000001`; 12 significant digits remove that noise. */
function clean(n: number): number {
  return Number(n.toPrecision(12));
}

function normalizeService(service: string): string {
  return service.trim().replace(/-\d+$/, '');
}

export function extractStartupLimits(service: string, message: string): StartupLimit[] {
  const svc = normalizeService(service ?? '');
  // An unknown service name (or none) may still print these lines; only a known one narrows the rules.
  const restrict = KNOWN_SERVICES.has(svc);
  const out: StartupLimit[] = [];
  for (const line of message.split('\n')) {
    for (const rule of RULES) {
      if (restrict && !rule.services.includes(svc)) continue;
      const m = rule.re.exec(line);
      if (!m) continue;
      const printedMatch = m[0].replace(/^\s+/, '');
      const printed = printedMatch.slice(printedMatch.indexOf(':') + 1).trim() || m[1];
      let value: string;
      let num: number | null;
      switch (rule.unit) {
        case 'pct-to-fraction':
          num = clean(Number(m[1]) / 100);
          value = String(num);
          break;
        case 'number':
          num = clean(Number(m[1]));
          value = String(num);
          break;
        case 'bool':
          num = null;
          value = /^(true|1|yes)$/i.test(m[1]) ? 'true' : /^(false|0|no)$/i.test(m[1]) ? 'false' : m[1];
          break;
        default:
          num = null;
          value = m[1];
      }
      out.push({
        key: rule.key,
        altKeys: rule.altKeys ?? [],
        value,
        num,
        label: rule.label,
        printed: rule.unit === 'text' || rule.unit === 'bool' ? m[1] : printed,
      });
    }
  }
  return out;
}
