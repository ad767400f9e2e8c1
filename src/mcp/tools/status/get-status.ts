import { z } from 'zod';
import { defineTool } from '../../define-tool.js';
import { formatBytes, table } from '../../format.js';

export const getStatus = defineTool({
  name: 'get_status',
  title: 'Snag status',
  description:
    'Health of this Snag: version, undigested queue depth, stored counts (issues, events, transactions, parked and invalid items) and the size of each data file.',
  kind: 'read',
  input: {},
  output: {
    version: z.string(),
    runtime: z.string(),
    queue_depth: z
      .number()
      .describe('Accepted items not digested yet; a growing number means Snag is behind.'),
    projects: z.number(),
    counts: z.record(z.string(), z.number()),
    storage: z.array(
      z.object({ name: z.string(), file: z.string(), bytes: z.number(), wal_bytes: z.number() }),
    ),
    storage_total_bytes: z.number(),
  },
  run(_args, { deps }) {
    const { data_dir: _dataDir, ...s } = deps.status.snapshot();
    const text = [
      `Snag ${s.version} on ${s.runtime}: ${s.projects} project(s), queue depth ${s.queue_depth}${s.queue_depth > 1000 ? ' (behind: digest is catching up)' : ''}.`,
      table(
        ['count', 'value'],
        Object.entries(s.counts).map(([k, v]) => [k, v.toLocaleString('en-US')]),
      ),
      table(
        ['file', 'size', 'write-ahead log'],
        s.storage.map((f) => [f.file, formatBytes(f.bytes), formatBytes(f.wal_bytes)]),
      ),
      `Total on disk: ${formatBytes(s.storage_total_bytes)}.`,
    ].join('\n\n');
    return { data: s, text };
  },
});
