/**
 * Texts the rule helpers share (src/analysis/rule-kit.ts, src/analysis/rules/shared/): log
 * coverage, the reworded to-dos of contradicted-todos, where a variable is set. Keys start with `shared.`.
 */
export const en = {
  'shared.unknown_service': '(unknown service)',
  'shared.coverage': '{service} logs cover {span:duration} of the {block:duration} block',
  'shared.coverage.none': 'no {service} logs in the block',
  /** A moment after "at" (English) — German puts its own preposition in. */
  'shared.at_time': '{at:datetime}',
  'shared.unknown_time': 'an unknown time',
  'shared.a_service': 'a service',
  'shared.where.var_compose': '{key} (environment of {service} in the compose files / .env interpolation)',

  // contradicted-todos: a to-do the evidence contradicts, reworded (the new title replaces the old).
  'shared.todo.host_not_reaching_one':
    '{key} is already {want} ({set_at}), yet {services:list} connects to `{named}` ({fail_at}): the setting does not reach it; give {services:list} that variable (env_file / environment) instead of changing its value',
  'shared.todo.host_not_reaching_many':
    '{key} is already {want} ({set_at}), yet {services:list} connects to `{named}` ({fail_at}): the setting does not reach them; give {services:list} that variable (env_file / environment) instead of changing its value',
  'shared.where.env_file': 'docker-compose.yml env_file of {services:list}',
  'shared.where.compose_env': 'compose environment of {services:list} ({key})',
  'shared.todo.connects_to': '{service} connects to {host} ({at}, {quote})',
  'shared.todo.stack_name': "the name is the stack's service name",
  'shared.todo.already_set': '{key} is already {want} ({set_at})',
  'shared.todo.no_change': '{key} needs no change',
  'shared.todo.resolve_elsewhere_one':
    "{setting}; {shown}: the failure is elsewhere: {host} did not resolve for {services:list} at {at} ({quote}) — {stack_host} was not running then, or the service is not on the stack's network",
  'shared.todo.resolve_elsewhere_many':
    "{setting}; {shown}: the failure is elsewhere: {host} did not resolve for {services:list} at {at} ({quote}) — {stack_host} was not running then, or these services are not on the stack's network",
  'shared.where.container_and_network': '{host} container state and log at that time; docker network of {services:list}',
  'shared.todo.connected_elsewhere': '{service} connected to {db} ({at}, {quote}): host and credentials are right; the failure is elsewhere: {failure} ({fail_at})',
  'shared.where.log_around': '{host} log and state around {at:datetime}',
  'shared.where.log_around_failure': '{host} log and state around the failure',
  'shared.todo.printed_by_feed': '{at}, printed by the feed',
  'shared.todo.ws_url_fine':
    'The WebSocket URL is already {url} ({from}) and no proxy is set: URL and proxy are not the fault; the failure is elsewhere: {quote} ({at}){refused}',
  'shared.todo.ws_refused': ' — the endpoint refuses this client (HTTP 403: a blocked IP or region, or an endpoint MEXC retired)',
  'shared.where.ws_endpoint': "MEXC WebSocket endpoint and the host's egress IP (try the handshake from the host)",
  'shared.where.ws_path': 'network path from cdb_ws to the MEXC endpoint',
  'shared.evidence.printed_at_startup': '{setting} (printed at startup)',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'shared.unknown_service': '(unbekannter Service)',
  'shared.coverage': 'die Logs von {service} decken {span:duration} des Blocks ({block:duration}) ab',
  'shared.coverage.none': 'keine Logs von {service} im Block',
  'shared.at_time': 'am {at:datetime}',
  'shared.unknown_time': 'zu unbekannter Zeit',
  'shared.a_service': 'ein Service',
  'shared.where.var_compose': '{key} (Umgebung von {service} in den Compose-Dateien / .env-Interpolation)',

  'shared.todo.host_not_reaching_one':
    '{key} ist bereits {want} ({set_at}), trotzdem verbindet sich {services:list} mit `{named}` ({fail_at}): die Einstellung erreicht den Service nicht; {services:list} diese Variable geben (env_file / environment), statt ihren Wert zu ändern',
  'shared.todo.host_not_reaching_many':
    '{key} ist bereits {want} ({set_at}), trotzdem verbinden sich {services:list} mit `{named}` ({fail_at}): die Einstellung erreicht diese Services nicht; {services:list} diese Variable geben (env_file / environment), statt ihren Wert zu ändern',
  'shared.where.env_file': 'env_file von {services:list} in docker-compose.yml',
  'shared.where.compose_env': 'Compose-Umgebung von {services:list} ({key})',
  'shared.todo.connects_to': '{service} verbindet sich mit {host} ({at}, {quote})',
  'shared.todo.stack_name': 'der Name ist der Service-Name im Stack',
  'shared.todo.already_set': '{key} ist bereits {want} ({set_at})',
  'shared.todo.no_change': '{key} muss nicht geändert werden',
  'shared.todo.resolve_elsewhere_one':
    '{setting}; {shown}: der Fehler liegt woanders: {host} ließ sich für {services:list} {at} nicht auflösen ({quote}) — {stack_host} lief da nicht, oder der Service hängt nicht im Netzwerk des Stacks',
  'shared.todo.resolve_elsewhere_many':
    '{setting}; {shown}: der Fehler liegt woanders: {host} ließ sich für {services:list} {at} nicht auflösen ({quote}) — {stack_host} lief da nicht, oder diese Services hängen nicht im Netzwerk des Stacks',
  'shared.where.container_and_network': 'Container-Zustand und Log von {host} zu dieser Zeit; Docker-Netzwerk von {services:list}',
  'shared.todo.connected_elsewhere':
    '{service} hat sich mit {db} verbunden ({at}, {quote}): Host und Zugangsdaten stimmen; der Fehler liegt woanders: {failure} ({fail_at})',
  'shared.where.log_around': 'Log und Zustand von {host} um {at:datetime}',
  'shared.where.log_around_failure': 'Log und Zustand von {host} zur Zeit des Fehlers',
  'shared.todo.printed_by_feed': '{at}, vom Feed ausgegeben',
  'shared.todo.ws_url_fine':
    'Die WebSocket-URL ist bereits {url} ({from}) und kein Proxy ist gesetzt: URL und Proxy sind nicht der Fehler; der Fehler liegt woanders: {quote} ({at}){refused}',
  'shared.todo.ws_refused': ' — der Endpunkt weist diesen Client ab (HTTP 403: gesperrte IP oder Region, oder ein von MEXC abgeschalteter Endpunkt)',
  'shared.where.ws_endpoint': 'MEXC-WebSocket-Endpunkt und die ausgehende IP des Hosts (den Handshake vom Host aus versuchen)',
  'shared.where.ws_path': 'Netzwerkweg von cdb_ws zum MEXC-Endpunkt',
  'shared.evidence.printed_at_startup': '{setting} (beim Start ausgegeben)',
};
