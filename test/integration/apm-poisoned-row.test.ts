/**
 * The transactions consumer with a transaction whose row SQLite refuses (a trigger aborts the
 * insert of one endpoint's transactions, as a value it cannot bind or a constraint would): the
 * real Node SDK sends every route in both trace lifecycles to a running Snag; the refused job is
 * parked with its error and shows in Settings → Storage, `/_health` and MCP `get_status`, and
 * every other transaction (late spans included) is stored. Before, the batch was retried whole,
 * forever, and nothing behind it was stored.
 */
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectView, StorageSettings, TransactionDetail } from '../../src/api/types.js';
import type { Job } from '../../src/storage/index.js';
import { openSqlite } from '../../src/storage/sqlite.js';
import { unpackJob } from '../../src/workers/unpack-job.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { connectClient, httpTransport, mintToken } from '../helpers/mcp.js';
import { runNodeApm, type ApmIds } from '../helpers/sdk-senders.js';
import { snagApi } from '../helpers/snag-api.js';
import { getJson, startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';

const POISONED_ROUTE = '/checkout';
const GOOD_ROUTES = ['/users/:id', '/orders', '/inventory', '/slow'] as const;

async function createProject(snag: RunningSnag, name: string): Promise<ProjectView> {
  const res = await fetch(`${snag.url}/api/v1/projects`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`create project → ${res.status} ${await res.text()}`);
  return (await res.json()) as ProjectView;
}

describe('APM: a transaction whose row is refused', () => {
  let snag: RunningSnag;
  const sent: Record<'static' | 'stream', { project: ProjectView; ids: ApmIds }> = {} as never;

  beforeAll(async () => {
    snag = await startSnag();
    const db = openSqlite(path.join(snag.dataDir, 'transactions.db'), { synchronous: 'NORMAL' });
    db.exec(`CREATE TRIGGER poison BEFORE INSERT ON transactions WHEN NEW.name = 'GET ${POISONED_ROUTE}'
             BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;`);
    db.close();
    for (const lifecycle of ['static', 'stream'] as const) {
      const project = await createProject(snag, `poison ${lifecycle}`);
      sent[lifecycle] = { project, ids: await runNodeApm(project.dsn, lifecycle, 'requests') };
    }
  }, 120_000);

  afterAll(() => stopAndRemove(snag));

  it('stores every other transaction of both lifecycles, late spans included', async () => {
    for (const { project, ids } of Object.values(sent)) {
      const api = snagApi(snag, project.slug);
      for (const route of GOOD_ROUTES) {
        const t = await waitFor(
          async () => {
            const found: TransactionDetail | undefined = await api
              .getTransaction(ids.segment_ids[route]!)
              .catch(() => undefined);
            return route === '/slow' && !found?.spans.some((s) => s.description === 'send analytics')
              ? undefined
              : found;
          },
          20_000,
          `${project.slug} ${route}`,
        );
        expect(t.name).toBe(`GET ${route}`);
      }
      await expect(api.getTransaction(ids.segment_ids[POISONED_ROUTE]!)).rejects.toThrow(/404/);
    }
  });

  it('parks the refused jobs with their error, in Settings, /_health and MCP get_status', async () => {
    const storage = await waitFor(
      async () => {
        const s = await getJson<StorageSettings>(`${snag.url}/api/v1/settings/storage`);
        return s.queue.parked.length >= 2 ? s : undefined;
      },
      20_000,
      'two parked jobs',
    );
    const parked = storage.queue.parked.filter((p) => p.file === 'transactions');
    expect(parked.map((p) => [p.project_id, p.kind]).sort()).toEqual(
      [
        [sent.static.project.id, 'transaction'],
        [sent.stream.project.id, 'span'],
      ].sort(),
    );
    for (const p of parked) expect(p.error).toMatch(/poisoned row/);
    expect(storage.queue.parked_total).toBe(2);

    const health = await snagApi(snag).health();
    expect(health.parked_jobs).toBe(2);
    const client = await connectClient(httpTransport(snag, await mintToken(snag, 'agent')));
    const status = (await client.callTool({ name: 'get_status', arguments: {} })) as CallToolResult;
    await client.close();
    expect((status.structuredContent as { counts: Record<string, number> }).counts['parked_jobs']).toBe(2);
  });

  it('parks each job whole: its payload as queued, with the refused transaction in it', () => {
    // The consumer lets go of a job's payload once parsed and reads it again to park it.
    const db = openSqlite(path.join(snag.dataDir, 'transactions.db'), {
      synchronous: 'NORMAL',
      readonly: true,
    });
    const rows = db
      .prepare(
        `SELECT job_id AS id, kind, project_id AS projectId, received_at AS receivedAt, meta, payload
         FROM parked_jobs ORDER BY job_id`,
      )
      .all() as Job[];
    db.close();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(unpackJob(row, 10 * 1024 * 1024).payload.toString('utf8')).toContain(`GET ${POISONED_ROUTE}`);
    }
  });
});
