import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runParser, headFromText } from '../testing.js';
import parser, { parseDockerDuration, parseStatus } from './compose-ps.js';

const DOCKER = new URL('../../../../shared/fixtures/real-tools/docker/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, DOCKER), 'utf8');

describe('compose-ps on the real fixtures', () => {
  it('table: 10 containers, all running, paper runner unhealthy', async () => {
    const run = await runParser(parser, fixture('compose_ps.txt'), 'x.dat');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows).toHaveLength(10);
    expect(run.structural).toEqual({ table_header: 1 });
    expect(run.rows.every((r) => r.values.state === 'running' && r.values.up_seconds === 7 * 3600)).toBe(true);
    const runner = run.rows.find((r) => r.values.name === 'cdb_paper_runner')!;
    expect(runner.line).toBe(6);
    expect(runner.values).toMatchObject({
      source: 'compose_ps_table',
      service: 'cdb_paper_runner',
      image: 'claire_de_binare-cdb_paper_runner',
      status: 'Up 7 hours (unhealthy)',
      health: 'unhealthy',
      running_for: '7 hours ago',
    });
    const writer = run.rows.find((r) => r.values.name === 'cdb_db_writer')!;
    expect(writer.values.health).toBe('healthy');
  });

  it('json: 10 objects, one per line, with project and created_at', async () => {
    const run = await runParser(parser, fixture('compose_ps.json'), 'x.dat');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows).toHaveLength(10);
    expect(run.rows.map((r) => r.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const risk = run.rows.find((r) => r.values.name === 'cdb_risk')!;
    expect(risk.values).toMatchObject({
      source: 'compose_ps_json',
      service: 'cdb_risk',
      project: 'claire_de_binare',
      state: 'running',
      health: 'healthy',
      exit_code: 0,
      created_at: '2025-12-21T18:02:09.000Z',
      running_for: '7 hours ago',
      up_seconds: 25200,
    });
  });
});

const CURRENT = [
  'NAME             IMAGE                            COMMAND                  SERVICE          CREATED        STATUS                            PORTS',
  'cdb_core         claire_de_binare-cdb_core        "python -u service.py"   cdb_core         22 hours ago   Up 4 hours (healthy)              127.0.0.1:8001->8001/tcp, [::]:8001->8001/tcp',
  'cdb_db_writer    claire_de_binare-cdb_db_writer   "python -u db_writerâ€¦"   cdb_db_writer    22 hours ago   Restarting (1) 5 seconds ago',
  'cdb_risk         claire_de_binare-cdb_risk        "python -u service.py"   cdb_risk         22 hours ago   Up About an hour (health: starting)   127.0.0.1:8002->8002/tcp',
  'cdb_postgres     postgres:15-alpine               "docker-entrypoint.sÔÇª"   cdb_postgres     2 days ago     Exited (137) 2 hours ago',
].join('\n');

const OLD_V2 = [
  'NAME                COMMAND                  SERVICE             STATUS              PORTS',
  'cdb_core            "python -u service.py"   cdb_core            running (healthy)   0.0.0.0:8001->8001/tcp',
  'cdb_risk            "python -u service.py"   cdb_risk            exited (137)        ',
  'cdb_signal          "python -u service.py"   cdb_signal          restarting          ',
].join('\n');

const V1 = [
  '     Name                   Command               State              Ports          ',
  '------------------------------------------------------------------------------------',
  'cdb_core        python -u service.py           Up (healthy)   0.0.0.0:8001->8001/tcp,',
  '                                                               :::8001->8001/tcp',
  'cdb_redis       docker-entrypoint.sh redis ...   Up             6379/tcp',
  'cdb_risk        python -u service.py           Exit 137',
  'cdb_ws          python -u app.py               Restarting',
].join('\n');

describe('table layouts', () => {
  it('current layout with restarts, mojibake truncation, long statuses', async () => {
    const run = await runParser(parser, CURRENT, 'ps.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => [r.values.name, r.values.service, r.values.state, r.values.health, r.values.exit_code, r.values.up_seconds])).toEqual([
      ['cdb_core', 'cdb_core', 'running', 'healthy', null, 4 * 3600],
      ['cdb_db_writer', 'cdb_db_writer', 'restarting', null, 1, null],
      ['cdb_risk', 'cdb_risk', 'running', 'starting', null, 3600],
      ['cdb_postgres', 'cdb_postgres', 'exited', null, 137, null],
    ]);
    expect(run.rows[1].values.status).toBe('Restarting (1) 5 seconds ago');
    expect(run.rows[0].values.running_for).toBe('22 hours ago');
  });

  it('older v2 layout NAME COMMAND SERVICE STATUS PORTS', async () => {
    const run = await runParser(parser, OLD_V2, 'ps.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => [r.values.name, r.values.state, r.values.health, r.values.exit_code, r.values.image])).toEqual([
      ['cdb_core', 'running', 'healthy', null, null],
      ['cdb_risk', 'exited', null, 137, null],
      ['cdb_signal', 'restarting', null, null, null],
    ]);
  });

  it('Compose v1 with a rule line and a wrapped Ports cell', async () => {
    const run = await runParser(parser, V1, 'ps.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.structural).toEqual({ table_header: 1, table_rule: 1 });
    expect(run.rows.map((r) => [r.values.name, r.values.state, r.values.health, r.values.exit_code, r.line, r.lines])).toEqual([
      ['cdb_core', 'running', 'healthy', null, 3, 2],
      ['cdb_redis', 'running', null, null, 5, 1],
      ['cdb_risk', 'exited', null, 137, 6, 1],
      ['cdb_ws', 'restarting', null, null, 7, 1],
    ]);
  });

  it('command echo, compose warnings and blank lines are structural; junk is quarantined', async () => {
    const text = [
      'PS C:\\Users\\dev\\Claire_de_Binare> docker compose ps',
      'WARN[0000] The "GRAFANA_PASSWORD" variable is not set. Defaulting to a blank string.',
      OLD_V2,
      '',
      'some random text',
      '   indented junk',
    ].join('\n');
    const run = await runParser(parser, text, 'ps.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.rows).toHaveLength(3);
    expect(run.structural).toMatchObject({ command_echo: 1, compose_warning: 1, blank: 1, table_header: 1 });
    expect(run.notes.some((n) => n.includes('GRAFANA_PASSWORD'))).toBe(true);
    expect(run.quarantined.map((q) => q.lineNo)).toEqual([8, 9]);
  });

  it('docker ps and a custom two-column table', async () => {
    const dockerPs = [
      'CONTAINER ID   IMAGE                       COMMAND                  CREATED        STATUS                          PORTS      NAMES',
      'c4eb261bad72   claire_de_binare-cdb_core   "python -u service.py"   22 hours ago   Restarting (1) 12 seconds ago              cdb_core',
    ].join('\n');
    const a = await runParser(parser, dockerPs, 'ps.txt');
    expect(a.unaccounted).toBe(0);
    expect(a.rows.map((r) => [r.values.name, r.values.service, r.values.state, r.values.exit_code])).toEqual([['cdb_core', 'cdb_core', 'restarting', 1]]);
    const b = await runParser(parser, 'NAME        STATUS\ncdb_risk    Up 5 minutes\n', 'ps.txt');
    expect(b.unaccounted).toBe(0);
    expect(b.rows.map((r) => [r.values.name, r.values.up_seconds])).toEqual([['cdb_risk', 300]]);
  });

  it('a row before any header is quarantined', async () => {
    const run = await runParser(parser, 'cdb_core   "python"   Up 2 hours\n' + OLD_V2, 'ps.txt');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toHaveLength(1);
    expect(run.rows).toHaveLength(3);
  });
});

describe('json layouts', () => {
  const objs = [
    { Name: 'cdb_risk', Service: 'cdb_risk', Project: 'cdb', State: 'restarting', Status: 'Restarting (1) 5 seconds ago', Health: '', ExitCode: 1 },
    { Name: 'cdb_ws', Service: 'cdb_ws', Project: 'cdb', State: 'running', Status: 'Up 3 days (healthy)', Health: 'healthy', ExitCode: 0 },
  ];

  it('one array, pretty-printed over many lines', async () => {
    const text = JSON.stringify(objs, null, 2);
    const run = await runParser(parser, text, 'ps.json');
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows).toHaveLength(2);
    expect(run.rows[0].line).toBe(2);
    expect(run.rows.reduce((a, r) => a + r.lines, 0) + (run.structural.json_punctuation ?? 0)).toBe(text.split('\n').length);
    expect(run.rows[0].values).toMatchObject({ state: 'restarting', exit_code: 1, health: null, project: 'cdb' });
    expect(run.rows[1].values).toMatchObject({ up_seconds: 3 * 86400, health: 'healthy' });
  });

  it('one compact array on one line: second row carries lines 0', async () => {
    const run = await runParser(parser, JSON.stringify(objs), 'ps.json');
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => [r.line, r.lines])).toEqual([
      [1, 1],
      [1, 0],
    ]);
  });

  it('a broken object is quarantined line by line, the others still parse', async () => {
    const text = [JSON.stringify(objs[0]), '{"Name": "cdb_x", "State": "running", ', JSON.stringify(objs[1])].join('\n');
    const run = await runParser(parser, text, 'ps.json');
    expect(run.unaccounted).toBe(0);
    // The unterminated object swallows the next line's object, so both lines are refused together.
    expect(run.rows).toHaveLength(1);
    expect(run.quarantined.map((q) => q.lineNo)).toEqual([2, 3]);
  });
});

