// Fuzzing finding 1 (docs/reliability.md): item types invented by a client grew the per-type
// counters without bound (10,108 entries after 200 fuzzed envelopes).
import { expect, test } from 'vitest';
import { createIngestStats } from '../../../src/ingest/stats.js';

test('invented item types are counted under "other" past a few dozen names, digested kinds always by name', () => {
  const stats = createIngestStats();
  for (let i = 0; i < 10_000; i++) stats.recordDropped(`t${i}`);
  stats.recordAccepted('x'.repeat(1_000_000));
  stats.recordAccepted('event', 2);
  stats.recordAccepted('otlp_log', 5);
  const { accepted, dropped } = stats.snapshot();
  expect(Object.keys(dropped).length).toBeLessThanOrEqual(65);
  expect(dropped['other']).toBeGreaterThan(9_900);
  expect(accepted).toEqual({ other: 1, event: 2, otlp_log: 5 });
  expect(stats.lastMinute('event')).toBe(2);
});
