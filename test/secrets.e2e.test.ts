import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tmp } from './helpers.js';

/** One secret per channel the formats doc names (§7, §4.4), each distinct so a leak names its channel. */
const SECRETS = {
  envRedis: 'EnvRedisPw-81c2a',
  envPostgres: 'EnvPgPw-55d1e',
  envApiKey: 'mx0vglEnvApiKey7788aa',
  envApiSecret: 'EnvApiSecret-0f9e8d7c',
  urlInLog: 'UrlLogPw-3b4c',
  redisCliA: 'CliDashAPw-9a8b',
  requirepass: 'RequirePassPw-1c2d',
  monitorAuth: 'MonitorAuthPw-7e6f',
  helloAuth: 'HelloAuthPw-2a3b',
  apiKeyInTraceback: 'mx0vglTracebackKey123456',
  inspectEnv: 'InspectEnvPw-4d5e',
  learnedReuse: 'EnvRedisPw-81c2a',
  dsnInLog: 'DsnLogPw-6f7a',
};

function plant(dir: string): void {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'redis'), { recursive: true });
  writeFileSync(
    join(dir, '.env'),
    [
      `REDIS_PASSWORD=${SECRETS.envRedis}`,
      `POSTGRES_PASSWORD="${SECRETS.envPostgres}"`,
      `MEXC_API_KEY=${SECRETS.envApiKey}`,
      `MEXC_API_SECRET='${SECRETS.envApiSecret}'`,
      'MAX_EXPOSURE_PCT=0.50',
      '',
    ].join('\n'),
  );
  const p = (svc: string, ts: string, rest: string) => `${svc.padEnd(16)}| ${ts}Z ${rest}`;
  writeFileSync(
    join(dir, 'logs', 'compose.txt'),
    [
      p('cdb_core', '2025-12-01T10:00:00.000000000', `2025-12-01 10:00:00,000 [ERROR] signal_engine: Redis-Verbindung fehlgeschlagen: redis://:${SECRETS.urlInLog}@cdb_redis:6379/0`),
      p('cdb_risk', '2025-12-01T10:00:01.000000000', `2025-12-01 10:00:01,000 [ERROR] risk_manager: Service crashed: boom`),
      p('cdb_risk', '2025-12-01T10:00:01.000000000', 'Traceback (most recent call last):'),
      p('cdb_risk', '2025-12-01T10:00:01.000000000', `  File "/app/service.py", line 12, in <module>`),
      p('cdb_risk', '2025-12-01T10:00:01.000000000', `    client = Spot(api_key='${SECRETS.apiKeyInTraceback}')`),
      p('cdb_risk', '2025-12-01T10:00:01.000000000', 'ValueError: bad key'),
      p('cdb_redis', '2025-12-01T10:00:02.000000000', `1:C 01 Dec 2025 10:00:02.000 # Configuration loaded with --requirepass ${SECRETS.requirepass}`),
      p('cdb_db_writer', '2025-12-01T10:00:03.000000000', `2025-12-01 10:00:03,000 [INFO] db_writer: Connecting with password=${SECRETS.dsnInLog} host=cdb_postgres`),
      p('cdb_db_writer', '2025-12-01T10:00:04.000000000', `2025-12-01 10:00:04,000 [INFO] db_writer: using ${SECRETS.learnedReuse} from environment`),
      p('cdb_execution', '2025-12-01T10:00:05.000000000', `2025-12-01 10:00:05,000 - execution_service - INFO - ran: docker exec cdb_redis redis-cli -a ${SECRETS.redisCliA} PING`),
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'redis', 'monitor.txt'),
    [
      'OK',
      `1764583200.000001 [0 172.18.0.7:51234] "AUTH" "${SECRETS.monitorAuth}"`,
      `1764583200.000002 [0 172.18.0.7:51234] "HELLO" "3" "AUTH" "default" "${SECRETS.helloAuth}"`,
      '1764583200.100000 [0 172.18.0.7:51234] "PUBLISH" "signals" "{\\"type\\": \\"signal\\", \\"symbol\\": \\"BTC_USDT\\", \\"side\\": \\"BUY\\", \\"timestamp\\": 1764583200}"',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'inspect.json'),
    JSON.stringify(
      [
        {
          Id: 'c4eb261bad72c4eb261bad72c4eb261bad72c4eb261bad72c4eb261bad72abcd',
          Name: '/cdb_risk',
          RestartCount: 0,
          Created: '2025-12-01T09:00:00Z',
          State: { Status: 'running', ExitCode: 0, StartedAt: '2025-12-01T09:00:01Z', Health: { Status: 'healthy' } },
          Config: { Image: 'claire_de_binare-cdb_risk', Env: [`REDIS_PASSWORD=${SECRETS.inspectEnv}`, 'MAX_EXPOSURE_PCT=0.50'], Labels: { 'com.docker.compose.service': 'cdb_risk' } },
        },
      ],
      null,
      2,
    ) + '\n',
  );
}

describe('secrets planted in every channel never reach the working database', () => {
  it('none of them is in the database bytes, and each channel was ingested', () => {
    const dir = tmp('cdbf-secrets-');
    plant(dir);
    const dbPath = join(tmp(), 'case.db');
    const r = cli(['ingest', dir, '--db', dbPath]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const db = new Database(dbPath, { readonly: true });
    const manifest = db.prepare('SELECT path, parser, status FROM manifest ORDER BY path').all() as { path: string; parser: string; status: string }[];
    expect(manifest.map((m) => [m.path, m.status])).toEqual([
      ['.env', 'ingested'],
      ['inspect.json', 'ingested'],
      ['logs/compose.txt', 'ingested'],
      ['redis/monitor.txt', 'ingested'],
    ]);
    const markers = (db.prepare("SELECT COUNT(*) AS n FROM log_events WHERE message LIKE '%‹redacted:%'").get() as { n: number }).n;
    expect(markers).toBeGreaterThanOrEqual(5);
    db.close();
    let bytes = readFileSync(dbPath);
    for (const extra of [dbPath + '-wal', dbPath + '-journal']) if (existsSync(extra)) bytes = Buffer.concat([bytes, readFileSync(extra)]);
    for (const [channel, secret] of Object.entries(SECRETS)) {
      expect(bytes.includes(Buffer.from(secret)), `${channel} leaked`).toBe(false);
    }
    const out = tmp();
    const a = cli(['analyze', '--db', dbPath, '--out', out, '--now', '2025-12-02T00:00:00Z']);
    expect([0, 1], a.stderr).toContain(a.status);
    for (const f of ['report.json', 'report.md', 'report.html']) {
      const text = readFileSync(join(out, f), 'utf8');
      for (const [channel, secret] of Object.entries(SECRETS)) expect(text.includes(secret), `${channel} in ${f}`).toBe(false);
    }
  });
});
