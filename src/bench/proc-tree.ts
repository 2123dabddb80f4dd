import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resident memory of a process and all its descendants, read from /proc (Linux): what `run`
 * costs the machine, worker threads (same process) and child processes alike. A process that
 * exits between two reads is skipped.
 */

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The pid and every descendant's pid (children of every thread, recursively). */
export function processTree(root: number): number[] {
  const seen = new Set<number>();
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      const children = read(`/proc/${pid}/task/${tid}/children`);
      if (!children) continue;
      for (const c of children.trim().split(/\s+/)) if (c) stack.push(Number(c));
    }
  }
  return [...seen];
}

/** VmRSS of one process in KiB, or 0 once it is gone. */
export function rssKiB(pid: number): number {
  const status = read(`/proc/${pid}/status`);
  const m = status?.match(/^VmRSS:\s+(\d+) kB/m);
  return m ? Number(m[1]) : 0;
}

export function treeRssKiB(root: number): number {
  return processTree(root).reduce((a, pid) => a + rssKiB(pid), 0);
}

/** A peak sampled every `everyMs` while a process tree runs; samples keep their time for per-phase peaks. */
export class RssSampler {
  readonly samples: { t: number; kib: number }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly root: number,
    private readonly everyMs = 50,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  sample(): void {
    const kib = treeRssKiB(this.root);
    if (kib > 0) this.samples.push({ t: Date.now(), kib });
  }

  /** Peak in MB (10^6 bytes are not meant: MiB-based, as `ps` and the README state RSS) between two epoch-ms instants. */
  peakMB(from = -Infinity, to = Infinity): number {
    let peak = 0;
    for (const s of this.samples) if (s.t >= from && s.t <= to && s.kib > peak) peak = s.kib;
    return peak / 1024;
  }
}
