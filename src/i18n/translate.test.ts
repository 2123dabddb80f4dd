import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { LANGS, type Lang } from './lang.js';
import { AREA_CATALOGS, en, SAME_IN_BOTH } from './messages/index.js';
import { CATALOGS, placeholdersOf, render, text } from './translate.js';

const KEYS = Object.keys(en).sort();

describe('the catalogs cannot drift apart', () => {
  it.each(LANGS.map((l) => [l]))('%s has every key and no other', (lang) => {
    const keys = Object.keys(CATALOGS[lang]).sort();
    expect(KEYS.filter((k) => !keys.includes(k)), `keys missing in the ${lang} catalog`).toEqual([]);
    expect(keys.filter((k) => !KEYS.includes(k)), `keys in the ${lang} catalog that English does not have`).toEqual([]);
  });

  it.each(KEYS.map((k) => [k]))('%s has the same placeholders in every language', (key) => {
    const want = [...placeholdersOf(en[key as keyof typeof en])].sort();
    for (const lang of LANGS) expect([...placeholdersOf(CATALOGS[lang][key as keyof typeof en])].sort(), lang).toEqual(want);
  });

  // Words that are the same in both languages (OK, Status, Quick Win…) are fine; a German sentence
  // that is the English one means someone forgot to translate it.
  it.each(KEYS.filter((k) => en[k as keyof typeof en].split(' ').length > 2 && !SAME_IN_BOTH.has(k)).map((k) => [k]))('%s is translated', (key) => {
    expect(CATALOGS.de[key as keyof typeof en]).not.toBe(en[key as keyof typeof en]);
  });
});

describe('catalogs are assembled without losing a key', () => {
  // The languages are spreads of the area catalogs: a key in two of them would silently win once.
  it.each(Object.entries(AREA_CATALOGS).map(([name, c]) => [name, c] as const))('%s has no key another catalog has', (name, c) => {
    const others = Object.entries(AREA_CATALOGS).filter(([n]) => n !== name).flatMap(([, o]) => Object.keys(o.en));
    expect(Object.keys(c.en).filter((k) => others.includes(k))).toEqual([]);
    expect(Object.keys(c.de).sort()).toEqual(Object.keys(c.en).sort());
  });
});

describe('rendering', () => {
  it.each<[Lang, Parameters<typeof render>[1], string]>([
    ['en', text('report.block_days', { from: '2025-11-26', to: '2025-11-28', days: 3 }), '2025-11-26 to 2025-11-28 (3 days)'],
    ['de', text('report.block_days', { from: '2025-11-26', to: '2025-11-28', days: 3 }), '26.11.2025 bis 28.11.2025 (3 Tage)'],
    ['de', text('report.block_days', { from: '2025-11-26', to: '2025-11-26', days: 1 }), '26.11.2025 bis 26.11.2025 (1 Tag)'],
    ['en', text('summary.break_recovered', { stage: 'market data', at: '2025-12-11T06:40:00Z', until: '2025-12-11T09:10:00Z', down: 9000 }), 'market data stopped at 2025-12-11 06:40 UTC and recovered at 2025-12-11 09:10 UTC (2 h 30 min down).'],
    ['de', text('summary.break_recovered', { stage: 'Market Data', at: '2025-12-11T06:40:00Z', until: '2025-12-11T09:10:00Z', down: 9000 }), 'Market Data stand ab 11.12.2025 06:40 UTC still und lief ab 11.12.2025 09:10 UTC wieder (2 Std. 30 Min. Ausfall).'],
    ['de', text('status.warn'), 'WARNUNG'],
    ['en', { key: 'report.block_days', params: { from: '2025-11-26', to: '2025-11-28', days: null } }, '2025-11-26 to 2025-11-28 (– days)'],
    // `{x:number:1}`: the decimals a message asks for, grouped per language.
    ['en', text('market-data-flow.flow.rate', { per_min: 1234.25, span: 3600 }), ', 1,234.3 events/min over 1 h of capture'],
    ['de', text('market-data-flow.flow.rate', { per_min: 1234.25, span: 3600 }), ', 1.234,3 Events/Minute über 1 Std. Mitschnitt'],
    ['en', { key: 'summary.break', params: { stage: { key: 'layer.risk', params: {} }, at: '2025-12-11T06:40:00Z' } }, 'Risk Layer stopped at 2025-12-11 06:40 UTC and did not recover.'],
    // A NaN number parameter comes back from report.json as null: still no number, not a missing parameter.
    ['de', JSON.parse(JSON.stringify(text('kpi.sampled', { span: Number.NaN }))), 'Stichprobe: – Mitschnitt, nicht am Blockziel bewertet'],
  ])('%s %j → %s', (lang, t, want) => {
    expect(render(lang, t)).toBe(want);
  });

  it.each<[string, { key: string; params: Record<string, unknown> }, RegExp]>([
    ['a missing parameter', { key: 'summary.break', params: { stage: 'signals' } }, /summary\.break.*"at" is missing/],
    ['a null text parameter', { key: 'summary.break', params: { stage: null, at: '2025-12-11T06:40:00Z' } }, /summary\.break.*"stage" is missing/],
    ['a number where a date belongs', { key: 'summary.break', params: { stage: 'signals', at: 5 } }, /"at".*ISO datetime/],
    ['text where a count belongs', { key: 'report.block_days', params: { from: '2025-01-01', to: '2025-01-02', days: 'two' } }, /"days".*number/],
    ['an unknown key', { key: 'no.such.key', params: {} }, /no en text for key "no\.such\.key"/],
  ])('%s is an error naming key and parameter', (_name, t, re) => {
    expect(() => render('en', t)).toThrow(re);
  });

});

describe('parameters are typed from the English placeholders (checked by the compiler)', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  // One program for all rows: each row is a function of its own, so each error names its line.
  const rows: [string, string, boolean][] = [
    ['all parameters given', "text('summary.break', { stage: 'signals', at: '2025-12-11T06:40:00Z' })", true],
    ['a parameter missing', "text('summary.break', { stage: 'signals' })", false],
    ['a misspelt parameter', "text('summary.break', { stage: 'signals', when: '2025-12-11' })", false],
    ['a count given as text', "text('report.block_days', { from: 'a', to: 'b', days: 'three' })", false],
    ['a key no catalog has', "text('no.such.key')", false],
    ['a key without parameters', "text('status.ok')", true],
    ['a count with decimals given as text', "text('market-data-flow.flow.rate', { per_min: '1.5', span: 60 })", false],
  ];
  const source = [
    `import { text } from ${JSON.stringify(join(here, 'translate.js'))};`,
    ...rows.map(([, call], i) => `export function row${i}() { return ${call}; }`),
  ].join('\n');
  let diagnostics: readonly ts.Diagnostic[] = [];
  const file = join(here, '__typecheck__.ts');
  const options: ts.CompilerOptions = { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => (resolve(f) === file ? source : readFile(f));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => resolve(f) === file || fileExists(f);
  const program = ts.createProgram([file], options, host);
  diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file && resolve(d.file.fileName) === file);
  const errorRows = new Set(diagnostics.map((d) => d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line - 1));

  it.each(rows.map((r, i) => [r[0], r[1], r[2], i] as const))('%s: %s compiles = %s', (_name, _call, compiles, i) => {
    expect(!errorRows.has(i), diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('\n')).toBe(compiles);
  });
});
