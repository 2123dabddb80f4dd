/**
 * Every rule speaks from a catalog of its own: adding a rule without one, or a `text('…')` call with
 * a key a language lacks, fails here with the missing keys named (the compiler catches most of it
 * first; this also covers keys built at run time and a German catalog typed loosely).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RULES } from '../analysis/registry.js';
import { LANGS } from './lang.js';
import { RULE_CATALOGS } from './messages/index.js';
import { CATALOGS, render } from './translate.js';

const SRC = fileURLToPath(new URL('..', import.meta.url));

function ruleSource(id: string, layer: string): string {
  return readFileSync(join(SRC, 'analysis', 'rules', layer, `${id}.ts`), 'utf8');
}

/** Keys a source file names literally in `text('…')`. */
function keysUsed(source: string): string[] {
  return [...new Set([...source.matchAll(/\btext\(\s*'([^']+)'/g)].map((m) => m[1]!))].sort();
}

describe.each(RULES.map((r) => [r.id, r] as const))('rule %s', (id, rule) => {
  it('has a catalog of its own whose keys start with its id', () => {
    const catalog = (RULE_CATALOGS as Record<string, { en: Record<string, string> } | undefined>)[id];
    expect(catalog, `no catalog src/i18n/messages/rules/${id}.ts listed in messages/index.ts`).toBeDefined();
    expect(Object.keys(catalog!.en).filter((k) => !k.startsWith(`${id}.`)), 'keys of another rule').toEqual([]);
  });

  it('is titled in its catalog as in its definition', () => {
    for (const lang of LANGS) expect(Object.hasOwn(CATALOGS[lang], `${id}.title`), `missing key ${id}.title in ${lang}`).toBe(true);
    expect(render('en', { key: `${id}.title`, params: {} })).toBe(rule.title);
  });

  it('names only keys every language has', () => {
    const used = keysUsed(ruleSource(id, rule.layer));
    for (const lang of LANGS) {
      const missing = used.filter((k) => !Object.hasOwn(CATALOGS[lang], k));
      expect(missing, `keys ${id} uses that the ${lang} catalog lacks`).toEqual([]);
    }
  });
});
