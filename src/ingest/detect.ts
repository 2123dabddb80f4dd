import type { FileHead } from '../bundle/types.js';
import type { ParserDef } from './define-parser.js';

export interface Detection {
  parser: ParserDef | null;
  confidence: number;
  reason: string;
  /** The runner-up, shown by `detect --json` to explain close calls. */
  alternatives: { parser: string; confidence: number }[];
}

export interface ForcedParser {
  parser: string;
  glob: RegExp;
  source: string;
}

/** Minimum sniff confidence for a claim; below it the file is listed as not ingested. */
export const MIN_CONFIDENCE = 30;

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
        if (glob[i + 1] === '/') i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\!]/g, '\\$&');
  }
  return new RegExp(`(^|/|!/)${re}$`);
}

/** `--as compose-logs=logs/*.txt` → a forced choice. */
export function parseForced(specs: string[], parsers: ParserDef[]): ForcedParser[] {
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    const id = eq > 0 ? spec.slice(0, eq) : '';
    const glob = eq > 0 ? spec.slice(eq + 1) : '';
    if (!id || !glob) throw new Error(`--as wants <parser>=<glob>, got "${spec}"`);
    if (!parsers.some((p) => p.id === id)) {
      throw new Error(`--as names an unknown parser "${id}"; known: ${parsers.map((p) => p.id).join(', ')}`);
    }
    return { parser: id, glob: globToRegExp(glob), source: spec };
  });
}

/**
 * Each file is claimed by the parser whose sniff is most confident; ties go to the more
 * specific parser, then to the id (so the choice is deterministic). File names play no part:
 * renaming a file must not change what it is.
 */
export function detect(head: FileHead, parsers: ParserDef[], forced: ForcedParser[] = []): Detection {
  const force = forced.find((f) => f.glob.test(head.path));
  if (force) {
    const p = parsers.find((x) => x.id === force.parser)!;
    return { parser: p, confidence: 100, reason: `forced by --as ${force.source}`, alternatives: [] };
  }
  if (head.binary) {
    return { parser: null, confidence: 0, reason: 'binary content (NUL or control bytes in the first 64 KiB)', alternatives: [] };
  }
  if (head.lines.length === 0 || head.text.trim() === '') {
    return { parser: null, confidence: 0, reason: 'empty file', alternatives: [] };
  }
  const scored: { p: ParserDef; confidence: number; reason: string }[] = [];
  for (const p of parsers) {
    let s: ReturnType<ParserDef['claims']['sniff']>;
    try {
      s = p.claims.sniff(head);
    } catch (e) {
      s = null;
    }
    if (s && s.confidence > 0) scored.push({ p, confidence: Math.min(100, s.confidence), reason: s.reason });
  }
  scored.sort((a, b) => b.confidence - a.confidence || b.p.specificity - a.p.specificity || (a.p.id < b.p.id ? -1 : 1));
  const alternatives = scored.slice(1, 4).map((s) => ({ parser: s.p.id, confidence: s.confidence }));
  const best = scored[0];
  if (!best || best.confidence < MIN_CONFIDENCE) {
    return {
      parser: null,
      confidence: best?.confidence ?? 0,
      reason: best ? `no parser is confident (best: ${best.p.id} ${best.confidence}%: ${best.reason})` : 'no parser recognises the content',
      alternatives: scored.slice(0, 3).map((s) => ({ parser: s.p.id, confidence: s.confidence })),
    };
  }
  return { parser: best.p, confidence: best.confidence, reason: best.reason, alternatives };
}
