import { describe, expect, it } from 'vitest';
import type { Todo } from '../../define-rule.js';
import { addLog, addSetting, at } from '../../rule-testing.js';
import { spoken, TestDb } from '../../testing.js';
import { say } from '../../../i18n/translate.js';
import connectivity from '../system/connectivity-failures.js';
import { hostNamed, reviewConnectionTodo, reviewWsUrlTodo, type ConnectionClaim } from './contradicted-todos.js';
import type { LogRow } from './logs.js';

const HOST_TODO: Todo = { category: 'CONFIG', title: 'Set REDIS_HOST=cdb_redis for cdb_core', priority: 'high', effort: 'quick_win', where: '.env REDIS_HOST', cause: 'system.redis_unreachable' };
const PG_TODO: Todo = { ...HOST_TODO, title: 'Set POSTGRES_HOST=cdb_postgres for cdb_db_writer', where: '.env POSTGRES_HOST', cause: 'system.postgres_unreachable' };
const CONN_TODO: Todo = { ...HOST_TODO, title: 'Give cdb_ws a working Redis connection (host and password)', where: '.env REDIS_HOST / REDIS_PASSWORD', cause: 'market_data.redis_publish_failed' };

interface Case {
  name: string;
  todo: Todo;
  settings?: [string, string][];
  failing: { service: string; message: string }[];
  others?: { service: string; message: string }[];
  claim: Pick<ConnectionClaim, 'dependency' | 'asserts'>;
  /** null: the to-do stands unchanged. */
  title: RegExp | null;
}

const CASES: Case[] = [
  {
    name: 'REDIS_HOST is already cdb_redis, but the service asks for `redis`: the value does not reach it',
    todo: HOST_TODO, settings: [['REDIS_HOST', 'cdb_redis']],
    failing: [{ service: 'cdb_core', message: 'Redis-Verbindung fehlgeschlagen: Error -2 connecting to redis:6379. Name or service not known.' }],
    claim: { dependency: 'redis', asserts: 'host' },
    title: /^REDIS_HOST is already cdb_redis \(\.env:\d+\), yet cdb_core connects to `redis` .*does not reach it/,
  },
  {
    name: 'REDIS_HOST is already cdb_redis and the error names cdb_redis: the failure is elsewhere',
    todo: HOST_TODO, settings: [['REDIS_HOST', 'cdb_redis']],
    failing: [{ service: 'cdb_core', message: 'Redis-Verbindung fehlgeschlagen: Error -3 connecting to cdb_redis:6379. Temporary failure in name resolution.' }],
    claim: { dependency: 'redis', asserts: 'host' },
    title: /^REDIS_HOST is already cdb_redis \(\.env:\d+\); .*the failure is elsewhere: cdb_redis did not resolve for cdb_core/,
  },
  {
    name: 'POSTGRES_HOST is already cdb_postgres (psycopg2 text)',
    todo: PG_TODO, settings: [['POSTGRES_HOST', 'cdb_postgres']],
    failing: [{ service: 'cdb_db_writer', message: 'Failed to connect to PostgreSQL: could not translate host name "cdb_postgres" to address: Name or service not known' }],
    claim: { dependency: 'postgres', asserts: 'host' },
    title: /^POSTGRES_HOST is already cdb_postgres .*the failure is elsewhere/,
  },
  {
    name: 'no setting captured, but another service connects to the host the failures name',
    todo: HOST_TODO,
    failing: [{ service: 'cdb_core', message: 'Redis-Verbindung fehlgeschlagen: Error -3 connecting to cdb_redis:6379. Temporary failure in name resolution.' }],
    others: [{ service: 'cdb_risk', message: 'Redis verbunden: cdb_redis:6379' }],
    claim: { dependency: 'redis', asserts: 'host' },
    title: /^REDIS_HOST needs no change; cdb_risk connects to cdb_redis .*`Redis verbunden: cdb_redis:6379`.*the failure is elsewhere/,
  },
  {
    name: 'the era-A default `redis` and nothing resolving it: the to-do stands',
    todo: HOST_TODO,
    failing: [{ service: 'cdb_core', message: 'Redis-Verbindung fehlgeschlagen: Error -2 connecting to redis:6379. Name or service not known.' }],
    others: [{ service: 'cdb_risk', message: 'Redis verbunden: cdb_redis:6379' }],
    claim: { dependency: 'redis', asserts: 'host' },
    title: null,
  },
  {
    name: 'REDIS_HOST set to the wrong name: the to-do stands',
    todo: HOST_TODO, settings: [['REDIS_HOST', 'redis']],
    failing: [{ service: 'cdb_core', message: 'Redis-Verbindung fehlgeschlagen: Error -2 connecting to redis:6379. Name or service not known.' }],
    claim: { dependency: 'redis', asserts: 'host' },
    title: null,
  },
  {
    name: 'the feed connected to Redis: host and password are right, the publish errors are elsewhere',
    todo: CONN_TODO,
    failing: [{ service: 'cdb_ws', message: '[redis] publish error: Connection closed by server.' }],
    others: [{ service: 'cdb_ws', message: 'Redis connected: cdb_redis:6379' }],
    claim: { dependency: 'redis', asserts: 'connection' },
    title: /^cdb_ws connected to Redis .*host and credentials are right; the failure is elsewhere: `\[redis\] publish error: Connection closed by server\.`/,
  },
  {
    name: 'another service connected, not the failing one: the connection to-do stands',
    todo: CONN_TODO,
    failing: [{ service: 'cdb_ws', message: '[redis] publish error: Connection closed by server.' }],
    others: [{ service: 'cdb_risk', message: 'Redis verbunden: cdb_redis:6379' }],
    claim: { dependency: 'redis', asserts: 'connection' },
    title: null,
  },
];

