/**
 * Citations and --template end to end: the built CLI on samples. A citation's service is the
 * working database's (the log record holding the cited line), and a custom template directory
 * overrides by name, or stops the run before any work when it does not parse.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, SAMPLES, tmp } from './helpers.js';

interface Ev {
  file: string;
  line: number;
  text: string;
  service?: string;
}

function evidenceOf(v: unknown, out: Ev[] = []): Ev[] {
  if (Array.isArray(v)) v.forEach((x) => evidenceOf(x, out));
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.file === 'string' && typeof o.line === 'number' && typeof o.text === 'string') out.push(o as unknown as Ev);
    else Object.values(o).forEach((x) => evidenceOf(x, out));
  }
  return out;
}

describe('citations name the service the database holds for the line', () => {
  const work = tmp('cdbf-cite-');
  let fd: { json: Record<string, unknown>; md: string; html: string };
  let zip: { json: Record<string, unknown>; md: string; html: string };
  const read = (d: string) => ({ json: JSON.parse(readFileSync(join(d, 'report.json'), 'utf8')), md: readFileSync(join(d, 'report.md'), 'utf8'), html: readFileSync(join(d, 'report.html'), 'utf8') });

  beforeAll(() => {
    for (const [name, bundle] of [['fd', 'feed-dies-midblock-era-b'], ['zip', 'persistence-era-b.zip']]) {
      const r = cli(['run', join(SAMPLES, bundle), '--out', join(work, name), '--db', join(work, `${name}.db`), '--now', '2026-12-01T00:00:00Z', '--quiet']);
      expect([0, 1]).toContain(r.status);
    }
    fd = read(join(work, 'fd'));
    zip = read(join(work, 'zip'));
  });

  it('a combined compose log: each cited line gets the service its own prefix names', () => {
    const lines = readFileSync(join(SAMPLES, 'feed-dies-midblock-era-b', 'logs', 'compose_logs.txt'), 'utf8').split('\n');
    const cited = evidenceOf(fd.json).filter((e) => e.file === 'logs/compose_logs.txt' && e.line > 0);
    expect(cited.length).toBeGreaterThan(5);
    for (const e of cited) expect(e.service, `line ${e.line}`).toBe(lines[e.line - 1].split('|')[0].trim().replace(/-\d+$/, ''));
    expect(new Set(cited.map((e) => e.service)).size).toBeGreaterThan(1);
    const e = cited[0];
    expect(fd.md).toContain(`\`${e.service} (logs/compose_logs.txt):${e.line}\``);
    expect(fd.html).toContain(`<span class="loc mono" title="logs/compose_logs.txt:${e.line}">${e.service} (logs/compose_logs.txt):${e.line}</span>`);
  });

  it('a docker json-file log in an archive reads "service (json-file …id):line", the full path a footnote / title away', () => {
    const file = evidenceOf(zip.json).find((x) => /-json\.log$/.test(x.file));
    expect(file).toBeDefined();
    expect(file!.service).toBe('cdb_db_writer');
    const id = /([0-9a-f]{64})-json\.log$/.exec(file!.file)![1];
    const short = `cdb_db_writer (json-file …${id.slice(-6)}):${file!.line}`;
    const note = /`cdb_db_writer \(json-file …[0-9a-f]{6}\):\d+`\[\^(p[0-9a-f]{8})\]/.exec(zip.md);
    expect(note).not.toBeNull();
    expect(zip.md).toContain(`[^${note![1]}]: \`${file!.file}\``);
    expect(zip.html).toContain(`title="${file!.file}:${file!.line}">${short}</span>`);
    // The 64-hex name is never what a reader sees first.
    expect(zip.md).not.toMatch(/^\s*- `[^`]*[0-9a-f]{64}/m);
  });

  it('non-log evidence carries no service', () => {
    const env = evidenceOf(zip.json).filter((x) => x.file.endsWith('.env') || x.file.includes('redis/'));
    expect(env.length).toBeGreaterThan(0);
    for (const e of env) expect(e.service).toBeUndefined();
  });
});

describe('--template <dir>', () => {
  const work = tmp('cdbf-tpl-e2e-');
  beforeAll(() => {
    const r = cli(['run', join(SAMPLES, 'feed-dies-midblock-era-b'), '--out', join(work, 'base'), '--db', join(work, 'base.db'), '--now', '2026-12-01T00:00:00Z', '--format', 'json', '--quiet']);
    expect([0, 1]).toContain(r.status);
  });

  it.each<[string, Record<string, string>, number, RegExp, RegExp | null]>([
    ['a partial override is used, the rest is built in', { 'partials/md-evidence.hbs': '- SEEN {{code (cite file line service)}}' }, 0, /wrote .*report\.md/, /^\s*- SEEN `cdb_ws \(logs\/compose_logs\.txt\):\d+`$/m],
    ['a template that does not parse stops the run, naming file and line', { 'report.md.hbs': '# x\n\n{{#each layers}}\n{{id}}\n' }, 2, /report\.md\.hbs:5\b[\s\S]*--template/, null],
  ])('%s', (_n, files, status, stderrOrOut, md) => {
    const dir = join(work, `tpl-${status}`);
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    const out = join(work, `out-${status}`);
    const r = cli(['report', '--in', join(work, 'base', 'report.json'), '--out', out, '--format', 'md', '--template', dir]);
    expect(r.status, r.stderr).toBe(status);
    expect(status === 0 ? r.stdout : r.stderr).toMatch(stderrOrOut);
    if (md) expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(md);
  });
});
