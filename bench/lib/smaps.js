/**
 * Where a process's resident memory sits, from /proc/<pid>/smaps, by kind of mapping:
 *
 * - `arenas`: glibc's per-thread malloc arenas. Each is a heap mmap'd at a 64-MiB-aligned address
 *   and reserved 64 MiB at a time (HEAP_MAX_SIZE on 64-bit glibc), its unused tail mapped ---p.
 *   SQLite page caches, better-sqlite3's row Buffers, zstd buffers of a thread land in its arena,
 *   and glibc returns an arena's pages only from its top, so it holds what the thread once used.
 * - `brk`: the main arena ([heap]).
 * - `otherAnon`: the remaining anonymous memory: V8 heap pages of every isolate, mallocs above the
 *   mmap threshold, thread stacks.
 * - `file`: file-backed pages (the node binary, shared libraries, mmap'd files).
 */
import fs from 'node:fs';

const KIB = 1024;
const ARENA_HEAP_BYTES = 64 * 1024 * 1024;
const HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ (\d+)\s*(.*)$/;

function parseSmaps(text) {
  const maps = [];
  let current;
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      current = {
        start: BigInt(`0x${header[1]}`),
        end: BigInt(`0x${header[2]}`),
        perms: header[3],
        inode: Number(header[4]),
        name: header[5].trim(),
        rss: 0,
      };
      maps.push(current);
    } else if (current && line.startsWith('Rss:')) {
      current.rss = Number(/(\d+)/.exec(line)[1]) * KIB;
    }
  }
  return maps;
}

/** `{ total, file, brk, arenas: [bytes…] (largest first), arenaTotal, otherAnon, stacks }` in bytes. */
export function readSmapsBreakdown(pid) {
  const maps = parseSmaps(fs.readFileSync(`/proc/${pid}/smaps`, 'utf8'));
  const out = { total: 0, file: 0, brk: 0, arenas: [], arenaTotal: 0, otherAnon: 0, stacks: 0 };
  const arenaSize = BigInt(ARENA_HEAP_BYTES);
  for (let i = 0; i < maps.length; i++) {
    const m = maps[i];
    out.total += m.rss;
    if (m.inode !== 0 || (m.name && !m.name.startsWith('['))) out.file += m.rss;
    else if (m.name === '[heap]') out.brk += m.rss;
    else if (m.name.startsWith('[stack')) out.stacks += m.rss;
    else if (isArenaHeap(m, maps[i + 1], arenaSize)) {
      out.arenas.push(m.rss);
      out.arenaTotal += m.rss;
    } else out.otherAnon += m.rss;
  }
  out.arenas.sort((a, b) => b - a);
  return out;
}

function isArenaHeap(m, next, arenaSize) {
  if (m.perms !== 'rw-p' || m.start % arenaSize !== 0n) return false;
  const size = m.end - m.start;
  if (size === arenaSize) return true;
  return next?.perms === '---p' && next.start === m.end && next.end - m.start === arenaSize;
}

/** One line of MiB figures for a breakdown. */
export function formatBreakdown(b) {
  const mib = (v) => (v / (1024 * 1024)).toFixed(0);
  return (
    `total ${mib(b.total)} = file ${mib(b.file)} + brk ${mib(b.brk)} + arenas ${mib(b.arenaTotal)} ` +
    `[${b.arenas.map(mib).join(' ')}] + other anon ${mib(b.otherAnon)} + stacks ${mib(b.stacks)} MiB`
  );
}
