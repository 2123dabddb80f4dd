/** Texts of the rule `risk-limits-config` (risk); keys start with the rule id. */
export const en = {
  'risk-limits-config.title': 'Limits in effect vs the configuration, and variables no service reads',
  'risk-limits-config.missing': 'no configuration captured (.env, docker inspect, startup banners)',
  'risk-limits-config.percent': '{v:number} %',
  'risk-limits-config.mismatch': '{key}: the {ref} but {other} says {v}: the configured value is not the one in effect.',
  'risk-limits-config.ref.startup': 'service printed {v} at startup',
  'risk-limits-config.ref.inspect': 'container got {v}',
  'risk-limits-config.hyp.limits_not_applied': 'The configured limits are not the ones the services run with',
  'risk-limits-config.hyp.limits_not_applied.why_a':
    'Era A reads .env through env_file only when the container is created: an edited .env needs `docker compose up -d` (recreate), not a restart.',
  'risk-limits-config.hyp.limits_not_applied.why_bc':
    'In eras B/C compose sets `environment:` per service; a .env line reaches a container only through interpolation in the compose file.',
  'risk-limits-config.todo.recreate': 'Recreate {service} so {key} = {v} applies, then check the startup banner',
  'risk-limits-config.check.startup': '{service} prints the configured {key} at startup',
  'risk-limits-config.total_exposure_ignored':
    'MAX_TOTAL_EXPOSURE_PCT = {value} is ignored in era A; the risk manager reads MAX_EXPOSURE_PCT, in effect {effective} ({source}).',
  'risk-limits-config.source.startup': 'startup',
  'risk-limits-config.source.inspect_env': 'inspect_env',
  'risk-limits-config.source.env': 'env',
  'risk-limits-config.source.default': 'code default',
  'risk-limits-config.hyp.wrong_variable': 'The exposure limit was set through a variable era A does not read',
  'risk-limits-config.hyp.wrong_variable.why':
    'The intended {intended} never applies; the limit in effect is {effective}, and {n:plural:signal was|signals were} rejected on exposure.',
  'risk-limits-config.todo.use_max_exposure': 'Set the exposure limit through MAX_EXPOSURE_PCT (era A ignores MAX_TOTAL_EXPOSURE_PCT)',
  'risk-limits-config.unread': '{key} = {value} is read by no service: changing it has no effect ({why}).',
  'risk-limits-config.unread.CIRCUIT_BREAKER_THRESHOLD_PCT': 'the circuit breaker trips at TEST_BALANCE × MAX_DAILY_DRAWDOWN_PCT',
  'risk-limits-config.unread.MAX_SLIPPAGE_PCT': 'no service checks slippage (mock fills only)',
  'risk-limits-config.unread.DATA_STALE_TIMEOUT_SEC': 'no service checks data staleness by this variable',
  'risk-limits-config.unread.ACCOUNT_EQUITY': 'all limits are based on TEST_BALANCE',
  'risk-limits-config.unread.MIN_CONFIDENCE': 'no confidence filter exists; the signal filters are SIGNAL_THRESHOLD_PCT and SIGNAL_MIN_VOLUME',
  'risk-limits-config.unread.MIN_VOLUME_24H': 'the volume minimum is SIGNAL_MIN_VOLUME',
  'risk-limits-config.unread.REDIS_MAXMEMORY': 'Redis takes --maxmemory from its compose command line',
  'risk-limits-config.unread.MAX_TOTAL_EXPOSURE_PCT': 'the era-A risk manager reads MAX_EXPOSURE_PCT only',
  'risk-limits-config.unread.other': 'see §7',
  'risk-limits-config.todo.remove_unread': 'Remove or mark variables no service reads ({keys:list}) so nobody tunes them',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'risk-limits-config.title': 'Wirksame Limits vs. Konfiguration, und Variablen, die kein Service liest',
  'risk-limits-config.missing': 'keine Konfiguration erfasst (.env, docker inspect, Startausgaben)',
  'risk-limits-config.percent': '{v:number} %',
  'risk-limits-config.mismatch': '{key}: {ref}, aber {other} sagt {v}: der konfigurierte Wert ist nicht der wirksame.',
  'risk-limits-config.ref.startup': 'der Service hat beim Start {v} ausgegeben',
  'risk-limits-config.ref.inspect': 'der Container hat {v} bekommen',
  'risk-limits-config.hyp.limits_not_applied': 'Die konfigurierten Limits sind nicht die, mit denen die Services laufen',
  'risk-limits-config.hyp.limits_not_applied.why_a':
    'Ära A liest die .env über env_file nur, wenn der Container erstellt wird: eine geänderte .env braucht `docker compose up -d` (Neuerstellung), keinen Neustart.',
  'risk-limits-config.hyp.limits_not_applied.why_bc':
    'In den Ären B/C setzt Compose `environment:` pro Service; eine .env-Zeile erreicht einen Container nur über Interpolation in der Compose-Datei.',
  'risk-limits-config.todo.recreate': '{service} neu erstellen, damit {key} = {v} gilt, dann die Startausgabe prüfen',
  'risk-limits-config.check.startup': '{service} gibt beim Start das konfigurierte {key} aus',
  'risk-limits-config.total_exposure_ignored':
    'MAX_TOTAL_EXPOSURE_PCT = {value} wird in Ära A ignoriert; der Risk-Manager liest MAX_EXPOSURE_PCT, wirksam {effective} ({source}).',
  'risk-limits-config.source.startup': 'Startausgabe',
  'risk-limits-config.source.inspect_env': 'docker inspect Env',
  'risk-limits-config.source.env': '.env',
  'risk-limits-config.source.default': 'Default im Code',
  'risk-limits-config.hyp.wrong_variable': 'Das Exposure-Limit wurde über eine Variable gesetzt, die Ära A nicht liest',
  'risk-limits-config.hyp.wrong_variable.why':
    'Die beabsichtigten {intended} gelten nie; wirksam ist das Limit {effective}, und {n:plural:Signal wurde|Signale wurden} wegen Exposure abgelehnt.',
  'risk-limits-config.todo.use_max_exposure': 'Das Exposure-Limit über MAX_EXPOSURE_PCT setzen (Ära A ignoriert MAX_TOTAL_EXPOSURE_PCT)',
  'risk-limits-config.unread': '{key} = {value} wird von keinem Service gelesen: eine Änderung wirkt nicht ({why}).',
  'risk-limits-config.unread.CIRCUIT_BREAKER_THRESHOLD_PCT': 'der Circuit Breaker löst bei TEST_BALANCE × MAX_DAILY_DRAWDOWN_PCT aus',
  'risk-limits-config.unread.MAX_SLIPPAGE_PCT': 'kein Service prüft Slippage (nur Mock-Fills)',
  'risk-limits-config.unread.DATA_STALE_TIMEOUT_SEC': 'kein Service prüft veraltete Daten anhand dieser Variable',
  'risk-limits-config.unread.ACCOUNT_EQUITY': 'alle Limits beruhen auf TEST_BALANCE',
  'risk-limits-config.unread.MIN_CONFIDENCE': 'es gibt keinen Confidence-Filter; die Signalfilter sind SIGNAL_THRESHOLD_PCT und SIGNAL_MIN_VOLUME',
  'risk-limits-config.unread.MIN_VOLUME_24H': 'das Volumen-Minimum ist SIGNAL_MIN_VOLUME',
  'risk-limits-config.unread.REDIS_MAXMEMORY': 'Redis nimmt --maxmemory aus seiner Compose-Kommandozeile',
  'risk-limits-config.unread.MAX_TOTAL_EXPOSURE_PCT': 'der Risk-Manager der Ära A liest nur MAX_EXPOSURE_PCT',
  'risk-limits-config.unread.other': 'siehe §7',
  'risk-limits-config.todo.remove_unread': 'Variablen, die kein Service liest ({keys:list}), entfernen oder markieren, damit niemand an ihnen dreht',
};
