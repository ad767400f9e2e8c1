/**
 * APM with real SDKs against a real Snag: the same instrumented Node HTTP app
 * (test/helpers/node-apm-app.js) in both trace lifecycles, each into its own project, and Debian's
 * python3-sentry-sdk WSGI app into a third. Checks names, HTTP fields, breakdowns, waterfall depth,
 * N+1 flags and normalized SQL, and that the static and streamed versions of one app agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectView, TransactionDetail } from '../../src/api/types.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { runNodeApm, runPythonApm, type ApmIds } from '../helpers/sdk-senders.js';
import { snagApi, type SnagApi } from '../helpers/snag-api.js';
import { startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';

const NODE_ROUTES = ['/users/:id', '/orders', '/checkout', '/inventory', '/slow'] as const;
const PYTHON_ROUTES = ['/users/<id>', '/orders', '/checkout', '/inventory', '/slow'] as const;
/** Literals the apps put in their SQL: none may reach the API (so none reached disk). */
const LITERALS = ['jane.doe@example.com', "'theme'", "'paid'", 'id = 7', 'id = 3', 'IN (1, 2, 3)'];

async function createProject(snag: RunningSnag, name: string): Promise<ProjectView> {
  const res = await fetch(`${snag.url}/api/v1/projects`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`create project → ${res.status} ${await res.text()}`);
  return (await res.json()) as ProjectView;
}

async function transactionsOf(api: SnagApi, ids: ApmIds, routes: readonly string[], expectLateSpan: boolean) {
  const out = new Map<string, TransactionDetail>();
  for (const route of routes) {
    const id = ids.segment_ids[route];
    expect(id, `the sender reported no segment for ${route}`).toBeTruthy();
    out.set(
      route,
      await waitFor(
        async () => {
          const t = await api.getTransaction(id!).catch(() => undefined);
          // /slow has a child that ends a second after the response: wait until it is attached.
          if (
            !t ||
            (expectLateSpan && route === '/slow' && !t.spans.some((s) => s.description === 'send analytics'))
          )
            return undefined;
          return t;
        },
        20_000,
        `transaction ${route}`,
      ),
    );
  }
  return out;
}

const shapes = (t: TransactionDetail) =>
  t.queries
    .map((q) => [q.pattern, q.count, q.distinct, q.n_plus_one] as const)
    .sort((x, y) => x[0].localeCompare(y[0]));
const maxDepth = (t: TransactionDetail) => Math.max(...t.spans.map((s) => s.depth));
const byOp = (t: TransactionDetail, op: string) => t.spans.filter((s) => s.op === op);

