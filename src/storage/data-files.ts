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
