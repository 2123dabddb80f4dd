import { z } from 'zod';
import { openBundle } from '../../bundle/open-bundle.js';
import { planBundle } from '../../ingest/engine.js';
import { PARSERS } from '../../ingest/registry.js';
import { forcedFrom } from './ingest.js';
import type { CommandDef } from './types.js';

const Options = z.object({ bundle: z.string().min(1), json: z.boolean().default(false), as: z.array(z.string()).default([]) });

export const detectCommand: CommandDef = {
  command: 'detect <bundle>',
  describe: 'Show which parser claims each file of a bundle, and why (writes nothing)',
  examples: [['$0 detect samples/exposure-stuck-era-a --json', 'file → parser, confidence, reason as JSON']],
  builder: (y) =>
    y
      .positional('bundle', { type: 'string' })
      .option('json', { type: 'boolean', describe: 'machine-readable output' })
      .option('as', { type: 'string', array: true, describe: 'force a parser: <parser>=<glob>' }),
  async handler(args) {
    const o = Options.parse({ ...args, as: args.as ?? [] });
    const bundle = await openBundle(o.bundle);
    const plan = await planBundle(bundle, PARSERS, forcedFrom(o.as));
    const rows = plan.map((p) => ({
      path: p.file.path,
      parser: p.detection.parser?.id ?? null,
      confidence: p.detection.confidence,
      reason: p.detection.reason,
      encoding: p.head.encoding,
      alternatives: p.detection.alternatives,
    }));
    const refused = bundle.refused.map((r) => ({ path: r.path, reason: r.reason }));
    if (o.json) {
      process.stdout.write(JSON.stringify({ bundle: bundle.name, files: rows, refused }, null, 2) + '\n');
    } else {
      const w = Math.max(4, ...rows.map((r) => r.path.length));
      const pw = Math.max(6, ...rows.map((r) => (r.parser ?? '-').length));
      process.stdout.write(`${'FILE'.padEnd(w)}  ${'PARSER'.padEnd(pw)}  CONF  REASON\n`);
      for (const r of rows) {
        process.stdout.write(`${r.path.padEnd(w)}  ${(r.parser ?? '-').padEnd(pw)}  ${String(r.confidence).padStart(4)}  ${r.reason}\n`);
      }
      for (const r of refused) process.stdout.write(`${r.path.padEnd(w)}  ${'REFUSED'.padEnd(pw)}     -  ${r.reason}\n`);
    }
    return 0;
  },
};
