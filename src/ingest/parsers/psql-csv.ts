import type { FileHead } from '../../bundle/types.js';
import { defineParser, type Row, type SniffResult } from '../define-parser.js';
import { CsvAssembler, type CsvEvent, type CsvRecord } from '../dumps/pg-text.js';
import { identifyTable, tableFromColumns, uniqueColumnNames } from '../dumps/table-identity.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;
// Quoted identifiers ("Mixed Case", ?column?) appear in headers as they are; allow a few, not prose.
const LOOSE_IDENT = /^[A-Za-z_?][\w$ ?#().-]{0,62}$/;
const PSQL_STATUS = /^COPY \d+$/;

/**
 * A psql CSV export is a header of identifier-like column names (≥ 2) over records with the same
 * number of fields. Records are assembled across lines, so quoted newlines do not break the count.
 */
function sniff(head: FileHead): SniffResult | null {
  const lines = head.complete ? head.lines : head.lines.slice(0, -1);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return null;
  const asm = new CsvAssembler({ maxSpanLines: 200 });
  const records: CsvRecord[] = [];
  let unbalanced = 0;
  const take = (ev: CsvEvent): void => {
    if (ev.kind === 'record') records.push(ev.record);
    else unbalanced++;
  };
  for (let i = first; i < lines.length && records.length < 200; i++) for (const ev of asm.push({ text: lines[i], lineNo: i + 1 })) take(ev);
  // A record cut off by the end of the head is not evidence against the file.
  if (head.complete) for (const ev of asm.end()) take(ev);
  const header = records[0];
  if (!header || header.lines.length !== 1) return null;
  const names = header.fields.map((f) => f.text.trim());
  const strict = names.filter((n) => IDENT.test(n)).length;
  if (names.length < 2 || strict < 2 || strict * 2 < names.length || !names.every((n) => LOOSE_IDENT.test(n))) return null;
  const data = records.slice(1).filter((r) => !(r.fields.length === 1 && r.fields[0].text === '' && !r.fields[0].quoted));
  const matching = data.filter((r) => r.fields.length === names.length).length;
  const known = tableFromColumns(names);
  if (data.length === 0) {
    return known
      ? { confidence: 45, reason: `CSV header only, columns of ${known.table}` }
      : { confidence: 30, reason: `CSV header of ${names.length} identifier-like columns, no data rows` };
  }
  const bad = data.length - matching + unbalanced;
  // Tolerate the odd malformed row (it will be quarantined), not a file that is mostly something else.
  if (matching === 0 || bad > Math.max(0, Math.floor(data.length / 10))) return null;
  if (known) return { confidence: 90, reason: `CSV with header; columns of ${known.table} (${known.because})` };
  const conf = matching >= 2 && names.length >= 3 ? 70 : 55;
  return { confidence: conf, reason: `CSV with a header of ${names.length} identifier-like columns; ${matching} records match` };
}

export default defineParser({
  id: 'psql-csv',
  title: 'psql \\copy ... CSV HEADER export',
  version: 1,
  kind: 'db-dump',
  tables: ['src:*'],
  specificity: 40,
  claims: {
    names: [/\.csv$/i, /\.txt$/i],
    sniff,
  },
  async *parse(input, ctx) {
    const asm = new CsvAssembler();
    let keys: string[] | null = null;
    let headerTexts: string[] = [];
    let table = '';
    let recordsSeen = 0;

    const handle = function* (ev: CsvEvent): Generator<Row> {
      if (ev.kind === 'unbalanced') {
        ctx.quarantine(ev.line.lineNo, ev.reason, ev.line.text);
        return;
      }
      const { fields, lines } = ev.record;
      const single = lines.length === 1 && fields.length === 1 && !fields[0].quoted;
      if (single && fields[0].text.trim() === '') {
        ctx.structural('blank', 1);
        return;
      }
      if (keys === null) {
        const cols = uniqueColumnNames(fields.map((f) => f.text));
        keys = cols.keys;
        headerTexts = fields.map((f) => f.text);
        if (cols.renamed.length > 0) ctx.note(`repeated column names renamed: ${cols.renamed.join(', ')}`);
        const id = identifyTable(input.name, keys);
        table = id.table;
        if (id.note) ctx.note(id.note);
        ctx.structural('csv-header', lines.length);
        return;
      }
      if (single && PSQL_STATUS.test(fields[0].text)) {
        ctx.structural('psql-status', 1);
        return;
      }
      if (fields.length === headerTexts.length && fields.every((f, i) => f.text === headerTexts[i])) {
        ctx.structural('repeated-header', lines.length);
        return;
      }
      if (fields.length !== keys.length) {
        const first = lines[0];
        ctx.quarantine(
          first.lineNo,
          `CSV record has ${fields.length} fields, expected ${keys.length} (header: ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', ...' : ''})`,
          lines.map((l) => l.text).join('\n'),
        );
        for (const l of lines.slice(1)) ctx.quarantine(l.lineNo, `part of the refused CSV record starting at line ${first.lineNo}`, l.text);
        return;
      }
      const values: Record<string, string | null> = {};
      keys.forEach((k, i) => {
        const f = fields[i];
        // psql writes NULL as an empty unquoted field and '' as "" (formats doc §5.6).
        values[k] = !f.quoted && f.text === '' ? null : f.text;
      });
      recordsSeen++;
      yield { table: `src:${table}`, line: lines[0].lineNo, lines: lines.length, values };
    };

    for await (const line of input.lines()) for (const ev of asm.push(line)) yield* handle(ev);
    for (const ev of asm.end()) yield* handle(ev);
    if (keys === null) ctx.note('no CSV header found: the file is empty');
    else if (recordsSeen === 0) ctx.note(`table ${table}: header only, no rows`);
  },
});
