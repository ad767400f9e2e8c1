/**
 * What a person (the UI) and an agent (MCP) wait for while the mixed load runs: every
 * READ_INTERVAL_MS one round of the calls the pages and an MCP client make, one after another as a
 * single user would, each timed from request to last body byte. The UI's calls are the JSON API
 * the pages fetch (issues list, performance overview, a logs search for a common word over the
 * default 24 h); the MCP call is a stateless Streamable HTTP `tools/call` of list_recent_issues
 * with the server's SNAG_MCP_TOKEN, no initialize first (src/mcp/http-route.ts keeps no session).
 * A call that does not answer 200 counts as a failure, not as a latency.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { SEARCH_TERMS } from './log-records.js';
import { createSampleList } from './stats.js';

const READ_INTERVAL_MS = 1000;

/** [label, (server, slug, token) → fetch arguments, isGood(body text)?] */
export const READS = [
  ['UI: issues list', (s, slug) => [`${s.url}/api/v1/projects/${slug}/issues?status=open`]],
  ['UI: performance overview', (s, slug) => [`${s.url}/api/v1/projects/${slug}/performance`]],
  [
    `UI: logs search "${SEARCH_TERMS.common}"`,
    (s, slug) => [`${s.url}/api/v1/projects/${slug}/logs?q=${SEARCH_TERMS.common}&range=24h&limit=50`],
  ],
  [
    'MCP: tools/call list_recent_issues',
    (s, slug, token) => [
      `${s.url}/mcp`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'list_recent_issues', arguments: { project: slug, limit: 20 } },
        }),
      },
    ],
    // A JSON-RPC error (bad arguments) or a tool that failed still answers 200.
    (text) => {
      const answer = JSON.parse(text);
      return !answer.error && !answer.result?.isError;
    },
  ],
];

/**
 * `stop()` resolves with one `{ label, calls, failed, firstFailure, p50, p95, max }` per READS entry;
 * `onRead({ t, label, ms, ok })`, if given, sees every call (t: epoch ms at the request).
 */
export function startReaders(server, { token, slug = 'default', onRead }) {
  const tallies = READS.map(([label]) => ({
    label,
    latency: createSampleList(),
    failed: 0,
    firstFailure: '',
  }));
  let running = true;
  const readOnce = async (i) => {
    const tally = tallies[i];
    const began = performance.now();
    const t = Date.now();
    let ok = false;
    try {
      const [, request, isGood = () => true] = READS[i];
      const res = await fetch(...request(server, slug, token));
      const text = await res.text();
      if (res.status !== 200 || !isGood(text)) {
        tally.failed++;
        tally.firstFailure ||= `${res.status} ${text.slice(0, 200)}`;
      } else {
        ok = true;
        tally.latency.add(performance.now() - began);
      }
    } catch (err) {
      tally.failed++;
      tally.firstFailure ||= err.message;
    }
    onRead?.({ t, label: tally.label, ms: performance.now() - began, ok });
  };
  const loop = (async () => {
    while (running) {
      const began = performance.now();
      for (let i = 0; i < READS.length && running; i++) await readOnce(i);
      const wait = READ_INTERVAL_MS - (performance.now() - began);
      if (wait > 0 && running) await sleep(wait);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return tallies.map(({ label, latency, failed, firstFailure }) => {
        const [p50, p95, max] = latency.percentiles(50, 95, 100);
        return { label, calls: latency.length + failed, failed, firstFailure, p50, p95, max };
      });
    },
  };
}
