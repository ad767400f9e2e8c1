/** What `snag serve` wants of its process start (src/cli/serve-launch.ts). */
import { describe, expect, it } from 'vitest';
import { MALLOC_ARENAS, SEMI_SPACE_MB, serveProcessSettings } from '../../src/cli/serve-launch.js';

describe('serveProcessSettings', () => {
  it('asks for fewer malloc arenas and smaller young generations on Linux', () => {
    expect(serveProcessSettings([], {}, 'linux')).toEqual({
      nodeArgs: [`--max-semi-space-size=${SEMI_SPACE_MB}`],
      env: { MALLOC_ARENA_MAX: String(MALLOC_ARENAS) },
    });
  });

  it('leaves the environment alone where glibc is not the allocator', () => {
    expect(serveProcessSettings([], {}, 'darwin').env).toEqual({});
    expect(serveProcessSettings([], {}, 'win32').env).toEqual({});
  });

  it("keeps what the user set: the variable at any value, the flag on node's command line or in NODE_OPTIONS", () => {
    expect(serveProcessSettings(['--max-semi-space-size=16'], { MALLOC_ARENA_MAX: '8' }, 'linux')).toEqual({
      nodeArgs: [],
      env: {},
    });
    expect(serveProcessSettings(['--max_semi_space_size=1'], {}, 'linux').nodeArgs).toEqual([]);
    expect(
      serveProcessSettings([], { NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=32' }, 'linux')
        .nodeArgs,
    ).toEqual([]);
    expect(
      serveProcessSettings(['--import', 'x.js'], { NODE_OPTIONS: '--max-old-space-size=512' }, 'linux'),
    ).toEqual({
      nodeArgs: [`--max-semi-space-size=${SEMI_SPACE_MB}`],
      env: { MALLOC_ARENA_MAX: String(MALLOC_ARENAS) },
    });
  });
});
