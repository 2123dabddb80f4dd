import { describe, expect, it } from 'vitest';
import { rowsOfKind, SeenIds, type SrcTable } from './src-tables.js';

const table = (name: string): SrcTable => ({ name, original: name, columns: ['id', 'symbol'], kind: 'trades' });

/** What rowsOfKind gave when every id was kept as the text `id:<id>`. */
function byText(tables: Record<string, (string | null)[]>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const [name, ids] of Object.entries(tables)) {
    ids.forEach((id, i) => {
      const key = id != null && id !== '' ? `id:${id}` : null;
      if (key && seen.has(key)) return;
      if (key) seen.add(key);
      out.push(`${name}:${i}`);
    });
  }
  return out;
}

describe('rowsOfKind drops the rows whose id an earlier row had', () => {
  it.each<[string, Record<string, (string | null)[]>]>([
    ['integers repeated across two dumps', { src_a: ['1', '2', '3'], src_b: ['3', '4', '1'] }],
    ['integer-looking texts that are not the same id', { src_a: ['7', '007', '7.0', ' 7', '7e0', '-0', '0'], src_b: ['007', '7', '0', '-0'] }],
    ['no id, an empty id, text ids, huge ids', { src_a: [null, '', null, 'abc', '9007199254740993', '9007199254740992'], src_b: ['', 'abc', '9007199254740993', 'ABC'] }],
    ['numbers and their text', { src_a: ['12', 'id:12', '12'], src_b: ['id:12'] }],
  ])('%s: the rows a text key kept', (_name, tables) => {
    const list = Object.keys(tables).map(table);
    const got: string[] = [];
    for (const r of rowsOfKind(list, 'trades', (t) => tables[t.name].map((id, i) => ({ id, symbol: `${t.name}:${i}` })))) got.push(r.symbol!);
    expect(got).toEqual(byText(tables));
  });
});

describe('SeenIds', () => {
  it.each<[string, string[], boolean[]]>([
    ['small integers, repeated', ['1', '2', '1', '0', '0'], [true, true, false, true, false]],
    ['both sides of the bitmap limit', [String(2 ** 26 - 1), String(2 ** 26), String(2 ** 26 - 1), String(2 ** 26)], [true, true, false, false]],
    ['negative, huge and non-canonical ids are not their numbers', ['-1', '1', '-1', '007', '7', '7', '9007199254740993', '9007199254740993'], [true, true, false, true, true, false, true, false]],
    ['a bitmap that grows keeps what it had', ['5', '100000', '5', '3000000', '100000', '5'], [true, true, false, true, false, false]],
  ])('%s', (_n, ids, expected) => {
    const seen = new SeenIds();
    expect(ids.map((id) => seen.first(id))).toEqual(expected);
  });
});
