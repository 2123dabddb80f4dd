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
