import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import {
  checkKind,
  code,
  day,
  effortLabel,
  layerTitle,
  priorityWord,
  severityWord,
  snapshotWhen,
  stageLabel,
  ts,
  effort,
  expectation,
  fence,
  fileStatus,
  fileStatusWord,
  findingCounts,
  groupTodos,
  hypothesisRef,
  likelihood,
  loc,
  manifestSummary,
  md,
  otherFilesByFolder,
  evidenceFiles,
  problemFiles,
  size,
  num,
  pct,
  perDay,
  priority,
  registerHelpers,
  ruleSummary,
  severityBadge,
  shortSha,
  sourced,
  statusIcon,
  statusLabel,
  verdict,
  interpretation,
} from './helpers.js';
import { withLang } from './active-lang.js';
import { incidentModel } from './testing.js';

describe('number formatting', () => {
  it.each<[unknown, string]>([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [18340, '18,340'],
    [1234567, '1,234,567'],
    [-1234567, '-1,234,567'],
    [42.3, '42.3'],
    [12345.678, '12,345.678'],
    [0.69, '0.69'],
    [1e21, '1e+21'],
    [null, 'n/a'],
    [undefined, 'n/a'],
    ['abc', 'abc'],
  ])('num(%s) = %s', (n, want) => expect(num(n)).toBe(want));

  it.each<[unknown, string]>([
    [0, '0%'],
    [198.4, '198.4%'],
    [1500, '1,500%'],
    [null, '–'],
  ])('pct(%s) = %s', (n, want) => expect(pct(n)).toBe(want));
});

describe('labels and icons', () => {
  it.each<[(v: unknown) => string, unknown, string]>([
    [statusIcon, 'ok', '✅'],
    [statusIcon, 'warn', '⚠️'],
    [statusIcon, 'fail', '❌'],
    [statusIcon, 'not_evaluable', '➖'],
    [statusLabel, 'not_evaluable', 'NOT EVALUABLE'],
    [statusLabel, 'fail', 'FAIL'],
    [severityBadge, 'critical', '🟥 CRITICAL'],
    [severityBadge, 'info', '⬜ INFO'],
    [likelihood, 'very_likely', 'very likely'],
    [likelihood, 'unlikely', 'unlikely'],
    [priority, 'high', '🔴 high'],
    [priority, 'low', '🟢 low'],
    [effort, 'quick_win', '⚡ quick win'],
    [effort, 'larger', '🔧 larger'],
    [shortSha, '60bc2eacfb10389fd65dd8706f169ee70d0d7b721bb1aeb4d0fb96fd3988ef59', '60bc2eacfb10'],
    [shortSha, null, '–'],
  ])('%o(%s) = %s', (fn, v, want) => expect(fn(v)).toBe(want));

  it.each<[Parameters<typeof expectation>[0], string]>([
    [{ op: '>=', value: 10 }, '≥ 10'],
    [{ op: '==', value: 0 }, '= 0'],
    [{ op: '<=', value: 5 }, '≤ 5'],
    [{ op: '!=', value: 1 }, '≠ 1'],
    [{ op: '>', value: 10000 }, '> 10,000'],
    [{ op: '==', value: 165, tolerance: 15 }, '= 165 (± 15)'],
  ])('expectation(%o) = %s', (e, want) => expect(expectation(e)).toBe(want));

  it.each<[string, number | undefined, string]>([
    ['ingested', 0, 'ok'],
    ['ingested', 2, 'warn'],
    ['partial', 0, 'warn'],
    ['not_ingested', 0, 'warn'],
    ['binary', 0, 'warn'],
    ['error', 0, 'fail'],
    ['accounting_error', 0, 'fail'],
    ['refused', undefined, 'fail'],
  ])('fileStatus(%s, %s) = %s', (s, q, want) => expect(fileStatus(s, q)).toBe(want));

  it.each<[unknown, unknown, string]>([
    ['a.log', 12, 'a.log:12'],
    ['a.log', 0, 'a.log'],
    ['a.log', null, 'a.log'],
  ])('loc(%s, %s) = %s', (f, l, want) => expect(loc(f, l)).toBe(want));

  it('a count without a source is marked, not passed off as zero', () => {
    expect(sourced(0, 'none')).toBe('0 (no evidence in the bundle)');
    expect(sourced(18340, 'db')).toBe('18,340');
  });
});

