/** Texts of the rule `two-writer-duplicates` (execution); keys start with the rule id. */
export const en = {
  'two-writer-duplicates.title': 'Two writers: raw vs deduplicated orders and trades',
  'two-writer-duplicates.missing': 'no orders or trades (canonical or dumped) in the block',
  'two-writer-duplicates.summary':
    "{table}: {raw:int} raw rows in the block{dump}, {real:int} real {table} after pairing the two writers' twins ({twins:int} twins{by_execution}{writer_only}).{doubled}",
  'two-writer-duplicates.dump': ' ({total:int} in the dump{copies})',
  'two-writer-duplicates.copies': ', the largest of {files:int} copies',
  'two-writer-duplicates.by_execution': '; {n:int} by execution',
  'two-writer-duplicates.writer_only': ', {n:int} only by db_writer',
  'two-writer-duplicates.doubled':
    ' Counts that read the table directly (Total Orders, Trades Today) are about {ratio:number}× the real {table}: expected with two writers, not a bug (§5.5).',
  'two-writer-duplicates.evidence.rows': '{table}: {n:plural:row|rows}',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'two-writer-duplicates.title': 'Zwei Writer: rohe vs. deduplizierte Orders und Trades',
  'two-writer-duplicates.missing': 'keine Orders oder Trades (kanonisch oder als Dump) im Block',
  'two-writer-duplicates.summary':
    '{table}: {raw:int} Rohzeilen im Block{dump}, {real:int} echte Zeilen in {table} nach dem Paaren der Zwillinge beider Writer ({twins:int} Zwillinge{by_execution}{writer_only}).{doubled}',
  'two-writer-duplicates.dump': ' ({total:int} im Dump{copies})',
  'two-writer-duplicates.copies': ', die größte von {files:int} Kopien',
  'two-writer-duplicates.by_execution': '; {n:int} von execution',
  'two-writer-duplicates.writer_only': ', {n:int} nur von db_writer',
  'two-writer-duplicates.doubled':
    ' Zählungen, die die Tabelle direkt lesen (Total Orders, Trades Today), liegen etwa beim {ratio:number}-Fachen der echten Zeilen in {table}: mit zwei Writern erwartet, kein Fehler (§5.5).',
  'two-writer-duplicates.evidence.rows': '{table}: {n:plural:Zeile|Zeilen}',
};
