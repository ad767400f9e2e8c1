/**
 * `node bench/smaps-watch.js --parent PID` (or `--pid PID`): watches a running Snag server from
 * outside (the one `node bench/errors.js` started, found as the `bin/snag.js serve` child of the
 * bench's PID) and prints, once it exits, its memory by kind of mapping (bench/lib/smaps.js) at
 * its peak RSS and the median over the last `--steady` seconds (default 30) before it stopped.
 * Reads smaps once a second (a few ms of the watcher's CPU, none of the server's).
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatBreakdown, readSmapsBreakdown } from './lib/smaps.js';

const INTERVAL_MS = 1000;

function parseArgs(argv) {
  const flags = { pid: 0, parent: 0, steady: 30 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--pid') flags.pid = Number(argv[++i]);
    else if (argv[i] === '--parent') flags.parent = Number(argv[++i]);
    else if (argv[i] === '--steady') flags.steady = Number(argv[++i]);
    else {
      console.error('usage: node bench/smaps-watch.js (--pid PID | --parent PID) [--steady S=30]');
      process.exit(2);
    }
  }
  return flags;
}

/** The `snag.js serve` child of `parent`, once it exists. */
function findServer(parent) {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('snag.js') && cmd.includes('serve')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return 0;
}

const flags = parseArgs(process.argv.slice(2));
const samples = [];
for (;;) {
  const pid = flags.pid || findServer(flags.parent);
  if (!pid) {
    if (flags.parent && !fs.existsSync(`/proc/${flags.parent}`)) break;
    if (samples.length > 0 && flags.pid) break;
    await sleep(200);
    continue;
  }
  let seen = false;
  for (;;) {
    try {
      samples.push({ at: Date.now(), pid, ...readSmapsBreakdown(pid) });
      seen = true;
    } catch {
      break; // exited
    }
    await sleep(INTERVAL_MS);
  }
  if (seen) {
    report(samples.filter((s) => s.pid === pid));
    samples.length = 0;
  }
  if (flags.pid) break;
}

function report(list) {
  if (list.length === 0) return;
  const peak = list.reduce((a, b) => (b.total > a.total ? b : a));
  const last = list[list.length - 1].at;
  const steady = list.filter((s) => s.at >= last - flags.steady * 1000).sort((a, b) => a.total - b.total);
  const median = steady[Math.floor((steady.length - 1) / 2)];
  console.log(`server ${list[0].pid}, ${list.length} samples`);
  console.log(`  peak   (${Math.round((peak.at - list[0].at) / 1000)} s): ${formatBreakdown(peak)}`);
  console.log(`  median of last ${flags.steady} s: ${formatBreakdown(median)}`);
  const mib = (v) => (v / (1024 * 1024)).toFixed(0);
  const every = list.filter((_, i) => i % 10 === 0);
  console.log(
    `  every 10 s, total/arenas MiB: ${every.map((s) => `${mib(s.total)}/${mib(s.arenaTotal)}`).join(' ')}`,
  );
}
