/** Sizes of the data dir's files on disk (main file and write-ahead log), for status reports. */
import fs from 'node:fs';
import path from 'node:path';
import { DATA_FILES } from './index.js';

export interface DataFileSize {
  name: string;
  file: string;
  bytes: number;
  wal_bytes: number;
}

export function measureDataFiles(dataDir: string): DataFileSize[] {
  const size = (file: string) => {
    try {
      return fs.statSync(file).size;
    } catch {
      return 0;
    }
  };
  return Object.entries(DATA_FILES).map(([name, file]) => ({
    name,
    file,
    bytes: size(path.join(dataDir, file)),
    wal_bytes: size(path.join(dataDir, `${file}-wal`)),
  }));
}

/** How long a free-space reading is reused: statfs costs ~1.3 µs here, but not per request at 3,000/s. */
const FREE_SPACE_TTL_MS = 100;

export interface FreeSpaceProbe {
  /** Free bytes (for unprivileged users) on the filesystem holding the data dir. */
  free(): number;
  /** Bytes just written: subtracted until the next reading, so a burst cannot outrun the cache. */
  spend(bytes: number): void;
}

/** Reads free space at most every FREE_SPACE_TTL_MS and estimates it from the bytes written in between. */
export function createFreeSpaceProbe(dataDir: string): FreeSpaceProbe {
  let readAt = 0;
  let free = Number.POSITIVE_INFINITY;
  const read = () => {
    const now = Date.now();
    if (now - readAt >= FREE_SPACE_TTL_MS) {
      readAt = now;
      try {
        const s = fs.statfsSync(dataDir);
        free = s.bavail * s.bsize;
      } catch {
        // Unknown (an exotic filesystem): no reserve check rather than refusing everything.
        free = Number.POSITIVE_INFINITY;
      }
    }
    return free;
  };
  return {
    free: read,
    spend: (bytes) => {
      free -= bytes;
    },
  };
}