describe('to-dos the evidence contradicts are reworded', () => {
  it.each(CASES)('$name', ({ todo, settings, failing, others, claim, title }) => {
    const t = new TestDb();
    for (const [k, v] of settings ?? []) addSetting(t, k, v);
    let m = 0;
    for (const o of others ?? []) addLog(t, { service: o.service, ts: at((m += 5)), message: o.message });
    for (const f of failing) addLog(t, { service: f.service, ts: at((m += 5)), message: f.message, level: 'ERROR' });
    const ctx = t.context();
    const services = [...new Set(failing.map((f) => f.service))];
    const failingRows = t.db.prepare("SELECT id, file_id, line_no, ts, service, level, message, class FROM log_events WHERE level = 'ERROR' ORDER BY ts").all() as LogRow[];
    const out = reviewConnectionTodo(ctx, todo, { ...claim, services, failing: failingRows });
    if (title === null) expect(out).toEqual(todo);
    else {
      expect(say('en', out.title)).toMatch(title);
      expect(out.cause).toBe(todo.cause);
      expect(say('en', out.where)).not.toBe(todo.where);
    }
  });

  it.each([
    ['Error -2 connecting to redis:6379. Name or service not known.', null, 'redis'],
    ['connection to server at "cdb_postgres" (172.18.0.3), port 5432 failed: Connection refused', null, 'cdb_postgres'],
    ['Redis verbunden: cdb_redis:6379', 'service.redis_connected_de', 'cdb_redis'],
    ['Connected to PostgreSQL at cdb_postgres:5432/claire_de_binare', 'writer.pg_connected', 'cdb_postgres'],
    ['Authentication required.', null, null],
  ])('hostNamed(%s, %s) = %s', (message, klass, host) => {
    expect(hostNamed(message, klass)).toBe(host);
  });

  it('connectivity-failures rewords its host to-do when the .env already holds the stack name', () => {
    const t = new TestDb();
    addSetting(t, 'REDIS_HOST', 'cdb_redis');
    for (let i = 0; i < 5; i++) addLog(t, { service: 'cdb_core', ts: at(i * 600), level: 'ERROR', message: 'Redis-Verbindung fehlgeschlagen: Error -2 connecting to redis:6379. Name or service not known.' });
    const r = spoken(connectivity.check(t.context()));
    const titles = (r.todos ?? []).map((x) => x.title);
    expect(titles.some((x) => /^Set REDIS_HOST=cdb_redis/.test(x))).toBe(false);
    expect(titles.some((x) => x.startsWith('REDIS_HOST is already cdb_redis'))).toBe(true);
  });

  const URL_TODO: Todo = { ...HOST_TODO, title: 'Check MEXC_WS_URL/WS_URL and the proxy for cdb_ws (ws:// or wss://; unset HTTPS_PROXY for WS)', where: '.env MEXC_WS_URL', cause: 'market_data.no_klines' };
  const HANDSHAKE = '[WS ERROR] Handshake status 403 Forbidden';
  it.each<{ name: string; lines: string[]; settings?: [string, string][]; title: RegExp | null }>([
    { name: 'the feed printed a wss:// URL and the handshake is refused with 403', lines: ['[WS CONFIG] Using WS_URL=wss://contract.mexc.com/edge', HANDSHAKE], title: /^The WebSocket URL is already wss:\/\/contract\.mexc\.com\/edge \(logs\/cdb_ws\.log:1, printed by the feed\) and no proxy is set.*`\[WS ERROR\] Handshake status 403 Forbidden`.*HTTP 403/ },
    { name: 'the .env holds a wss:// URL and the connection is refused', lines: ['[WS ERROR] [Errno 111] Connection refused'], settings: [['MEXC_WS_URL', 'wss://wbs.mexc.com/ws']], title: /^The WebSocket URL is already wss:\/\/wbs\.mexc\.com\/ws \(\.env:1\).*Errno 111/ },
    { name: 'an https:// URL: the to-do is right', lines: ['[WS CONFIG] Using WS_URL=https://contract.mexc.com/edge', '[WS ERROR] scheme https is invalid'], title: null },
    { name: 'a proxy is set: the to-do is right', lines: ['[WS CONFIG] Using WS_URL=wss://contract.mexc.com/edge', HANDSHAKE], settings: [['HTTPS_PROXY', 'http://10.0.0.1:3128']], title: null },
    { name: 'no URL known: the to-do stands', lines: [HANDSHAKE], title: null },
  ])('URL to-do: $name', ({ lines, settings, title }) => {
    const t = new TestDb();
    for (const [k, v] of settings ?? []) addSetting(t, k, v);
    lines.forEach((message, i) => addLog(t, { service: 'cdb_ws', ts: at(i + 1), message, level: null, kind: 'print' }));
    const out = reviewWsUrlTodo(t.context(), URL_TODO);
    if (title === null) expect(out).toEqual(URL_TODO);
    else {
      expect(say('en', out.title)).toMatch(title);
      expect(out.cause).toBe(URL_TODO.cause);
    }
  });

  it.each<[string, 'en' | 'de', RegExp]>([
    ['en', 'en', /^REDIS_HOST is already cdb_redis \(\.env:1\), yet cdb_core connects to `redis` \(logs\/cdb_core\.log:1\): the setting does not reach it; give cdb_core that variable/],
    ['de', 'de', /^REDIS_HOST ist bereits cdb_redis \(\.env:1\), trotzdem verbindet sich cdb_core mit `redis` \(logs\/cdb_core\.log:1\): die Einstellung erreicht den Service nicht; cdb_core diese Variable geben/],
  ])('the reworded title is keyed text: %s', (_n, lang, want) => {
    const t = new TestDb();
    addSetting(t, 'REDIS_HOST', 'cdb_redis');
    addLog(t, { service: 'cdb_core', ts: at(5), level: 'ERROR', message: 'Redis-Verbindung fehlgeschlagen: Error -2 connecting to redis:6379. Name or service not known.' });
    const failing = t.db.prepare("SELECT id, file_id, line_no, ts, service, level, message, class FROM log_events ORDER BY ts").all() as LogRow[];
    // A rule not yet converted passes a plain-string title: it still gets a keyed one back.
    const out = reviewConnectionTodo(t.context(), HOST_TODO, { dependency: 'redis', asserts: 'host', services: ['cdb_core'], failing });
    expect(typeof out.title).toBe('object');
    expect(say(lang, out.title)).toMatch(want);
  });

  it('the "failure is elsewhere" title says the time in the language and the services in agreement', () => {
    const t = new TestDb();
    addSetting(t, 'REDIS_HOST', 'cdb_redis');
    for (const svc of ['cdb_core', 'cdb_risk']) addLog(t, { service: svc, ts: at(5), level: 'ERROR', message: 'Redis-Verbindung fehlgeschlagen: Error -3 connecting to cdb_redis:6379. Temporary failure in name resolution.' });
    const failing = t.db.prepare("SELECT id, file_id, line_no, ts, service, level, message, class FROM log_events ORDER BY ts, service").all() as LogRow[];
    const out = reviewConnectionTodo(t.context(), HOST_TODO, { dependency: 'redis', asserts: 'host', services: ['cdb_core', 'cdb_risk'], failing });
    expect(say('en', out.title)).toMatch(/did not resolve for cdb_core, cdb_risk at \d{4}-\d\d-\d\d \d\d:\d\d UTC .* or these services are not on the stack's network$/);
    expect(say('de', out.title)).toMatch(/ließ sich für cdb_core, cdb_risk am \d\d\.\d\d\.\d{4} \d\d:\d\d UTC nicht auflösen .* oder diese Services hängen nicht im Netzwerk des Stacks$/);
    expect(say('de', out.where)).toBe('Container-Zustand und Log von cdb_redis zu dieser Zeit; Docker-Netzwerk von cdb_core, cdb_risk');
  });
});