describe('reconciliation verdicts', () => {
  it.each<[boolean, string | null, boolean, string]>([
    [true, null, false, '✅ matches'],
    [true, 'duplicate_rows', false, '✅ matches (both writers’ rows)'],
    [false, 'window', false, '⚠️ other window'],
    [false, 'timezone', false, '⚠️ other time zone'],
    [false, 'restart_reset', false, '↺ restart reset'],
    [false, 'query_bug', false, '⚠️ query bug'],
    [false, 'report_failed', false, '❌ report failed'],
    [false, 'unexplained', false, '❓ unexplained'],
    [false, 'unexplained', true, '❓ unexplained (within 5 %)'],
    [false, null, false, '➖ not evaluable'],
  ])('matches %s, explanation %s, close %s → %s', (m, e, c, want) => {
    expect(verdict(m, e, c)).toBe(want);
  });

  it.each<[Record<string, unknown> | null, string]>([
    [null, '–'],
    [{ interpretation: null, counting: null, explanation: null }, '–'],
    [{ interpretation: 'runner_start_day', counting: 'raw', explanation: 'window' }, "the runner's start day, both writers"],
    [{ interpretation: 'named_day_utc', counting: 'raw', explanation: null }, 'the UTC day it names'],
    [{ interpretation: 'local_day', counting: 'dedup', explanation: 'timezone' }, 'the local day'],
  ])('%j is counted over "%s"', (row, want) => {
    expect(interpretation(row)).toBe(want);
  });
});

