// Is a process that wrote its pid somewhere (the daemon lock, the ARI app lease) still the same live
// process? A pid alone is not enough after a kill -9: the kernel reuses pids, so the owner also writes
// its start time (clock ticks since boot, /proc/<pid>/stat field 22), which a reused pid does not share.
import fs from 'node:fs';

/** /proc/<pid>/stat field 22 (starttime); null where /proc is not readable. */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** True while `pid` runs on this host and (when both are known) started at `startTicks`. */
export function processAlive(pid: number, startTicks: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the pid exists but belongs to someone else — still a live process.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const ticks = processStartTicks(pid);
  return ticks === null || startTicks === null || ticks === startTicks;
}
