/**
 * Releases seen in a batch, folded per (project, version) for app.db's releases table. The errors
 * thread counts stored events, the transactions thread stored transactions; both move first/last
 * seen, which place release markers on the charts when no deploy was recorded.
 */
import type { ReleaseSeen } from '../storage/index.js';

export function releasesSeen(
  items: Iterable<{ projectId: number; release: string | null; at: number }>,
  kind: 'events' | 'transactions',
): ReleaseSeen[] {
  const seen = new Map<string, ReleaseSeen>();
  const events = kind === 'events' ? 1 : 0;
  const transactions = 1 - events;
  for (const { projectId, release, at } of items) {
    if (!release) continue;
    const key = `${projectId}\u0000${release}`;
    const r = seen.get(key);
    if (r) {
      r.count += events;
      r.transactionCount += transactions;
      r.firstSeen = Math.min(r.firstSeen, at);
      r.lastSeen = Math.max(r.lastSeen, at);
    } else {
      seen.set(key, {
        projectId,
        version: release,
        firstSeen: at,
        lastSeen: at,
        count: events,
        transactionCount: transactions,
      });
    }
  }
  return [...seen.values()];
}