describe('APM: real SDK transactions', () => {
  let snag: RunningSnag;
  const projects: Record<
    'static' | 'stream' | 'python',
    { api: SnagApi; ids: ApmIds; tx: Map<string, TransactionDetail> }
  > = {} as never;

  beforeAll(async () => {
    snag = await startSnag();
    for (const lifecycle of ['static', 'stream'] as const) {
      const project = await createProject(snag, `node ${lifecycle}`);
      const api = snagApi(snag, project.slug);
      const ids = await runNodeApm(project.dsn, lifecycle, 'requests', { release: 'shop@1.0.0' });
      projects[lifecycle] = { api, ids, tx: await transactionsOf(api, ids, NODE_ROUTES, true) };
    }
    const project = await createProject(snag, 'python');
    const api = snagApi(snag, project.slug);
    const ids = await runPythonApm(project.dsn, { release: 'shop@1.0.0' });
    projects.python = { api, ids, tx: await transactionsOf(api, ids, PYTHON_ROUTES, false) };
  }, 120_000);

  afterAll(() => stopAndRemove(snag));

  it('names, ops and HTTP fields come out the same from both Node lifecycles', () => {
    for (const route of NODE_ROUTES) {
      const a = projects.static.tx.get(route)!;
      const b = projects.stream.tx.get(route)!;
      for (const t of [a, b]) {
        expect(t.name).toBe(`GET ${route}`);
        expect(t.op).toBe('http.server');
        expect(t.source).toBe('route');
        expect(t.http_method).toBe('GET');
        expect(t.release).toBe('shop@1.0.0');
      }
      expect(b.status, route).toBe(a.status);
      expect(b.http_status, route).toBe(a.http_status);
      expect(b.is_error, route).toBe(a.is_error);
      expect(maxDepth(b), route).toBe(maxDepth(a));
      expect(b.query_count, route).toBe(a.query_count);
      // Patterns are ordered by time spent, which differs run to run: compare them sorted.
      expect(shapes(b), route).toEqual(shapes(a));
    }
    const checkout = projects.stream.tx.get('/checkout')!;
    expect(checkout.http_status).toBe(500);
    expect(checkout.is_error).toBe(true);
    expect(checkout.status).toBe('internal_error');
    expect(projects.stream.tx.get('/orders')!.http_status).toBe(200);
  });

  it('breaks down where the time went, by span category', () => {
    for (const { tx } of [projects.static, projects.stream, projects.python]) {
      const orders = [...tx.values()].find((t) => t.name.endsWith('/orders'))!;
      const checkout = [...tx.values()].find((t) => t.name.endsWith('/checkout'))!;
      expect(orders.breakdown.db).toBeGreaterThan(0);
      expect(checkout.breakdown.http).toBeGreaterThan(0);
      expect(checkout.breakdown.view).toBeGreaterThan(0);
      for (const t of [orders, checkout]) {
        const sum = Object.values(t.breakdown).reduce((x, y) => x + y, 0);
        expect(Math.abs(sum - t.duration_ms)).toBeLessThan(0.01 * t.duration_ms + 0.01);
      }
    }
    const checkout = projects.static.tx.get('/checkout')!;
    expect(checkout.breakdown.cache).toBeGreaterThan(0);
  });

  it('flags the N+1 on /orders with its pattern, and keeps no SQL literal', () => {
    for (const { tx } of [projects.static, projects.stream, projects.python]) {
      const orders = [...tx.values()].find((t) => t.name.endsWith('/orders'))!;
      expect(orders.n_plus_one).toBe(true);
      const perUser = orders.queries.find((q) => /FROM users WHERE id = \?$/.test(q.pattern));
      expect(perUser, JSON.stringify(orders.queries)).toMatchObject({
        count: 8,
        distinct: 8,
        n_plus_one: true,
      });
      const settings = orders.queries.find((q) => q.pattern.includes('FROM settings'));
      expect(settings).toMatchObject({ count: 5, distinct: 1, n_plus_one: true });
      expect(orders.queries.find((q) => q.pattern.startsWith('SELECT * FROM orders'))?.n_plus_one).toBe(
        false,
      );
      for (const t of tx.values()) {
        const text = JSON.stringify([t.spans, t.queries]);
        for (const literal of LITERALS) expect(text, `${t.name} leaks ${literal}`).not.toContain(literal);
      }
    }
    // The Rails query-log tag is kept as the call site, not in the pattern.
    const tagged = projects.static.tx
      .get('/orders')!
      .queries.find((q) => q.call_site?.includes('controller:orders'));
    expect(tagged?.pattern).not.toContain('/*');
  });

  it('draws the waterfall as a tree: db spans under their parent, the late span attached', () => {
    for (const lifecycle of ['static', 'stream'] as const) {
      const slow = projects[lifecycle].tx.get('/slow')!;
      expect(slow.spans[0]!.depth).toBe(0);
      expect(slow.spans.some((s) => s.description === 'send analytics')).toBe(true);
      const orders = projects[lifecycle].tx.get('/orders')!;
      expect(byOp(orders, 'db').length).toBe(orders.query_count);
      expect(orders.spans.every((s, i) => i === 0 || s.depth >= 1)).toBe(true);
    }
    // /inventory is its own transaction, a child segment of /checkout in the same trace.
    const inventory = projects.stream.tx.get('/inventory')!;
    const checkout = projects.stream.tx.get('/checkout')!;
    expect(inventory.trace_id).toBe(checkout.trace_id);
    expect(inventory.parent_span_id).toBe(byOp(checkout, 'http.client')[0]?.span_id);
    expect(checkout.trace_transactions.map((t) => t.id)).toEqual([inventory.id]);
  });

  it('links the error of the same trace from the transaction', () => {
    for (const lifecycle of ['static', 'stream'] as const) {
      const { ids, tx } = projects[lifecycle];
      const errors = tx.get('/checkout')!.trace_errors;
      expect(errors.map((e) => e.event_id)).toContain(ids.event_ids['checkout']);
    }
  });

  it('reads Python transactions: names, ISO timestamps, status from the tag, outbound http', () => {
    const { tx } = projects.python;
    for (const route of PYTHON_ROUTES) {
      const t = tx.get(route)!;
      expect(t.name).toBe(route);
      expect(t.op).toBe('http.server');
      expect(t.duration_ms).toBeGreaterThan(0);
    }
    expect(tx.get('/checkout')!.http_status).toBe(500);
    expect(tx.get('/checkout')!.is_error).toBe(true);
    expect(tx.get('/orders')!.http_status).toBe(200);
    expect(tx.get('/slow')!.duration_ms).toBeGreaterThanOrEqual(250);
  });

  it('answers the performance pages from rollups and sketches', async () => {
    const { api } = projects.stream;
    const overview = await api.performance({ range: '1h' });
    expect(overview.headline.count).toBe(5);
    expect(overview.endpoints.map((e) => e.name)).toEqual(
      expect.arrayContaining(NODE_ROUTES.map((r) => `GET ${r}`)),
    );
    const slowRow = overview.endpoints.find((e) => e.name === 'GET /slow')!;
    expect(slowRow.p50).toBeGreaterThanOrEqual(250);
    expect(overview.endpoints[0]!.total_ms).toBeGreaterThanOrEqual(overview.endpoints[1]!.total_ms);
    expect(overview.endpoints.find((e) => e.name === 'GET /checkout')!.error_rate).toBe(1);

    const endpoint = await api.endpoint('GET /orders', { range: '24h' });
    expect(endpoint.stats.count).toBe(1);
    expect(endpoint.series.reduce((n, p) => n + p.count, 0)).toBe(1);
    expect(endpoint.breakdown.db).toBeGreaterThan(0);
    expect(endpoint.slowest[0]!.id).toBe(projects.stream.ids.segment_ids['/orders']);

    const n1 = await api.nPlusOne();
    expect(n1.endpoints[0]).toMatchObject({ name: 'GET /orders', affected: 1 });
    expect(n1.endpoints[0]!.pattern?.pattern).toMatch(/FROM (users|settings)/);

    const slow = await api.searchTransactions({ min_duration: '250' });
    expect(slow.transactions.map((t) => t.name)).toEqual(['GET /slow']);
    const failed = await api.searchTransactions({ http_status: '500' });
    expect(failed.transactions.map((t) => t.name)).toEqual(['GET /checkout']);

    const health = await projects.static.api.health();
    expect(health.transaction_count).toBeGreaterThanOrEqual(15);
    expect(health.invalid_transactions).toBe(0);
    expect(health.parked_jobs).toBe(0);
  });

  it('compares two releases with a verdict, from sketches of each', async () => {
    const project = await createProject(snag, 'compare');
    const api = snagApi(snag, project.slug);
    await runNodeApm(project.dsn, 'static', 'load:48', { release: 'shop@1.0.0' });
    await runNodeApm(project.dsn, 'static', 'load:48', { release: 'shop@2.0.0' });
    // 48 requests per release (12 per route), plus the /inventory transaction each /checkout makes.
    await waitFor(
      async () => (await api.performance({ range: '1h' })).headline.count >= 120,
      20_000,
      'both releases stored',
    );
    const comparison = await api.compare({ a: 'shop@1.0.0', b: 'shop@2.0.0' });
    expect(comparison.mode).toBe('releases');
    expect(comparison.a.count).toBe(60);
    expect(comparison.b.count).toBe(60);
    expect(comparison.a.p95).toBeGreaterThan(0);
    expect(['faster', 'slower', 'unchanged']).toContain(comparison.verdict);
    expect(comparison.verdict_reason).toMatch(/p95/);
    expect(comparison.endpoints.map((e) => e.name)).toContain('GET /slow');
    expect(comparison.releases).toEqual(['shop@2.0.0', 'shop@1.0.0']);
    expect(comparison.a.throughput_per_minute).toBeGreaterThan(0.5);

    const single = await api.compare({ a: 'shop@1.0.0', b: 'shop@2.0.0', name: 'GET /slow' });
    expect(single.a.count).toBe(12);
    expect(single.verdict).toBe('not_enough_data');
    // Before/after a moment: everything happened before "now + 1 h".
    const around = await api.compare({ at: new Date(Date.now() + 3_600_000).toISOString(), window: '6h' });
    expect(around.mode).toBe('timestamp');
    expect(around.a.count).toBe(120);
    expect(around.b.count).toBe(0);
  }, 60_000);

  it('refuses bad performance queries with a 400 that says why', async () => {
    const base = `${snag.url}/api/v1/projects/default`;
    for (const path of [
      '/performance?range=2h',
      '/performance/endpoint',
      '/performance/compare',
      '/transactions?min_duration=-1',
      '/transactions?tag=nocolon',
      '/transactions/xyz',
    ]) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { detail: string }).detail.length).toBeGreaterThan(10);
    }
    expect((await fetch(`${base}/transactions/0123456789abcdef`)).status).toBe(404);
  });
});
