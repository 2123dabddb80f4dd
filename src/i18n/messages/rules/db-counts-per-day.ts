/** Texts of the rule `db-counts-per-day` (reporting); keys start with the rule id. */
export const en = {
  'db-counts-per-day.title': 'Signals, risk decisions and trades per UTC day (the runbook queries)',
  'db-counts-per-day.missing': 'no signals, risk decisions or trades in the block and no DB dump',
  'db-counts-per-day.day': '{day:date}',
  'db-counts-per-day.join': '{first}; {rest}',
  'db-counts-per-day.counts': '{day:date}: signals {signals:int}, risk {approved:int}/{total:int} approved, trades {trades:int}{twins}',
  'db-counts-per-day.twins': ' ({raw:int} rows with twins)',
  'db-counts-per-day.local_and_utc': 'Local days ({zone}): {local}. UTC days: {utc}.',
  'db-counts-per-day.silent_day': 'No signal, decision or trade on {days:list} between active days: a stop or a gap in the evidence.',
  'db-counts-per-day.check.signals_last_day': 'Signals on the last block day reach the daily target',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'db-counts-per-day.title': 'Signale, Risk-Entscheidungen und Trades pro UTC-Tag (die Runbook-Abfragen)',
  'db-counts-per-day.missing': 'keine Signale, Risk-Entscheidungen oder Trades im Block und kein DB-Dump',
  'db-counts-per-day.day': '{day:date}',
  'db-counts-per-day.join': '{first}; {rest}',
  'db-counts-per-day.counts': '{day:date}: Signale {signals:int}, Risk {approved:int}/{total:int} genehmigt, Trades {trades:int}{twins}',
  'db-counts-per-day.twins': ' ({raw:int} Zeilen mit Zwillingen)',
  'db-counts-per-day.local_and_utc': 'Lokale Tage ({zone}): {local}. UTC-Tage: {utc}.',
  'db-counts-per-day.silent_day': 'Kein Signal, keine Entscheidung und kein Trade am {days:list} zwischen aktiven Tagen: ein Stopp oder eine Lücke in den Belegen.',
  'db-counts-per-day.check.signals_last_day': 'Signale am letzten Blocktag erreichen das Tagesziel',
};
