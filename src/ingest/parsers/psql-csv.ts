import type { FileHead, Line } from '../../bundle/types.js';
import { batchedRows, defineParser, type ParserDef, type Row, type SniffResult } from '../define-parser.js';
import { CsvAssembler, type CsvEvent, type CsvRecord } from '../dumps/pg-text.js';
import { aggregateShape, identifyTable, tableFromColumns, uniqueColumnNames } from '../dumps/table-identity.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;
// Quoted identifiers ("Mixed Case", ?column?) appear in headers as they are; allow a few, not prose.
const LOOSE_IDENT = /^[A-Za-z_?][\w$ ?#().-]{0,62}$/;
const PSQL_STATUS = /^COPY \d+$/;
const PSQL_FOOTER = /^\(\d+ rows?\)$/;

/**
 * `\copy ... CSV HEADER` and `psql --csv` write comma-separated CSV with quoting; some exports use
 * `;`. psql's unaligned output (`psql -A`, `-F $'\t'`) separates with `|` or a tab and quotes
 * nothing, so for those a `"` is data.
 */
interface Dialect {
  delimiter: string;
  quote: string;
  name: string;
}
const DIALECTS: Dialect[] = [
  { delimiter: ',', quote: '"', name: 'CSV' },
  { delimiter: ';', quote: '"', name: 'CSV (;)' },
  { delimiter: '|', quote: '', name: 'psql unaligned (|)' },
  { delimiter: '\t', quote: '', name: 'psql unaligned (tab)' },
];

function headerNames(line: string, d: Dialect): string[] | null {
  const a = new CsvAssembler({ delimiter: d.delimiter, quote: d.quote });
  const ev = [...a.push({ text: line, lineNo: 1 })];
  if (ev.length !== 1 || ev[0].kind !== 'record') return null;
  const names = ev[0].record.fields.map((f) => f.text.trim());
  const strict = names.filter((n) => IDENT.test(n)).length;
  if (names.length < 2 || strict < 2 || strict * 2 < names.length || !names.every((n) => LOOSE_IDENT.test(n))) return null;
  return names;
}

/** The dialect whose split of the header line gives identifier-like column names. */
function dialectOf(headerLine: string): { dialect: Dialect; names: string[] } | null {
  for (const d of DIALECTS) {
    const names = headerNames(headerLine, d);
    if (names) return { dialect: d, names };
  }
  return null;
}

const isBlank = (r: CsvRecord): boolean => r.lines.length === 1 && r.fields.length === 1 && !r.fields[0].quoted && r.fields[0].text.trim() === '';

/**
 * A psql export is a header of identifier-like column names (≥ 2) over records with the same
 * number of fields. Records are assembled across lines, so quoted newlines do not break the count.
 */
function sniff(head: FileHead): SniffResult | null {
  const lines = head.complete ? head.lines : head.lines.slice(0, -1);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return null;
  const found = dialectOf(lines[first]);
  if (!found) return null;
  const { dialect, names } = found;
  const asm = new CsvAssembler({ delimiter: dialect.delimiter, quote: dialect.quote, maxSpanLines: 200 });
  const records: CsvRecord[] = [];
  let unbalanced = 0;
  const take = (ev: CsvEvent): void => {
    if (ev.kind === 'record') records.push(ev.record);
    else unbalanced++;
  };
  for (let i = first + 1; i < lines.length && records.length < 200; i++) for (const ev of asm.push({ text: lines[i], lineNo: i + 1 })) take(ev);
  // A record cut off by the end of the head is not evidence against the file.
  if (head.complete) for (const ev of asm.end()) take(ev);
  const data = records.filter((r) => !isBlank(r) && !(r.fields.length === 1 && PSQL_FOOTER.test(r.fields[0].text)));
  const matching = data.filter((r) => r.fields.length === names.length).length;
  const agg = aggregateShape(names);
  const known = agg ? null : tableFromColumns(names);
  if (data.length === 0) {
    return known
      ? { confidence: 45, reason: `${dialect.name} header only, columns of ${known.table}` }
      : { confidence: 30, reason: `${dialect.name} header of ${names.length} identifier-like columns, no data rows` };
  }
  const bad = data.length - matching + unbalanced;
  // Tolerate the odd malformed row (it will be quarantined), not a file that is mostly something else.
  if (matching === 0 || bad > Math.floor(data.length / 10)) return null;
  if (known) return { confidence: 90, reason: `${dialect.name} with header; columns of ${known.table} (${known.because})` };
  const conf = matching >= 2 && names.length >= 3 ? 70 : 55;
  if (agg) return { confidence: conf, reason: `${dialect.name} with a header; an aggregate query result (${agg}); ${matching} records match` };
  return { confidence: conf, reason: `${dialect.name} with a header of ${names.length} identifier-like columns; ${matching} records match` };
}

/** The parse; `fast`: quote-free data lines skip the assembler (off only to test that it changes nothing). */
function csvParse(fast: boolean): ParserDef['parse'] {
  return async function* parse(input, ctx) {
    const firstLine = input.head.lines.find((l) => l.trim() !== '');
    const dialect = (firstLine !== undefined ? dialectOf(firstLine)?.dialect : undefined) ?? DIALECTS[0];
    if (dialect !== DIALECTS[0]) ctx.note(`read as ${dialect.name}`);
    if (!dialect.quote) ctx.note(`${dialect.name} prints NULL and an empty string alike: empty fields are kept as NULL`);
    const asm = new CsvAssembler({ delimiter: dialect.delimiter, quote: dialect.quote });
    let keys: string[] | null = null;
    let headerTexts: string[] = [];
    let table = '';
    let srcTable = '';
    let recordsSeen = 0;
    /** `quiet`: a later piece of the file (split.ts) learns the header the first piece reports. */
    const takeHeader = (texts: string[], quiet: boolean): void => {
      const cols = uniqueColumnNames(texts);
      keys = cols.keys;
      headerTexts = texts;
      const id = identifyTable(input.name, keys);
      table = id.table;
      srcTable = `src:${table}`;
      if (quiet) return;
      if (cols.renamed.length > 0) ctx.note(`repeated column names renamed: ${cols.renamed.join(', ')}`);
      if (id.note) ctx.note(id.note);
      ctx.declareTable?.(table, keys);
    };
    const split = ctx.split;
    /** The header as the piece that follows must assume it. */
    const stateNow = (): string => (keys === null ? '' : JSON.stringify({ header: headerTexts, table }));
    let assumed: string | undefined;
    if (split && !split.startsFile) {
      // A piece after a cut starts at a record boundary with the file's header known; the join
      // checks both (the piece before ended outside quotes, with this header) or reads the file whole.
      const header = headerInHead(input.head, dialect);
      if (header === null) throw new Error('the CSV header does not stand complete in the head of the file');
      takeHeader(header, true);
      assumed = stateNow();
    }

    const handle = (ev: CsvEvent): Row | null => {
      if (ev.kind === 'unbalanced') {
        ctx.quarantine(ev.line.lineNo, ev.reason, ev.line.text);
        return null;
      }
      const { fields, lines } = ev.record;
      if (isBlank(ev.record)) {
        ctx.structural('blank', 1);
        return null;
      }
      if (keys === null) {
        takeHeader(fields.map((f) => f.text), false);
        ctx.structural('csv-header', lines.length);
        return null;
      }
      const single = lines.length === 1 && fields.length === 1 && !fields[0].quoted;
      if (single && PSQL_STATUS.test(fields[0].text)) {
        ctx.structural('psql-status', 1);
        return null;
      }
      if (single && PSQL_FOOTER.test(fields[0].text)) {
        ctx.structural('psql-footer', 1);
        return null;
      }
      if (fields.length === headerTexts.length && fields.every((f, i) => f.text === headerTexts[i])) {
        ctx.structural('repeated-header', lines.length);
        return null;
      }
      const cols = keys;
      if (fields.length !== cols.length) {
        const first = lines[0];
        // The reason of each further line cites the first by number, which a piece after a cut does not know.
        if (lines.length > 1 && split && !split.startsFile) throw new Error(`a refused record spanning lines (at line ${first.lineNo} of the piece) cites its first line by number`);
        ctx.quarantine(
          first.lineNo,
          `CSV record has ${fields.length} fields, expected ${cols.length} (header: ${cols.slice(0, 6).join(', ')}${cols.length > 6 ? ', ...' : ''})`,
          lines.map((l) => l.text).join('\n'),
        );
        for (const l of lines.slice(1)) ctx.quarantine(l.lineNo, `part of the refused CSV record starting at line ${first.lineNo}`, l.text);
        return null;
      }
      const values: Record<string, string | null> = {};
      for (let i = 0; i < cols.length; i++) {
        const f = fields[i];
        // psql writes NULL as an empty unquoted field and '' as "" (formats doc §5.6).
        values[cols[i]] = !f.quoted && f.text === '' ? null : f.text;
      }
      recordsSeen++;
      return { table: srcTable, line: lines[0].lineNo, lines: lines.length, values };
    };

    const rows = (events: CsvEvent[]): Row[] => events.map(handle).filter((r): r is Row => r !== null);
    const { delimiter, quote } = dialect;
    /**
     * A line with no quote character, read when no record is open, is one record whose fields are
     * the line split at the delimiter, none of them quoted — what the assembler gives for it. The
     * usual data row (as many fields as the header, more than one, not the header again) is made
     * here without the assembler's objects; every other line goes the assembler's way.
     */
    const feed = (line: Line): Row[] => {
      const text = line.text;
      if (fast && keys !== null && asm.idle && (quote === '' || text.indexOf(quote) < 0)) {
        const parts = text.split(delimiter);
        const cols = keys;
        const n = cols.length;
        if (parts.length === n && n > 1 && !isHeaderAgain(parts)) {
          const values: Record<string, string | null> = {};
          for (let i = 0; i < n; i++) {
            const t = parts[i];
            values[cols[i]] = t === '' ? null : t;
          }
          recordsSeen++;
          return [{ table: srcTable, line: line.lineNo, lines: 1, values }];
        }
      }
      return rows(asm.push(line));
    };
    const isHeaderAgain = (parts: string[]): boolean => {
      if (parts[0] !== headerTexts[0]) return false;
      for (let i = 1; i < parts.length; i++) if (parts[i] !== headerTexts[i]) return false;
      return true;
    };
    const finish = (): Row[] => {
      if (!split) return rows(asm.end());
      // Before a cut, a record still open is not flushed: the piece then ends inside quotes and does not join.
      const out = split.endsFile ? rows(asm.end()) : [];
      split.end({ states: [], fresh: asm.idle, evicted: false, tallies: { records: recordsSeen }, state: stateNow(), assumed });
      return out;
    };
    yield* batchedRows(input.lines(), feed, finish);
    if (!split) for (const n of endNotes(stateNow(), recordsSeen)) ctx.note(n);
  };
}

/** The notes at the end of the file, from the header state (stateNow) and the records read. */
function endNotes(state: string | undefined, records: number): string[] {
  if (!state) return ['no CSV header found: the file is empty'];
  return records === 0 ? [`table ${(JSON.parse(state) as { table: string }).table}: header only, no rows`] : [];
}

/** The header record's field texts as a whole read meets it (the first record not blank), if the head holds it complete. */
function headerInHead(head: FileHead, dialect: Dialect): string[] | null {
  const lines = head.complete ? head.lines : head.lines.slice(0, -1);
  const asm = new CsvAssembler({ delimiter: dialect.delimiter, quote: dialect.quote });
  for (let i = 0; i < lines.length; i++) {
    for (const ev of asm.push({ text: lines[i], lineNo: i + 1 })) if (ev.kind === 'record' && !isBlank(ev.record)) return ev.record.fields.map((f) => f.text);
  }
  return null;
}

const definition: ParserDef = {
  id: 'psql-csv',
  title: 'psql \\copy ... CSV HEADER export (also psql --csv and unaligned -A output)',
  version: 2,
  kind: 'db-dump',
  tables: ['src:*'],
  specificity: 40,
  // No name pre-filter: dumps arrive as .csv, .txt, .out or without an extension.
  claims: {
    sniff,
  },
  split: {
    notes: (tallies, state) => endNotes(state, tallies.records ?? 0),
    // Thread CPU of the INSERT … SELECT against the worker's parse of the same piece, 2,000,000
    // generated trades (241 MB) on 2 threads: 0.19–0.26, ~0.21 on average.
    joinCost: 0.21,
  },
  parse: csvParse(true),
};

export default defineParser(definition);

/** The same parser with every line through the assembler: the reference the fast path is tested against. */
export const assemblerOnly: ParserDef = { ...definition, parse: csvParse(false) };
