import type { ParseContext, ParseInput, ParserDef, Row } from './define-parser.js';

function isDbError(e: unknown): boolean {
  return /^SQLITE_/.test((e as { code?: string })?.code ?? '');
}

/**
 * Hand every row the parser yields to `take`. A parser that throws ends its file there, and the
 * reason is returned (the rows before it stay); the database failing (a full disk) is not the
 * parser's fault, so that error is thrown and the file is not ingested at all.
 */
export async function runParser(parser: ParserDef, input: ParseInput, ctx: ParseContext, take: (row: Row) => void): Promise<string | undefined> {
  try {
    for await (const item of parser.parse(input, ctx)) {
      if (Array.isArray(item)) for (const row of item) take(row);
      else take(item);
    }
  } catch (e) {
    if (isDbError(e)) throw e;
    return `parser ${parser.id} failed: ${(e as Error).message}`;
  }
  return undefined;
}

/** What a parser reported besides its rows: the file's accounting of structural and quarantined lines, and its notes. */
export interface Collected {
  structural: Map<string, number>;
  quarantined: { line: number; reason: string; text: string }[];
  /** A Set: a .env of 100,000 repeated keys gives 100,000 notes, and a list's includes() is quadratic. */
  notes: Set<string>;
}

/** A ParseContext that collects what the parser reports; `extra` adds the hooks a caller serves. */
export function collectingContext(extra: Pick<ParseContext, 'declareTable' | 'split'> = {}): Collected & { ctx: ParseContext } {
  const c: Collected = { structural: new Map(), quarantined: [], notes: new Set() };
  const ctx: ParseContext = {
    structural(counter, count = 1) {
      c.structural.set(counter, (c.structural.get(counter) ?? 0) + count);
    },
    quarantine(line, reason, text) {
      c.quarantined.push({ line, reason, text });
    },
    note(m) {
      c.notes.add(m);
    },
    ...extra,
  };
  return { ...c, ctx };
}