describe('status grammar', () => {
  it.each([
    ['Up 4 hours (healthy)', 'running', 'healthy', null, 14400],
    ['Up 3 days (unhealthy)', 'running', 'unhealthy', null, 259200],
    ['Up Less than a second', 'running', null, null, 0],
    ['Up About a minute (health: starting)', 'running', 'starting', null, 60],
    ['Up 2 weeks (Paused)', 'paused', null, null, 1209600],
    ['Up (healthy)', 'running', 'healthy', null, null],
    ['Restarting (1) 5 seconds ago', 'restarting', null, 1, null],
    ['Exited (137) 2 hours ago', 'exited', null, 137, null],
    ['Exited (0) About an hour ago', 'exited', null, 0, null],
    ['Exit 143', 'exited', null, 143, null],
    ['running (healthy)', 'running', 'healthy', null, null],
    ['exited (137)', 'exited', null, 137, null],
    ['Created', 'created', null, null, null],
    ['Dead', 'dead', null, null, null],
    ['Removal In Progress', 'removing', null, null, null],
    ['gibberish', null, null, null, null],
  ])('%s', (status, state, health, exitCode, up) => {
    expect(parseStatus(status)).toEqual({ state, health, exit_code: exitCode, up_seconds: up });
  });

  it.each([
    ['1 second', 1],
    ['45 seconds', 45],
    ['About an hour', 3600],
    ['47 hours', 47 * 3600],
    ['2 months', 60 * 86400],
    ['3 years', 3 * 365 * 86400],
    ['forever', null],
  ])('duration %s', (d, s) => {
    expect(parseDockerDuration(d)).toBe(s);
  });
});

describe('sniff', () => {
  it.each([
    ['table', fixture('compose_ps.txt'), 90],
    ['json', fixture('compose_ps.json'), 92],
    ['v1', V1, 90],
  ])('claims %s', (_n, text, conf) => {
    expect(parser.claims.sniff(headFromText(text))?.confidence).toBe(conf);
  });

  it('does not claim a Markdown report that embeds a compose ps table', () => {
    const md = '# Daily Report - 2025-12-14\n\n## 1. Docker Container Status\n\n```\n' + fixture('compose_ps.txt') + '```\n';
    expect(parser.claims.sniff(headFromText(md))).toBeNull();
  });
});
