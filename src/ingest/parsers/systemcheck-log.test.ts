import { describe, expect, it } from 'vitest';
import { headFromText, runParser } from '../testing.js';
import parser from './systemcheck-log.js';

const RULE = '='.repeat(60);

/** What systemcheck.py writes from a host shell without the stack's .env (§6.2b, layout from the script). */
const FAILED = `${RULE}
CLAIRE DE BINARE - SYSTEMCHECK
Timestamp: 20251214_212322
${RULE}

${RULE}
1. ENV-VARIABLEN CHECK
${RULE}
  REDIS_HOST                         : [FAIL] MISSING
  REDIS_PASSWORD                     : [FAIL] MISSING
  POSTGRES_DSN                       : postgresql://claire_user:hunter2@localhost/claire_de_binare
  TRADING_MODE                       : paper
[FAIL] ENV Variables Complete

${RULE}
2. DOCKER CONTAINER STATUS
${RULE}
  cdb_redis                : Running
  cdb_core                 : [FAIL] Not Found
[FAIL] Docker Containers Healthy

${RULE}
3. SERVICE HEALTH ENDPOINTS
${RULE}
  cdb_ws (Screener)                  : [OK] OK
  Prometheus                         : [FAIL] Unreachable (ConnectionError)
[FAIL] All Service Health Endpoints OK

${RULE}
4. POSTGRESQL CONNECTION & SCHEMA
${RULE}
  PostgreSQL Error: connection to server at "localhost" (::1), port 5432 failed: fe_sendauth: no password supplied

[FAIL] PostgreSQL Connection

${RULE}
5. REDIS CONNECTION & PUB/SUB
${RULE}
  Redis Error: Authentication required.
[FAIL] Redis Connection

${RULE}
6. DISK SPACE CHECK
${RULE}
  Checking: F:\\
  Total: 931 GB
  Used:  18 GB
  Free:  913 GB
  [OK] Sufficient space (913 GB >= 30 GB)
[OK] Disk Space >= 30 GB

${RULE}
7. RISK-ENGINE CONFIGURATION
${RULE}
  MAX_POSITION_PCT                   : [FAIL] Not set
  MAX_DAILY_DRAWDOWN_PCT             : 0.0500 (expected: 0.05)
[FAIL] Risk-Engine Config Valid

${RULE}
SYSTEMCHECK SUMMARY
${RULE}
  Passed: 1
  Failed: 6
  Total:  7

  Log saved to: logs/systemcheck_20251214_212322.log

[FAIL] 6 CHECKS FAILED - Bitte Fehler beheben vor Start!
`;

const OK_PG = `${RULE}
CLAIRE DE BINARE - SYSTEMCHECK
Timestamp: 20251215_080000
${RULE}
${RULE}
4. POSTGRESQL CONNECTION & SCHEMA
${RULE}
  Connection: [OK] OK (Host: localhost)
  Tables found: orders, portfolio_snapshots, schema_version, signals, trades
    [OK] signals
    [FAIL] positions
[FAIL] PostgreSQL Schema Complete
what is this
`;

function values(run: Awaited<ReturnType<typeof runParser>>): [string, unknown, unknown][] {
  return run.rows.filter((r) => r.table === 'daily_report_values').map((r) => [r.values.key as string, r.values.value_text, r.values.value_num]);
}

describe('systemcheck-log', () => {
  it('a run without the .env: every line accounted for, failures as values, containers as evidence, no secret kept', async () => {
    const run = await runParser(parser, FAILED, 'systemcheck_20251214_212322.log');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    const v = values(run);
    expect(v).toContainEqual(['REDIS_HOST', 'MISSING', null]);
    expect(v).toContainEqual(['TRADING_MODE', 'paper', null]);
    expect(v).toContainEqual(['POSTGRES_DSN', '‹masked›', null]);
    expect(JSON.stringify(run.rows)).not.toContain('hunter2');
    expect(v).toContainEqual(['check', 'ENV Variables Complete', 0]);
    expect(v).toContainEqual(['cdb_ws (Screener)', 'OK', 1]);
    expect(v).toContainEqual(['Prometheus', 'Unreachable (ConnectionError)', 0]);
    expect(v).toContainEqual(['Disk Free', '913 GB', 913]);
    expect(v).toContainEqual(['MAX_POSITION_PCT', 'Not set', 0]);
    expect(v).toContainEqual(['MAX_DAILY_DRAWDOWN_PCT', '0.0500 (expected: 0.05)', 0.05]);
    expect(v).toContainEqual(['Checks Failed', '6', 6]);
    expect(v).toContainEqual(['result', '6 CHECKS FAILED - Bitte Fehler beheben vor Start!', 0]);
    const failures = run.rows.filter((r) => r.values.key === 'failure');
    expect(failures.map((r) => [r.values.section, r.values.value_text, r.lines])).toEqual([
      ['POSTGRESQL CONNECTION & SCHEMA', 'PostgreSQL Error: connection to server at "localhost" (::1), port 5432 failed: fe_sendauth: no password supplied', 1],
      ['REDIS CONNECTION & PUB/SUB', 'Redis Error: Authentication required.', 1],
    ]);
    const pgLine = FAILED.split('\n').findIndex((l) => l.includes('PostgreSQL Error')) + 1;
    expect(failures[0].line).toBe(pgLine);
    for (const r of run.rows.filter((x) => x.table === 'daily_report_values')) {
      expect(r.values).toMatchObject({ report_kind: 'systemcheck', report_date: '2025-12-14', generated_text: '2025-12-14 21:23:22', generated_at: null });
    }
    expect(run.rows.filter((r) => r.table === 'containers').map((r) => [r.values.name, r.values.state, r.values.status, r.values.source])).toEqual([
      ['cdb_redis', 'running', 'Running', 'systemcheck'],
      ['cdb_core', null, 'Not Found', 'systemcheck'],
    ]);
  });

  it('a run that reached PostgreSQL: the tables found, and an unknown line quarantined', async () => {
    const run = await runParser(parser, OK_PG, 'renamed.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined.map((q) => q.text)).toEqual(['what is this']);
    expect(values(run)).toEqual([
      ['Connection', 'OK (Host: localhost)', 1],
      ['Tables Found', 'orders, portfolio_snapshots, schema_version, signals, trades', 4],
      ['Table signals', 'OK', 1],
      ['Table positions', 'FAIL', 0],
      ['check', 'PostgreSQL Schema Complete', 0],
    ]);
  });

  it.each([
    ['the log', FAILED, true],
    ['a daily_check report', '# Daily Report - 2025-12-14\n\nGenerated: 2025-12-14 21:23:38\n', false],
    ['a paper-runner report', '\nPaper Trading Daily Report\n\nDate: 2025-12-02\n', false],
  ])('sniff %s → %s', (_n, text, claimed) => {
    expect(parser.claims.sniff(headFromText(text)) !== null).toBe(claimed);
  });
});
