import type { TestDb } from '../../testing.js';

/**
 * Fixture builders for the layer-rule tests: one evidence file per service, lines numbered as a
 * capture would number them, so evidence pointers in results can be asserted.
 */

const DEFAULT_LOGGER: Record<string, string> = {
  cdb_core: 'signal_engine',
  cdb_signal: 'signal_engine',
  cdb_risk: 'risk_manager',
  cdb_execution: 'execution_service',
  cdb_db_writer: 'db_writer',
  cdb_paper_runner: '__main__',
  cdb_ws: 'ws_service',
};

interface FileState {
  id: number;
  next: number;
}
const files = new WeakMap<TestDb, Map<string, FileState>>();

export function fileFor(t: TestDb, path: string): FileState {
  let m = files.get(t);
  if (!m) files.set(t, (m = new Map()));
  let f = m.get(path);
  if (!f) m.set(path, (f = { id: t.file(path), next: 1 }));
  return f;
}

export type LogSpec = [ts: string, message: string, level?: string];

/** Append log records of one service; returns their [file_id, line_no] pointers. */
export function addLogs(
  t: TestDb,
  service: string,
  rows: LogSpec[],
  opts: { path?: string; logger?: string; kind?: string; inBlock?: 0 | 1 } = {},
): [number, number][] {
  const f = fileFor(t, opts.path ?? `logs/${service}.log`);
  const out: [number, number][] = [];
  for (const [ts, message, level] of rows) {
    const line = f.next++;
    t.insert('log_events', {
      file_id: f.id,
      line_no: line,
      service,
      ts,
      ts_text: ts.replace('T', ' ').replace('Z', '').replace('.', ','),
      level: level ?? 'INFO',
      logger: opts.logger ?? DEFAULT_LOGGER[service] ?? service,
      message,
      kind: opts.kind ?? 'app',
      in_block: opts.inBlock ?? 1,
    });
    out.push([f.id, line]);
  }
  return out;
}

/** `n` ISO times from `start`, `stepMs` apart. */
export function times(start: string, n: number, stepMs: number): string[] {
  const s = Date.parse(start);
  return Array.from({ length: n }, (_, i) => new Date(s + i * stepMs).toISOString());
}

export function addSettings(t: TestDb, rows: { key: string; value: string; source?: string; service?: string }[], path = '.env'): void {
  const f = fileFor(t, path);
  for (const r of rows) {
    t.insert('settings', { file_id: f.id, line_no: f.next++, source: r.source ?? 'env', service: r.service ?? null, key: r.key, value: r.value, is_secret: 0 });
  }
}

/** Rows into any table with file pointers from one evidence file. */
export function addRows(t: TestDb, table: string, rows: Record<string, unknown>[], path = `dump/${table}`): void {
  const f = fileFor(t, path);
  for (const r of rows) t.insert(table, { file_id: f.id, line_no: f.next++, ...r });
}

/** A dumped table `src_<name>` as the writer would create it (TEXT columns). */
export function addDump(t: TestDb, name: string, columns: string[], rows: Record<string, string | null>[] = [], path = `dump/${name}.sql`): void {
  const table = `src_${name}`;
  t.db.exec(
    `CREATE TABLE IF NOT EXISTS "${table}" (_id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, line_no INTEGER NOT NULL, line_count INTEGER NOT NULL, ${columns.map((c) => `"${c}" TEXT`).join(', ')})`,
  );
  t.db.prepare('INSERT OR REPLACE INTO src_tables (name, original, columns) VALUES (?, ?, ?)').run(table, name, JSON.stringify(columns));
  const f = fileFor(t, path);
  for (const r of rows) {
    const keys = Object.keys(r);
    t.db
      .prepare(`INSERT INTO "${table}" (file_id, line_no, line_count${keys.map((k) => `, "${k}"`).join('')}) VALUES (?, ?, 1${keys.map(() => ', ?').join('')})`)
      .run(f.id, f.next++, ...keys.map((k) => r[k]));
  }
}
