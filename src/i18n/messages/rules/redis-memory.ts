/** Texts of the rule `redis-memory` (system); keys start with the rule id. */
export const en = {
  'redis-memory.title': 'Redis memory pressure and evictions',
  'redis-memory.missing': 'no redis-cli INFO memory/stats capture and no cdb_redis log covering the block',
  'redis-memory.captured': '{at}: {said}',
  'redis-memory.policy_unknown': 'unknown',
  'redis-memory.used': 'Redis uses {pct:pct} of maxmemory ({used:int} of {max:int} bytes, policy {policy})',
  'redis-memory.evicted': 'Redis evicted {n:plural:key|keys} (policy {policy}); Redis logs nothing when it does{streams}',
  'redis-memory.streams_empty': ', and {streams:list} read empty: stream entries are gone',
  'redis-memory.oom': '{n:plural:write|writes} refused by Redis with OOM (maxmemory reached under noeviction)',
  'redis-memory.runbook_lines':
    '{n:plural:"maxmemory reached" line|"maxmemory reached" lines}: a runbook-style text that real Redis never logs; judge memory by INFO used_memory/maxmemory and evicted_keys',
  'redis-memory.unread_setting': 'REDIS_MAXMEMORY={value} is set but no service reads it: the limit is the cdb_redis command line (--maxmemory 256mb)',
  'redis-memory.hyp.stream_eviction': 'Redis ran out of memory and evicted stream keys',
  'redis-memory.hyp.pressure': 'Redis memory pressure',
  'redis-memory.hyp.why_warnings': 'only warnings without a measured impact on the event flow',
  'redis-memory.hyp.why_info': 'INFO shows evictions or memory near the limit',
  'redis-memory.todo.raise': 'Raise --maxmemory in the cdb_redis command (REDIS_MAXMEMORY in .env is read by nothing)',
  'redis-memory.check.evictions': 'Redis evicts no keys in the next block (INFO stats evicted_keys)',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'redis-memory.title': 'Redis-Speicherdruck und Evictions',
  'redis-memory.missing': 'kein Mitschnitt von redis-cli INFO memory/stats und kein Log von cdb_redis, das den Block abdeckt',
  'redis-memory.captured': '{at}: {said}',
  'redis-memory.policy_unknown': 'unbekannt',
  'redis-memory.used': 'Redis belegt {pct:pct} von maxmemory ({used:int} von {max:int} Bytes, Policy {policy})',
  'redis-memory.evicted': 'Redis hat {n:plural:Key|Keys} verdrängt (Policy {policy}); Redis loggt dabei nichts{streams}',
  'redis-memory.streams_empty': ', und {streams:list} sind leer: Stream-Einträge sind verloren',
  'redis-memory.oom': '{n:plural:Schreibzugriff|Schreibzugriffe} von Redis mit OOM abgewiesen (maxmemory erreicht unter noeviction)',
  'redis-memory.runbook_lines':
    '{n:plural:Zeile|Zeilen} "maxmemory reached": ein Text im Stil des Runbooks, den ein echtes Redis nie loggt; den Speicher nach INFO used_memory/maxmemory und evicted_keys beurteilen',
  'redis-memory.unread_setting': 'REDIS_MAXMEMORY={value} ist gesetzt, wird aber von keinem Service gelesen: das Limit steht in der Kommandozeile von cdb_redis (--maxmemory 256mb)',
  'redis-memory.hyp.stream_eviction': 'Redis hatte keinen Speicher mehr und hat Stream-Keys verdrängt',
  'redis-memory.hyp.pressure': 'Speicherdruck in Redis',
  'redis-memory.hyp.why_warnings': 'nur Warnungen ohne gemessene Auswirkung auf den Event-Fluss',
  'redis-memory.hyp.why_info': 'INFO zeigt Evictions oder einen Speicher nahe am Limit',
  'redis-memory.todo.raise': '--maxmemory im Command von cdb_redis erhöhen (REDIS_MAXMEMORY in der .env liest niemand)',
  'redis-memory.check.evictions': 'Redis verdrängt im nächsten Block keine Keys (INFO stats evicted_keys)',
};
