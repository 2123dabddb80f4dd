import { it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../db/open.js';
import { ingestBundle } from '../ingest/engine.js';
import { PARSERS } from '../ingest/registry.js';
import { buildModel } from '../model/build.js';
import { analyze } from './analyze.js';
import { trace } from './trace.js';

it('e2e peek', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdbf-e2e-'));
  const db = openDb(join(dir, 'x.db'), { create: true });
  await ingestBundle(db, process.env.BUNDLE ?? '/work/shared/fixtures/real-tools', PARSERS, { now: '2025-01-01T00:00:00.000Z' });
  buildModel(db, process.env.FROM ? { from: process.env.FROM, to: process.env.TO } : {});
  const m = analyze(db, { now: '2025-12-01T00:00:00.000Z', toolVersion: '0.1.0' });
  console.log(JSON.stringify({ block: m.block, flow: { ...m.flow, per_day: undefined }, kpis: m.kpis.map((k) => `${k.metric}=${k.value} ${k.status}`), layers: m.layers.map((l) => ({ id: l.id, status: l.status, findings: l.findings.map((f) => `${f.severity} ${f.id}: ${f.message}`), rules: l.rules.map((r) => `${r.id}=${r.status}${r.missing ? ' (' + r.missing + ')' : ''}`) })), hyp: m.hypotheses.map((h) => `${h.likelihood} ${h.cause}: ${h.title}`), todos: m.todos.map((t) => `${t.priority} ${t.category} ${t.title} @ ${t.where}`), errors: m.coverage.errors }, null, 1));
  if (process.env.TRACE) console.log(JSON.stringify(trace(db, process.env.TRACE), null, 1));
}, 120_000);
