/**
 * Peak resident memory of this process. getrusage's maxrss is not usable in a child process: Linux
 * carries the high-water mark of the image that forked it across exec, so a child started by a large
 * parent reports the parent's size. /proc/self/status VmHWM belongs to the current image only.
 */
import { readFileSync } from 'node:fs';

/** VmHWM in bytes, or null where /proc is not available. */
export function peakRssBytes(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
