import Database from 'better-sqlite3';
import { classify } from '../catalog/index.js';
import { schemaSql } from '../db/schema.js';
import { storedLogRow } from '../db/log-shape.js';
import { MODEL_SQL } from '../model/schema.js';
import type { Block, RuleContext, RuleDef, RuleResult } from './define-rule.js';
import { DEFAULT_TARGETS, makeRuleContext } from './context.js';
import type { Lang } from '../i18n/lang.js';
import { say, type Said } from '../i18n/translate.js';

/**
 * An in-memory working database with the raw and canonical schema, for rule tests:
 * insert just the rows a case needs, then run the rule.
 */
export class TestDb {
  readonly db: Database.Database;
  private nextFile = 1;
  private defaultFile: number | null = null;
  private nextLine = new Map<number, number>();

  constructor() {
    this.db = new Database(':memory:');
    this.db.exec(schemaSql());
    this.db.exec(MODEL_SQL);
    this.db.prepare("INSERT INTO bundles (id, root, name, kind) VALUES (1, '/bundle', 'bundle', 'dir')").run();
  }

  /** Register an evidence file; returns its manifest id. */
  file(path: string, parser = 'test'): number {
    const id = this.nextFile++;
    this.db
      .prepare("INSERT INTO manifest (id, bundle_id, path, parser, status, lines) VALUES (?, 1, ?, ?, 'ingested', 0)")
      .run(id, path, parser);
    return id;
  }

  /** Insert a row into any table; missing file_id/line_no get defaults. */
  insert(table: string, row: Record<string, unknown>): void {
    let r: Record<string, unknown> = { ...row };
    const cols = (this.db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
    if (cols.includes('file_id') && r.file_id === undefined) {
      if (this.defaultFile === null) this.defaultFile = this.file('evidence/default.log');
      r.file_id = this.defaultFile;
    }
    if (cols.includes('line_no') && r.line_no === undefined && typeof r.file_id === 'number') {
      const n = (this.nextLine.get(r.file_id) ?? 0) + 1;
      this.nextLine.set(r.file_id, n);
      r.line_no = n;
    } else if (typeof r.file_id === 'number' && typeof r.line_no === 'number') {
      this.nextLine.set(r.file_id, Math.max(this.nextLine.get(r.file_id) ?? 0, r.line_no));
    }
    if (cols.includes('line_count') && r.line_count === undefined) r.line_count = 1;
    // As the ingest writer does: every log record carries its catalog class.
    if (table === 'log_events' && r.class === undefined) {
      r.class = classify((r.service as string | null) ?? null, (r.message as string | null) ?? null, (r.kind as string | null) ?? null);
    }
    if (cols.includes('in_block') && r.in_block === undefined) r.in_block = 1;
    // log_events stores kind, format, stream, ts_zone and docker_ts packed (src/db/log-shape.ts).
    if (table === 'log_events') r = storedLogRow(r);
    const keys = Object.keys(r).filter((k) => cols.includes(k));
    this.db.prepare(`INSERT INTO "${table}" (${keys.map((k) => `"${k}"`).join(',')}) VALUES (${keys.map(() => '?').join(',')})`).run(
      ...keys.map((k) => (typeof r[k] === 'boolean' ? (r[k] ? 1 : 0) : (r[k] as string | number | null))),
    );
  }

  insertMany(table: string, rows: Record<string, unknown>[]): void {
    for (const r of rows) this.insert(table, r);
  }

  context(block: Partial<Block> = {}): RuleContext {
    const b: Block = {
      from: '2025-11-26T00:00:00.000Z',
      to: '2025-11-28T23:59:59.999Z',
      days: ['2025-11-26', '2025-11-27', '2025-11-28'],
      era: 'A',
      dialect: 'real',
      ...block,
    };
    return makeRuleContext(this.db, b, DEFAULT_TARGETS);
  }

  run(rule: RuleDef, block: Partial<Block> = {}): RuleResult {
    return rule.check(this.context(block));
  }
}

/** A rule result's sentences as the English report shows them (rule tests assert on the words). */
export type Spoken = Omit<RuleResult, 'findings' | 'hypotheses' | 'todos' | 'verification' | 'missing' | 'metricNotes'> & {
  missing?: string;
  metricNotes?: Record<string, string>;
  findings?: (Omit<NonNullable<RuleResult['findings']>[number], 'message'> & { message: string })[];
  hypotheses?: (Omit<NonNullable<RuleResult['hypotheses']>[number], 'title' | 'why'> & { title: string; why?: string })[];
  todos?: (Omit<NonNullable<RuleResult['todos']>[number], 'title' | 'where'> & { title: string; where: string })[];
  verification?: (Omit<NonNullable<RuleResult['verification']>[number], 'title'> & { title: string })[];
};

/** `spoken(rule.check(ctx))`: every keyed text rendered in English, so a test reads what the analyst reads. */
export function spoken(r: RuleResult, lang: Lang = 'en'): Spoken {
  const s = (x: Said) => say(lang, x);
  const { missing: _m, metricNotes: _n, findings: _f, hypotheses: _h, todos: _t, verification: _v, ...rest } = r;
  return {
    ...rest,
    ...(r.missing !== undefined ? { missing: s(r.missing) } : {}),
    ...(r.metricNotes ? { metricNotes: Object.fromEntries(Object.entries(r.metricNotes).map(([k, v]) => [k, s(v)])) } : {}),
    ...(r.findings ? { findings: r.findings.map((f) => ({ ...f, message: s(f.message) })) } : {}),
    ...(r.hypotheses ? { hypotheses: r.hypotheses.map(({ why, ...h }) => ({ ...h, title: s(h.title), ...(why !== undefined ? { why: s(why) } : {}) })) } : {}),
    ...(r.todos ? { todos: r.todos.map((t) => ({ ...t, title: s(t.title), where: s(t.where) })) } : {}),
    ...(r.verification ? { verification: r.verification.map((v) => ({ ...v, title: s(v.title) })) } : {}),
  };
}

/** Every sentence a spoken result says (findings, hypothesis titles and whys, to-dos, checks), for "it says X" tests. */
export function sentencesOf(r: Spoken): string[] {
  return [
    ...(r.findings ?? []).map((f) => f.message),
    ...(r.hypotheses ?? []).flatMap((h) => [h.title, h.why ?? '']),
    ...(r.todos ?? []).map((t) => t.title),
    ...(r.verification ?? []).map((v) => v.title),
  ];
}
