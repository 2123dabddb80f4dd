import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../util/seeded-random.js';
import { memoByText } from './text-memo.js';

const TEXTS = ['Error 111 connecting to cdb_redis:6379. Connection refused.', "Fehler bei Market-Data-Verarbeitung: 'pct_change'", '', 'null', 'x'.repeat(50)];

/** Texts as a log repeats them: a few, over and over, with now and then a new one. */
function stream(seed: number, n: number): string[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => (rnd() < 0.9 ? TEXTS[Math.floor(rnd() * TEXTS.length)] : `Failed to persist trade ${i}: connection already closed`));
}

/** Answers that are falsy, undefined or objects must come back as the function gave them. */
const FNS: [string, (s: string) => unknown][] = [
  ['regexp class', (s) => /connection refused/i.test(s)],
  ['undefined or a match', (s) => /(\d+)/.exec(s)?.[1]],
  ['null or an object', (s) => (s.length % 2 ? { n: s.length } : null)],
];

describe('memoByText answers as the function it remembers', () => {
  it.each(FNS.flatMap(([name, fn]) => [0, 10, 120, 1_000_000].flatMap((maxChars) => [1, 2].map((seed) => [name, fn, maxChars, seed] as const))))(
    '%s, at most %i characters kept (seed %i)',
    (_name, fn, maxChars, seed) => {
      const calls: string[] = [];
      const memo = memoByText((s) => {
        calls.push(s);
        return fn(s);
      }, maxChars);
      const texts = stream(seed, 500);
      for (const s of texts) expect(memo(s)).toEqual(fn(s));
      // Each text computed once while it fits; every time once the budget is spent.
      if (maxChars >= 1_000_000) expect(calls.length).toBe(new Set(texts).size);
      if (maxChars === 0) expect(calls.length).toBe(texts.filter((s) => s !== '').length + (texts.includes('') ? 1 : 0));
    },
  );
});
