/** Texts of the rule `report-reconciliation` (reporting); keys start with the rule id. */
export const en = {
  'report-reconciliation.title': 'Daily report values vs DB counts over the windows the reports really count',
  'report-reconciliation.missing.no_report': 'no daily report in the bundle',
  'report-reconciliation.missing.no_db': 'no DB dump of signals / trades / orders to reconcile the reports against',

  // Sentences are joined as the report printed them (a space between sentences, "; " between reasons).
  'report-reconciliation.join.space': '{first} {rest}',
  'report-reconciliation.join.semicolon': '{first}; {rest}',
  'report-reconciliation.day': '{day:date}',

  'report-reconciliation.kind.paper_runner': 'paper runner',
  'report-reconciliation.kind.cdb_reports': 'cdb_reports summary',
  'report-reconciliation.finding': '{kind}: {rows}',

  'report-reconciliation.row.report_of': 'report of {day:date}',
  'report-reconciliation.row.total': 'total',
  'report-reconciliation.row.count': '{interp}={n:int}',
  'report-reconciliation.row.count_twins': '{interp}={raw:int}/{dedup:int}',
  'report-reconciliation.row.failed': '{day}: {metric} {value} → the report failed ({note}).',
  'report-reconciliation.row.no_value': 'no value',
  'report-reconciliation.row.events_reset': '{day}: {metric} {value} → reset by a restart{note}.',
  'report-reconciliation.row.events_consistent': '{day}: {metric} {value} → consistent (counts since process start){note}.',
  'report-reconciliation.row.events_unexplained': '{day}: {metric} {value} → unexplained{note}.',
  'report-reconciliation.row.note': ': {note}',
  'report-reconciliation.row.not_evaluable': '{day}: {metric} {value} → not evaluable ({note}).',
  'report-reconciliation.row.no_rows': 'no DB rows to count',
  'report-reconciliation.row.matches': '{day}: {metric} {value} → matches {label}{twins}{dup} ({counts:list}).',
  'report-reconciliation.row.twins': ', counting both writers’ rows',
  'report-reconciliation.row.dup': ' (the DB holds both writers’ twins)',
  'report-reconciliation.row.unexplained': '{day}: {metric} {value} → unexplained{close} ({counts:list}).',
  'report-reconciliation.row.close': ' (one window within 5 %)',
  'report-reconciliation.row.equals': '{day}: {metric} {value} → {explanation}: it equals {label}{twins} ({counts:list}).',

  'report-reconciliation.why.equals': '{metric} {value} on {day:date} equals {label}',
  'report-reconciliation.why.new_day': '{metric} {value} on {day:date}: the previous UTC day holds {n}',
  'report-reconciliation.why.twins': '{metric} {value}: {n} with twins counted once',
  'report-reconciliation.why.host': '{kind}: {note}',
  'report-reconciliation.why.unexplained': 'Left: a DB dump taken before the window closed, rows deleted or trimmed, or a session TimeZone other than UTC.',

  'report-reconciliation.h.frozen_current_date': "The runner's CURRENT_DATE is frozen at its start day (the connection never commits)",
  'report-reconciliation.todo.frozen_current_date': 'Commit (or use autocommit) on the report connection so CURRENT_DATE advances',
  'report-reconciliation.h.previous_day': 'The daily report prints the day that has just begun but counts the UTC day before it',
  'report-reconciliation.todo.previous_day': 'Print the day the counts cover (Date minus one day) next to “Signals Today” / “Trades Today”',
  'report-reconciliation.h.new_day': 'The daily report counts the UTC day that has just begun, so it reads about 0',
  'report-reconciliation.todo.new_day':
    'The report counts the day that has just begun: count the previous UTC day (DATE(timestamp) = CURRENT_DATE - 1) on a fresh transaction',
  'report-reconciliation.h.window': 'A report counts another time window than the day it names',
  'report-reconciliation.todo.window': 'Count the day the report names, with explicit UTC bounds, and print the window',
  'report-reconciliation.h.local_vs_utc': 'A host report counts a different calendar day (host-local vs UTC) than the DB',
  'report-reconciliation.h.local_days': 'The host report counts local days, as the block does',
  'report-reconciliation.todo.local_vs_utc': 'Count and print days in one clock (UTC bounds on timestamp, UTC date in the header)',
  'report-reconciliation.h.two_writer_duplicates': 'Report totals count both writers’ rows (about 2× the real orders or trades)',
  'report-reconciliation.todo.two_writer_duplicates': 'Count execution rows only (or deduplicate the db_writer twins) in report counts',
  'report-reconciliation.h.query_bug': 'A report query counts the wrong table or has no date filter',
  'report-reconciliation.todo.query_bug': 'Fix the report query (table and DATE filter) and test it against a known day',
  'report-reconciliation.h.host_without_credentials':
    'The host-side check ran without the stack’s DB credentials (a host shell problem, not a trading-stack fault)',
  'report-reconciliation.todo.host_without_credentials':
    'Run daily_check.py / systemcheck.py with the stack’s .env loaded (POSTGRES_PASSWORD, REDIS_PASSWORD) so they can count',
  'report-reconciliation.h.unexplained': 'Report counts differ from the DB in every documented window',

  'report-reconciliation.events_zero': "Events Logged 0 in the reports of {days:list}: no message reached the runner's event log since its start{tail}",
  'report-reconciliation.events_zero.flowing': ', although {n:int} market-data events were captured in that time.',
  'report-reconciliation.events_zero.dead': ' (dead feed, stub ws, Redis auth failure or a fresh restart).',
  'report-reconciliation.h.runner_not_logging': 'The paper runner receives or logs no events although market data flows',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'report-reconciliation.title': 'Werte der Daily-Reports vs. DB-Counts über die Zeitfenster, die die Reports wirklich zählen',
  'report-reconciliation.missing.no_report': 'kein Daily-Report im Bundle',
  'report-reconciliation.missing.no_db': 'kein DB-Dump von signals / trades / orders, gegen den die Reports abgeglichen werden könnten',

  'report-reconciliation.join.space': '{first} {rest}',
  'report-reconciliation.join.semicolon': '{first}; {rest}',
  'report-reconciliation.day': '{day:date}',

  'report-reconciliation.kind.paper_runner': 'Paper Runner',
  'report-reconciliation.kind.cdb_reports': 'cdb_reports-Zusammenfassung',
  'report-reconciliation.finding': '{kind}: {rows}',

  'report-reconciliation.row.report_of': 'Report vom {day:date}',
  'report-reconciliation.row.total': 'gesamt',
  'report-reconciliation.row.count': '{interp}={n:int}',
  'report-reconciliation.row.count_twins': '{interp}={raw:int}/{dedup:int}',
  'report-reconciliation.row.failed': '{day}: {metric} {value} → der Report ist fehlgeschlagen ({note}).',
  'report-reconciliation.row.no_value': 'kein Wert',
  'report-reconciliation.row.events_reset': '{day}: {metric} {value} → durch einen Neustart zurückgesetzt{note}.',
  'report-reconciliation.row.events_consistent': '{day}: {metric} {value} → konsistent (zählt seit Prozessstart){note}.',
  'report-reconciliation.row.events_unexplained': '{day}: {metric} {value} → ungeklärt{note}.',
  'report-reconciliation.row.note': ': {note}',
  'report-reconciliation.row.not_evaluable': '{day}: {metric} {value} → nicht auswertbar ({note}).',
  'report-reconciliation.row.no_rows': 'keine DB-Zeilen zum Zählen',
  'report-reconciliation.row.matches': '{day}: {metric} {value} → stimmt überein, gezählt über: {label}{twins}{dup} ({counts:list}).',
  'report-reconciliation.row.twins': ', mit den Zeilen beider Writer',
  'report-reconciliation.row.dup': ' (die DB enthält die Zwillinge beider Writer)',
  'report-reconciliation.row.unexplained': '{day}: {metric} {value} → ungeklärt{close} ({counts:list}).',
  'report-reconciliation.row.close': ' (ein Zeitfenster liegt innerhalb von 5 %)',
  'report-reconciliation.row.equals': '{day}: {metric} {value} → {explanation}, gezählt über: {label}{twins} ({counts:list}).',

  'report-reconciliation.why.equals': '{metric} {value} am {day:date} entspricht: {label}',
  'report-reconciliation.why.new_day': '{metric} {value} am {day:date}: der vorherige UTC-Tag enthält {n}',
  'report-reconciliation.why.twins': '{metric} {value}: {n}, wenn Zwillinge einmal gezählt werden',
  'report-reconciliation.why.host': '{kind}: {note}',
  'report-reconciliation.why.unexplained':
    'Bleibt: ein DB-Dump, der vor dem Ende des Zeitfensters gezogen wurde, gelöschte oder gekürzte Zeilen oder eine Session-TimeZone ungleich UTC.',

  'report-reconciliation.h.frozen_current_date': 'CURRENT_DATE des Runners ist auf seinem Starttag eingefroren (die Verbindung committet nie)',
  'report-reconciliation.todo.frozen_current_date': 'Auf der Report-Verbindung committen (oder Autocommit nutzen), damit CURRENT_DATE weiterläuft',
  'report-reconciliation.h.previous_day': 'Der Daily-Report druckt den gerade begonnenen Tag, zählt aber den UTC-Tag davor',
  'report-reconciliation.todo.previous_day': 'Den Tag, den die Counts abdecken (Date minus ein Tag), neben „Signals Today“ / „Trades Today“ ausgeben',
  'report-reconciliation.h.new_day': 'Der Daily-Report zählt den gerade begonnenen UTC-Tag und zeigt daher etwa 0',
  'report-reconciliation.todo.new_day':
    'Der Report zählt den gerade begonnenen Tag: den vorherigen UTC-Tag zählen (DATE(timestamp) = CURRENT_DATE - 1), in einer frischen Transaktion',
  'report-reconciliation.h.window': 'Ein Report zählt ein anderes Zeitfenster als den Tag, den er nennt',
  'report-reconciliation.todo.window': 'Den Tag zählen, den der Report nennt, mit expliziten UTC-Grenzen, und das Zeitfenster ausgeben',
  'report-reconciliation.h.local_vs_utc': 'Ein Host-Report zählt einen anderen Kalendertag (Host-Ortszeit vs. UTC) als die DB',
  'report-reconciliation.h.local_days': 'Der Host-Report zählt lokale Tage, wie der Block auch',
  'report-reconciliation.todo.local_vs_utc': 'Tage in einer Uhr zählen und ausgeben (UTC-Grenzen auf timestamp, UTC-Datum im Kopf)',
  'report-reconciliation.h.two_writer_duplicates': 'Report-Summen zählen die Zeilen beider Writer (etwa 2× die echten Orders oder Trades)',
  'report-reconciliation.todo.two_writer_duplicates': 'In Report-Counts nur die Zeilen der Execution zählen (oder die db_writer-Zwillinge deduplizieren)',
  'report-reconciliation.h.query_bug': 'Eine Report-Query zählt die falsche Tabelle oder hat keinen Datumsfilter',
  'report-reconciliation.todo.query_bug': 'Die Report-Query korrigieren (Tabelle und DATE-Filter) und gegen einen bekannten Tag testen',
  'report-reconciliation.h.host_without_credentials':
    'Der hostseitige Check lief ohne die DB-Zugangsdaten des Stacks (ein Problem der Host-Shell, kein Fehler des Trading-Stacks)',
  'report-reconciliation.todo.host_without_credentials':
    'daily_check.py / systemcheck.py mit geladener .env des Stacks (POSTGRES_PASSWORD, REDIS_PASSWORD) ausführen, damit sie zählen können',
  'report-reconciliation.h.unexplained': 'Report-Counts weichen in jedem dokumentierten Zeitfenster von der DB ab',

  'report-reconciliation.events_zero': 'Events Logged 0 in den Reports vom {days:list}: seit seinem Start hat keine Nachricht das Event-Log des Runners erreicht{tail}',
  'report-reconciliation.events_zero.flowing': ', obwohl in dieser Zeit {n:int} Market-Data-Events erfasst wurden.',
  'report-reconciliation.events_zero.dead': ' (toter Feed, Stub-WS, Redis-Auth-Fehler oder ein frischer Neustart).',
  'report-reconciliation.h.runner_not_logging': 'Der Paper Runner empfängt oder loggt keine Events, obwohl Market Data fließt',
};
