/**
 * A sum of finite doubles kept exactly, as non-overlapping partials (Shewchuk's algorithm, the one
 * behind Python's `math.fsum`), rounded once when read. Its value does not depend on the order the
 * numbers came in or on how they were split between sums that are merged later: a file read in
 * pieces on several threads stores the same bits as a file read in one go.
 */
export type ExactSum = number[];

/** Add `x` (finite) to the partials in place. */
export function addExact(partials: ExactSum, x: number): void {
  let i = 0;
  for (let j = 0; j < partials.length; j++) {
    let y = partials[j];
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) partials[i++] = lo;
    x = hi;
  }
  partials.length = i;
  partials.push(x);
}

/** Add every partial of `other` to `into`. */
export function mergeExact(into: ExactSum, other: ExactSum): void {
  for (const x of other) addExact(into, x);
}

/** The exact sum, correctly rounded to the nearest double (ties to even). */
export function exactValue(partials: ExactSum): number {
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n];
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n];
    hi = x + y;
    const yr = hi - x;
    lo = y - yr;
    if (lo !== 0) break;
  }
  // Half-way case: the rounding of hi + lo went the wrong way if the next partial has lo's sign.
  if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    const yr = x - hi;
    if (y === yr) hi = x;
  }
  return hi;
}
