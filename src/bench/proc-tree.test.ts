import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processTree, rssKiB, treeRssKiB } from './proc-tree.js';

const linux = process.platform === 'linux';

describe.skipIf(!linux)('process-tree RSS from /proc', () => {
  it('counts a child and a grandchild with the root, and nothing once they are gone', async () => {
    // sh → sleep: the shell is the child, sleep its child.
    const child = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    let tree: number[] = [];
    for (let i = 0; i < 50 && tree.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      tree = processTree(process.pid);
    }
    expect(tree).toContain(process.pid);
    expect(tree).toContain(child.pid);
    expect(tree.length).toBeGreaterThanOrEqual(3);
    const own = rssKiB(process.pid);
    expect(own).toBeGreaterThan(1000);
    const sum = treeRssKiB(process.pid);
    expect(sum).toBeGreaterThan(own);
    const mine = processTree(child.pid!);
    expect(mine.length).toBe(2);
    const exited = new Promise((r) => child.once('exit', r));
    for (const pid of mine.reverse()) process.kill(pid, 'SIGKILL');
    await exited;
    expect(rssKiB(child.pid!)).toBe(0);
    expect(processTree(process.pid)).not.toContain(child.pid);
  });
});
