import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { Rng } from './generate.js';

/**
 * `docker compose logs --timestamps` of an era-B stack at DEBUG (dev compose sets LOG_LEVEL=DEBUG):
 * what makes a real bundle large. Every 100 ms market tick gives the WS service's publish line and
 * the signal engine's price-buffer and filter lines; every service answers Docker's /health poll
 * every 10 s and Prometheus' /metrics every 15 s; now and then a signal runs through risk,
 * execution and the writer, and the signal engine loses Redis with a traceback. The message texts
 * are the catalog samples' (src/catalog/entries/*.ts); the line formats those of
 * docs/evidence-formats.md §2.3. Deterministic (a fixed LCG): two runs measure the same bytes.
 */


export interface DebugLogResult {
  path: string;
  bytes: number;
  lines: number;
  /** Records a correct parser must produce (a traceback is one record over several lines). */
  records: number;
  /** Lines per service prefix, as lnav's `GROUP BY service` must count them. */
  perService: Record<string, number>;
  from: string;
  to: string;
}

const SERVICES = ['cdb_ws', 'cdb_signal', 'cdb_risk', 'cdb_execution', 'cdb_db_writer', 'cdb_candles'] as const;
type Service = (typeof SERVICES)[number];
const PAD = Math.max(...SERVICES.map((s) => s.length)) + 1;
const LOGGER: Record<Service, string> = {
  cdb_ws: 'ws_service', cdb_signal: 'signal_engine', cdb_risk: 'risk_manager', cdb_execution: 'execution_service', cdb_db_writer: 'db_writer', cdb_candles: 'candle_service',
};
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TICK_MS = 100;

/** Start of the generated block: an era-B date. */
export const DEBUG_LOG_START = Date.UTC(2026, 1, 9, 0, 0, 0);

