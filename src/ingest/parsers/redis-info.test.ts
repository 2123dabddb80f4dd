import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { headFromText, runParser } from '../testing.js';
import parser from './redis-info.js';

const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures/real-tools/redis');
const read = (f: string) => readFileSync(resolve(FIX, f), 'utf8');

describe('redis-info on the real INFO captures (CRLF)', () => {
  it.each([
    ['info_memory.txt', 'Memory', { used_memory: '1104248', maxmemory: '268435456', maxmemory_policy: 'allkeys-lru' }],
    ['info_stats.txt', 'Stats', { evicted_keys: '0', rejected_connections: '0', pubsub_channels: '6' }],
  ])('%s', async (file, section, want) => {
    const text = read(file);
    const run = await runParser(parser, text, file);
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    const kvLines = text.split('\n').filter((l) => /^[a-z0-9_]+:/.test(l));
    expect(run.rows).toHaveLength(kvLines.length);
    expect(run.structural.section_header).toBe(1);
    expect(run.rows.every((r) => r.values.section === section && !String(r.values.value).includes('\r'))).toBe(true);
    const got = Object.fromEntries(run.rows.map((r) => [r.values.key, r.values.value]));
    expect(got).toMatchObject(want);
  });
});

describe('redis-info on hand-made output', () => {
  it('several sections, keyspace, a prompt echo and a bare CR', async () => {
    const text = [
      '127.0.0.1:6379> INFO',
      '# Server\r',
      'redis_version:7.0.15',
      'os:Linux 6.1.0 x86_64',
      'config_file:',
      '',
      '# Keyspace',
      'db0:keys=14,expires=1,avg_ttl=604123',
      'not info',
    ].join('\n');
    const run = await runParser(parser, text);
    expect(run.unaccounted).toBe(0);
    expect(run.rows.map((r) => [r.line, r.values.section, r.values.key, r.values.value])).toEqual([
      [3, 'Server', 'redis_version', '7.0.15'],
      [4, 'Server', 'os', 'Linux 6.1.0 x86_64'],
      [5, 'Server', 'config_file', ''],
      [8, 'Keyspace', 'db0', 'keys=14,expires=1,avg_ttl=604123'],
    ]);
    expect(run.structural).toEqual({ command_echo: 1, section_header: 2, blank: 1 });
    expect(run.quarantined).toEqual([{ lineNo: 9, reason: 'not an INFO line (expected `# Section` or `key:value`)', text: 'not info' }]);
  });
});

describe('redis-info: INFO keyspace with a bare DBSIZE answer', () => {
  it.each([
    ['# Keyspace\r\ndb0:keys=12,expires=3,avg_ttl=5000\r\n(integer) 12\n', [['Keyspace', 'db0', 'keys=12,expires=3,avg_ttl=5000'], ['dbsize', 'dbsize', '12']]],
    ['# Keyspace\r\n\r\n0\n', [['dbsize', 'dbsize', '0']]],
  ])('%j', async (text, want) => {
    const run = await runParser(parser, text);
    expect(run.unaccounted).toBe(0);
    expect(run.quarantined).toEqual([]);
    expect(run.rows.map((r) => [r.values.section, r.values.key, r.values.value])).toEqual(want);
  });
});

describe('redis-info sniff', () => {
  it.each([
    ['real memory', read('info_memory.txt'), 95],
    ['keys without header', 'redis_version:7.0.15\nused_memory:1\nconnected_clients:3\n', 80],
    ['YAML', '# Settings\nname: cdb\nimage: redis:7\n', null],
    ['shell script with comments', '# Memory\nexport FOO=1\n', null],
    ['unknown section header', '# Services\nfoo:bar\nbaz:qux\n', null],
    ['NUMSUB raw', 'market_data\n2\nsignals\n3\n', null],
    ['MONITOR', 'OK\n1766363795.202263 [0 127.0.0.1:54864] "PING"\n', null],
    ['INFO keyspace alone', '# Keyspace\r\ndb0:keys=12,expires=3,avg_ttl=5000\r\n', 95],
    ['INFO keyspace + DBSIZE (tty)', '# Keyspace\r\ndb0:keys=12,expires=3,avg_ttl=5000\r\n(integer) 12\n', 95],
    ['INFO keyspace of an empty redis + DBSIZE (raw)', '# Keyspace\r\n\r\n0\n', 90],
    ['INFO keyspace of an empty redis', '# Keyspace\r\n', 90],
    ['a Markdown heading alone', '# Notes\n', null],
    ['a number after another section', '# Memory\r\nused_memory:1\r\n12\n', null],
  ])('%s', (_n, text, want) => {
    expect(parser.claims.sniff(headFromText(text))?.confidence ?? null).toBe(want);
  });
});
