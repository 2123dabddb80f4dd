import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type Database from 'better-sqlite3';
import { openDb } from '../../db/open.js';
import { UserError } from '../../errors.js';
import { registerPgFunctions } from '../../query/functions.js';
import { DialectError, rewritePostgres, type Rewritten } from '../../query/rewrite.js';
import { checkZone } from '../../query/session-time.js';
import { splitStatements, tokenize } from '../../query/tokens.js';
import type { CommandDef } from './types.js';

const Options = z.object({
  db: z.string().min(1),
  sql: z.string().optional(),
  file: z.string().optional(),
  format: z.enum(['table', 'csv', 'json']).default('table'),
  dialect: z.enum(['postgres', 'sqlite']).default('postgres'),
  tz: z.string().default('UTC'),
  now: z.string().optional(),
  explainDialect: z.boolean().default(false),
});

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

/** NOW() of a query session: --now, else the block end the model build stored. */
export function sessionClock(db: Database.Database, now: string | undefined): { now: number; label: string } {
  if (now) {
    const t = Date.parse(now);
    if (Number.isNaN(t)) throw new UserError('BAD_NOW', `--now is not a date/time: "${now}"`, '--now', 'use ISO 8601, e.g. --now 2025-11-29T08:00:00Z');
    return { now: t, label: 'set by --now' };
  }
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'block'").get();
  const row = has ? (db.prepare("SELECT value FROM block WHERE key = 'to'").get() as { value: string } | undefined) : undefined;
  const t = row ? Date.parse(row.value) : NaN;
  if (Number.isNaN(t)) return { now: Date.now(), label: 'the wall clock: the database has no block window' };
  return { now: t, label: 'the block end' };
}

/** Rows of the canonical model later than NOW(): the export's morning after, counted by `>= NOW() - …`. */
function evidenceAfter(db: Database.Database, now: number): { rows: number; last: string } | null {
  const iso = new Date(now).toISOString();
  const tables = ['signals', 'risk_decisions', 'orders', 'trades', 'market_data'].filter((t) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t));
  if (tables.length === 0) return null;
  const r = db.prepare(`SELECT SUM(n) AS rows, MAX(last) AS last FROM (${tables.map((t) => `SELECT COUNT(*) AS n, MAX(ts) AS last FROM ${t} WHERE ts > ?`).join(' UNION ALL ')})`).get(...tables.map(() => iso)) as { rows: number | null; last: string | null };
  return r.rows ? { rows: r.rows, last: r.last! } : null;
}

function readSql(o: z.infer<typeof Options>): string {
  if (o.file !== undefined) {
    try {
      return readFileSync(o.file === '-' ? 0 : o.file, 'utf8');
    } catch (e) {
      throw new UserError('SQL_FILE', `cannot read the SQL file: ${(e as Error).message}`, o.file, 'pass an existing file, or - for standard input');
    }
  }
  if (o.sql === undefined || o.sql.trim() === '') throw new UserError('NO_SQL', 'no SQL given', 'query', 'pass the SQL as an argument, or --file <file.sql> (- reads standard input)');
  return o.sql;
}

/** Translate a script for a session, or run it verbatim in the SQLite dialect. */
export function prepareScript(sql: string, dialect: 'postgres' | 'sqlite', session: { now: number; label: string; tz: string }): Rewritten {
  if (dialect === 'sqlite') {
    let statements;
    try {
      statements = splitStatements(tokenize(sql)).map((st) => {
        const text = st.map((t) => t.text).join('').trim();
        return { sql: text, original: text, label: null };
      });
    } catch (e) {
      throw new UserError('BAD_SQL', (e as Error).message, 'query', 'check quotes and comments');
    }
    return { statements, notes: [], changed: false, usesClock: false };
  }
  try {
    return rewritePostgres(sql, { now: session.now, nowLabel: session.label, tz: session.tz });
  } catch (e) {
    if (e instanceof DialectError) {
      throw new UserError('DIALECT', `${e.message}`, `the query, ${e.where}`, `in SQLite write it as: ${e.sqliteWay} (or run the query verbatim with --dialect sqlite)`);
    }
    throw e;
  }
}

