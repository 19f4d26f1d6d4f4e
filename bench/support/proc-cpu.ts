/**
 * CPU time of a process tree from /proc (Linux only): what a relay costs with its children included
 * (nginx's workers, the processes of `wsdiag proxy --workers N`).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The unit of /proc's utime and stime: USER_HZ, 100 on Linux whatever the kernel's own tick rate. */
export const TICKS_PER_SECOND = 100;

/** utime + stime ticks of `roots` and all their live descendants, by pid. */
export function cpuTicks(roots: readonly number[]): Map<number, number> {
  const rows: Array<{ pid: number; ppid: number; ticks: number }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue;
    }
    // Fields after the command name (which may hold spaces): state ppid ... utime(12th) stime(13th).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    rows.push({ pid: Number(entry), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
  }
  const children = new Map<number, number[]>();
  for (const r of rows) children.set(r.ppid, [...(children.get(r.ppid) ?? []), r.pid]);
  const ticksOf = new Map(rows.map((r) => [r.pid, r.ticks]));
  const seen = new Map<number, number>();
  const stack = [...roots];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    const ticks = ticksOf.get(pid);
    if (seen.has(pid) || ticks === undefined) continue;
    seen.set(pid, ticks);
    stack.push(...(children.get(pid) ?? []));
  }
  return seen;
}

/** User + system CPU of `pid` and its live descendants so far, in microseconds. */
export function treeCpuMicros(pid: number): number {
  let ticks = 0;
  for (const t of cpuTicks([pid]).values()) ticks += t;
  return (ticks / TICKS_PER_SECOND) * 1e6;
}
