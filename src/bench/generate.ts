import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { once } from 'node:events';

/**
 * Synthetic evidence in the real formats, for the benchmark. Deterministic (a fixed LCG), so
 * two runs measure the same bytes. Returns the number of lines/rows written, which the
 * accounting check compares with what ingest stored.
 */

/** A fixed LCG: the generators write the same bytes on every run and machine. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0;
    return this.s / 0x100000000;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

const SYMBOLS = ['BTC_USDT', 'ETH_USDT', 'SOL_USDT', 'LTC_USDT', 'ADA_USDT', 'PEPE_USDT', 'WIF_USDT', 'AVAX_USDT'];
const PAD = 18;

async function writeChunks(path: string, produce: (push: (s: string) => void) => boolean): Promise<void> {
  const out = createWriteStream(path);
  let buf: string[] = [];
  let size = 0;
  const push = (s: string) => {
    buf.push(s);
    size += s.length;
  };
  for (;;) {
    const more = produce(push);
    if (size > 1 << 20 || !more) {
      if (!out.write(buf.join(''))) await once(out, 'drain');
      buf = [];
      size = 0;
    }
    if (!more) break;
  }
  out.end();
  await once(out, 'finish');
}

function stamp(ms: number): { docker: string; asctime: string; werk: string } {
  const d = new Date(ms);
  const iso = d.toISOString();
  const nanos = String(ms % 1000).padStart(3, '0') + '123456';
  const docker = iso.slice(0, 19) + '.' + nanos + 'Z';
  const asctime = iso.slice(0, 10) + ' ' + iso.slice(11, 19) + ',' + iso.slice(20, 23);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const werk = `${String(d.getUTCDate()).padStart(2, '0')}/${mon}/${d.getUTCFullYear()} ${iso.slice(11, 19)}`;
  return { docker, asctime, werk };
}

export interface LogGenResult {
  path: string;
  bytes: number;
  lines: number;
  /** Records a correct parser must produce (a traceback is one record over several lines). */
  records: number;
}

/** `docker compose logs --timestamps` of a busy era-A block, about `targetBytes` long. */
export async function generateComposeLogs(dir: string, targetBytes: number): Promise<LogGenResult> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'docker_compose_logs.txt');
  const rng = new Rng(42);
  let t = Date.UTC(2025, 11, 20, 0, 0, 0);
  let bytes = 0;
  let lines = 0;
  let records = 0;
  const pfx = (svc: string) => svc.padEnd(PAD) + '| ';
  await writeChunks(path, (push) => {
    for (let i = 0; i < 2000; i++) {
      t += 1 + rng.int(40);
      const s = stamp(t);
      const sym = SYMBOLS[rng.int(SYMBOLS.length)];
      const r = rng.int(100);
      let text: string;
      if (r < 30) {
        text = `${pfx('cdb_risk')}${s.docker} ${s.asctime} [INFO] risk_manager: 📨 Signal empfangen: ${sym} BUY\n`;
      } else if (r < 45) {
        text = `${pfx('cdb_risk')}${s.docker} ${s.asctime} [WARNING] risk_manager: ⚠️ Max Exposure erreicht: 5120.40 >= 5000.00\n`;
      } else if (r < 60) {
        text = `${pfx('cdb_execution')}${s.docker} ${s.asctime} - execution_service - INFO - Processing order: ${sym} BUY qty=${(rng.next() * 900).toFixed(4)}\n`;
      } else if (r < 75) {
        text = `${pfx('cdb_core')}${s.docker} ${s.asctime} [INFO] werkzeug: 127.0.0.1 - - [${s.werk}] "GET /health HTTP/1.1" 200 -\n`;
      } else if (r < 88) {
        text = `${pfx('cdb_db_writer')}${s.docker} ${s.asctime} [INFO] db_writer: ✅ Signal persisted: ID=${rng.int(1e6)}, ${sym} buy\n`;
      } else if (r < 98) {
        text = `${pfx('cdb_core')}${s.docker} ${s.asctime} [INFO] signal_engine: ✨ Signal generiert: ${sym} BUY @ $${(rng.next() * 90000).toFixed(2)} (+${(3 + rng.next()).toFixed(2)}%, Confidence: 0.${rng.int(90) + 10})\n`;
      } else {
        const p = pfx('cdb_execution');
        text =
          `${p}${s.docker} ${s.asctime} - execution_service - ERROR - Failed to save trade: column "quantity" of relation "trades" does not exist\n` +
          `${p}${s.docker} Traceback (most recent call last):\n` +
          `${p}${s.docker}   File "/app/service.py", line 212, in save_trade\n` +
          `${p}${s.docker}     cur.execute(sql, values)\n` +
          `${p}${s.docker} psycopg2.errors.UndefinedColumn: column "quantity" of relation "trades" does not exist\n`;
        lines += 4;
      }
      lines++;
      records++;
      bytes += Buffer.byteLength(text);
      push(text);
    }
    return bytes < targetBytes;
  });
  return { path, bytes, lines, records };
}

/**
 * The same compose log as one file per service, as `docker compose logs --timestamps <service>`
 * writes it (the prefix stays). Streams: the source is never held in memory.
 */
