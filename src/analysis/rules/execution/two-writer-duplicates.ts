import { defineRule, type Finding, type RuleContext } from '../../define-rule.js';
import { dumpedTable } from '../shared/sources.js';
import { count, round } from '../shared/util.js';
import { text } from '../../../i18n/translate.js';

/**
 * A PostgreSQL timestamptz as printed by pg_dump / psql (`2025-11-30 14:02:05.5+00`, `+05:30`,
 * also ISO `T`/`Z`) in epoch ms; null when it is not one.
 */
export function parsePgTimestamp(text: string | null | undefined): number | null {
  if (!text) return null;
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?\s*(Z|[+-]\d\d(?::?\d\d)?)?$/.exec(text.trim());
  if (!m) return null;
  let zone = m[4] ?? 'Z';
  if (/^[+-]\d\d$/.test(zone)) zone += ':00';
  else if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}${zone}`);
  return Number.isFinite(ms) ? ms : null;
}

interface Raw {
  table: string;
  total: number;
  inBlock: number | null;
  files: number;
}

/**
 * Rows of a dumped table, and how many fall in the block by the table's own time column. A bundle
 * may hold the same table several times (pg_dump, --inserts, \copy CSV): each file is a whole copy,
 * so the largest file counts, never the sum.
 */
function rawDump(ctx: RuleContext, name: string, timeColumns: string[]): Raw | null {
  const table = dumpedTable(ctx, [name]);
  if (!table) return null;
  const cols = (ctx.db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
  const col = timeColumns.find((c) => cols.includes(c));
  const from = Date.parse(ctx.block.from);
  const to = Date.parse(ctx.block.to);
  const perFile = new Map<number, { total: number; inBlock: number }>();
  // Counts per file need no order: the rows are read as stored, not sorted (a dump of millions).
  const sql = `SELECT file_id, ${col ? `"${col}"` : 'NULL'} FROM "${table}"`;
  // Rows of one time share their text: each new text is parsed once.
  let lastText: string | null = null;
  let lastIn = false;
  for (const [f, t] of ctx.db.prepare(sql).raw().iterate() as Iterable<[number, string | null]>) {
    let e = perFile.get(f);
    if (!e) perFile.set(f, (e = { total: 0, inBlock: 0 }));
    e.total++;
    if (t !== lastText) {
      lastText = t;
      const ms = parsePgTimestamp(t);
      lastIn = ms != null && ms >= from && ms <= to;
    }
    if (lastIn) e.inBlock++;
  }
  const files = [...perFile.values()];
  const total = Math.max(0, ...files.map((x) => x.total));
  return { table, total, inBlock: col ? Math.max(0, ...files.map((x) => x.inBlock)) : null, files: files.length };
}

interface Canon {
  real: number;
  twins: number;
  byWriter: Record<string, number>;
  writerOnly: number;
}

function canonical(ctx: RuleContext, table: 'orders' | 'trades'): Canon {
  const real = count(ctx, `SELECT COUNT(*) FROM ${table} WHERE in_block = 1`);
  const twins = count(ctx, `SELECT COUNT(*) FROM ${table} WHERE in_block = 1 AND twin_file_id IS NOT NULL`);
  const rows = ctx.db.prepare(`SELECT COALESCE(writer, 'unknown') AS w, COUNT(*) AS n FROM ${table} WHERE in_block = 1 GROUP BY 1 ORDER BY 1`).all() as { w: string; n: number }[];
  const writerOnly = count(ctx, `SELECT COUNT(*) FROM ${table} WHERE in_block = 1 AND writer = 'db_writer' AND twin_file_id IS NULL`);
  return { real, twins, byWriter: Object.fromEntries(rows.map((r) => [r.w, r.n])), writerOnly };
}

export default defineRule({
  id: 'two-writer-duplicates',
  layer: 'execution',
  title: 'Two writers: raw vs deduplicated orders and trades',
  needs: ['orders / trades (canonical, with twin links)', 'src_orders / src_trades dumps'],
  keyMetrics: ['orders_twins', 'trades_twins'],
  check(ctx) {
    const metrics: Record<string, number | string | null> = {};
    const findings: Finding[] = [];
    for (const [table, timeCols] of [
      ['orders', ['created_at', 'timestamp']],
      ['trades', ['timestamp', 'created_at']],
    ] as const) {
      const c = canonical(ctx, table);
      const raw = rawDump(ctx, table, [...timeCols]);
      if (!c.real && !raw) continue;
      // A dump that holds fewer rows in the block than the model's real rows did not feed the model (logs or Redis did).
      const rawInBlock = raw?.inBlock != null && raw.inBlock >= c.real ? raw.inBlock : c.real + c.twins;
      Object.assign(metrics, {
        [`${table}_real`]: c.real,
        [`${table}_twins`]: c.twins,
        [`${table}_raw_in_block`]: rawInBlock,
        [`${table}_dump_rows`]: raw?.total ?? null,
        [`${table}_db_writer_only`]: c.writerOnly,
      });
      for (const [w, n] of Object.entries(c.byWriter)) metrics[`${table}_writer_${w}`] = n;
      const doubled = c.real > 0 && rawInBlock >= c.real * 1.8;
      findings.push({
        subject: table,
        severity: doubled ? 'low' : 'info',
        message: text('two-writer-duplicates.summary', {
          table,
          raw: rawInBlock,
          dump: raw
            ? text('two-writer-duplicates.dump', { total: raw.total, copies: raw.files > 1 ? text('two-writer-duplicates.copies', { files: raw.files }) : '' })
            : '',
          real: c.real,
          twins: c.twins,
          by_execution: c.byWriter.execution != null ? text('two-writer-duplicates.by_execution', { n: c.byWriter.execution }) : '',
          writer_only: c.writerOnly ? text('two-writer-duplicates.writer_only', { n: c.writerOnly }) : '',
          doubled: doubled ? text('two-writer-duplicates.doubled', { ratio: round(rawInBlock / c.real, 1)!, table }) : '',
        }),
        evidence: raw ? [ctx.evidence(null, null, text('two-writer-duplicates.evidence.rows', { table: raw.table, n: raw.total }))] : [],
      });
    }
    if (!findings.length) return { status: 'not_evaluable', missing: text('two-writer-duplicates.missing') };
    return { status: 'ok', metrics, findings };
  },
});
