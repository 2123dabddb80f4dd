/**
 * A copied project folder: 20,000 files that are not evidence (a `.venv`), a few that are. What
 * the bundle listing and the ingest plan keep alive must not grow with what the junk files hold.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundle } from '../bundle/open-bundle.js';
import { planBundle } from './engine.js';
import { PARSERS } from './registry.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const JUNK = 20_000;
/** Each junk file holds more than a head's worth of text a plan could keep. */
const JUNK_TEXT = Array.from({ length: 30 }, (_, i) => `def f${i}(x): return x * ${i}  # generated module text, long enough that thirty lines make a head of ~4 KiB`).join('\n') + '\n';
const FIXTURES = resolve(import.meta.dirname, '../../../shared/fixtures/real-tools');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdbf-many-'));
  for (let p = 0; p < 200; p++) {
    const d = join(dir, 'project', '.venv', 'lib', 'python3.12', 'site-packages', `pkg${p}`);
    mkdirSync(d, { recursive: true });
    for (let i = 0; i < JUNK / 200; i++) writeFileSync(join(d, `mod${i}.py`), JUNK_TEXT);
  }
  mkdirSync(join(dir, 'evidence'));
  writeFileSync(join(dir, 'evidence', 'compose_logs.txt'), readFileSync(join(FIXTURES, 'docker', 'compose_logs_timestamps.txt')));
  writeFileSync(join(dir, 'evidence', 'orders.csv'), readFileSync(join(FIXTURES, 'postgres', 'orders.csv')));
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`a bundle of ${JUNK} files that are not evidence`, () => {
  it('the plan keeps no file content for them: bytes alive per file stay small', async () => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const bundle = await openBundle(dir);
    const plan = await planBundle(bundle, PARSERS);
    gc();
    const after = process.memoryUsage().heapUsed;
    expect(plan.length).toBe(JUNK + 2);
    expect(plan.filter((p) => p.detection.parser).map((p) => p.file.path)).toEqual(['evidence/compose_logs.txt', 'evidence/orders.csv']);
    // Each junk file's text (~3.5 KiB) is more than this budget: holding any head would break it.
    const perFile = (after - before) / plan.length;
    expect(perFile).toBeLessThan(2048);
    for (const p of plan.filter((x) => !x.detection.parser)) expect(p.head.text).toBe('');
    // evidence keeps its head for its parser
    expect(plan.find((p) => p.detection.parser)!.head.lines.length).toBeGreaterThan(0);
  }, 600_000);
});
