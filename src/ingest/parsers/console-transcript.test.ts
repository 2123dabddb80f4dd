import { describe, expect, it } from 'vitest';
import { detect } from '../detect.js';
import { PARSERS } from '../registry.js';
import { headFromText, runParser } from '../testing.js';
import parser, { handlerFor, promptOf } from './console-transcript.js';

const CWD = 'PS C:\\Users\\jannek\\Claire_de_Binare>';
/** The operator's saved window from the issue: status, logs, the repair, the restart, a check. */
const SESSION = [
  'Windows PowerShell',
  'Copyright (C) Microsoft Corporation. All rights reserved.',
  '',
  `${CWD} docker compose ps cdb_redis`,
  'NAME        IMAGE            COMMAND                  SERVICE     CREATED      STATUS                          PORTS',
  'cdb_redis   redis:7-alpine   "docker-entrypoint.s…"   cdb_redis   2 days ago   Restarting (1) 15 seconds ago',
  `${CWD} docker logs --tail 3 cdb_redis`,
  '1:C 21 Dec 2025 23:52:08.123 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo',
  '1:M 21 Dec 2025 23:52:08.125 # Bad file format reading the append only file appendonly.aof.1.incr.aof',
  "1:M 21 Dec 2025 23:52:08.125 # AOF loading aborted, please check the AOF file appendonly.aof.1.incr.aof with 'redis-check-aof --fix'",
  `${CWD} docker run --rm -v claire_de_binare_redis_data:/data redis:7-alpine redis-check-aof --fix /data/appendonlydir/appendonly.aof.1.incr.aof`,
  'Start checking Old-Style AOF',
  "0x              3f2a: Expected prefix '*', got: '{'",
  'AOF analyzed: filename=appendonly.aof.1.incr.aof, size=16234, ok_up_to=16170, ok_up_to_line=1024, diff=64',
  'This will shrink the AOF appendonly.aof.1.incr.aof from 16234 bytes, with 64 bytes, to 16170 bytes',
  'Continue? [y/N]: y',
  'Successfully truncated AOF appendonly.aof.1.incr.aof',
  `${CWD} docker start cdb_redis`,
  'cdb_redis',
  `${CWD} docker exec cdb_redis redis-cli INFO persistence`,
  '# Persistence',
  'loading:0',
  'aof_enabled:1',
  'aof_last_write_status:ok',
  '',
  `${CWD} `,
].join('\r\n');

describe('promptOf / handlerFor', () => {
  it.each([
    ['PS C:\\x> docker ps', 'powershell', 'docker ps'],
    ['PS /home/op/cdb> docker logs cdb_core', 'powershell', 'docker logs cdb_core'],
    ['$ redis-cli SUBSCRIBE signals', 'sh', 'redis-cli SUBSCRIBE signals'],
    ['op@vps:~/cdb$ docker compose ps', 'sh', 'docker compose ps'],
    ['(venv) op@vps:~/cdb$ psql -c "select 1"', 'sh', 'psql -c "select 1"'],
  ])('%s is a %s prompt for `%s`', (line, shell, command) => expect(promptOf(line)).toEqual({ shell, command }));

  it.each([['cdb_redis'], ['price is $ 5'], ['  $ indented'], ['1:M 21 Dec 2025 # PS C:\\> no']])('%s is no prompt', (line) => expect(promptOf(line)).toBeNull());

  it.each([
    ['docker compose ps cdb_redis', 'compose-ps', 'cdb_redis'],
    ['docker-compose -f x.yml ps', 'compose-ps', null],
    ['docker compose logs --tail 100 cdb_core', 'compose-logs', 'cdb_core'],
    ['docker logs --tail 3 cdb_redis', 'docker-logs', 'cdb_redis'],
    ['docker container logs -n 5 cdb_ws', 'docker-logs', 'cdb_ws'],
    ['docker inspect cdb_core', 'docker-inspect', 'cdb_core'],
    ['docker exec -it cdb_redis redis-cli -a s3cret SUBSCRIBE signals orders', 'redis-subscribe', 'cdb_redis'],
    ['redis-cli --raw XRANGE stream.signals - +', 'redis-xrange', null],
    ['redis-cli MONITOR', 'redis-monitor', null],
    ['redis-cli XLEN stream.signals', 'redis-kv', null],
    ['redis-cli INFO stats', 'redis-info', null],
    ['docker exec cdb_postgres psql -U claire_user -c "SELECT * FROM orders"', 'psql-aligned', null],
    ['psql --csv -c "select * from orders"', 'psql-csv', null],
  ])('`%s` → %s', (command, id, service) => {
    const h = handlerFor(command);
    expect(h?.parser.id).toBe(id);
    expect(h?.service).toBe(service);
  });

  it.each([['docker start cdb_redis'], ['docker run --rm redis:7-alpine redis-check-aof --fix x.aof'], ['redis-cli GET foo'], ['Get-Content .\\x.log']])('`%s` has no parser', (command) => {
    expect(handlerFor(command)).toBeNull();
  });
});

