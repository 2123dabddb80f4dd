/**
 * The visible sentences of a report.json that carry no keyed text: each would stay English in a
 * German report. The gate of issue 15's drift tests — every sample's report must list none.
 * Quoted evidence (log lines, file names, metric values) is not in these fields, so it is never listed.
 */

/** Fields of report.json a reader sees as prose, by path: `[]` walks an array, `*` every key of a record. */
export const VISIBLE_FIELDS: readonly string[] = [
  'layers[].title',
  'layers[].metric_notes.*',
  'layers[].findings[].message',
  'layers[].rules[].title',
  'layers[].rules[].missing',
  'flow.break_reason',
  'flow.floors[].note',
  'hypotheses[].title',
  'hypotheses[].why',
  'hypotheses[].chain',
  'hypotheses[].consequences[].title',
  'todos[].title',
  'verification[].title',
  'kpis[].label',
  'kpis[].note',
  'reconciliation[].note',
  'reconciliation[].candidates[].label',
  'timeline[].title',
  'coverage.not_evaluable[].missing',
];

interface Hit {
  path: string;
  value: string;
}

function walk(node: unknown, parts: string[], path: string, owner: Record<string, unknown> | null, textKey: string, out: Hit[]): void {
  if (parts.length === 0) {
    if (typeof node !== 'string' || node === '') return;
    const texts = owner?.texts as Record<string, unknown> | undefined;
    if (!texts || !(textKey in texts)) out.push({ path, value: node });
    return;
  }
  const [head, ...rest] = parts;
  if (!node || typeof node !== 'object') return;
  const arr = head!.endsWith('[]');
  const name = arr ? head!.slice(0, -2) : head!;
  if (name === '*') {
    // A record's entries are keyed on the object that owns the record, as `<record>.<key>`.
    for (const [k, v] of Object.entries(node)) walk(v, rest, `${path}.${k}`, owner, `${textKey}.${k}`, out);
    return;
  }
  const child = (node as Record<string, unknown>)[name];
  if (arr) {
    if (!Array.isArray(child)) return;
    child.forEach((c, i) => walk(c, rest, `${path}${path ? '.' : ''}${name}[${i}]`, c as Record<string, unknown>, '', out));
    return;
  }
  const isLeaf = rest.length === 0 || rest[0] === '*';
  walk(child, rest, `${path}${path ? '.' : ''}${name}`, isLeaf ? (node as Record<string, unknown>) : (child as Record<string, unknown>), isLeaf ? name : '', out);
}

/** Every visible field of `model` whose text has no key (path and value), in field order. */
export function unkeyedTexts(model: unknown): Hit[] {
  const out: Hit[] = [];
  for (const spec of VISIBLE_FIELDS) walk(model, spec.split('.'), '', null, '', out);
  return out;
}
