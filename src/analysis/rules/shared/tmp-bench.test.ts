import { it } from 'vitest';
import { TestDb } from '../../testing.js';
import { INDEX_SQL } from '../../../db/schema.js';
import { MODEL_INDEX_SQL } from '../../../model/schema.js';
import { RULES } from '../../registry.js';
it('bench', () => {
  const t = new TestDb();
  t.file('a');
  const ins = t.db.prepare('INSERT INTO log_events (file_id, line_no, line_count, service, ts, logger, message, kind, in_block) VALUES (1, ?, 1, ?, ?, ?, ?, ?, 1)');
  const md = t.db.prepare('INSERT INTO market_data (ts, symbol, price, volume, pct_change, source, file_id, line_no, in_block) VALUES (?, ?, 1, 0, 0.1, ?, 1, ?, 1)');
  const base = Date.parse('2025-11-26T00:00:00Z');
  const svcs = ['cdb_core', 'cdb_risk', 'cdb_execution', 'cdb_db_writer', 'cdb_paper_runner', 'cdb_ws'];
  t.db.transaction(() => {
    for (let i = 0; i < 1_500_000; i++) {
      const s = svcs[i % 6];
      const ts = new Date(base + Math.floor(i * 0.17) * 1000).toISOString();
      ins.run(i, s, ts, s, i % 7 === 0 ? '127.0.0.1 - - "GET /health HTTP/1.1" 200 -' : `Fehler bei Market-Data-Verarbeitung: 'pct_change'`, i % 7 === 0 ? 'health_poll' : 'app');
    }
    for (let i = 0; i < 300_000; i++) md.run(new Date(base + i * 800).toISOString(), 'BTCUSDT', 'redis', i);
  })();
  t.db.exec(INDEX_SQL); t.db.exec(MODEL_INDEX_SQL);
  const ctx = t.context();
  let total = 0;
  for (const r of RULES.filter((x) => !['system', 'market_data'].includes(x.layer))) {
    const s = performance.now();
    const res = r.check(ctx);
    const d = Math.round(performance.now() - s); total += d;
    console.log(r.id, res.status, d, 'ms');
  }
  console.log('TOTAL', total);
}, 600_000);
