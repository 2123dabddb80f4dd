/** Texts of the rule `market-data-silence` (market_data); keys start with the rule id. */
export const en = {
  'market-data-silence.title': 'Silences of 10+ minutes in market data while the source kept listening',
  'market-data-silence.missing.untimed': 'no timed market data in the block (no MONITOR/JSONL capture and no cdb_ws publish lines)',
  'market-data-silence.missing.short': 'the market data sources cover only {covered:duration} of the block: a silence of {min:int} minutes cannot show in them',
  'market-data-silence.silences':
    '{n:plural:silence|silences} of {min:int}+ min in market data while {path} kept recording ({total:duration} in total; longest {longest:duration} from {from:datetime} to {to:datetime}){polls}',
  'market-data-silence.silences.polls': '; the feed answered {n:plural:health poll|health polls} meanwhile',
  'market-data-silence.hyp.feed_silent': 'The market-data feed goes silent for long stretches while its container stays healthy',
  'market-data-silence.todo.alert': "Alert when market_data is silent for {min:int} minutes (the feed's /health stays green)",
  'market-data-silence.check.max_silence': 'No market data silence of {min:int}+ minutes in the next block',
  'market-data-silence.evidence.last_before': 'last market_data before the silence at {at:datetime}',
  'market-data-silence.evidence.starts_listening': 'source starts listening at {at:datetime}',
  'market-data-silence.evidence.first_after': 'first market_data after the silence at {at:datetime}',
  'market-data-silence.evidence.still_listening': 'source still listening at {at:datetime}, no market data since',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'market-data-silence.title': 'Stille von 10+ Minuten in den Marktdaten, während die Quelle weiter lauschte',
  'market-data-silence.missing.untimed': 'keine Marktdaten mit Zeitstempel im Block (kein MONITOR-/JSONL-Mitschnitt und keine Publish-Zeilen von cdb_ws)',
  'market-data-silence.missing.short': 'die Marktdaten-Quellen decken nur {covered:duration} des Blocks ab: eine Stille von {min:int} Minuten kann sich darin nicht zeigen',
  'market-data-silence.silences':
    '{n:plural:Stillephase|Stillephasen} von {min:int}+ Min. in den Marktdaten, während {path} weiter aufzeichnete (insgesamt {total:duration}; die längste dauerte {longest:duration} von {from:datetime} bis {to:datetime}){polls}',
  'market-data-silence.silences.polls': '; der Feed beantwortete währenddessen {n:plural:Health-Abfrage|Health-Abfragen}',
  'market-data-silence.hyp.feed_silent': 'Der Market-Data-Feed verstummt für lange Strecken, während sein Container healthy bleibt',
  'market-data-silence.todo.alert': 'Alarm, wenn market_data {min:int} Minuten lang still ist (das /health des Feeds bleibt grün)',
  'market-data-silence.check.max_silence': 'Keine Marktdaten-Stille von {min:int}+ Minuten im nächsten Block',
  'market-data-silence.evidence.last_before': 'letzte market_data vor der Stille um {at:datetime}',
  'market-data-silence.evidence.starts_listening': 'Quelle beginnt um {at:datetime} zu lauschen',
  'market-data-silence.evidence.first_after': 'erste market_data nach der Stille um {at:datetime}',
  'market-data-silence.evidence.still_listening': 'Quelle lauscht um {at:datetime} noch, seitdem keine Marktdaten',
};
