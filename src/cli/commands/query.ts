import { z } from 'zod';
import { openDb } from '../../db/open.js';
import { UserError } from '../../errors.js';
import type { CommandDef } from './types.js';

const Options = z.object({ db: z.string().min(1), sql: z.string().min(1), format: z.enum(['table', 'csv', 'json']).default('table') });

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatRows(rows: Record<string, unknown>[], format: 'table' | 'csv' | 'json', columns: string[]): string {
  if (format === 'json') return JSON.stringify(rows, null, 2) + '\n';
  if (format === 'csv') return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '' : String(r[c]).replace(/\n/g, '⏎'))));
  const widths = columns.map((c, i) => Math.min(80, Math.max(c.length, ...cells.map((row) => row[i].length))));
  const line = (vals: string[]) => vals.map((v, i) => (v.length > widths[i] ? v.slice(0, widths[i] - 1) + '…' : v.padEnd(widths[i]))).join(' | ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line), `(${rows.length} row${rows.length === 1 ? '' : 's'})`].join('\n') + '\n';
}

export const queryCommand: CommandDef = {
  command: 'query <sql>',
  describe: 'Run a read-only SQL query on a working database (canonical model, runbook views, raw tables)',
  examples: [
    ['$0 query --db case.db "SELECT DATE(timestamp) AS day, COUNT(*) FROM trading_signals WHERE in_block = 1 GROUP BY 1"', 'the runbook\'s signals per day'],
  ],
  builder: (y) =>
    y
      .positional('sql', { type: 'string', describe: 'one SQL statement (read-only)' })
      .option('db', { type: 'string', demandOption: true, describe: 'working database file' })
      .option('format', { choices: ['table', 'csv', 'json'] as const, default: 'table' }),
  async handler(args) {
    const o = Options.parse(args);
    const db = openDb(o.db, { readonly: true });
    try {
      let stmt;
      try {
        stmt = db.prepare(o.sql);
      } catch (e) {
        throw new UserError('BAD_SQL', `the query does not compile: ${(e as Error).message}`, o.sql, 'list tables with: SELECT name, type FROM sqlite_master ORDER BY name');
      }
      if (!stmt.reader) throw new UserError('NOT_A_QUERY', 'only queries that return rows are allowed here', o.sql, 'the working database is rebuilt by ingest; use a SELECT');
      const rows = stmt.all() as Record<string, unknown>[];
      const columns = stmt.columns().map((c) => c.name);
      process.stdout.write(formatRows(rows, o.format, columns));
      return 0;
    } finally {
      db.close();
    }
  },
};
