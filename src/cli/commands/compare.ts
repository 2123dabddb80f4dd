import { z } from 'zod';
import type { ReportModel } from '../../report/model.js';
import { reportFor } from './inputs.js';
import type { CommandDef } from './types.js';

const Options = z.object({ a: z.string().min(1), b: z.string().min(1), json: z.boolean().default(false) });


export interface Comparison {
  a: { block: string; break_layer: string | null };
  b: { block: string; break_layer: string | null };
  counts: { metric: string; a: number; b: number; delta: number }[];
  layers: { id: string; a: string; b: string }[];
  findings_new: string[];
  findings_gone: string[];
  kpis: { metric: string; a: string; b: string }[];
}

export function compareReports(a: ReportModel, b: ReportModel): Comparison {
  const ids = (m: ReportModel) => new Set(m.layers.flatMap((l) => l.findings.map((f) => f.id)));
  const ia = ids(a);
  const ib = ids(b);
  return {
    a: { block: `${a.block.from.slice(0, 10)}..${a.block.to.slice(0, 10)}`, break_layer: a.flow.break_layer },
    b: { block: `${b.block.from.slice(0, 10)}..${b.block.to.slice(0, 10)}`, break_layer: b.flow.break_layer },
    counts: Object.keys(a.flow.counts).map((k) => {
      const key = k as keyof ReportModel['flow']['counts'];
      return { metric: k, a: a.flow.counts[key], b: b.flow.counts[key], delta: b.flow.counts[key] - a.flow.counts[key] };
    }),
    layers: a.layers.map((l, i) => ({ id: l.id, a: l.status, b: b.layers[i]?.status ?? 'not_evaluable' })),
    findings_new: [...ib].filter((x) => !ia.has(x)).sort(),
    findings_gone: [...ia].filter((x) => !ib.has(x)).sort(),
    kpis: a.kpis.map((k) => ({ metric: k.metric, a: k.status, b: b.kpis.find((x) => x.metric === k.metric)?.status ?? 'not_evaluable' })),
  };
}

export const compareCommand: CommandDef = {
  command: 'compare <a> <b>',
  describe: 'Compare two blocks (each a bundle, a working database or a report.json): counts, layer status, findings that came or went',
  examples: [
    ['$0 compare block1/report.json block2/report.json', 'what changed between two blocks'],
    ['$0 compare evidence/block-12.zip .cdb-forensics/block-13.db', 'a bundle is ingested first (default working DB), a database analysed'],
  ],
  builder: (y) => y.positional('a', { type: 'string' }).positional('b', { type: 'string' }).option('json', { type: 'boolean' }),
  async handler(args) {
    const o = Options.parse(args);
    const a = await reportFor(o.a);
    const b = await reportFor(o.b);
    const c = compareReports(a.model, b.model);
    for (const [side, r] of [['A', a], ['B', b]] as const) for (const n of r.notes) process.stderr.write(`note: ${side} (${r.kind}): ${n}\n`);
    if (o.json) {
      process.stdout.write(JSON.stringify(c, null, 2) + '\n');
      return 0;
    }
    const w = (s: string, n: number) => s.padEnd(n);
    process.stdout.write(`A ${c.a.block} (break: ${c.a.break_layer ?? 'none'})  →  B ${c.b.block} (break: ${c.b.break_layer ?? 'none'})\n\n`);
    process.stdout.write(`${w('count', 20)} ${w('A', 10)} ${w('B', 10)} delta\n`);
    for (const r of c.counts) process.stdout.write(`${w(r.metric, 20)} ${w(String(r.a), 10)} ${w(String(r.b), 10)} ${r.delta > 0 ? '+' : ''}${r.delta}\n`);
    process.stdout.write(`\n${w('layer', 20)} ${w('A', 14)} B\n`);
    for (const l of c.layers) process.stdout.write(`${w(l.id, 20)} ${w(l.a, 14)} ${l.b}\n`);
    process.stdout.write(`\nnew findings (${c.findings_new.length}):\n${c.findings_new.map((f) => `  + ${f}`).join('\n') || '  (none)'}\n`);
    process.stdout.write(`gone findings (${c.findings_gone.length}):\n${c.findings_gone.map((f) => `  - ${f}`).join('\n') || '  (none)'}\n`);
    return 0;
  },
};
