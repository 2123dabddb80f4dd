/**
 * Texts of the DB-vs-report reconciliation (src/analysis/reconcile.ts): the windows a report may
 * have counted (a candidate's `label`) and a row's `note`. German labels carry no article, so the
 * rule's sentences can put them after a colon in any case.
 */
export const en = {
  'reconcile.window.named_day_utc': 'the UTC day {day:date}',
  'reconcile.window.previous_utc_day': 'the previous UTC day {day:date}',
  'reconcile.window.local_day': 'the local day {day:date} ({zone})',
  'reconcile.window.day_elapsed': 'the UTC day {day:date} up to generation',
  'reconcile.window.rolling_24h': 'the 24 hours up to generation',
  'reconcile.window.runner_start_day': "the runner's start day {day:date} ({how})",
  'reconcile.window.unfiltered': 'every row up to generation (no date filter)',
  'reconcile.window.wrong_table': '{table} on the UTC day {day:date}',
  'reconcile.window.all_rows': 'every row up to generation',
  'reconcile.start.banner': 'its Start Time banner',
  'reconcile.start.uptime': 'Date minus Uptime',

  'reconcile.note.failure': '{failure}',
  'reconcile.note.host_unset': '{failure}; {n:int} variable(s) MISSING or Not set in the host shell that ran it',
  'reconcile.note.no_generation_time': 'the report has no readable generation time',
  'reconcile.note.no_export': 'no DB export of {table} in the bundle',
  'reconcile.note.ids_before': 'the export starts at id {first}: the {n:int} earlier rows are counted by their ids',
  'reconcile.note.new_day': 'counts only the {s:duration} of the day that has just begun; the previous UTC day holds {n:int}',
  'reconcile.note.rose': 'rose from {prev:int} in the report of {day:date}',
  'reconcile.note.unchanged': 'unchanged from {prev:int} in the report of {day:date}',
  'reconcile.note.fell_restart': 'fell from {prev:int} ({day:date}) to {value:int}: the runner restarted in between',
  'reconcile.note.fell_uptime': 'fell from {prev:int} ({day:date}) to {value:int}: its Uptime ({up:number} h) is shorter than the time since that report',
  'reconcile.note.fell_unexplained': 'fell from {prev:int} ({day:date}) to {value:int} with no restart in the evidence',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'reconcile.window.named_day_utc': 'UTC-Tag {day:date}',
  'reconcile.window.previous_utc_day': 'vorheriger UTC-Tag {day:date}',
  'reconcile.window.local_day': 'lokaler Tag {day:date} ({zone})',
  'reconcile.window.day_elapsed': 'UTC-Tag {day:date} bis zur Erzeugung',
  'reconcile.window.rolling_24h': '24 Stunden bis zur Erzeugung',
  'reconcile.window.runner_start_day': 'Starttag des Runners {day:date} ({how})',
  'reconcile.window.unfiltered': 'alle Zeilen bis zur Erzeugung (ohne Datumsfilter)',
  'reconcile.window.wrong_table': '{table} am UTC-Tag {day:date}',
  'reconcile.window.all_rows': 'alle Zeilen bis zur Erzeugung',
  'reconcile.start.banner': 'laut seinem Start-Time-Banner',
  'reconcile.start.uptime': 'Date abzüglich Uptime',

  'reconcile.note.failure': '{failure}',
  'reconcile.note.host_unset': '{failure}; {n:int} Variable(n) MISSING oder Not set in der Host-Shell, die ihn ausgeführt hat',
  'reconcile.note.no_generation_time': 'der Report hat keine lesbare Erzeugungszeit',
  'reconcile.note.no_export': 'kein DB-Export von {table} im Bundle',
  'reconcile.note.ids_before': 'der Export beginnt bei id {first}: die {n:int} früheren Zeilen werden über ihre ids gezählt',
  'reconcile.note.new_day': 'zählt nur die {s:duration} des gerade begonnenen Tages; der vorherige UTC-Tag enthält {n:int}',
  'reconcile.note.rose': 'gestiegen von {prev:int} im Report vom {day:date}',
  'reconcile.note.unchanged': 'unverändert bei {prev:int} wie im Report vom {day:date}',
  'reconcile.note.fell_restart': 'gefallen von {prev:int} ({day:date}) auf {value:int}: der Runner wurde dazwischen neu gestartet',
  'reconcile.note.fell_uptime': 'gefallen von {prev:int} ({day:date}) auf {value:int}: seine Uptime ({up:number} Std.) ist kürzer als die Zeit seit jenem Report',
  'reconcile.note.fell_unexplained': 'gefallen von {prev:int} ({day:date}) auf {value:int}, ohne Neustart in den Belegen',
};
