import { describe, expect, it } from 'vitest';
import { headFromText, runParser } from '../testing.js';
import parser, { dockerTimeToIso } from './docker-inspect.js';

function container(name: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Id: 'a'.repeat(64),
    Created: '2025-12-21T18:02:09.123456789Z',
    Path: 'python',
    Args: ['-u', 'service.py'],
    State: {
      Status: 'running',
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 1234,
      ExitCode: 0,
      Error: '',
      StartedAt: '2025-12-22T01:10:44.5Z',
      FinishedAt: '2025-12-22T01:10:40.01Z',
      Health: { Status: 'healthy', FailingStreak: 0, Log: [] },
    },
    Image: 'sha256:' + 'b'.repeat(64),
    Name: `/${name}`,
    RestartCount: 7,
    Config: {
      Hostname: 'abc',
      Env: ['REDIS_HOST=cdb_redis', 'REDIS_PASSWORD=hunter2', 'MAX_EXPOSURE_PCT=0.50', 'DATABASE_URL=postgresql://claire_user:pw@cdb_postgres:5432/claire_de_binare', 'PATH=/usr/local/bin:/usr/bin'],
      Image: `claire_de_binare-${name}`,
      Labels: { 'com.docker.compose.project': 'claire_de_binare', 'com.docker.compose.service': name },
    },
    ...over,
  };
}

describe('docker-inspect', () => {
  const text = JSON.stringify([container('cdb_risk'), container('cdb_ws', { RestartCount: 0, State: { Status: 'exited', ExitCode: 137, OOMKilled: true, Error: '', StartedAt: '0001-01-01T00:00:00Z' } })], null, 4);

  it('yields one containers row per object with restart count, start time and health', async () => {
    const run = await runParser(parser, text, 'inspect.json');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    const containers = run.rows.filter((r) => r.table === 'containers');
    expect(containers).toHaveLength(2);
    expect(containers[0].values).toMatchObject({
      source: 'inspect',
      name: 'cdb_risk',
      service: 'cdb_risk',
      project: 'claire_de_binare',
      image: 'claire_de_binare-cdb_risk',
      state: 'running',
      status: 'running',
      health: 'healthy',
      exit_code: 0,
      restart_count: 7,
      started_at: '2025-12-22T01:10:44.500Z',
      created_at: '2025-12-21T18:02:09.123Z',
    });
    expect(containers[1].values).toMatchObject({ name: 'cdb_ws', state: 'exited', status: 'exited (OOMKilled)', exit_code: 137, restart_count: 0, started_at: null, health: null });
    // The first row of each object carries the object's span; the `[` and `]` lines are structural.
    expect(containers[0].line).toBe(2);
    expect(run.structural.json_punctuation).toBe(2);
    expect(containers[0].lines + containers[1].lines).toBe(text.split('\n').length - 2);
  });

  it('yields Env as settings rows with lines 0, secrets raw but flagged', async () => {
    const run = await runParser(parser, text, 'inspect.json');
    expect(run.unaccounted).toBe(0);
    const env = run.rows.filter((r) => r.table === 'settings' && r.values.service === 'cdb_risk');
    expect(env.map((r) => [r.values.key, r.values.value, r.values.is_secret])).toEqual([
      ['REDIS_HOST', 'cdb_redis', 0],
      ['REDIS_PASSWORD', 'hunter2', 1],
      ['MAX_EXPOSURE_PCT', '0.50', 0],
      ['DATABASE_URL', 'postgresql://claire_user:pw@cdb_postgres:5432/claire_de_binare', 1],
      ['PATH', '/usr/local/bin:/usr/bin', 0],
    ]);
    expect(env.every((r) => r.lines === 0 && r.values.source === 'inspect_env')).toBe(true);
    const lines = text.split('\n');
    const pw = env.find((r) => r.values.key === 'REDIS_PASSWORD')!;
    expect(lines[pw.line - 1]).toContain('"REDIS_PASSWORD=hunter2"');
  });

  it('accounts a docker error line and quarantines stray text and a truncated object', async () => {
    const broken = ['Error: No such object: cdb_core', 'garbage here', text.slice(0, text.length - 20)].join('\n');
    const run = await runParser(parser, broken, 'inspect.json');
    expect(run.unaccounted).toBe(0);
    expect(run.structural.docker_cli_error).toBe(1);
    expect(run.notes.some((n) => n.includes('No such object'))).toBe(true);
    expect(run.quarantined[0]).toMatchObject({ lineNo: 2 });
    expect(run.rows.filter((r) => r.table === 'containers')).toHaveLength(1);
    expect(run.quarantined.length).toBeGreaterThan(10);
  });

  it('skips non-container objects (image inspect) as structural', async () => {
    const img = JSON.stringify([{ Id: 'sha256:' + 'c'.repeat(64), RepoTags: ['redis:7-alpine'], RootFS: { Type: 'layers' } }], null, 2);
    const run = await runParser(parser, img, 'img.json');
    expect(run.unaccounted).toBe(0);
    expect(run.rows).toEqual([]);
    expect(run.structural.inspect_non_container).toBeGreaterThan(0);
  });

  it.each([
    ['2025-12-22T01:10:44.123456789Z', '2025-12-22T01:10:44.123Z'],
    ['2025-12-22T01:10:44Z', '2025-12-22T01:10:44.000Z'],
    ['2025-12-22T02:10:44.5+01:00', '2025-12-22T01:10:44.500Z'],
    ['0001-01-01T00:00:00Z', null],
    ['yesterday', null],
  ])('docker time %s', (t, iso) => {
    expect(dockerTimeToIso(t)).toBe(iso);
  });

  it('sniffs docker inspect but not compose ps JSON', () => {
    expect(parser.claims.sniff(headFromText(text))?.confidence).toBe(95);
    expect(parser.claims.sniff(headFromText('[{"Name":"cdb_risk","Service":"cdb_risk","State":"running","Status":"Up 2 hours"}]'))).toBeNull();
  });
});
