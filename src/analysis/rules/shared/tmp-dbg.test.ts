import { it } from 'vitest';
import { TestDb } from '../../testing.js';
import { addLogs, times } from './testing.js';
import r2 from '../signal_engine/signal-errors.js';
it('dbg', () => {
  const t = new TestDb();
  addLogs(t, 'cdb_core', times('2025-11-26T00:00:00.000Z', 3000, 20_000).map((ts, i) => [ts, `Fehler bei Market-Data-Verarbeitung: 'pct_change' ${i}`]), { logger: 'cdb_core' });
  const r = r2.check(t.context());
  console.log('RESULT', r.status, JSON.stringify(r.metrics), JSON.stringify(r.findings?.map(f=>f.subject)));
});
