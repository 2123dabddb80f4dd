/**
 * Fault injection for the crash tests: `CDB_FORENSICS_FAULT=<phase>:<n>` makes the process kill
 * itself (SIGKILL, as the OOM killer would) the n-th time it reaches the named point, in
 * whichever thread gets there. Without the variable a point costs one comparison.
 */
const spec = /^([a-z-]+):(\d+)$/.exec(process.env.CDB_FORENSICS_FAULT ?? '');
const phase = spec?.[1];
const at = spec ? Number(spec[2]) : 0;
let seen = 0;

export function faultPoint(name: string): void {
  if (phase !== name) return;
  if (++seen === at) process.kill(process.pid, 'SIGKILL');
}
