/** What `snag serve` wants of its process start (src/cli/serve-launch.ts). */
import { describe, expect, it } from 'vitest';
import {
  HEAP_GROWING_PERCENT,
  MALLOC_ARENAS,
  MALLOC_THRESHOLD_BYTES,
  SEMI_SPACE_MB,
  serveProcessSettings,
} from '../../src/cli/serve-launch.js';

const ALL_ARGS = [
  `--max-semi-space-size=${SEMI_SPACE_MB}`,
  `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
  '--expose-gc',
];
const ALL_ENV = {
  MALLOC_ARENA_MAX: String(MALLOC_ARENAS),
  MALLOC_MMAP_THRESHOLD_: String(MALLOC_THRESHOLD_BYTES),
  MALLOC_TRIM_THRESHOLD_: String(MALLOC_THRESHOLD_BYTES),
};

describe('serveProcessSettings', () => {
  it('asks for fewer malloc arenas, fixed malloc thresholds, smaller young generations and gc on Linux', () => {
    expect(serveProcessSettings([], {}, 'linux')).toEqual({ nodeArgs: ALL_ARGS, env: ALL_ENV });
  });

  it('leaves the environment alone where glibc is not the allocator', () => {
    expect(serveProcessSettings([], {}, 'darwin')).toEqual({ nodeArgs: ALL_ARGS, env: {} });
    expect(serveProcessSettings([], {}, 'win32').env).toEqual({});
  });

  it("keeps what the user set: each variable at any value, each flag on node's command line or in NODE_OPTIONS", () => {
    expect(
      serveProcessSettings(
        ['--max-semi-space-size=16', '--heap-growing-percent=50', '--expose-gc'],
        { MALLOC_ARENA_MAX: '8', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '0' },
        'linux',
      ),
    ).toEqual({ nodeArgs: [], env: {} });
    expect(
      serveProcessSettings(
        ['--max_semi_space_size=1', '--heap_growing_percent=10', '--expose_gc'],
        {},
        'linux',
      ).nodeArgs,
    ).toEqual([]);
    expect(
      serveProcessSettings([], { NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=32' }, 'linux')
        .nodeArgs,
    ).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`, '--expose-gc']);
    // One variable set: only the others are added.
    expect(serveProcessSettings([], { MALLOC_MMAP_THRESHOLD_: '65536' }, 'linux').env).toEqual({
      MALLOC_ARENA_MAX: String(MALLOC_ARENAS),
      MALLOC_TRIM_THRESHOLD_: String(MALLOC_THRESHOLD_BYTES),
    });
    expect(
      serveProcessSettings(['--import', 'x.js'], { NODE_OPTIONS: '--max-old-space-size=512' }, 'linux'),
    ).toEqual({ nodeArgs: ALL_ARGS, env: ALL_ENV });
  });
});