export const queryCommand: CommandDef = {
  command: 'query [sql]',
  describe: 'Run read-only SQL on a working database: PostgreSQL as the runbook writes it (NOW() = block end), or SQLite',
  examples: [
    ['$0 query --db case.db "SELECT DATE(timestamp) AS date, COUNT(*) FROM trading_signals WHERE timestamp >= NOW() - INTERVAL \'3 days\' GROUP BY 1"', "the runbook's signals per day"],
    ['$0 query --db case.db --file checks.sql --explain-dialect', 'show the SQLite the runbook queries become'],
  ],
  builder: (y) =>
    y
      .positional('sql', { type: 'string', describe: 'SQL: one statement or several separated by ; (read-only)' })
      .option('db', { type: 'string', demandOption: true, describe: 'working database file' })
      .option('file', { type: 'string', describe: 'read the SQL from a file (- for standard input)' })
      .option('format', { choices: ['table', 'csv', 'json'] as const, default: 'table' })
      .option('dialect', { choices: ['postgres', 'sqlite'] as const, default: 'postgres', describe: 'postgres: translate the runbook\'s PostgreSQL; sqlite: run verbatim' })
      .option('tz', { type: 'string', default: 'UTC', describe: 'session time zone for DATE(), CURRENT_DATE, DATE_TRUNC, EXTRACT and time literals' })
      .option('now', { type: 'string', describe: 'what NOW() means (ISO); default the block end' })
      .option('explain-dialect', { type: 'boolean', describe: 'print the SQLite each statement becomes, and run nothing' }),
  async handler(args) {
    const o = Options.parse(args);
    const sql = readSql(o);
    const tz = checkZone(o.tz);
    const db = openDb(o.db, { readonly: true });
    try {
      const clock = sessionClock(db, o.now);
      const script = prepareScript(sql, o.dialect, { ...clock, tz });
      if (script.statements.length === 0) throw new UserError('NO_SQL', 'the SQL holds no statement (only comments?)', 'query', 'pass a SELECT');
      if (script.usesClock) {
        const after = evidenceAfter(db, clock.now);
        if (after) script.notes.push(`the evidence runs on past NOW() (${after.rows} model row(s) up to ${after.last}); a query without an upper bound counts them — add AND timestamp <= NOW() to leave them out`);
      }
      const noteOut = o.format === 'table' || o.explainDialect ? process.stdout : process.stderr;
      const writeNotes = () => {
        for (const n of script.notes) noteOut.write(`-- ${n}\n`);
      };
      if (o.explainDialect) {
        writeNotes();
        for (const s of script.statements) process.stdout.write(`${s.sql};\n`);
        return 0;
      }
      registerPgFunctions(db, tz);
      // PostgreSQL's LIKE is case-sensitive; SQLite's is not unless told.
      if (o.dialect === 'postgres') db.pragma('case_sensitive_like = ON');
      const many = script.statements.length > 1;
      const results: { statement: number; label: string | null; columns: string[]; rows: Record<string, unknown>[] }[] = [];
      script.statements.forEach((s, i) => {
        const where = many ? `statement ${i + 1} of ${script.statements.length}` : 'the query';
        let stmt;
        try {
          stmt = db.prepare(s.sql);
        } catch (e) {
          const shown = s.sql !== s.original ? ` — after translation from PostgreSQL: ${s.sql.replace(/\s+/g, ' ')}` : '';
          throw new UserError('BAD_SQL', `the query does not compile: ${(e as Error).message}${shown}`, where,
            // table_xinfo, not table_info: the latter hides log_events' generated columns (kind, format, stream, ts_zone, docker_ts).
            "list tables with: SELECT name, type FROM sqlite_master ORDER BY name; a table's columns with: SELECT name FROM pragma_table_xinfo('log_events')",
          );
        }
        if (!stmt.reader || !stmt.readonly) throw new UserError('NOT_A_QUERY', 'only queries that return rows are allowed here', where, 'the working database is rebuilt by ingest; use a SELECT');
        let rows: Record<string, unknown>[];
        try {
          rows = stmt.all() as Record<string, unknown>[];
        } catch (e) {
          throw new UserError('SQL_RUN', `the query failed: ${(e as Error).message}`, where, 'check the values the functions receive (times as ISO text)');
        }
        results.push({ statement: i + 1, label: s.label, columns: stmt.columns().map((c) => c.name), rows });
      });
      // Only once every statement ran: an error message stands alone.
      writeNotes();
      if (o.format === 'json' && many) process.stdout.write(JSON.stringify(results.map((r) => ({ statement: r.statement, label: r.label, rows: r.rows })), null, 2) + '\n');
      else {
        results.forEach((r, i) => {
          if (many) process.stdout.write(`${i ? '\n' : ''}${o.format === 'table' ? `-- ${r.statement}: ${r.label ?? ''}`.trimEnd() + '\n' : ''}`);
          process.stdout.write(formatRows(r.rows, o.format, r.columns));
        });
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
