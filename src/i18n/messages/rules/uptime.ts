/** Texts of the rule `uptime` (system); keys start with the rule id. */
export const en = {
  'uptime.title': 'Uptime of containers and Redis against the block length',
  'uptime.missing': 'no docker compose ps / inspect output and no redis-cli INFO server capture',
  'uptime.started_inside': 'started at {at:datetime}, inside the block',
  'uptime.created_ago': 'created {created:duration} ago but up only {up:duration}: restarted about {up:duration} before the capture',
  'uptime.restarted_after_block': '{label}: {service} {why}, about {at:datetime} — after the block, not in it',
  'uptime.restarted_at': '{label}: {why}, about {at:datetime}',
  'uptime.restarted': '{service}: {why}',
  'uptime.redis_after_block': '{label}: Redis has been up {up:duration}, since about {since:datetime} — after the block, not a restart in it',
  'uptime.redis_restarted_since':
    '{label}: Redis has been up {up:duration}, since about {since:datetime}: it (re)started during the block (subscribers had to reconnect; without AOF its keys were lost)',
  'uptime.redis_restarted':
    'Redis has been up {up:duration}, less than the {block:duration} block: it (re)started during the block (subscribers had to reconnect; without AOF its keys were lost)',
  'uptime.hyp.restarted':
    'Services restarted during the block: counters since process start (Events Logged, /status, Prometheus) and frozen report windows reset',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'uptime.title': 'Laufzeit der Container und von Redis im Vergleich zur Blocklänge',
  'uptime.missing': 'keine Ausgabe von docker compose ps / inspect und kein Mitschnitt von redis-cli INFO server',
  'uptime.started_inside': 'gestartet am {at:datetime}, innerhalb des Blocks',
  'uptime.created_ago': 'vor {created:duration} angelegt, aber erst seit {up:duration} oben: etwa {up:duration} vor dem Mitschnitt neu gestartet',
  'uptime.restarted_after_block': '{label}: {service} {why}, etwa am {at:datetime} — nach dem Block, nicht darin',
  'uptime.restarted_at': '{label}: {why}, etwa am {at:datetime}',
  'uptime.restarted': '{service}: {why}',
  'uptime.redis_after_block': '{label}: Redis läuft seit {up:duration}, seit etwa {since:datetime} — nach dem Block, kein Restart darin',
  'uptime.redis_restarted_since':
    '{label}: Redis läuft seit {up:duration}, seit etwa {since:datetime}: es wurde während des Blocks (neu) gestartet (Subscriber mussten sich neu verbinden; ohne AOF gingen seine Keys verloren)',
  'uptime.redis_restarted':
    'Redis läuft seit {up:duration}, kürzer als der Block ({block:duration}): es wurde während des Blocks (neu) gestartet (Subscriber mussten sich neu verbinden; ohne AOF gingen seine Keys verloren)',
  'uptime.hyp.restarted':
    'Services wurden während des Blocks neu gestartet: Zähler seit Prozessstart (Events Logged, /status, Prometheus) und eingefrorene Report-Fenster beginnen von vorn',
};