export async function splitByService(src: string, dir: string): Promise<{ files: number; bytes: number; lines: number }> {
  mkdirSync(dir, { recursive: true });
  const outs = new Map<string, ReturnType<typeof createWriteStream>>();
  let bytes = 0;
  let lines = 0;
  const rl = createInterface({ input: createReadStream(src, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    const name = line.slice(0, line.indexOf(' '));
    let out = outs.get(name);
    if (!out) {
      out = createWriteStream(join(dir, `${name}.log`));
      outs.set(name, out);
    }
    const text = line + '\n';
    bytes += Buffer.byteLength(text);
    lines++;
    if (!out.write(text)) await once(out, 'drain');
  }
  for (const out of outs.values()) {
    out.end();
    await once(out, 'finish');
  }
  return { files: outs.size, bytes, lines };
}

export interface DumpGenResult {
  csvPath: string;
  copyPath: string;
  rows: number;
  csvBytes: number;
  copyBytes: number;
  csvLines: number;
  copyLines: number;
}

/** One era-A `trades` row (§5.5 shapes: execution rows carry the MOCK id, db_writer twins `{}`); null = SQL NULL. */
function tradeRow(rng: Rng, i: number): (string | null)[] {
  const sym = SYMBOLS[rng.int(SYMBOLS.length)];
  const ts = new Date(Date.UTC(2025, 11, 20) + i * 250).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '+00');
  const price = (rng.next() * 50000 + 1).toFixed(8);
  const size = (rng.next() * 1000 + 1).toFixed(8);
  const exec = i % 2 === 1;
  const mock = exec ? `MOCK_${((i * 2654435761) >>> 0).toString(16).padStart(8, '0').slice(0, 8)}` : null;
  return [String(i + 1), null, sym, 'buy', price, size, 'filled', price, null, '0.00000000', ts, 'MEXC', mock, exec ? null : '{}'];
}

/** The same `trades` rows as psql CSV and as a pg_dump COPY block. */
export async function generateDumps(dir: string, rows: number): Promise<DumpGenResult> {
  mkdirSync(dir, { recursive: true });
  const csvPath = join(dir, 'trades.csv');
  const copyPath = join(dir, 'pg_dump.sql');
  const header = 'id,order_id,symbol,side,price,size,status,execution_price,slippage_bps,fees,timestamp,exchange,exchange_trade_id,metadata\n';
  const rng = new Rng(7);
  let csvBytes = Buffer.byteLength(header);
  let i = 0;
  await writeChunks(csvPath, (push) => {
    if (i === 0) push(header);
    for (let k = 0; k < 5000 && i < rows; k++, i++) {
      // psql CSV writes NULL as an empty unquoted field.
      const line = tradeRow(rng, i).map((v) => v ?? '').join(',') + '\n';
      csvBytes += Buffer.byteLength(line);
      push(line);
    }
    return i < rows;
  });
  const head =
    '--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 15.18\n\nSET statement_timeout = 0;\n\n' +
    '--\n-- Data for Name: trades; Type: TABLE DATA; Schema: public; Owner: claire_user\n--\n\n' +
    'COPY public.trades (id, order_id, symbol, side, price, size, status, execution_price, slippage_bps, fees, "timestamp", exchange, exchange_trade_id, metadata) FROM stdin;\n';
  let copyBytes = Buffer.byteLength(head);
  let j = 0;
  // The same seed gives the same rows as the CSV.
  const rngCopy = new Rng(7);
  await writeChunks(copyPath, (push) => {
    if (j === 0) push(head);
    for (let k = 0; k < 5000 && j < rows; k++, j++) {
      const line = tradeRow(rngCopy, j).map((v) => v ?? '\\N').join('\t') + '\n';
      copyBytes += Buffer.byteLength(line);
      push(line);
    }
    if (j >= rows) {
      const tail = '\\.\n\n';
      copyBytes += tail.length;
      push(tail);
      return false;
    }
    return true;
  });
  const headLines = head.split('\n').length - 1;
  return { csvPath, copyPath, rows, csvBytes, copyBytes, csvLines: rows + 1, copyLines: headLines + rows + 2 };
}

export interface RedisGenResult {
  path: string;
  bytes: number;
  messages: number;
  lines: number;
}

/** Raw `redis-cli SUBSCRIBE market_data signals` output. */
export async function generateRedis(dir: string, messages: number): Promise<RedisGenResult> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'subscribe_market_data.txt');
  const rng = new Rng(99);
  let n = 0;
  let bytes = 0;
  let lines = 0;
  await writeChunks(path, (push) => {
    if (n === 0) {
      const s = 'subscribe\nmarket_data\n1\nsubscribe\nsignals\n2\n';
      push(s);
      bytes += s.length;
      lines += 6;
    }
    for (let k = 0; k < 5000 && n < messages; k++, n++) {
      const sym = SYMBOLS[rng.int(SYMBOLS.length)];
      const ts = 1766188800 + Math.floor(n / 50);
      const s =
        n % 100 === 99
          ? `message\nsignals\n{"type": "signal", "symbol": "${sym}", "side": "BUY", "signal_type": "buy", "confidence": 0.35, "reason": "Momentum: +3.45% (Schwelle: 3.0%)", "timestamp": ${ts}, "price": ${(rng.next() * 90000).toFixed(2)}, "pct_change": 3.45, "source": "momentum_strategy"}\n`
          : `message\nmarket_data\n{"type": "market_data", "symbol": "${sym}", "timestamp": ${ts}, "price": ${(rng.next() * 90000).toFixed(2)}, "volume": ${rng.int(3e6)}.0, "pct_change": ${(rng.next() - 0.5).toFixed(3)}, "interval": "1m"}\n`;
      push(s);
      bytes += Buffer.byteLength(s);
      lines += 3;
    }
    return n < messages;
  });
  return { path, bytes, messages, lines };
}
