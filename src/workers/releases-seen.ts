/**
 * Releases seen in a batch, folded per (project, version) for app.db's releases table. Errors
 * count their events; transactions add 0 (they only move first/last seen, which places deploy
 * markers on the performance charts).
 */
import type { ReleaseSeen } from '../storage/index.js';

export function releasesSeen(
  items: Iterable<{ projectId: number; release: string | null; at: number }>,
  countEach: 0 | 1,
): ReleaseSeen[] {
  const seen = new Map<string, ReleaseSeen>();
  for (const { projectId, release, at } of items) {
    if (!release) continue;
    const key = `${projectId}\u0000${release}`;
    const r = seen.get(key);
    if (r) {
      r.count += countEach;
      r.firstSeen = Math.min(r.firstSeen, at);
      r.lastSeen = Math.max(r.lastSeen, at);
    } else {
      seen.set(key, { projectId, version: release, firstSeen: at, lastSeen: at, count: countEach });
    }
  }
  return [...seen.values()];
}
