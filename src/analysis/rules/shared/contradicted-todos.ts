/**
 * A to-do the evidence contradicts sends an analyst the wrong way during an incident (issue 11
 * item 3): "set POSTGRES_HOST=cdb_postgres" when that is already its value, "fix REDIS_HOST"
 * when other lines show the host resolving and connecting. Rules that emit host, URL or
 * credential to-dos pass them through `reviewConnectionTodo`, which keeps the to-do or rewords it
 * to say what the evidence shows and where the failure is instead. A reworded to-do is kept, not
 * dropped: its cause still needs an action, only a different one.
 *
 * The to-do goes in as it is (its title a keyed text, or a plain string from a rule not yet
 * converted) and comes back unchanged or with a new keyed title and `where` (`shared.todo.*`,
 * `shared.where.*`): the new title replaces the old one and quotes none of it, so no caller has
 * to change how it builds its to-do.
 *
 * Host settings are not secrets: the working DB keeps their values (src/redact keeps non-secret
 * keys), so "already set" is read from the .env, docker inspect Env or a startup print.
 */
import { CATALOG, fieldsOf } from '../../../catalog/index.js';
import type { RuleContext, Todo } from '../../define-rule.js';
import { findLogs, scanLogs, WS, type LogRow } from './logs.js';
import { memoByText } from './text-memo.js';
import { settingEvidence, settingRows, type SettingRow } from './settings.js';
import { text, type Text } from '../../../i18n/translate.js';

export type Dependency = 'redis' | 'postgres';

/** The lines in which a service says it reached a dependency, with the host it names (formats doc §3.1). */
const CONNECTED: Record<Dependency, string[]> = {
  redis: ['service.redis_connected_de', 'service.redis_connected_en', 'feed.redis_connected', 'runner.redis_connected', 'feed.redis_ok_a'],
  postgres: ['writer.pg_connected', 'runner.pg_connected', 'exec.db_initialized'],
};
for (const ids of Object.values(CONNECTED)) for (const id of ids) if (!CATALOG.some((e) => e.id === id)) throw new Error(`unknown catalog class: ${id}`);

export const HOST_KEY: Record<Dependency, string> = { redis: 'REDIS_HOST', postgres: 'POSTGRES_HOST' };
export const STACK_HOST: Record<Dependency, string> = { redis: 'cdb_redis', postgres: 'cdb_postgres' };

/**
 * The host a connection line (pass its class: the catalog's `host`/`target` field) or a library
 * error names (`connecting to redis:6379`, `server at "cdb_postgres"`).
 */
export function hostNamed(message: string, klass?: string | null): string | null {
  if (klass) {
    const f = fieldsOf(klass, message);
    const v = f?.host ?? f?.target;
    if (v) return v.split(/[:/]/)[0];
  }
  const m =
    /connecting to ([A-Za-z0-9_.-]+):\d+/.exec(message) ??
    /server at "([^"]+)"/.exec(message) ??
    /translate host name "([^"]+)"/.exec(message) ??
    /(?:at|to) ([A-Za-z0-9_.-]+):(?:6379|5432)\b/.exec(message);
  return m ? m[1] : null;
}

export interface ConnectionClaim {
  dependency: Dependency;
  /** The services whose failures the to-do is about. */
  services: string[];
  /** Their failure lines (the to-do's reason). */
  failing: LogRow[];
  /** What the to-do asserts: a wrong host setting, or a missing connection (host and credentials). */
  asserts: 'host' | 'connection';
}

interface Connected {
  row: LogRow;
  host: string | null;
}

function connectedLines(ctx: RuleContext, dep: Dependency): Connected[] {
  return findLogs(ctx, { classes: CONNECTED[dep] }).map((row) => ({ row, host: hostNamed(row.message, row.class) }));
}

function where(r: { file_id: number; line_no: number }, ctx: RuleContext): string {
  const e = ctx.evidence(r.file_id, r.line_no);
  return `${e.file}:${e.line}`;
}

function quote(s: string): string {
  const first = s.split('\n')[0];
  return `\`${first.length > 100 ? `${first.slice(0, 97)}...` : first}\``;
}

/** A moment a log line carries, or "an unknown time" (a nested text after "at"). */
function atTime(ts: string | null): Text {
  return ts ? text('shared.at_time', { at: ts }) : text('shared.unknown_time');
}

/**
 * The to-do as the evidence lets it stand: unchanged, or reworded ("REDIS_HOST is already
 * cdb_redis; the failure is elsewhere: ...").
 */
