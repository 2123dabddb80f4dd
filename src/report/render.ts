/**
 * Renders a report model to Markdown (postmortems), a self-contained HTML page, and JSON.
 *
 * Each format gets a private Handlebars environment so the Markdown one (noEscape, escaping done
 * by helpers) can never leak its settings into the HTML one (escaping on). Templates live in the
 * package's templates/ directory, two levels above both src/report/render.ts and
 * dist/report/render.js, and are compiled once per process.
 */
import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerHelpers, type HelperFormat } from './helpers.js';
import { validateReport, type ReportModel } from './model.js';

const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/** How the page is laid out, not what it says: never part of report.json. */
export interface RenderOptions {
  /** `category` (default): the runbook's four to-do groups; `priority`: high first across categories. */
  todoOrder?: 'priority' | 'category';
}

type Render = (model: ReportModel, opts?: RenderOptions) => string;

const cache = new Map<HelperFormat, Render>();

/** Partials are named by file name; `md-*` belong to Markdown, `html-*` to HTML, others to both. */
function partialsFor(format: HelperFormat): [string, string][] {
  const dir = join(TEMPLATE_DIR, 'partials');
  const other: HelperFormat = format === 'md' ? 'html' : 'md';
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hbs') && !f.startsWith(`${other}-`))
    .sort()
    .map((f) => [basename(f, '.hbs'), readFileSync(join(dir, f), 'utf8')]);
}

function compile(format: HelperFormat): Render {
  const cached = cache.get(format);
  if (cached) return cached;
  const hb = Handlebars.create();
  registerHelpers(hb, format);
  const options: CompileOptions = { strict: false, noEscape: format === 'md' };
  // Partials compiled here with the format's options; a string partial would be compiled lazily
  // with the calling template's options, which is the same today but not something to rely on.
  for (const [name, src] of partialsFor(format)) hb.registerPartial(name, hb.compile(src, options));
  const template = hb.compile(readFileSync(join(TEMPLATE_DIR, `report.${format}.hbs`), 'utf8'), options);
  // Options reach the templates as data (`@todoOrder`), so they never mix with the model's fields.
  const render: Render = (model, opts = {}) => template(model, { data: { todoOrder: opts.todoOrder ?? 'category' } });
  cache.set(format, render);
  return render;
}

/** One trailing newline, whatever the template's last line looks like. */
function finish(text: string): string {
  return text.replace(/\s*$/, '') + '\n';
}

/** The runbook's "Output-Struktur pro 3-Tage-Block" plus flow, coverage, manifest and quarantine. */
export function renderMarkdown(model: ReportModel, opts?: RenderOptions): string {
  return finish(compile('md')(validateReport(model), opts));
}

/** One HTML page, no scripts and no external resources; all bundle text HTML-escaped. */
export function renderHtml(model: ReportModel, opts?: RenderOptions): string {
  return finish(compile('html')(validateReport(model), opts));
}

/** report.json: 2-space indentation, keys in schema order, trailing newline. */
export function renderJson(model: ReportModel): string {
  return JSON.stringify(validateReport(model), null, 2) + '\n';
}
