/**
 * Reads the .cpuprofile files `node --cpu-prof` writes (one per thread: the name holds
 * pid.threadId, 0 being the main thread) and sums self time per function and per area
 * (Snag source file, npm package, Node internals, GC), so "where does the time go" has an answer.
 */
import fs from 'node:fs';
import path from 'node:path';

const TOP_FUNCTIONS = 20;
const TOP_AREAS = 10;
const IDLE = '(idle)';

/** Which part of the stack a frame's URL belongs to. */
function areaOf(url, functionName) {
  if (!url) return functionName || '(native)';
  if (url.includes('/node_modules/')) {
    const after = url.split('/node_modules/').pop();
    const parts = after.split('/');
    return `npm:${after.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? `snag:${url.slice(dist + '/dist/'.length)}` : path.basename(url);
}

function shortLocation(url, lineNumber) {
  if (!url) return '';
  const trimmed = url.includes('/node_modules/')
    ? url.split('/node_modules/').pop()
    : url.includes('/dist/')
      ? url.slice(url.indexOf('/dist/') + 1)
      : url.replace(/^file:\/\//, '');
  return `${trimmed}:${lineNumber + 1}`;
}

function addTo(map, key, ms) {
  map.set(key, (map.get(key) ?? 0) + ms);
}

function rank(map, limit, busyMs) {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, ms]) => ({ name, ms, share: ms / busyMs }));
}

export function summarizeCpuProfile(file) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map();
  for (let i = 0; i < profile.samples.length; i++)
    addTo(selfMs, profile.samples[i], (profile.timeDeltas[i] ?? 0) / 1000);
  const byFunction = new Map();
  const byArea = new Map();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, ms] of selfMs) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    totalMs += ms;
    if (functionName === IDLE) {
      idleMs += ms;
      continue;
    }
    addTo(byFunction, `${functionName || '(anonymous)'} ${shortLocation(url, lineNumber)}`.trim(), ms);
    addTo(byArea, areaOf(url, functionName), ms);
  }
  const busyMs = totalMs - idleMs;
  const threadId = Number(path.basename(file).split('.')[4]);
  return {
    file: path.basename(file),
    thread: threadId === 0 ? 'main (HTTP) thread' : `worker thread ${threadId} (digest)`,
    totalMs,
    busyMs,
    functions: rank(byFunction, TOP_FUNCTIONS, busyMs),
    areas: rank(byArea, TOP_AREAS, busyMs),
  };
}

export function summarizeCpuProfiles(dir) {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .map((name) => summarizeCpuProfile(path.join(dir, name)));
}

/**
 * Markdown: per thread, top areas then top functions by self time. With `perItem`
 * ({ count, unit, cpuMs: { main, worker } }), a column of µs per stored item (transaction,
 * event): the function's share of the thread's samples × the thread's CPU time from /proc ÷ the
 * items. Profile samples are wall-clock ticks, which on a busy box also land while the thread waits
 * for a core, so the share is what the profile says and the CPU time what the kernel says.
 */
export function formatProfileSummaries(summaries, perItem) {
  const out = [];
  const extraHead = perItem ? ` µs CPU per ${perItem.unit} |` : '';
  const extraRule = perItem ? '---|' : '';
  for (const s of summaries) {
    const threadCpuMs = perItem && (s.thread.startsWith('main') ? perItem.cpuMs.main : perItem.cpuMs.worker);
    const extra = (share) =>
      perItem ? ` ${((share * threadCpuMs * 1000) / perItem.count).toFixed(1)} |` : '';
    const cpuNote = perItem
      ? `; /proc: ${((threadCpuMs * 1000) / perItem.count).toFixed(0)} µs CPU per ${perItem.unit}`
      : '';
    out.push(
      `##### ${s.thread}: ${(s.busyMs / 1000).toFixed(1)} s sampled busy of ${(s.totalMs / 1000).toFixed(1)} s (${s.file})${cpuNote}`,
      '',
      `| area | self time | share of busy |${extraHead}`,
      `|---|---|---|${extraRule}`,
      ...s.areas.map(
        (a) =>
          `| ${a.name} | ${(a.ms / 1000).toFixed(2)} s | ${(a.share * 100).toFixed(1)} % |${extra(a.share)}`,
      ),
      '',
      `| function | self time | share of busy |${extraHead}`,
      `|---|---|---|${extraRule}`,
      ...s.functions.map(
        (f) =>
          `| \`${f.name}\` | ${(f.ms / 1000).toFixed(2)} s | ${(f.share * 100).toFixed(1)} % |${extra(f.share)}`,
      ),
      '',
    );
  }
  return out.join('\n');
}

/** `perItem` for formatProfileSummaries from a load run's result (/proc CPU of each thread). */
export function perItemOf(result, unit) {
  return {
    count: result.stored,
    unit,
    cpuMs: {
      main: result.mainThreadCores * result.seconds * 1000,
      worker: (result.otherThreads[0]?.cores ?? NaN) * result.seconds * 1000,
    },
  };
}
