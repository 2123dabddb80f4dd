import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { checkTemplates, renderHtml, renderMarkdown } from './render.js';
import { incidentModel } from './testing.js';

/** A --template directory holding the given files (paths relative to it). */
function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'cdbf-tpl-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(d, rel, '..'), { recursive: true });
    writeFileSync(join(d, rel), text);
  }
  return d;
}

const model = incidentModel();
const builtinMd = renderMarkdown(model);
const builtinHtml = renderHtml(model);

describe('--template <dir>', () => {
  it.each<[string, Record<string, string>, 'md' | 'html', string[], string[]]>([
    // [case, files, format, must contain, must not contain]
    ['a partial in partials/ replaces the built-in one', { 'partials/md-evidence.hbs': '- EVIDENCE {{code (loc file line)}}' }, 'md', ['- EVIDENCE `logs/docker_compose_logs.txt:679`', '## 1. Block summary'], ['— cdb_redis']],
    ['a partial beside the reports replaces it too', { 'html-charts.hbs': '<section id="charts"><p>no charts here</p></section>' }, 'html', ['<p>no charts here</p>', '<section id="summary">'], ['<svg']],
    ['the report template is replaced, the built-in partials stay', { 'report.md.hbs': '# Custom {{day block.from}}\n{{#each hypotheses}}{{#each evidence}}{{> md-evidence}}\n{{/each}}{{/each}}' }, 'md', ['# Custom 2025-11-26', '- `db/risk_events.csv:2` — `rejected: Daily Drawdown'], ['## 1. Block summary']],
    ['escaping stays on in a custom HTML template', { 'report.html.hbs': '<p>{{hypotheses.[0].evidence.[0].text}}</p>' }, 'html', ['(5.2% &gt; 5.0%)'], ['(5.2% > 5.0%)']],
    ['an HTML partial does not leak into Markdown', { 'partials/html-evidence.hbs': 'HTML-ONLY' }, 'md', ['## 1. Block summary'], ['HTML-ONLY']],
  ])('%s', (_n, files, format, want, not) => {
    const opts = { templateDir: dir(files) };
    const out = format === 'md' ? renderMarkdown(model, opts) : renderHtml(model, opts);
    for (const w of want) expect(out).toContain(w);
    for (const w of not) expect(out).not.toContain(w);
  });

  it('an empty directory renders exactly the built-in report', () => {
    const d = dir({});
    expect(renderMarkdown(model, { templateDir: d })).toBe(builtinMd);
    expect(renderHtml(model, { templateDir: d })).toBe(builtinHtml);
  });

  it.each<[string, Record<string, string>, RegExp, RegExp]>([
    ['an unclosed block', { 'partials/md-layer.hbs': '### {{id}}\n\n{{#if findings.length}}\nfindings\n' }, /partials\/md-layer\.hbs:5$/, /does not parse: Parse error on line 5/],
    ['a mismatched block', { 'report.html.hbs': '<p>\n{{#each layers}}\n{{/if}}' }, /report\.html\.hbs:2:4$/, /each doesn't match if/],
    ['an unclosed mustache', { 'md-charts.hbs': 'a\nb {{foo' }, /md-charts\.hbs:2$/, /does not parse/],
  ])('%s is a UserError naming the file and line', (_n, files, where, what) => {
    const d = dir(files);
    let err: unknown;
    try {
      checkTemplates(d);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const u = err as UserError;
    expect(u.code).toBe('BAD_TEMPLATE');
    expect(u.where?.startsWith(d)).toBe(true);
    expect(u.where).toMatch(where);
    expect(u.what).toMatch(what);
    expect(u.hint).toContain('--template');
  });

  it.each<[string, () => unknown, string]>([
    ['a directory that does not exist', () => checkTemplates(join(tmpdir(), 'cdbf-no-such-template-dir')), 'BAD_TEMPLATE_DIR'],
    ['a partial that does not exist, at render time', () => renderMarkdown(model, { templateDir: dir({ 'report.md.hbs': '{{> no-such-partial}}' }) }), 'BAD_TEMPLATE'],
  ])('%s is a UserError', (_n, fn, code) => {
    expect(fn).toThrow(UserError);
    try {
      fn();
    } catch (e) {
      expect((e as UserError).code).toBe(code);
    }
  });
});