export async function generateEraBDebugLogs(dir: string, targetBytes: number): Promise<DebugLogResult> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'docker_compose_logs.txt');
  const out = createWriteStream(path);
  const rng = new Rng(2026);
  const prefix = Object.fromEntries(SERVICES.map((s) => [s, s.padEnd(PAD) + '| '])) as Record<Service, string>;
  const perService: Record<string, number> = Object.fromEntries(SERVICES.map((s) => [s, 0]));
  let bytes = 0;
  let lines = 0;
  let records = 0;
  let buf: string[] = [];
  let bufLen = 0;
  let price = 70467.52;
  let tradeId = 800;
  let signalId = 4700;
  let t = DEBUG_LOG_START;

  // The clock texts change once a second (and their ms part every tick): cached per second.
  let sec = -1;
  let iso19 = '';
  let asctime19 = '';
  let werk = '';
  const clocks = (ms: number): void => {
    const s = Math.floor(ms / 1000);
    if (s === sec) return;
    sec = s;
    const d = new Date(s * 1000);
    const iso = d.toISOString();
    iso19 = iso.slice(0, 19);
    asctime19 = iso.slice(0, 10) + ' ' + iso.slice(11, 19);
    werk = `${String(d.getUTCDate()).padStart(2, '0')}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()} ${iso.slice(11, 19)}`;
  };
  const emit = (svc: Service, ms: number, text: string, physical = 1): void => {
    const frac = String(ms % 1000).padStart(3, '0');
    const docker = `${iso19}.${frac}${String(rng.int(1e6)).padStart(6, '0')}Z `;
    let s = '';
    for (const l of text.split('\n')) s += prefix[svc] + docker + l + '\n';
    buf.push(s);
    bufLen += s.length;
    bytes += Buffer.byteLength(s);
    lines += physical;
    perService[svc] += physical;
    records++;
  };
  /** A Python logging line: bracket format, dash for execution, no milliseconds for the WS service. */
  const py = (svc: Service, ms: number, level: string, msg: string, physical = 1): void => {
    const frac = String(ms % 1000).padStart(3, '0');
    const head = svc === 'cdb_ws' ? `${asctime19} [${level}] ws_service: ` : svc === 'cdb_execution' ? `${asctime19},${frac} - execution_service - ${level} - ` : `${asctime19},${frac} [${level}] ${LOGGER[svc]}: `;
    emit(svc, ms, head + msg, physical);
  };

  for (;;) {
    for (let k = 0; k < 2000; k++) {
      t += TICK_MS;
      clocks(t);
      const prev = price;
      price = Math.max(1000, price + (rng.next() - 0.5) * 20);
      const p = price.toFixed(2);
      const pct = (((price - prev) / prev) * 100).toFixed(4);
      py('cdb_ws', t, 'DEBUG', `[redis] published market_data: BTCUSDT @ ${p}`);
      py('cdb_signal', t + 1, 'DEBUG', `BTCUSDT: pct_change calculated from price buffer (@ $${prev.toFixed(2)} → ${pct}%)`);
      py('cdb_signal', t + 1, 'DEBUG', `BTCUSDT: $${prev.toFixed(2)} → $${p} (${Number(pct) >= 0 ? '+' : ''}${pct}%)`);
      py('cdb_signal', t + 2, 'DEBUG', rng.int(2) === 0 ? `BTCUSDT: Volume zu niedrig (0.0 < 100000.0)` : `BTCUSDT: RSI zu niedrig (${(30 + rng.next() * 20).toFixed(2)} <= 50.00)`);
      const inSec = t % 1000 === 0;
      const s = Math.floor(t / 1000);
      if (inSec && s % 10 === 0) {
        for (const svc of SERVICES) py(svc, t + 3, 'INFO', `127.0.0.1 - - [${werk}] "GET /health HTTP/1.1" 200 -`);
      }
      if (inSec && s % 15 === 0) {
        for (const svc of ['cdb_risk', 'cdb_execution', 'cdb_db_writer'] as const) py(svc, t + 4, 'INFO', `172.18.0.5 - - [${werk}] "GET /metrics HTTP/1.1" 200 -`);
      }
      if (inSec && s % 60 === 0) {
        py('cdb_candles', t + 5, 'INFO', `Candle emittiert: BTCUSDT @ ${s - 60} (O:${prev.toFixed(2)} H:${(price + 5).toFixed(2)} L:${(price - 5).toFixed(2)} C:${p} V:${(rng.next() * 3).toFixed(4)})`);
      }
      if (inSec && s % 300 === 150) {
        // A signal through the whole flow (every 5 minutes).
        const side = rng.int(2) === 0 ? 'BUY' : 'SELL';
        const order = `MOCK_${(rng.int(0xffffffff) >>> 0).toString(16).padStart(8, '0')}`;
        py('cdb_signal', t + 6, 'INFO', `✨ Signal generiert: BTCUSDT ${side} @ $${p} (+0.01%)`);
        py('cdb_db_writer', t + 8, 'INFO', `✅ Signal persisted: ID=${++signalId}, BTCUSDT ${side.toLowerCase()}`);
        py('cdb_risk', t + 9, 'INFO', `📨 Signal empfangen: BTCUSDT ${side}`);
        py('cdb_risk', t + 11, 'INFO', `✅ Order freigegeben: BTCUSDT ${side} qty=0.0002`);
        py('cdb_execution', t + 14, 'INFO', `Processing order: BTCUSDT ${side} qty=0.0002`);
        py('cdb_execution', t + 20, 'INFO', `Order filled: ${order} at ${p}`);
        py('cdb_db_writer', t + 25, 'INFO', `✅ Trade persisted: ID=${++tradeId}, BTCUSDT ${side} @ ${p}`);
      }
      if (inSec && s % 7200 === 3600) {
        // The signal engine loses Redis for a moment: an error with its traceback (one record, six lines).
        py('cdb_signal', t + 7, 'ERROR', [
          'Fehler beim Signal-Publishing: Connection closed by server.',
          'Traceback (most recent call last):',
          '  File "/app/services/signal/service.py", line 188, in publish_signal',
          '    self.redis.publish("signals", payload)',
          '  File "/usr/local/lib/python3.11/site-packages/redis/connection.py", line 529, in read_response',
          'redis.exceptions.ConnectionError: Connection closed by server.',
        ].join('\n'), 6);
      }
    }
    if (bufLen > 1 << 20 || bytes >= targetBytes) {
      if (!out.write(buf.join(''))) await once(out, 'drain');
      buf = [];
      bufLen = 0;
    }
    if (bytes >= targetBytes) break;
  }
  out.end();
  await once(out, 'finish');
  return { path, bytes, lines, records, perService, from: new Date(DEBUG_LOG_START).toISOString(), to: new Date(t).toISOString() };
}
