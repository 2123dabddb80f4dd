import { mkdirSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import type { ReportModel } from '../../report/model.js';
import { renderHtml, renderJson, renderMarkdown, type RenderOptions } from '../../report/render.js';
import { faultPoint } from '../../util/fault.js';
import { DEFAULT_LANG, LANGS } from '../../i18n/lang.js';

export const FORMATS = ['json', 'md', 'html'] as const;
export type Format = (typeof FORMATS)[number];

/** `--todo-order`: to-dos by category (the runbook's groups, the default) or by priority across them. */
export const TodoOrderOption = z.enum(['priority', 'category'], { error: () => 'must be priority or category' }).default('category');
export const TODO_ORDER_OPTION = { type: 'string', choices: ['priority', 'category'], describe: 'to-dos grouped by category (default) or ordered by priority across categories' } as const;

/** `--lang en|de`: the language of the report's text (ids, keys and JSON field names never change). */
export const LangOption = z.enum(LANGS, { error: () => `must be one of ${LANGS.join(', ')}` }).default(DEFAULT_LANG);
export const LANG_OPTION = { type: 'string', choices: [...LANGS], describe: "the report's language: en (default) or de (the runbook's German headings and wording)" } as const;

/** `--template <dir>` for every command that writes Markdown/HTML. */
export const TEMPLATE_OPTION = {
  type: 'string',
  describe: 'directory whose report.md.hbs, report.html.hbs and partials/<name>.hbs replace the built-in templates of the same name',
} as const;

export function parseFormats(v: unknown): Format[] {
  const list = (Array.isArray(v) ? v : [v ?? 'json,md,html'])
    .flatMap((x) => String(x).split(','))
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);
  for (const f of list) {
    if (!(FORMATS as readonly string[]).includes(f)) {
      throw new UserError('BAD_FORMAT', `unknown report format "${f}"`, '--format', `use any of ${FORMATS.join(', ')} (comma-separated)`);
    }
  }
  return [...new Set(list)] as Format[];
}

/**
 * Write report.<fmt> files; returns the paths written, in a fixed order. Each is written beside
 * its place and renamed over it, so a kill or a full disk leaves the previous report whole,
 * never half of a new one.
 */
export function writeReports(model: ReportModel, outDir: string, formats: Format[], render: RenderOptions = {}, onFormat?: (f: Format) => void): string[] {
  const dir = resolve(outDir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserError('OUT_DIR', `cannot create the report directory: ${(e as Error).message}`, dir, 'choose another directory with --out');
  }
  const written: string[] = [];
  for (const f of FORMATS) {
    if (!formats.includes(f)) continue;
    onFormat?.(f);
    const text = f === 'json' ? renderJson(model) : f === 'md' ? renderMarkdown(model, render) : renderHtml(model, render);
    const path = join(dir, `report.${f}`);
    const tmp = join(dir, `.report.${f}.tmp`);
    try {
      writeFileSync(tmp, text);
      faultPoint('report');
      renameSync(tmp, path);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw reportWriteError(e, path, Buffer.byteLength(text));
    }
    written.push(path);
  }
  return written;
}

function reportWriteError(e: unknown, path: string, bytes: number): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT' && code !== 'EROFS' && code !== 'EACCES' && code !== 'EPERM') return e;
  let free = '';
  try {
    const st = statfsSync(path.replace(/[^/\\]+$/, ''));
    free = `, ${(Number(st.bavail) * Number(st.bsize)).toLocaleString('en')} bytes free there`;
  } catch {
    /* best effort */
  }
  const full = code === 'ENOSPC' || code === 'EDQUOT';
  return new UserError(
    full ? 'DISK_FULL' : 'NOT_WRITABLE',
    full ? `no space left to write the report (${bytes.toLocaleString('en')} bytes needed${free})` : `the report cannot be written: ${(e as Error).message}`,
    path,
    full ? 'free space or choose another --out; the working database is complete, so `cdb-forensics analyze --db <db> --out <dir>` writes the report without ingesting again' : 'choose a --out you can write',
  );
}

/**
 * The report's clock: --now when given, else SOURCE_DATE_EPOCH, else the end of the block, so
 * the same bundle gives the same bytes without any flag.
 */
export function reportClock(now: string | undefined, db: Database.Database): string {
  if (now) {
    const t = Date.parse(now);
    if (Number.isNaN(t)) throw new UserError('BAD_NOW', `--now is not a date/time: "${now}"`, '--now', 'use ISO 8601, e.g. --now 2025-11-29T08:00:00Z');
    return new Date(t).toISOString();
  }
  const sde = process.env.SOURCE_DATE_EPOCH;
  if (sde && /^\d+$/.test(sde)) return new Date(Number(sde) * 1000).toISOString();
  const row = db.prepare("SELECT value FROM block WHERE key = 'to'").get() as { value: string } | undefined;
  return row?.value ?? '1970-01-01T00:00:00.000Z';
}
