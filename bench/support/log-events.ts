/** The events a relay's `--log` file holds, counted by type: read once the relay has stopped (its summary is then there). */
import { readFileSync } from 'node:fs';

/** Counts by event type; throws when the log has no summary (the relay did not stop cleanly, or wrote elsewhere). */
export function countLogEvents(path: string): Record<string, number> {
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const counted: Record<string, number> = {};
  for (const line of lines) {
    const { type } = JSON.parse(line) as { type: string };
    counted[type] = (counted[type] ?? 0) + 1;
  }
  if (!counted['summary']) throw new Error(`${path} has no summary line (${lines.length} lines)`);
  return counted;
}
