/** Database failures in writer logs, classified by the psycopg2 / PostgreSQL text they carry (§3.2). */

export type FailureClass = 'schema' | 'constraint' | 'connection' | 'duplicate' | 'other';

/** What a psycopg2 / PostgreSQL error text says about the cause (§3.2 library texts). */
export function classifyDbError(text: string): FailureClass {
  if (/column "[^"]+" of relation "[^"]+" does not exist|relation "[^"]+" does not exist|column "[^"]+" does not exist/i.test(text)) return 'schema';
  if (/violates (check|not-null) constraint|null value in column|invalid input (value|syntax)/i.test(text)) return 'constraint';
  if (/connection already closed|server closed the connection unexpectedly|Connection refused|could not connect|terminating connection|connection to server .* failed|no connection to the server/i.test(text))
    return 'connection';
  if (/duplicate key value violates unique constraint/i.test(text)) return 'duplicate';
  return 'other';
}

/** The hypothesis cause each failure class points at. */
export const DB_ERROR_CAUSE: Record<FailureClass, string> = {
  schema: 'execution.persistence_schema',
  constraint: 'execution.persistence_schema',
  connection: 'execution.persistence_connection',
  duplicate: 'execution.persistence_duplicate',
  other: 'execution.persistence_error',
};
