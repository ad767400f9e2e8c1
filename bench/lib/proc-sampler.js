/**
 * Memory and CPU of the server process from /proc (Linux only): VmRSS now, VmHWM (the kernel's
 * own peak RSS, so a spike between two samples is not missed), and utime+stime in clock ticks,
 * per process and per thread (the HTTP thread is the one whose tid is the pid; the digest worker
 * and libuv's zlib threads are among the others).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';

export const SAMPLE_INTERVAL_MS = 250;
const KIB = 1024;

function readClockTicksPerSecond() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100; // the Linux default on every common architecture
  }
}

const CLOCK_TICKS_PER_SECOND = readClockTicksPerSecond();

/** Bytes of VmRSS and VmHWM from /proc/<pid>/status. */
export function readMemory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * KIB;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** utime+stime in seconds from a /proc stat line (fields 14 and 15, counted after the comm). */
function parseCpuSeconds(statLine) {
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

export function readCpuSeconds(pid) {
  return parseCpuSeconds(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** CPU seconds per thread id, for telling the HTTP thread from the digest worker. */
export function readThreadCpuSeconds(pid) {
  const perThread = new Map();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      perThread.set(Number(tid), parseCpuSeconds(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
    } catch {
      // the thread ended between readdir and read
    }
  }
  return perThread;
}

/** Samples the server every SAMPLE_INTERVAL_MS; `latest()` and `peakRss()` read the results. */
export function startProcSampler(pid) {
  let latest = readMemory(pid);
  let peakRss = latest.rss;
  const timer = setInterval(() => {
    try {
      latest = readMemory(pid);
      peakRss = Math.max(peakRss, latest.rss);
    } catch {
      // the server exited; the last sample stands
    }
  }, SAMPLE_INTERVAL_MS);
  timer.unref();
  return {
    latest: () => latest,
    /** The larger of the sampled maximum and the kernel's high-water mark. */
    peakRss: () => Math.max(peakRss, latest.hwm),
    stop: () => clearInterval(timer),
  };
}

/**
 * Nanoseconds the process's threads spent runnable but waiting for a CPU (schedstat run_delay).
 * On a shared 2-core box this is the tell that another tenant, or the load generator, took the
 * cores the server wanted.
 */
function readRunDelaySeconds(pid) {
  let total = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
    } catch {
      // the thread ended between readdir and read
    }
  }
  return total;
}

/** Busy CPU seconds of the whole machine (every tenant), from the first line of /proc/stat. */
function readMachineBusySeconds() {
  const [user, nice, system, , , irq, softirq, steal] = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS_PER_SECOND;
}

/** CPU used between `start()` and `stop()`, as cores (1.0 = one core busy all the time). */
export function startCpuWindow(pid) {
  const startedAt = performance.now();
  const processStart = readCpuSeconds(pid);
  const threadsStart = readThreadCpuSeconds(pid);
  const clientStart = process.cpuUsage();
  const runDelayStart = readRunDelaySeconds(pid);
  const machineStart = readMachineBusySeconds();
  return {
    stop() {
      const seconds = (performance.now() - startedAt) / 1000;
      const client = process.cpuUsage(clientStart);
      const threads = [...readThreadCpuSeconds(pid)].map(([tid, cpu]) => ({
        tid,
        isMain: tid === pid,
        cores: (cpu - (threadsStart.get(tid) ?? 0)) / seconds,
      }));
      threads.sort((a, b) => b.cores - a.cores);
      const serverCores = (readCpuSeconds(pid) - processStart) / seconds;
      const clientCores = (client.user + client.system) / 1e6 / seconds;
      return {
        seconds,
        serverCores,
        mainThreadCores: threads.find((t) => t.isMain)?.cores ?? 0,
        otherThreads: threads.filter((t) => !t.isMain).slice(0, 3),
        clientCores,
        // Everything else on the box: other tenants of this shared machine.
        // Clamped: the three clocks are read at slightly different moments, so "none" can come out at -0.01.
        otherProcessCores: Math.max(
          0,
          (readMachineBusySeconds() - machineStart) / seconds - serverCores - clientCores,
        ),
        serverWaitingCores: (readRunDelaySeconds(pid) - runDelayStart) / seconds,
      };
    },
  };
}
