/**
 * Renders a report model to Markdown (postmortems), a self-contained HTML page, and JSON.
 *
 * Each format gets a private Handlebars environment so the Markdown one (noEscape, escaping done
 * by helpers) can never leak its settings into the HTML one (escaping on). Templates live in the
 * package's templates/ directory, two levels above both src/report/render.ts and
 * dist/report/render.js, and are compiled once per process (per `--template` directory).
 *
 * `--template <dir>` overrides by name: `report.md.hbs` / `report.html.hbs` and partials
 * (`partials/<name>.hbs`, or `<name>.hbs` beside the reports) replace the built-in file of the same
 * name; a file it lacks falls back to the built-in one. Every source is parsed up front, so a
 * broken one is a UserError naming its file and line, not a stack trace halfway through a render.
 */
import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { registerHelpers, type HelperFormat } from './helpers.js';
import { validateReport, type ReportModel } from './model.js';

const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/** How the page is laid out, not what it says: never part of report.json. */
export interface RenderOptions {
  /** `category` (default): the runbook's four to-do groups; `priority`: high first across categories. */
  todoOrder?: 'priority' | 'category';
  /** `--template <dir>`: templates and partials that replace the built-in ones of the same name. */
  templateDir?: string;
}

type Render = (model: ReportModel, opts?: RenderOptions) => string;

const cache = new Map<string, Render>();

interface Source {
  name: string;
  path: string;
}

/** Partials are named by file name; `md-*` belong to Markdown, `html-*` to HTML, others to both. */
function partialFiles(dir: string, format: HelperFormat): Source[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const other: HelperFormat = format === 'md' ? 'html' : 'md';
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hbs') && !f.startsWith(`${other}-`) && !/^report\.(md|html)\.hbs$/.test(f))
    .sort()
    .map((f) => ({ name: basename(f, '.hbs'), path: join(dir, f) }));
}

/** The built-in sources of a format with the overrides of `dir` laid over them by name. */
function sourcesFor(format: HelperFormat, dir: string | undefined): { template: string; partials: Source[] } {
  const partials = new Map(partialFiles(join(TEMPLATE_DIR, 'partials'), format).map((p) => [p.name, p]));
  let template = join(TEMPLATE_DIR, `report.${format}.hbs`);
  if (dir) {
    for (const p of [...partialFiles(dir, format), ...partialFiles(join(dir, 'partials'), format)]) partials.set(p.name, p);
    const own = join(dir, `report.${format}.hbs`);
    if (existsSync(own)) template = own;
  }
  return { template, partials: [...partials.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) };
}

/** Parse a source now, so a broken template is named with its file and line. */
function parsed(path: string): string {
  const src = readFileSync(path, 'utf8');
  try {
    Handlebars.parse(src);
  } catch (e) {
    const err = e as Error & { lineNumber?: number; column?: number };
    const line = err.lineNumber ?? Number(/on line (\d+)/.exec(err.message)?.[1] ?? NaN);
    const where = Number.isFinite(line) ? `${path}:${line}${err.column !== undefined ? `:${err.column + 1}` : ''}` : path;
    const what = err.message.split('\n').filter((l) => !/^-*\^$/.test(l)).join(' — ');
    throw new UserError('BAD_TEMPLATE', `the template does not parse: ${what}`, where, 'fix it, or remove the file from the --template directory to use the built-in one');
  }
  return src;
}

/** `--template <dir>` checked before any work: it must be a directory. */
export function checkTemplateDir(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new UserError('BAD_TEMPLATE_DIR', 'the --template directory does not exist or is not a directory', abs, 'pass a directory holding report.md.hbs, report.html.hbs and/or partials/<name>.hbs to override');
  }
  return abs;
}

function compile(format: HelperFormat, opts: RenderOptions = {}): Render {
  const dir = checkTemplateDir(opts.templateDir);
  const key = `${format}\0${dir ?? ''}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const hb = Handlebars.create();
  registerHelpers(hb, format);
  const options: CompileOptions = { strict: false, noEscape: format === 'md' };
  const { template: templatePath, partials } = sourcesFor(format, dir);
  // Partials compiled here with the format's options; a string partial would be compiled lazily
  // with the calling template's options, which is the same today but not something to rely on.
  for (const p of partials) hb.registerPartial(p.name, hb.compile(parsed(p.path), options));
  const template = hb.compile(parsed(templatePath), options);
  // Options reach the templates as data (`@todoOrder`), so they never mix with the model's fields.
  const run = (model: ReportModel, o: RenderOptions = {}) => template(model, { data: { todoOrder: o.todoOrder ?? 'category' } });
  const render: Render = dir
    ? (model, o) => {
        try {
          return run(model, o);
        } catch (e) {
          // A custom template can call a partial or helper that does not exist: say which directory.
          throw new UserError('BAD_TEMPLATE', `the template failed while rendering: ${(e as Error).message}`, dir, 'fix the template in the --template directory (built-in partial and helper names are in the README)');
        }
      }
    : run;
  cache.set(key, render);
  return render;
}

/**
 * `--template <dir>` checked before any work (a run should not ingest for an hour and then fail on
 * a typo): the directory exists and every template and partial in effect parses.
 */
export function checkTemplates(dir: string | undefined): RenderOptions {
  if (dir === undefined) return {};
  compile('md', { templateDir: dir });
  compile('html', { templateDir: dir });
  return { templateDir: dir };
}

/** One trailing newline, whatever the template's last line looks like. */
function finish(text: string): string {
  return text.replace(/\s*$/, '') + '\n';
}

/** The runbook's "Output-Struktur pro 3-Tage-Block" plus flow, coverage, manifest and quarantine. */
export function renderMarkdown(model: ReportModel, opts: RenderOptions = {}): string {
  return finish(compile('md', opts)(validateReport(model), opts));
}

/** One HTML page, no scripts and no external resources; all bundle text HTML-escaped. */
export function renderHtml(model: ReportModel, opts: RenderOptions = {}): string {
  return finish(compile('html', opts)(validateReport(model), opts));
}

/** report.json: 2-space indentation, keys in schema order, trailing newline. */
export function renderJson(model: ReportModel): string {
  return JSON.stringify(validateReport(model), null, 2) + '\n';
}
