/**
 * Progress of `run`'s long phases on stderr: one line per phase, rewritten in place (`\r`), with
 * the phase name and what is done of the total. Only a terminal sees it: a pipe or a file gets no
 * progress bytes (a log of `run 2> err.txt` holds only warnings), and `--quiet` silences it.
 *
 * Every phase's start and end are kept (also when silent), so a caller can say how long each took.
 */

/** What progress writes to: `process.stderr`, or a fake in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export type ProgressUnit = 'bytes' | 'steps' | 'files';

export interface PhaseTiming {
  phase: string;
  /** Milliseconds of the injected clock (epoch ms for the real one). */
  start: number;
  end: number;
}

export interface ProgressOptions {
  quiet?: boolean;
  /** Injected clock (ms); default Date.now. */
  now?: () => number;
  /** A line is rewritten at most this often; the last state of a phase is always written. */
  intervalMs?: number;
}

const CLEAR_EOL = '\x1b[K';

export function formatAmount(n: number, unit: ProgressUnit): string {
  if (unit === 'bytes') return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : `${(n / 1e6).toFixed(1)} MB`;
  return String(n);
}

export class Progress {
  readonly enabled: boolean;
  readonly timings: PhaseTiming[] = [];
  private readonly now: () => number;
  private readonly interval: number;
  private current: Phase | null = null;

  constructor(
    private readonly stream: ProgressStream,
    opts: ProgressOptions = {},
  ) {
    this.enabled = stream.isTTY === true && !opts.quiet;
    this.now = opts.now ?? Date.now;
    this.interval = opts.intervalMs ?? 100;
  }

  /** Starts a phase (ending the one before, if still open). `total` 0 = unknown. */
  phase(name: string, total = 0, unit: ProgressUnit = 'steps'): Phase {
    this.current?.end();
    const p = new Phase(this, name, total, unit, this.now());
    this.current = p;
    return p;
  }

  /** Runs `f` as one phase and ends it, also when `f` throws. */
  async time<T>(name: string, f: (p: Phase) => T | Promise<T>, total = 0, unit: ProgressUnit = 'steps'): Promise<T> {
    const p = this.phase(name, total, unit);
    try {
      return await f(p);
    } finally {
      p.end();
    }
  }

  /** @internal */
  clock(): number {
    return this.now();
  }

  /** @internal */
  draw(line: string, final: boolean): void {
    if (!this.enabled) return;
    // A pseudo-terminal without a size says 0 columns.
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    const shown = line.length > width ? line.slice(0, width - 1) + '…' : line;
    this.stream.write(`\r${shown}${CLEAR_EOL}${final ? '\n' : ''}`);
  }

  /** @internal */
  ended(p: Phase, start: number, end: number): void {
    this.timings.push({ phase: p.name, start, end });
    if (this.current === p) this.current = null;
  }

  /** @internal */
  get intervalMs(): number {
    return this.interval;
  }
}

export class Phase {
  private done = 0;
  private detail = '';
  private lastDraw = -Infinity;
  private finished = false;

  constructor(
    private readonly owner: Progress,
    readonly name: string,
    private total: number,
    private readonly unit: ProgressUnit,
    private readonly start: number,
  ) {
    this.draw(false, true);
  }

  /** `done` of the total so far; `detail` (a file, a rule) is shown after it. Throttled. */
  update(done: number, detail = '', total?: number): void {
    if (this.finished) return;
    this.done = done;
    this.detail = detail;
    if (total !== undefined) this.total = total;
    this.draw(false, false);
  }

  /** One more step done. */
  step(detail = ''): void {
    this.update(this.done + 1, detail);
  }

  end(): void {
    if (this.finished) return;
    this.finished = true;
    const end = this.owner.clock();
    if (this.total > 0 && this.unit !== 'bytes') this.done = Math.max(this.done, this.total);
    this.detail = `${((end - this.start) / 1000).toFixed(1)} s`;
    this.draw(true, true);
    this.owner.ended(this, this.start, end);
  }

  private draw(final: boolean, force: boolean): void {
    if (!this.owner.enabled) return;
    const t = this.owner.clock();
    if (!force && t - this.lastDraw < this.owner.intervalMs) return;
    this.lastDraw = t;
    const amount =
      this.total > 0
        ? `${formatAmount(this.done, this.unit)} of ${formatAmount(this.total, this.unit)}${this.unit === 'bytes' ? '' : ` ${this.unit}`} (${Math.min(100, Math.floor((100 * this.done) / this.total))} %)`
        : this.done > 0
          ? `${formatAmount(this.done, this.unit)}${this.unit === 'bytes' ? '' : ` ${this.unit}`}`
          : '';
    this.owner.draw([`${this.name}:`, amount, this.detail].filter((s) => s !== '').join(' '), final);
  }
}
