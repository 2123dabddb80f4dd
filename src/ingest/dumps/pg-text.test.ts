import { describe, expect, it } from 'vitest';
import type { Line } from '../../bundle/types.js';
import {
  copyRawFields,
  CsvAssembler,
  type CsvEvent,
  cutCopyLine,
  splitCopyLine,
  splitTopLevel,
  SqlStatementScanner,
  SqlSyntaxError,
  sqlValue,
  tokenizeSql,
  unescapeCopyField,
} from './pg-text.js';

describe('COPY text format', () => {
  it.each([
    ['plain', 'plain'],
    ['a\\tb', 'a\tb'],
    ['a\\nb\\rc', 'a\nb\rc'],
    ['\\b\\f\\v', '\b\f\v'],
    ['back\\\\slash', 'back\\slash'],
    ['\\101\\102', 'AB'],
    ['\\x41\\x4a', 'AJ'],
    ['\\303\\244', 'ä'], // octal bytes forming one UTF-8 character
    ['\\xc3\\xa4x', 'äx'],
    ['\\q\\.', 'q.'], // other escaped characters stand for themselves
    ['\\xZ', 'xZ'],
    ['{"k": "v\\\\tx"}', '{"k": "v\\tx"}'],
  ])('unescape %j', (raw, value) => {
    expect(unescapeCopyField(raw)).toBe(value);
  });

  it('a lone trailing backslash is an error', () => {
    expect(unescapeCopyField('abc\\')).toBeNull();
    expect(splitCopyLine('1\tabc\\')).toEqual({ ok: false, reason: 'field 2 ends in a lone backslash' });
  });

  it.each([
    ['1\tx\t\\N', ['1', 'x', null]],
    ['1\t\t', ['1', '', '']],
    ['\\\\N\t\\N', ['\\N', null]],
    ['a\\\tb\tc', ['a\tb', 'c']], // an escaped delimiter does not split
    ['', ['']],
    // without any backslash (the native-split path)
    ['1\tx\ty', ['1', 'x', 'y']],
    ['\t\t', ['', '', '']],
    ['ä\t😀\t', ['ä', '😀', '']],
    // a backslash anywhere takes the scanning path
    ['😀\t\\\\N\t\\N', ['😀', '\\N', null]],
  ])('split %j', (line, fields) => {
    expect(splitCopyLine(line)).toEqual({ ok: true, fields });
  });

  it('honours another delimiter and NULL marker', () => {
    expect(splitCopyLine('1|NULL|x', '|', 'NULL')).toEqual({ ok: true, fields: ['1', null, 'x'] });
  });
});

describe('SQL values', () => {
  const v = (src: string, scs = true): string | null => {
    const toks = tokenizeSql(src, { standardConformingStrings: scs });
    return sqlValue(toks, src).value;
  };
  it.each([
    ["'it''s'", "it's"],
    ["E'tab\\there\\\\ \\'q\\''", "tab\there\\ 'q'"],
    ["e'\\x41\\101\\u00e4'", 'AAä'],
    ["'back\\slash'", 'back\\slash'],
    ['NULL', null],
    ['null::jsonb', null],
    ['true', 't'],
    ['FALSE', 'f'],
    ['82.89845603', '82.89845603'],
    ['-2.50', '-2.50'],
    ['+7', '7'],
    ['1e-3', '1e-3'],
    ["'{\"a\": 1}'::jsonb", '{"a": 1}'],
    ["'2025-12-22 00:36:27+00'::timestamp with time zone", '2025-12-22 00:36:27+00'],
    ["'x'::character varying(20)", 'x'],
    ["'{a,b}'::text[]", '{a,b}'],
    ["('wrapped')", 'wrapped'],
    ['$$dollar \'quoted\'$$', "dollar 'quoted'"],
    ['$t$a$$b$t$', 'a$$b'],
    ["'multi\nline'", 'multi\nline'],
  ])('%s', (src, value) => {
    expect(v(src)).toBe(value);
  });

  it('standard_conforming_strings off reads backslash escapes in plain strings', () => {
    expect(v("'a\\\\b\\'c'", false)).toBe("a\\b'c");
  });

  it.each(['now()', "'a' || 'b'", 'ARRAY[1, 2]', 'nextval(\'s\')'])('keeps the expression %s as its source text', (src) => {
    const toks = tokenizeSql(src);
    expect(sqlValue(toks, src)).toEqual({ value: src, expression: true });
  });

  it.each(["'open", 'E\'open\\\'', '"ident', '$$never', '/* open'])('refuses an open literal %j', (src) => {
    expect(() => tokenizeSql(src)).toThrow(SqlSyntaxError);
  });

  it('lower-cases unquoted identifiers and keeps quoted ones', () => {
    const toks = tokenizeSql('INSERT INTO Public."Mixed Case" -- comment\n/* block /* nested */ */ VALUES');
    expect(toks.map((t) => [t.type, t.value])).toEqual([
      ['ident', 'insert'],
      ['ident', 'into'],
      ['ident', 'public'],
      ['punct', '.'],
      ['qident', 'Mixed Case'],
      ['ident', 'values'],
    ]);
  });

  it('splits a tuple at top-level commas only', () => {
    const src = "1, f(a, b), '(,)', ARRAY[1,2]";
    const parts = splitTopLevel(tokenizeSql(src));
    expect(parts.map((p) => src.slice(p[0].start, p[p.length - 1].end))).toEqual(['1', 'f(a, b)', "'(,)'", 'ARRAY[1,2]']);
  });
});