describe('console-transcript', () => {
  it('is detected ahead of compose ps, which used to read the whole session as one table', () => {
    const d = detect(headFromText(SESSION, 'session.txt'), PARSERS);
    expect(d.parser?.id).toBe('console-transcript');
    expect(d.reason).toMatch(/console session: 5 commands/);
  });

  it('reads each command with its own parser; unknown output is stored with its command, nothing quarantined', async () => {
    const run = await runParser(parser, SESSION, 'session.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    const commands = run.rows.filter((r) => r.values.kind === 'console_command').map((r) => [r.line, r.values.message, r.values.service]);
    expect(commands).toEqual([
      [4, 'docker compose ps cdb_redis', 'cdb_redis'],
      [7, 'docker logs --tail 3 cdb_redis', 'cdb_redis'],
      [11, 'docker run --rm -v claire_de_binare_redis_data:/data redis:7-alpine redis-check-aof --fix /data/appendonlydir/appendonly.aof.1.incr.aof', null],
      [18, 'docker start cdb_redis', 'cdb_redis'],
      [20, 'docker exec cdb_redis redis-cli INFO persistence', 'cdb_redis'],
    ]);
    // compose ps → a containers row
    const containers = run.rows.filter((r) => r.table === 'containers');
    expect(containers.map((r) => [r.line, r.values.name ?? r.values.service])).toEqual([[6, 'cdb_redis']]);
    // docker logs → redis log records of cdb_redis, in the redis format
    const logs = run.rows.filter((r) => r.table === 'log_events' && r.values.kind === 'redis');
    expect(logs.map((r) => [r.line, r.values.service])).toEqual([
      [8, 'cdb_redis'],
      [9, 'cdb_redis'],
      [10, 'cdb_redis'],
    ]);
    // redis-check-aof: every line kept as evidence with its command — the incident's cause and repair
    const aof = run.rows.filter((r) => r.values.kind === 'console_output' && r.line >= 12 && r.line <= 17);
    expect(aof.map((r) => r.line)).toEqual([12, 13, 14, 15, 16, 17]);
    expect(new Set(aof.map((r) => r.values.logger))).toEqual(new Set([commands[2][1]]));
    expect(aof[5].values.message).toBe('Successfully truncated AOF appendonly.aof.1.incr.aof');
    // docker start's answer, with its command and service
    expect(run.rows.find((r) => r.line === 19)?.values).toMatchObject({ kind: 'console_output', logger: 'docker start cdb_redis', service: 'cdb_redis', message: 'cdb_redis' });
    // redis-cli INFO → redis_info rows
    expect(run.rows.filter((r) => r.table === 'redis_info').map((r) => r.line)).toEqual([22, 23, 24]);
    // the window's banner is kept too, before any command
    expect(run.rows.filter((r) => r.line <= 2).map((r) => r.values.kind)).toEqual(['console_output', 'console_output']);
    expect(run.notes).toContain('command 2 at line 7 (`docker logs --tail 3 cdb_redis`): output read by docker-logs (3 record(s))');
  });

  it('a long session streams: 2,000 commands of 50 log lines each, every command parsed by its parser', async () => {
    const lines: string[] = [];
    for (let c = 0; c < 2000; c++) {
      lines.push(`op@vps:~/cdb$ docker logs --tail 50 cdb_core`);
      for (let i = 0; i < 50; i++) lines.push(`2025-12-21 10:${String(i).padStart(2, '0')}:00,000 - core - INFO - tick ${c}.${i}`);
    }
    const run = await runParser(parser, lines.join('\n'), 'long-session.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.filter((r) => r.values.kind === 'console_command').length).toBe(2000);
    const app = run.rows.filter((r) => r.table === 'log_events' && r.values.kind !== 'console_command');
    expect(app.length).toBe(100_000);
    expect(app.every((r) => r.values.service === 'cdb_core' && r.values.kind !== 'console_output')).toBe(true);
  });
});
