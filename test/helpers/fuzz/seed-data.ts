/**
 * Real SDK data for the fuzz targets that read or change stored rows (the JSON API, /mcp): the
 * captured fixtures replayed, digested, and every id the API hands out collected, so hostile
 * requests reach rows and not only "not found".
 */
import { expect } from 'vitest';
import { loadFixture, replayFixture } from '../fixtures.js';
import { getJson, waitFor, type RunningSnag } from '../snag.js';
import type { KnownIds } from './api-requests.js';

export const SEED_FIXTURES = [
  'node-sdk-envelope',
  'python-sdk-store',
  'apm/node-static-transaction',
  'apm/python-transaction',
  'logs/node-sdk-logs',
  'logs/otlp-json',
];

interface Health {
  queue_depth: number;
  event_count: number;
  transaction_count: number;
  log_count: number;
}

/** Replays SEED_FIXTURES into `project` (default: the first), waits for them, returns the ids. */
export async function seedRealData(
  snag: RunningSnag,
  project: { id: number; publicKey: string; slug: string } = {
    id: snag.projectId,
    publicKey: snag.publicKey,
    slug: 'default',
  },
): Promise<KnownIds> {
  const before = await getJson<Health>(`${snag.url}/_health`);
  for (const name of SEED_FIXTURES) {
    const res = await replayFixture(
      { url: snag.url, projectId: project.id, publicKey: project.publicKey },
      loadFixture(name),
    );
    expect(res.status, `${name}: ${res.text}`).toBe(200);
  }
  await waitFor(
    async () => {
      const h = await getJson<Health>(`${snag.url}/_health`);
      return (
        h.queue_depth === 0 &&
        h.event_count >= before.event_count + 2 &&
        h.transaction_count >= before.transaction_count + 2 &&
        h.log_count > before.log_count
      );
    },
    // Generous: the box is shared, and three digest threads start cold.
    60_000,
    'seed data digested',
  );
  const found = new Set<string>();
  const base = `${snag.url}/api/v1/projects/${project.slug}`;
  for (const url of [`${base}/issues`, `${base}/transactions`, `${base}/logs`, `${base}/releases`])
    collectIds(await getJson(url), found);
  const known = [...found];
  return {
    project: [String(project.id), project.slug],
    issue: known,
    event: known,
    transaction: known,
    log: known,
    trace: known,
    release: ['fixture@1.0.0', ...known],
  };
}

function collectIds(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) value.forEach((v) => collectIds(v, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (/(^|_)id$|^version$/.test(k) && (typeof v === 'string' || typeof v === 'number'))
        out.add(String(v));
      collectIds(v, out);
    }
  }
}
