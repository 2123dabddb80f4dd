import { PAIR_WINDOW_MS, pairTwinRows, PRIMARY, TWIN } from './pair-twins.js';

/** A pair: the twin's and the primary's index in the list (list order), and where each stands. */
export type OnPair = (twinK: number, twinFile: number, twinLine: number, primaryK: number, primaryFile: number, primaryLine: number) => void;

/**
 * Up to this many rows a segment is paired by trying each twin against each primary; above it by
 * pairTwinRows, whose set-up (eight typed arrays) costs more than the scan on a handful of rows.
 */
const SCAN_MAX = 48;

/** The rows of one group (symbol and side) not yet paired, and what was paired before them. */
interface Open {
  ms: number[];
  role: number[];
  k: number[];
  file: number[];
  line: number[];
  /** The latest time among the open rows. */
  max: number;
  /** The latest time among the rows already paired: a row within PAIR_WINDOW_MS of it comes too late. */
  done: number;
  /** Whether the open rows came in list order. */
  inOrder: boolean;
}

/**
 * pairTwinRows (twins served in list order, each taking the closest unpaired primary of its group
 * within PAIR_WINDOW_MS; equally close: the earlier time, then the row listed first) on rows given
 * one at a time, holding only a segment per group: a twin and a primary can pair only when their
 * times are at most PAIR_WINDOW_MS apart, so rows of a group whose times lie more than that apart
 * from every other row's cannot influence each other — a gap that wide in the time order cuts the
 * group's rows into segments that pair alone, and each is paired (`onPair`) as soon as a later row
 * of its group lies past the gap. Rows must come so that no row falls within PAIR_WINDOW_MS of a
 * segment already paired: in time order per group (a dump sorted by time, or read sorted), or in
 * list order when the dump was written roughly in time order (rows within a segment may come in
 * any order). `add` refuses a row that comes too late (the caller then feeds the rows sorted).
 *
 * Memory is the largest segment: a dump of millions of trades written a few a second per symbol
 * holds a few dozen rows at a time; rows of one group never 2 s apart over the whole dump are one
 * segment, held whole.
 */
export class TwinSegments {
  private readonly groups: (Open | undefined)[] = [];

  constructor(private readonly onPair: OnPair) {}

  /**
   * Row `k` of the list, in group `group` (a small integer, GroupIds), at time `ms` (NaN: none),
   * with role PRIMARY, TWIN or neither. False: the row falls within PAIR_WINDOW_MS of a segment
   * already paired, and nothing was done with it.
   */
  add(group: number, ms: number, role: number, k: number, file: number, line: number): boolean {
    // Rows without a time or of neither writer never pair.
    if ((role !== PRIMARY && role !== TWIN) || Number.isNaN(ms)) return true;
    let s = this.groups[group];
    if (!s) this.groups[group] = s = { ms: [], role: [], k: [], file: [], line: [], max: -Infinity, done: -Infinity, inOrder: true };
    if (ms <= s.done + PAIR_WINDOW_MS) return false;
    if (s.k.length > 0 && ms > s.max + PAIR_WINDOW_MS) this.flush(s);
    if (s.k.length > 0 && k < s.k[s.k.length - 1]) s.inOrder = false;
    s.ms.push(ms);
    s.role.push(role);
    s.k.push(k);
    s.file.push(file);
    s.line.push(line);
    if (ms > s.max) s.max = ms;
    return true;
  }

  /** Pair what is still open (after the last row). */
  finish(): void {
    for (const s of this.groups) if (s && s.k.length > 0) this.flush(s);
  }

  private flush(s: Open): void {
    const n = s.k.length;
    // List order: twins are served in it, and among equally close primaries the first listed wins.
    if (!s.inOrder) {
      const at = Array.from({ length: n }, (_, i) => i).sort((a, b) => s.k[a] - s.k[b]);
      for (const list of [s.ms, s.role, s.k, s.file, s.line]) {
        const copy = at.map((i) => list[i]);
        for (let j = 0; j < n; j++) list[j] = copy[j];
      }
    }
    const mate = n <= SCAN_MAX ? pairByScan(s.ms, s.role) : pairTwinRows(n, Float64Array.from(s.ms), new Int32Array(n), Uint8Array.from(s.role));
    for (let t = 0; t < n; t++) {
      if (s.role[t] !== TWIN || mate[t] === 0) continue;
      const p = mate[t] - 1;
      this.onPair(s.k[t], s.file[t], s.line[t], s.k[p], s.file[p], s.line[p]);
    }
    if (s.max > s.done) s.done = s.max;
    s.max = -Infinity;
    s.inOrder = true;
    s.ms.length = 0;
    s.role.length = 0;
    s.k.length = 0;
    s.file.length = 0;
    s.line.length = 0;
  }
}

/**
 * pairTwinRows for the rows of one group (list order, all timed), by a scan: per twin, the
 * unpaired primary with the least distance, then the earlier time, then listed first. Returns
 * the mate of each row plus one (0: none).
 */
export function pairByScan(ms: readonly number[], role: readonly number[]): Int32Array {
  const n = ms.length;
  const mate = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (role[i] !== TWIN) continue;
    const t = ms[i];
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < n; j++) {
      if (role[j] !== PRIMARY || mate[j] !== 0) continue;
      const d = ms[j] < t ? t - ms[j] : ms[j] - t;
      if (d > PAIR_WINDOW_MS) continue;
      // Left of the twin at the same distance: the earlier time; the same time: the one before.
      if (d < bestD || (d === bestD && ms[j] < ms[best])) {
        best = j;
        bestD = d;
      }
    }
    if (best >= 0) {
      mate[i] = best + 1;
      mate[best] = i + 1;
    }
  }
  return mate;
}
