/** Texts of the rule `signal-generation` (signal_engine); keys start with the rule id. */
export const en = {
  'signal-generation.title': 'Market data in, signals out',
  'signal-generation.missing': 'no evidence of signals in the block: no signals dump, no signal-engine logs, no Redis capture of the signals channel',
  'signal-generation.note.sample_conversion': 'sample: {signals:plural:signal|signals} per {events:int} market-data events over the {span:duration} the market data covers',
  'signal-generation.note.conversion': '{signals:plural:signal|signals} per {events:int} market-data events over the window the market data covers',
  'signal-generation.note.market_data': 'source: market_data ({n:plural:row|rows} in the block)',
  'signal-generation.note.signals': 'source: signals table (dump, Redis or logs)',
  'signal-generation.note.signal_log_lines': 'source: signal-engine logs',
  'signal-generation.no_input':
    'No signal in {hours:number:1} h of covered time, and no evidence that market data reached the signal engine (no market_data rows, no per-tick errors, no paper-runner progress): look at the market-data layer first.',
  'signal-generation.no_signals': 'Market data flows ({ticks:plural:tick|ticks}{errors}) but no signal was generated in {hours:number:1} h where both are covered.',
  'signal-generation.no_signals.errors': ', {n:plural:processing error|processing errors}',
  'signal-generation.lull': 'Market data was seen but no signal was generated; the time both are covered is short ({hours:number:1} h), so this may be a lull.',
  'signal-generation.bounded':
    '{observed:int} signals in the signal source, but risk decided {decided:int} in the block: at least {decided:int} signals were generated, the signal source is short; not graded against the targets.',
  'signal-generation.below_target':
    '{n:plural:signal|signals} ({per_day:number:1} per day, {per_hour:number} per hour) are below the targets ({target_total:int} per block, {target_day:int} per day).',
  'signal-generation.signals': '{n:plural:signal|signals} ({per_day:number:1} per day) from {events:int} market-data events.',
  'signal-generation.hyp.filter_drops_all': 'The silent signal filters drop every tick',
  'signal-generation.why.filter_drops_all':
    'Ticks arrive and the engine logs no processing error, so the threshold (pct_change >= SIGNAL_THRESHOLD_PCT) or the volume minimum (SIGNAL_MIN_VOLUME) rejects them; both filters are silent at INFO (§3.3). See signal-filters for the settings against the data.',
  'signal-generation.check.signals_total': 'Signals in the block reach the target',
  'signal-generation.check.signals_logged': 'The signal engine logs generated signals',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'signal-generation.title': 'Marktdaten rein, Signale raus',
  'signal-generation.missing': 'keine Belege für Signale im Block: kein Dump der Signale, keine Logs der Signal Engine, kein Redis-Mitschnitt des Signal-Kanals',
  'signal-generation.note.sample_conversion': 'Stichprobe: {signals:plural:Signal|Signale} pro {events:int} Market-Data-Events über die {span:duration}, die die Marktdaten abdecken',
  'signal-generation.note.conversion': '{signals:plural:Signal|Signale} pro {events:int} Market-Data-Events über das Zeitfenster, das die Marktdaten abdecken',
  'signal-generation.note.market_data': 'Quelle: market_data ({n:plural:Zeile|Zeilen} im Block)',
  'signal-generation.note.signals': 'Quelle: Signal-Tabelle (Dump, Redis oder Logs)',
  'signal-generation.note.signal_log_lines': 'Quelle: Logs der Signal Engine',
  'signal-generation.no_input':
    'Kein Signal in {hours:number:1} Std. abgedeckter Zeit und kein Beleg, dass Marktdaten die Signal Engine erreicht haben (keine market_data-Zeilen, keine Fehler pro Tick, kein Fortschritt des Paper Runners): zuerst die Schicht Market Data prüfen.',
  'signal-generation.no_signals': 'Marktdaten fließen ({ticks:plural:Tick|Ticks}{errors}), aber in {hours:number:1} Std., in denen beides abgedeckt ist, wurde kein Signal erzeugt.',
  'signal-generation.no_signals.errors': ', {n:plural:Verarbeitungsfehler|Verarbeitungsfehler}',
  'signal-generation.lull': 'Marktdaten waren zu sehen, aber es wurde kein Signal erzeugt; die Zeit, in der beides abgedeckt ist, ist kurz ({hours:number:1} Std.), das kann eine Flaute sein.',
  'signal-generation.bounded':
    '{observed:int} Signale in der Signalquelle, aber Risk hat im Block über {decided:int} entschieden: mindestens {decided:int} Signale wurden erzeugt, die Signalquelle ist unvollständig; nicht an den Zielen bewertet.',
  'signal-generation.below_target':
    '{n:plural:Signal|Signale} ({per_day:number:1} pro Tag, {per_hour:number} pro Stunde) liegen unter den Zielen ({target_total:int} pro Block, {target_day:int} pro Tag).',
  'signal-generation.signals': '{n:plural:Signal|Signale} ({per_day:number:1} pro Tag) aus {events:int} Market-Data-Events.',
  'signal-generation.hyp.filter_drops_all': 'Die stillen Signalfilter verwerfen jeden Tick',
  'signal-generation.why.filter_drops_all':
    'Ticks kommen an und die Engine loggt keinen Verarbeitungsfehler, also verwirft die Schwelle (pct_change >= SIGNAL_THRESHOLD_PCT) oder das Mindestvolumen (SIGNAL_MIN_VOLUME) sie; beide Filter sind auf INFO stumm (§3.3). Siehe signal-filters für die Einstellungen gegen die Daten.',
  'signal-generation.check.signals_total': 'Signale im Block erreichen das Ziel',
  'signal-generation.check.signals_logged': 'Die Signal Engine loggt erzeugte Signale',
};
