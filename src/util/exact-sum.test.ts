import { describe, expect, it } from 'vitest';
import { addExact, exactValue, mergeExact, type ExactSum } from './exact-sum.js';

/** The exact sum as a BigInt multiple of 2^-1100, rounded once by Number() (round half to even). */
function oracle(xs: number[]): number {
  const buf = new DataView(new ArrayBuffer(8));
  let s = 0n;
  for (const x of xs) {
    buf.setFloat64(0, x);
    const bits = buf.getBigUint64(0);
    const sign = bits >> 63n ? -1n : 1n;
    const exp = Number((bits >> 52n) & 0x7ffn);
    const frac = bits & ((1n << 52n) - 1n);
    const mant = exp === 0 ? frac : frac | (1n << 52n);
    const e = (exp === 0 ? 1 : exp) - 1075; // x = mant * 2^e
    s += sign * (mant << BigInt(e + 1100));
  }
  if (s === 0n) return 0;
  // Keep 53+ significant bits before Number() so the one rounding is Number()'s own.
  const neg = s < 0n;
  let a = neg ? -s : s;
  let shift = 0;
  while (a >= 1n << 1000n) {
    const low = a & 1n;
    a = (a >> 1n) | low; // sticky bit keeps ties honest
    shift++;
  }
  const v = Number(a) * 2 ** (shift - 1100);
  return neg ? -v : v;
}

function sumOf(xs: number[]): number {
  const p: ExactSum = [];
  for (const x of xs) addExact(p, x);
  return exactValue(p);
}

let seed = 7;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const skews = Array.from({ length: 5000 }, () => (rnd() - 0.5) * 10 ** Math.floor(rnd() * 6 - 3));

describe('exact sums', () => {
  it.each([
    ['empty', [] as number[]],
    ['one value', [0.1]],
    ['the classic 0.1 + 0.2', [0.1, 0.2]],
    ['cancellation a naive sum loses', [1e16, 1, -1e16]],
    ['many tenths', Array(1000).fill(0.1)],
    ['a half-way tie after cancellation', [1, 2 ** -53, 2 ** -106]],
    ['signs mixed at every scale', [1e300, 1, -1e300, 1e-300, 3.5, -2.25]],
    ['skew-like differences', skews],
  ])('%s: equals the exactly rounded sum', (_name, xs) => {
    expect(sumOf(xs)).toBe(oracle(xs));
  });

  it.each([
    ['reversed', (xs: number[]) => [[...xs].reverse()]],
    ['split in two', (xs: number[]) => [xs.slice(0, 1234), xs.slice(1234)]],
    ['split in seven uneven pieces', (xs: number[]) => [0, 3, 700, 701, 2500, 4000, 4999].map((a, i, cuts) => xs.slice(a, cuts[i + 1] ?? xs.length))],
  ])('the same bits whatever the order and split: %s', (_name, split) => {
    const pieces = split(skews);
    const total: ExactSum = [];
    for (const piece of pieces) {
      const p: ExactSum = [];
      for (const x of piece) addExact(p, x);
      mergeExact(total, p);
    }
    expect(exactValue(total)).toBe(sumOf(skews));
  });
});
