/** Texts of the rule `signal-errors` (signal_engine); keys start with the rule id. */
export const en = {
  'signal-errors.title': 'Signal-engine exceptions per message',
  'signal-errors.missing': 'no signal-engine logs (cdb_core / cdb_signal) inside the block',
  'signal-errors.md_field':
    "Every market-data message fails with a missing field '{field}': {n:int} × `{line}` over {hours:number:1} h ({per_hour:int}/h), {signals:plural:signal|signals} meanwhile.",
  'signal-errors.md_other': '{n:int} × `{line}` over {hours:number:1} h ({per_hour:int}/h), {signals:plural:signal|signals} meanwhile.',
  'signal-errors.publishing': '{n:int} × `{line}`: generated signals did not reach Redis.',
  'signal-errors.invalid_json': '{n:int} × `{line}` in the signal engine: market-data messages it could not decode.',
  'signal-errors.main_loop': '{n:int} × `{line}` in the signal engine.',
  'signal-errors.none': 'No signal-engine processing errors in {hours:number:1} h of signal-engine logs.',
  'signal-errors.hyp.payload_missing_field': "market_data ticks lack the field '{field}' the signal engine reads",
  'signal-errors.why.payload_missing_field': "The engine raises a KeyError for '{field}' once per message, so no tick reaches the signal logic.{share}",
  'signal-errors.why.payload_missing_pct_change':
    "The engine raises a KeyError for '{field}' once per message, so no tick reaches the signal logic. Era-B/C ticks carry no pct_change (the price buffer computes it); an era-A consumer fed B-style ticks fails like this.{share}",
  'signal-errors.why.share': ' {without:int} of {ticks:int} captured ticks in the span have no pct_change.',
  'signal-errors.hyp.processing_exception': 'An exception in the signal engine drops market-data messages',
  'signal-errors.why.processing_exception': 'Most frequent error text: {detail}.',
  'signal-errors.empty': '(empty)',
  'signal-errors.hyp.publish_error': 'Signals are generated but publishing them to Redis fails',
  'signal-errors.hyp.invalid_json': 'Market-data messages arrive in a format the signal engine cannot decode',
  'signal-errors.todo.handle_missing': "Let the signal engine handle ticks without '{field}' (compute it from a price buffer) or feed it ticks that carry the field",
  'signal-errors.todo.fix_exception': 'Fix the exception in the signal engine market-data handler',
  'signal-errors.todo.alert': 'Alert when the signal engine logs processing errors at the tick rate',
  'signal-errors.check.no_market_data_errors': 'No market-data processing errors',
  'signal-errors.check.no_publish_errors': 'No signal publishing errors',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'signal-errors.title': 'Exceptions der Signal Engine pro Nachricht',
  'signal-errors.missing': 'keine Logs der Signal Engine (cdb_core / cdb_signal) im Block',
  'signal-errors.md_field':
    "Jede Market-Data-Nachricht scheitert an einem fehlenden Feld '{field}': {n:int} × `{line}` über {hours:number:1} Std. ({per_hour:int}/Std.), währenddessen {signals:plural:Signal|Signale}.",
  'signal-errors.md_other': '{n:int} × `{line}` über {hours:number:1} Std. ({per_hour:int}/Std.), währenddessen {signals:plural:Signal|Signale}.',
  'signal-errors.publishing': '{n:int} × `{line}`: erzeugte Signale haben Redis nicht erreicht.',
  'signal-errors.invalid_json': '{n:int} × `{line}` in der Signal Engine: Market-Data-Nachrichten, die sie nicht dekodieren konnte.',
  'signal-errors.main_loop': '{n:int} × `{line}` in der Signal Engine.',
  'signal-errors.none': 'Keine Verarbeitungsfehler der Signal Engine in {hours:number:1} Std. Logs der Signal Engine.',
  'signal-errors.hyp.payload_missing_field': "market_data-Ticks fehlt das Feld '{field}', das die Signal Engine liest",
  'signal-errors.why.payload_missing_field': "Die Engine wirft pro Nachricht einen KeyError für '{field}', daher erreicht kein Tick die Signal-Logik.{share}",
  'signal-errors.why.payload_missing_pct_change':
    "Die Engine wirft pro Nachricht einen KeyError für '{field}', daher erreicht kein Tick die Signal-Logik. Ticks der Ära B/C tragen kein pct_change (der Preispuffer berechnet es); ein Consumer der Ära A, der Ticks im B-Format bekommt, scheitert genau so.{share}",
  'signal-errors.why.share': ' {without:int} von {ticks:int} mitgeschnittenen Ticks in der Spanne haben kein pct_change.',
  'signal-errors.hyp.processing_exception': 'Eine Exception in der Signal Engine verwirft Market-Data-Nachrichten',
  'signal-errors.why.processing_exception': 'Häufigster Fehlertext: {detail}.',
  'signal-errors.empty': '(leer)',
  'signal-errors.hyp.publish_error': 'Signale werden erzeugt, aber das Publizieren an Redis scheitert',
  'signal-errors.hyp.invalid_json': 'Market-Data-Nachrichten kommen in einem Format an, das die Signal Engine nicht dekodieren kann',
  'signal-errors.todo.handle_missing': "Die Signal Engine Ticks ohne '{field}' verarbeiten lassen (aus einem Preispuffer berechnen) oder ihr Ticks liefern, die das Feld tragen",
  'signal-errors.todo.fix_exception': 'Die Exception im Market-Data-Handler der Signal Engine beheben',
  'signal-errors.todo.alert': 'Alarm, wenn die Signal Engine Verarbeitungsfehler im Takt der Ticks loggt',
  'signal-errors.check.no_market_data_errors': 'Keine Verarbeitungsfehler bei Market Data',
  'signal-errors.check.no_publish_errors': 'Keine Fehler beim Signal-Publishing',
};