export function reviewConnectionTodo(ctx: RuleContext, todo: Todo, claim: ConnectionClaim): Todo {
  const dep = claim.dependency;
  const key = HOST_KEY[dep];
  const want = STACK_HOST[dep];
  // Failure classes' fields name the dependency, not the host: read the library text itself.
  const named = [...new Set(claim.failing.map((r) => hostNamed(r.message)).filter((h): h is string => !!h))];
  const firstFail = claim.failing[0];
  const rows = settingRows(ctx, key).filter((r) => r.service === null || claim.services.includes(r.service));
  const set: SettingRow | undefined = rows[0];
  const setTo = set?.value?.trim() ?? null;
  const connected = connectedLines(ctx, dep);
  // A connection line naming the host the failures name (or the stack's host): that name resolves.
  const resolving = connected.find((c) => c.host !== null && (named.length ? named.includes(c.host) : c.host === (setTo ?? want)));
  const sameService = connected.find((c) => c.row.service !== null && claim.services.includes(c.row.service));

  if (claim.asserts === 'host') {
    // The setting holds the right name, but the failing service asks for another: the value does not reach it.
    if (setTo === want && named.length && !named.includes(want)) {
      return {
        ...todo,
        title: text(claim.services.length > 1 ? 'shared.todo.host_not_reaching_many' : 'shared.todo.host_not_reaching_one', {
          key,
          want,
          set_at: settingText(ctx, set!),
          services: claim.services,
          named: named[0],
          fail_at: where(firstFail, ctx),
        }),
        where: ctx.block.era === 'A' ? text('shared.where.env_file', { services: claim.services }) : text('shared.where.compose_env', { services: claim.services, key }),
      };
    }
    if (setTo === want || resolving) {
      const shown = resolving
        ? text('shared.todo.connects_to', {
            service: resolving.row.service ?? text('shared.a_service'),
            host: resolving.host!,
            at: where(resolving.row, ctx),
            quote: quote(resolving.row.message),
          })
        : text('shared.todo.stack_name');
      return {
        ...todo,
        title: text(claim.services.length > 1 ? 'shared.todo.resolve_elsewhere_many' : 'shared.todo.resolve_elsewhere_one', {
          setting: setTo === want ? text('shared.todo.already_set', { key, want, set_at: settingText(ctx, set!) }) : text('shared.todo.no_change', { key }),
          shown,
          host: named[0] ?? want,
          services: claim.services,
          at: atTime(firstFail.ts),
          quote: quote(firstFail.message),
          stack_host: STACK_HOST[dep],
        }),
        where: text('shared.where.container_and_network', { host: STACK_HOST[dep], services: claim.services }),
      };
    }
    return todo;
  }

  // A connection to-do ("host and password"): the service connected to the dependency in the block.
  if (sameService) {
    return {
      ...todo,
      title: text('shared.todo.connected_elsewhere', {
        service: sameService.row.service!,
        db: dep === 'redis' ? 'Redis' : 'PostgreSQL',
        at: where(sameService.row, ctx),
        quote: quote(sameService.row.message),
        failure: quote(firstFail.message),
        fail_at: where(firstFail, ctx),
      }),
      where: firstFail.ts
        ? text('shared.where.log_around', { host: STACK_HOST[dep], at: firstFail.ts })
        : text('shared.where.log_around_failure', { host: STACK_HOST[dep] }),
    };
  }
  return todo;
}

function settingText(ctx: RuleContext, s: SettingRow): string {
  const e = settingEvidence(ctx, s);
  return `${e.file}:${e.line}`;
}

/** The feed's own errors, whose text tells a refused client from a bad URL. */
const WS_ERRORS = ['feed.ws_error', 'feed.ws_chunk_reconnect', 'feed.loop_error', 'feed.connection_closed'];
const WS_URL_KEYS = ['MEXC_WS_URL', 'WS_URL'];
const PROXY_KEYS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY'];
const WS_SERVICES = WS.services;

/**
 * A "check the WebSocket URL (ws:// or wss://) and the proxy" to-do, reworded when the URL the
 * feed used is already a WebSocket URL, no proxy is set, and the feed never said the scheme is
 * invalid: the feed's own error then says where the failure is (a 403 handshake is the endpoint
 * refusing the client, not a URL typo).
 */
export function reviewWsUrlTodo(ctx: RuleContext, todo: Todo): Todo {
  const used = findLogs(ctx, { classes: ['feed.ws_config'], group: WS, inBlock: false })[0] ?? null;
  const usedUrl = used ? (fieldsOf('feed.ws_config', used.message)?.url ?? null) : null;
  const set = WS_URL_KEYS.flatMap((k) => settingRows(ctx, k)).find((r) => r.service === null || WS_SERVICES.includes(r.service)) ?? null;
  const url = usedUrl ?? set?.value?.trim() ?? null;
  if (!url || !/^wss?:\/\//i.test(url)) return todo;
  if (findLogs(ctx, { classes: ['feed.invalid_ws_url'], group: WS }).length) return todo;
  const proxy = PROXY_KEYS.flatMap((k) => settingRows(ctx, k)).find((r) => (r.value ?? '').trim() !== '');
  if (proxy) return todo;
  // The first error that says why (a status or a socket error), else the first: a feed failing
  // on every reconnect logs many, so they are read as a stream and not kept.
  let firstError: LogRow | undefined;
  let firstSaying: LogRow | undefined;
  const says = memoByText((m) => /\d{3}|refused|timed out|reset|closed|Errno/i.test(m));
  scanLogs(ctx, { classes: WS_ERRORS, group: WS }, (r) => {
    firstError ??= r;
    if (!firstSaying && says(r.message)) firstSaying = r;
  });
  const first = firstSaying ?? firstError;
  if (!first) return todo;
  const from = used ? text('shared.todo.printed_by_feed', { at: where(used, ctx) }) : settingText(ctx, set!);
  const refused = /\b403\b|Forbidden/.test(first.message);
  return {
    ...todo,
    title: text('shared.todo.ws_url_fine', {
      url,
      from,
      quote: quote(first.message),
      at: where(first, ctx),
      refused: refused ? text('shared.todo.ws_refused') : '',
    }),
    where: refused ? text('shared.where.ws_endpoint') : text('shared.where.ws_path'),
  };
}
