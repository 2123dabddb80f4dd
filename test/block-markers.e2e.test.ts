import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tmp } from './helpers.js';

const pad = (s: string) => s.padEnd(17);
const stamp = (ms: number) => new Date(ms).toISOString().replace('Z', '123456Z').replace(/\.(\d{3})123456Z$/, '.$1123456Z');
const asctime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');

/**
 * A feed that publishes on the first day only and dies; the stack came up busy the evening before.
 * Activity alone picks the window around the feed's day; the runner's banner (Duration: 3 days)
 * fixes the block at the run's three days.
 */
function bundle(withBanner: boolean): string {
  const dir = tmp('cdbf-markers-');
  mkdirSync(join(dir, 'logs'));
  const out: [number, string][] = [];
  const line = (svc: string, ms: number, msg: string) => out.push([ms, `${pad(svc)}| ${stamp(ms)} ${asctime(ms)} [INFO] ${msg}`]);
  const d = (day: string, h = 0, m = 0, s = 0) => Date.parse(`${day}T00:00:00.000Z`) + ((h * 60 + m) * 60 + s) * 1000;
  for (let i = 0; i < 240; i++) line('cdb_redis', d('2026-02-09', 20) + i * 15_000, 'redis_service: * Background saving started');
  if (withBanner) {
    const at = d('2026-02-10', 0, 0, 8);
    line('cdb_paper_runner', at, '__main__: PAPER TRADING RUNNER INITIALIZED');
    line('cdb_paper_runner', at + 1, '__main__:   Start Time:  2026-02-10T00:00:08.419777');
    line('cdb_paper_runner', at + 2, '__main__:   End Time:    2026-02-13T00:00:08.419777');
    line('cdb_paper_runner', at + 3, '__main__:   Duration:    3 days');
  }
  for (let i = 0; i < 600; i++) line('cdb_ws', d('2026-02-10', 1) + i * 60_000, `ws_service: [redis] published market_data: BTCUSDT @ ${97000 + i}.5`);
  for (const day of ['2026-02-10', '2026-02-11', '2026-02-12']) for (let h = 2; h < 24; h += 6) line('cdb_paper_runner', d(day, h), '__main__: 📊 Events logged: 100');
  out.sort((a, b) => a[0] - b[0]);
  writeFileSync(join(dir, 'logs', 'compose_logs.txt'), out.map((l) => l[1]).join('\n') + '\n');
  return dir;
}

describe('block window from the runner banner, end to end', () => {
  it.each<[string, boolean, string[], [string, string], RegExp]>([
    ['no marker: activity drifts towards the feed\'s day and the busy startup evening', false, [], ['2026-02-09', '2026-02-11'], /no explicit marker/],
    ['the runner\'s banner with Duration: 3 days keeps the run\'s three days although the feed died on day 1', true, [], ['2026-02-10', '2026-02-12'], /^paper runner start banner logs\/compose_logs\.txt:\d+ \(Start Time 2026-02-10T00:00:08\.419Z, Duration: 3 days\)/],
    ['--from/--to override every marker', true, ['--from', '2026-02-11', '--to', '2026-02-11'], ['2026-02-11', '2026-02-11'], /^set with --from$/],
  ])('%s', (_n, withBanner, extra, [from, to], why) => {
    const dbPath = join(tmp('cdbf-markers-db-'), 'case.db');
    const r = cli(['ingest', bundle(withBanner), '--db', dbPath, ...extra]);
    expect(r.status, r.stderr).toBe(0);
    const db = new Database(dbPath, { readonly: true });
    const block = Object.fromEntries((db.prepare("SELECT key, value, evidence FROM block WHERE key IN ('from', 'to')").all() as { key: string; value: string; evidence: string }[]).map((x) => [x.key, x]));
    db.close();
    expect([block.from.value, block.to.value]).toEqual([`${from}T00:00:00.000Z`, `${to}T23:59:59.999Z`]);
    expect(block.from.evidence).toMatch(why);
  });
});
