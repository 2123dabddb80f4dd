/** Texts of the rule `execution-orders` (execution); keys start with the rule id. */
export const en = {
  'execution-orders.title': 'Approved orders vs orders executed',
  'execution-orders.missing': 'no approved order in the block (nothing reached execution) and no execution activity',
  'execution-orders.missing.not_observable': 'approvals exist but no execution logs, orders dump or order_results capture covers their time',
  'execution-orders.check.processing': 'Execution processes orders',
  'execution-orders.check.executed': 'Orders executed in the block',
  'execution-orders.check.rejection_rate': 'Execution rejection rate near the mock rate',
  'execution-orders.not_observable': '{n:plural:approval|approvals}; execution cannot be observed for their time.',
  'execution-orders.not_executed': '{n:plural:order|orders} approved ({published:int} published on orders) but execution processed none{covered}.',
  'execution-orders.not_executed.covered': ' ({n:plural:approval falls|approvals fall} in time execution was observed)',
  'execution-orders.partially_executed': 'Only {executed:int} of {seen:int} approved orders were executed while execution was observed.',
  'execution-orders.executed': '{approved:int} approved, {processing:int} `Processing order`, {filled:int} filled, {rejected:int} rejected.',
  'execution-orders.rejection_rate':
    '{rejected:int} of {n:int} orders rejected ({rate:pct}; the mock executor rejects about {mock:pct}). Top reason: {reason} ({count:int}).',
  'execution-orders.hyp.not_receiving': 'Execution does not receive the approved orders',
  'execution-orders.hyp.not_receiving.why':
    'No subscription count, init failure or shutdown was captured to name the reason; check PUBSUB NUMSUB orders and the execution startup log.',
  'execution-orders.todo.capture_numsub': 'Capture PUBSUB NUMSUB orders and the cdb_execution startup log (`Subscribed to topic: orders`)',
  'execution-orders.hyp.bot_shutdown': 'An active bot shutdown blocks execution',
  'execution-orders.hyp.rejections_above_mock': 'Execution rejects far more orders than the mock rate',
  'execution-orders.hyp.top_reason': 'Top rejection reason: {reason}.',
  'execution-orders.reason_unknown': 'unknown',
  'execution-orders.hyp.not_subscribed': 'Execution is not subscribed to the orders channel',
  'execution-orders.hyp.not_subscribed.numsub':
    'PUBSUB NUMSUB orders shows {n:plural:subscriber|subscribers}; execution, db_writer and the paper runner make {expected:int}.',
  'execution-orders.hyp.not_subscribed.no_line': 'The execution startup was captured, but not its `Subscribed to topic: orders` line.',
  'execution-orders.todo.restart_subscribe': 'Restart cdb_execution and confirm `Subscribed to topic: orders` and PUBSUB NUMSUB orders = 3',
  'execution-orders.hyp.init_failure': 'The execution service fails to initialise (Redis / PostgreSQL)',
  'execution-orders.todo.connection_settings': 'Fix the execution service connection settings (Redis / PostgreSQL host and credentials)',
  'execution-orders.todo.clear_shutdown': 'Find and clear the bot shutdown event',
  'execution-orders.hyp.publish_failed': 'The risk manager fails to publish approved orders',
  'execution-orders.todo.fix_publishing': 'Fix order publishing in the risk manager',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'execution-orders.title': 'Genehmigte Orders vs. ausgeführte Orders',
  'execution-orders.missing': 'keine genehmigte Order im Block (nichts hat die Execution erreicht) und keine Execution-Aktivität',
  'execution-orders.missing.not_observable':
    'es gibt Genehmigungen, aber keine Execution-Logs, kein Orders-Dump und kein order_results-Mitschnitt decken ihre Zeit ab',
  'execution-orders.check.processing': 'Execution verarbeitet Orders',
  'execution-orders.check.executed': 'Im Block ausgeführte Orders',
  'execution-orders.check.rejection_rate': 'Ablehnungsrate der Execution nahe der Mock-Rate',
  'execution-orders.not_observable': '{n:plural:Genehmigung|Genehmigungen}; die Execution ist für ihre Zeit nicht beobachtbar.',
  'execution-orders.not_executed': '{n:plural:Order|Orders} genehmigt ({published:int} auf orders veröffentlicht), aber die Execution hat keine verarbeitet{covered}.',
  'execution-orders.not_executed.covered': ' ({n:plural:Genehmigung fällt|Genehmigungen fallen} in Zeit, in der die Execution beobachtet wurde)',
  'execution-orders.partially_executed': 'Nur {executed:int} von {seen:int} genehmigten Orders wurden ausgeführt, während die Execution beobachtet wurde.',
  'execution-orders.executed': '{approved:int} genehmigt, {processing:int} `Processing order`, {filled:int} gefüllt, {rejected:int} abgelehnt.',
  'execution-orders.rejection_rate':
    '{rejected:int} von {n:int} Orders abgelehnt ({rate:pct}; der Mock-Executor lehnt etwa {mock:pct} ab). Häufigster Grund: {reason} ({count:int}).',
  'execution-orders.hyp.not_receiving': 'Die Execution empfängt die genehmigten Orders nicht',
  'execution-orders.hyp.not_receiving.why':
    'Weder Abonnentenzahl noch Init-Fehler noch Shutdown wurden erfasst, die den Grund nennen; PUBSUB NUMSUB orders und das Startlog der Execution prüfen.',
  'execution-orders.todo.capture_numsub': 'PUBSUB NUMSUB orders und das Startlog von cdb_execution erfassen (`Subscribed to topic: orders`)',
  'execution-orders.hyp.bot_shutdown': 'Ein aktiver Bot-Shutdown blockiert die Execution',
  'execution-orders.hyp.rejections_above_mock': 'Die Execution lehnt weit mehr Orders ab als die Mock-Rate',
  'execution-orders.hyp.top_reason': 'Häufigster Ablehnungsgrund: {reason}.',
  'execution-orders.reason_unknown': 'unbekannt',
  'execution-orders.hyp.not_subscribed': 'Die Execution hat den orders-Kanal nicht abonniert',
  // Accusative of the weak noun "Abonnent": "zeigt 1 Abonnenten" as well as "zeigt 2 Abonnenten".
  'execution-orders.hyp.not_subscribed.numsub':
    'PUBSUB NUMSUB orders zeigt {n:plural:Abonnenten|Abonnenten}; Execution, db_writer und Paper Runner ergeben {expected:int}.',
  'execution-orders.hyp.not_subscribed.no_line': 'Der Start der Execution wurde erfasst, nicht aber ihre Zeile `Subscribed to topic: orders`.',
  'execution-orders.todo.restart_subscribe': 'cdb_execution neu starten und `Subscribed to topic: orders` sowie PUBSUB NUMSUB orders = 3 bestätigen',
  'execution-orders.hyp.init_failure': 'Der Execution-Service scheitert bei der Initialisierung (Redis / PostgreSQL)',
  'execution-orders.todo.connection_settings': 'Die Verbindungseinstellungen des Execution-Service korrigieren (Host und Zugangsdaten von Redis / PostgreSQL)',
  'execution-orders.todo.clear_shutdown': 'Das Bot-Shutdown-Event finden und aufheben',
  'execution-orders.hyp.publish_failed': 'Der Risk-Manager scheitert beim Veröffentlichen genehmigter Orders',
  'execution-orders.todo.fix_publishing': 'Das Veröffentlichen von Orders im Risk-Manager reparieren',
};