describe('SqlStatementScanner', () => {
  it.each([
    [['SET a = 1;'], [true]],
    [['SET a = 1; -- trailing comment'], [true]],
    [["INSERT INTO t VALUES ('a;", "b');"], [false, true]],
    [["INSERT INTO t VALUES (E'\\';", "');"], [false, true]],
    [['CREATE FUNCTION f() AS $$', 'BEGIN; END;', '$$;'], [false, false, true]],
    [['/* a; */ SELECT 1;'], [true]],
    [['SELECT 1; SELECT'], [false]],
    [['SELECT "a;b"', ';'], [false, true]],
    [['SELECT 1 /* open', 'close */;'], [false, true]],
  ])('%j', (lines, ends) => {
    const s = new SqlStatementScanner();
    expect(lines.map((l) => s.feed(l).endsStatement)).toEqual(ends);
  });
});

describe('CsvAssembler', () => {
  const run = (text: string, opts = {}): CsvEvent[] => {
    const a = new CsvAssembler(opts);
    const out: CsvEvent[] = [];
    text.split('\n').forEach((t, i) => {
      for (const ev of a.push({ text: t, lineNo: i + 1 } as Line)) out.push(ev);
    });
    for (const ev of a.end()) out.push(ev);
    return out;
  };
  const records = (evs: CsvEvent[]): [string[], boolean[], number[]][] =>
    evs.flatMap((e) => (e.kind === 'record' ? [[e.record.fields.map((f) => f.text), e.record.fields.map((f) => f.quoted), e.record.lines.map((l) => l.lineNo)]] : []));

  it.each([
    ['a,b,c', [[['a', 'b', 'c'], [false, false, false], [1]]]],
    [',""', [[['', ''], [false, true], [1]]]],
    ['"x,y","say ""hi"""', [[['x,y', 'say "hi"'], [true, true], [1]]]],
    ['1,"two\n\nlines",3', [[['1', 'two\n\nlines', '3'], [false, true, false], [1, 2, 3]]]],
    ['ab"c,d', [[['ab"c', 'd'], [false, false], [1]]]], // a quote inside an unquoted field is data (Python csv)
    ['"ab"c,d', [[['abc', 'd'], [true, false], [1]]]],
    ['a,', [[['a', ''], [false, false], [1]]]],
    [',,', [[['', '', ''], [false, false, false], [1]]]],
    ['""""', [[['"'], [true], [1]]]],
    ['"a""\n""b",c', [[['a"\n"b', 'c'], [true, false], [1, 2]]]],
    ['"x"y"z",w', [[['xy"z"', 'w'], [true, false], [1]]]], // after the closing quote everything up to the delimiter is data
    ['"",x\n"a,b"', [[['', 'x'], [true, false], [1]], [['a,b'], [true], [2]]]],
  ])('%j', (text, expected) => {
    expect(records(run(text))).toEqual(expected);
  });

  it.each([
    ['a\tb\t"c\td"', { delimiter: '\t' }, [['a', 'b', 'c\td']]],
    ['a|"b"|c', { delimiter: '|', quote: '' }, [['a', '"b"', 'c']]], // psql -A quotes nothing
    ['x;;y', { delimiter: ';' }, [['x', '', 'y']]],
  ])('dialect %j %j', (text, opts, expected) => {
    expect(records(run(text, opts)).map((r) => r[0])).toEqual(expected);
  });

  it('a stray quote refuses its first line and reads the rest again', () => {
    const evs = run('1,"open\n2,x\n3,y');
    expect(evs.map((e) => (e.kind === 'record' ? e.record.lines[0].lineNo : -e.line.lineNo))).toEqual([-1, 2, 3]);
  });

  it('a record running over the span limit is refused early', () => {
    const lines = ['1,"never closed', ...Array.from({ length: 10 }, (_, i) => `${i + 2},ok`)];
    const evs = run(lines.join('\n'), { maxSpanLines: 5 });
    expect(evs[0]).toMatchObject({ kind: 'unbalanced', line: { lineNo: 1 } });
    expect(records(evs).map((r) => r[2][0])).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});

describe('COPY fields: the plain split gives what the escape-aware cut gives', () => {
  // Every line of up to 5 characters over an alphabet of data, delimiters and backslashes.
  const alphabet = ['a', '\t', '\\', ',', 'N', '|'];
  const lines: string[] = [''];
  for (let len = 1, level = ['']; len <= 5; len++) {
    level = level.flatMap((l) => alphabet.map((c) => l + c));
    lines.push(...level);
  }
  it.each(['\t', ',', '|', '\\', 'ab', ''])('delimiter %j', (d) => {
    const differing = lines.filter((l) => JSON.stringify(copyRawFields(l, d)) !== JSON.stringify(cutCopyLine(l, d)));
    expect(differing).toEqual([]);
  });

  it.each([
    ['an escaped delimiter is data', 'a\\\tb\tc', ['a\\\tb', 'c']],
    ['an escaped backslash before a delimiter is not', 'a\\\\\tb', ['a\\\\', 'b']],
    ['a plain line', '1\t\\N\tx', ['1', '\\N', 'x']],
  ])('%s', (_n, line, want) => {
    expect(cutCopyLine(line, '\t')).toEqual(want);
    expect(copyRawFields(line, '\t')).toEqual(want);
  });
});
