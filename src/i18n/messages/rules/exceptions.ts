/** Texts of the rule `exceptions` (system); keys start with the rule id. */
export const en = {
  'exceptions.title': 'Exceptions, tracebacks and ERROR/CRITICAL records per service',
  'exceptions.missing': 'no service log covers enough of the block to show the absence of errors ({coverage:list})',
  'exceptions.missing_logs': 'no service logs in the bundle',
  'exceptions.summary': '{service}: {errors:plural:ERROR/CRITICAL record|ERROR/CRITICAL records}, {tracebacks:plural:traceback|tracebacks}{critical}; most frequent: {top}',
  'exceptions.critical': ', {n:int} CRITICAL/FATAL',
  'exceptions.top_item': '"{key}" ×{n:int}{rest}',
  'exceptions.top_next': '; {item}',
  'exceptions.hyp.recurring': '{service} fails over and over with the same error: "{error}"',
  'exceptions.hyp.recurring_why': '{n:int} records of one error class; a per-message failure makes the service drop what it processes',
  'exceptions.todo.handle': 'Handle the recurring error in {service}: "{error}"',
  'exceptions.todo.alert': 'Alert on ERROR/CRITICAL records and tracebacks per service (healthchecks stay green)',
  'exceptions.where.alert_a': 'monitoring: log alert on `docker compose logs` (no log shipping in era A)',
  'exceptions.where.alert_loki': 'monitoring: cdb_loki/cdb_promtail alert rule on level=ERROR',
  'exceptions.check.tracebacks': 'No Python tracebacks in the next block',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'exceptions.title': 'Exceptions, Tracebacks und ERROR/CRITICAL-Einträge pro Service',
  'exceptions.missing': 'kein Service-Log deckt genug vom Block ab, um das Ausbleiben von Fehlern zu zeigen ({coverage:list})',
  'exceptions.missing_logs': 'keine Service-Logs im Bundle',
  'exceptions.summary': '{service}: {errors:plural:ERROR/CRITICAL-Eintrag|ERROR/CRITICAL-Einträge}, {tracebacks:plural:Traceback|Tracebacks}{critical}; am häufigsten: {top}',
  'exceptions.critical': ', {n:int} CRITICAL/FATAL',
  'exceptions.top_item': '"{key}" ×{n:int}{rest}',
  'exceptions.top_next': '; {item}',
  'exceptions.hyp.recurring': '{service} scheitert immer wieder am selben Fehler: "{error}"',
  'exceptions.hyp.recurring_why': '{n:int} Einträge derselben Fehlerklasse; ein Fehler pro Nachricht lässt den Service verwerfen, was er verarbeitet',
  'exceptions.todo.handle': 'Den wiederkehrenden Fehler in {service} behandeln: "{error}"',
  'exceptions.todo.alert': 'Bei ERROR/CRITICAL-Einträgen und Tracebacks pro Service alarmieren (Healthchecks bleiben grün)',
  'exceptions.where.alert_a': 'Monitoring: Log-Alarm auf `docker compose logs` (kein Log-Shipping in Ära A)',
  'exceptions.where.alert_loki': 'Monitoring: Alarmregel in cdb_loki/cdb_promtail auf level=ERROR',
  'exceptions.check.tracebacks': 'Keine Python-Tracebacks im nächsten Block',
};