describe('markdown escaping', () => {
  it.each<[string, string]>([
    ['plain text', 'plain text'],
    ['a | b', 'a \\| b'],
    ['line1\nline2\r\nline3', 'line1 ↵ line2 ↵ line3'],
    ['<script>alert(1)</script>', '\\<script>alert(1)\\</script>'],
    ['"><img src=x onerror=alert(1)>', '">\\<img src=x onerror=alert(1)>'],
    ['P&L 5 &lt; 6 &amp; &#60;', 'P\\&L 5 \\&lt; 6 \\&amp; \\&#60;'],
    ['# heading', '\\# heading'],
    ['## heading', '\\## heading'],
    ['> quote', '\\> quote'],
    ['- item', '\\- item'],
    ['-5 dB', '-5 dB'],
    ['1. first', '1\\. first'],
    ['0.1.0', '0.1.0'],
    ['~~~ fence', '\\~~~ fence'],
    ['use `rm -rf`', 'use \\`rm -rf\\`'],
    ['**bold** and [link](http://x)', '\\*\\*bold\\*\\* and \\[link\\](http://x)'],
    ['max_skew_s', 'max_skew_s'],
    ['__main__: started', '\\_\\_main\\_\\_: started'],
    ['C:\\path', 'C:\\\\path'],
  ])('md(%j) = %j', (input, want) => expect(md(input)).toBe(want));

  it.each(['<b>x</b>\n# h\n<!-- c -->|`', '&lt;script&gt; &#x3C;img&#62;', '\\<b>already escaped'])('never leaves a raw tag, an entity or a line break: %j', (nasty) => {
    const out = md(nasty);
    // Every < and & is backslash-escaped: a renderer shows it as typed, never as a tag or an entity.
    expect(out).not.toMatch(/(^|[^\\])(\\\\)*<[a-z!/]/i);
    expect(out).not.toMatch(/(^|[^\\])(\\\\)*&[#a-z0-9]+;/i);
    expect(out).not.toContain('\n');
  });

  it.each<[string, string]>([
    ['db/risk_events.csv:2', '`db/risk_events.csv:2`'],
    ['has `tick` inside', '``has `tick` inside``'],
    ['`edge`', '`` `edge` ``'],
    ['logs/<b>x</b>.txt:3', '`logs/<b>x</b>.txt:3`'],
    ['P&L <5>', '`P&L <5>`'],
    ['a|b', 'a\\|b'],
  ])('code(%j) = %j', (input, want) => expect(code(input)).toBe(want));

  it.each<[string, string, string]>([
    ['SELECT 1 WHERE a < 5', 'sql', '```sql\nSELECT 1 WHERE a < 5\n```'],
    ['x ``` y', 'text', '````text\nx ``` y\n````'],
    ['a\r\nb', 'text', '```text\na\nb\n```'],
  ])('fence(%j) keeps content verbatim and cannot be closed from inside', (input, lang, want) => expect(fence(input, lang)).toBe(want));
});

describe('grouping and summaries', () => {
  const m = incidentModel();

  it('groups to-dos in the runbook order, all four groups, numbered through the groups', () => {
    const g = groupTodos(m.todos);
    expect(g.map((x) => x.category)).toEqual(['CONFIG', 'CODE', 'MONITORING', 'RISK']);
    expect(g.map((x) => x.todos.map((t) => [t.n, t.title.slice(0, 12)]))).toEqual([
      [
        [1, 'Lower SIGNAL'],
        [2, 'Raise --maxm'],
      ],
      [[3, 'Log drawdown']],
      [[4, 'Add the top ']],
      [[5, 'Check why th']],
    ]);
    expect(groupTodos([]).every((x) => x.todos.length === 0)).toBe(true);
  });

  it.each<[string | null, string]>([
    ['risk.drawdown_limit', 'hypothesis #1'],
    ['system.redis_memory', 'hypothesis #3'],
    ['nothing.like.this', ''],
    [null, ''],
  ])('hypothesisRef(%s) = %j', (cause, want) => expect(hypothesisRef(cause, m.hypotheses)).toBe(want));

  it('summarises findings, rules, files and days', () => {
    expect(findingCounts(m.summary.findings)).toBe('1 critical, 1 high, 1 medium, 1 low, 1 info');
    expect(findingCounts({ info: 0, low: 0, medium: 0, high: 0, critical: 0 })).toBe('none');
    expect(ruleSummary(m.layers[5].rules)).toBe('2 rules: 1 ok, 1 not evaluable');
    expect(ruleSummary([])).toBe('0 rules');
    expect(manifestSummary(m.manifest.files)).toBe('5 files: 3 ingested, 1 binary, 1 partial');
    expect(perDay(m.flow.per_day, 'signals')).toBe('2025-11-26: 45, 2025-11-27: 52, 2025-11-28: 30');
    expect(perDay([], 'signals')).toBe('no block days');
  });
});

describe('registration', () => {
  it('strips the Handlebars options argument, so helpers see only their own arguments', () => {
    const hb = Handlebars.create();
    registerHelpers(hb, 'html');
    const t = hb.compile('{{num n}}|{{plural k "day"}}|{{statusIcon s}}|{{#if (eq a b)}}same{{/if}}|{{loc f l}}');
    expect(t({ n: 18340, k: 1, s: 'fail', a: 'x', b: 'x', f: '<b>.log', l: 3 })).toBe('18,340|1 day|❌|same|&lt;b&gt;.log:3');
  });

  it('gives the Markdown helpers only to the Markdown environment', () => {
    const mdEnv = Handlebars.create();
    registerHelpers(mdEnv, 'md');
    expect(mdEnv.compile('{{md x}}', { noEscape: true })({ x: '<b>|' })).toBe('\\<b>\\|');
    const htmlEnv = Handlebars.create();
    registerHelpers(htmlEnv, 'html');
    expect(() => htmlEnv.compile('{{md x}}')({ x: 'y' })).toThrow(/Missing helper/);
  });
});

describe('files that are not evidence, by folder', () => {
  const f = (path: string, status = 'not_ingested', bytes: number | null = 100) => ({ path, status, bytes, quarantined: 0 });

  it.each([
    [0, '0 B'],
    [1023, '1,023 B'],
    [1536, '1.5 KiB'],
    [16 * 1024 * 1024, '16 MiB'],
    [null, 'n/a'],
  ])('size(%s) = %s', (n, text) => expect(size(n)).toBe(text));

  it('groups two folders deep with count, bytes, statuses and the first path as example', () => {
    const files = [
      f('logs/compose.txt', 'ingested'),
      f('proj/.venv/lib/python3.12/site-packages/a.py'),
      f('proj/.venv/bin/python', 'binary', 5000),
      f('proj/.venv/lib/b.so', 'binary', 20000),
      f('proj/src/main.py', 'not_ingested', 10),
      f('README.md', 'not_ingested', 7),
      f('x.zip!/inner/notes.txt'),
      f('logs/broken.txt', 'refused'),
    ];
    expect(otherFilesByFolder(files)).toEqual([
      { folder: '.', files: 1, bytes: 7, example: 'README.md', statuses: '1 not_ingested' },
      { folder: 'proj/.venv', files: 3, bytes: 25100, example: 'proj/.venv/bin/python', statuses: '2 binary, 1 not_ingested' },
      { folder: 'proj/src', files: 1, bytes: 10, example: 'proj/src/main.py', statuses: '1 not_ingested' },
      { folder: 'x.zip!/inner', files: 1, bytes: 100, example: 'x.zip!/inner/notes.txt', statuses: '1 not_ingested' },
    ]);
    // evidence, refused and broken files keep their own rows
    expect(evidenceFiles(files).map((x) => x.path)).toEqual(['logs/compose.txt', 'logs/broken.txt']);
    expect(problemFiles(files).map((x) => x.path)).toEqual(['logs/broken.txt']);
  });

  it('20,000 files of a copied .venv give a handful of rows, not 20,000', () => {
    const files = [f('evidence/compose.txt', 'ingested')];
    for (let i = 0; i < 20_000; i++) files.push(f(`case/.venv/lib/python3.12/site-packages/pkg${i % 400}/m${i}.py`, i % 10 === 0 ? 'binary' : 'not_ingested', 1000));
    for (let i = 0; i < 60; i++) files.push(f(`dir${String(i).padStart(2, '0')}/sub/x.txt`));
    const groups = otherFilesByFolder(files);
    // more than 40 two-level folders: cut one level higher
    expect(groups.length).toBe(61);
    expect(groups.find((g) => g.folder === 'case')).toEqual({ folder: 'case', files: 20_000, bytes: 20_000_000, example: 'case/.venv/lib/python3.12/site-packages/pkg0/m0.py', statuses: '2,000 binary, 18,000 not_ingested' });
    expect(groups.reduce((a, g) => a + g.files, 0)).toBe(20_060);
  });
});

describe('German (the report language set while a template renders)', () => {
  const de = <T>(f: () => T) => withLang('de', f);
  const m = incidentModel();

  it.each<[unknown, string, string]>([
    [18340, '18.340', '18,340'],
    [-1234567, '-1.234.567', '-1,234,567'],
    [12345.678, '12.345,678', '12,345.678'],
    [0.69, '0,69', '0.69'],
    [1e21, '1e+21', '1e+21'],
    [null, 'k. A.', 'n/a'],
  ])('num(%s) = %s in German, %s in English', (n, german, english) => {
    expect(de(() => num(n))).toBe(german);
    expect(num(n)).toBe(english);
  });

  it.each<[string, () => string, string]>([
    ['pct with a space before %', () => pct(198.4), '198,4 %'],
    ['a day', () => day('2025-11-26T00:00:00.000Z'), '26.11.2025'],
    ['a moment', () => ts('2025-11-26T00:49:33Z'), '26.11.2025 00:49:33 UTC'],
    ['text that is no moment stays', () => ts('unknown'), 'unknown'],
    ['a size', () => size(1536), '1,5 KiB'],
    ['an expectation', () => expectation({ op: '>', value: 10000, tolerance: 2.5 }), '> 10.000 (± 2,5)'],
    ['a status', () => statusLabel('not_evaluable'), 'NICHT AUSWERTBAR'],
    ['a severity badge', () => severityBadge('critical'), '🟥 KRITISCH'],
    ['a severity word', () => severityWord('info'), 'Info'],
    ['a likelihood', () => likelihood('very_likely'), 'sehr wahrscheinlich'],
    ['a priority with its circle', () => priority('high'), '🔴 hoch'],
    ['a priority word', () => priorityWord('low'), 'niedrig'],
    ['an effort', () => effort('larger'), '🔧 aufwendiger'],
    ['an effort word', () => effortLabel('quick_win'), 'Quick Win'],
    ['a layer keeps the runbook name', () => layerTitle('risk'), 'Risk Layer'],
    ['a stage', () => stageLabel('risk_approved'), 'Von Risk genehmigt'],
    ['a count without a source', () => sourced(0, 'none'), '0 (keine Belege im Bundle)'],
    ['a check kind', () => checkKind('sql'), 'SQL-Prüfung (Arbeitsdatenbank)'],
    ['a capture time', () => snapshotWhen('at_collection'), 'bei der Sammlung'],
    ['a verdict', () => verdict(false, 'unexplained', true), '❓ ungeklärt (innerhalb 5 %)'],
    ['a window with both writers', () => interpretation({ interpretation: 'previous_utc_day', counting: 'raw', explanation: 'duplicate_rows' }), 'der vorige UTC-Tag, beide Writer'],
    ['finding counts', () => findingCounts(m.summary.findings), '1 kritisch, 1 hoch, 1 mittel, 1 niedrig, 1 Info'],
    ['no findings', () => findingCounts({ info: 0, low: 0, medium: 0, high: 0, critical: 0 }), 'keine'],
    ['a rule summary', () => ruleSummary(m.layers[5].rules), '2 Regeln: 1 ok, 1 nicht auswertbar'],
    ['one rule is singular', () => ruleSummary([{ status: 'fail' }]), '1 Regel: 1 fehlgeschlagen'],
    ['a manifest summary with German statuses', () => manifestSummary(m.manifest.files), '5 Dateien: 3 eingelesen, 1 binär, 1 teilweise'],
    ['an unknown status stays as it is', () => fileStatusWord('accounting_error'), 'accounting_error'],
    ['counts per day', () => perDay(m.flow.per_day, 'signals'), '26.11.2025: 45, 27.11.2025: 52, 28.11.2025: 30'],
    ['a hypothesis reference', () => hypothesisRef('risk.drawdown_limit', m.hypotheses), 'Hypothese #1'],
  ])('%s', (_n, f, want) => expect(de(f)).toBe(want));

  it('a template renders in the model\'s language, and English again for the next model', () => {
    const hb = Handlebars.create();
    registerHelpers(hb, 'md');
    const tpl = hb.compile('{{num n}} {{statusLabel s}} {{t "report.days" n=n}}', { noEscape: true });
    expect(tpl({ lang: 'de', n: 1234.5, s: 'fail' })).toBe('1.234,5 FEHLER 1.234,5 Tage');
    expect(tpl({ lang: 'en', n: 1234.5, s: 'fail' })).toBe('1,234.5 FAIL 1,234.5 days');
    // Outside a render the helpers speak English: the language does not leak from the last report.
    expect(num(1234.5)).toBe('1,234.5');
  });

  it('HTML: {{t}} escapes its parameters (bundle text) but keeps the catalog\'s apostrophes', () => {
    const hb = Handlebars.create();
    registerHelpers(hb, 'html');
    const tpl = hb.compile('<p>{{t "report.recon.sql_zone" expr="DATE(timestamp)" zone=z}}</p>');
    expect(tpl({ lang: 'en', z: '<b>x</b>' })).toBe("<p>The runbook's SQL checks over the same days (DATE(timestamp) per block day, in &lt;b&gt;x&lt;/b&gt;):</p>");
  });
});
