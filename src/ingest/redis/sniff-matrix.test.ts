import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ParserDef } from '../define-parser.js';
import eventJsonl from '../parsers/event-jsonl.js';
import redisInfo from '../parsers/redis-info.js';
import redisKv from '../parsers/redis-kv.js';
import redisMonitor from '../parsers/redis-monitor.js';
import redisSubscribe from '../parsers/redis-subscribe.js';
import redisXrange from '../parsers/redis-xrange.js';
import { headFromText } from '../testing.js';

/**
 * Every real fixture against every Redis-family sniff, under a random name: exactly the expected
 * parser claims a Redis capture, and none of them claims a Docker or PostgreSQL file.
 */
const FIX = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures/real-tools');
const PARSERS: ParserDef[] = [redisSubscribe, redisMonitor, redisXrange, redisInfo, redisKv, eventJsonl];
const EXPECTED: Record<string, string | null> = {
  'redis/info_memory.txt': 'redis-info',
  'redis/info_stats.txt': 'redis-info',
  'redis/monitor.txt': 'redis-monitor',
  'redis/pubsub_numsub.txt': 'redis-kv',
  'redis/subscribe_market_data_signals_orders_order_results.txt': 'redis-subscribe',
  'redis/xlen_xinfo_stream.signals.txt': 'redis-kv',
  'redis/xrange_stream.signals.txt': 'redis-xrange',
};
const files = ['redis', 'docker', 'postgres'].flatMap((d) => readdirSync(resolve(FIX, d)).map((f) => `${d}/${f}`));

describe('Redis-family sniffs over all real fixtures (renamed)', () => {
  it.each(files)('%s', (rel) => {
    const head = headFromText(readFileSync(resolve(FIX, rel), 'utf8'), `renamed-${rel.length}.dat`);
    const claims = PARSERS.map((p) => ({ id: p.id, c: p.claims.sniff(head)?.confidence ?? 0 })).filter((x) => x.c >= 30);
    const want = EXPECTED[rel] ?? null;
    expect(claims.map((x) => x.id)).toEqual(want ? [want] : []);
  });
});
