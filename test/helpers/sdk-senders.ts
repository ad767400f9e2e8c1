/**
 * Runs the real Sentry SDKs in child processes (node-sdk-sender.js, python-sdk-sender.py) against
 * a DSN and returns the event ids the SDKs reported. A child process keeps SDK global state
 * (hubs, OpenTelemetry hooks, exit handlers) out of the test runner.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './snag.js';

const run = promisify(execFile);
/** Debian's interpreter: python3-sentry-sdk is installed for it, not for a pyenv on PATH. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
const SENDER_TIMEOUT_MS = 30_000;

export interface SenderOptions {
  release?: string;
  environment?: string;
  /** Extra variables, e.g. SNAG_USER_IDS for the node `user-not-found` scenario. */
  env?: Record<string, string>;
}

export async function runNodeSdk(dsn: string, scenarios: string[], options: SenderOptions = {}) {
  const script = path.join(REPO_ROOT, 'test/helpers/node-sdk-sender.js');
  return runSender(process.execPath, [script, ...scenarios], dsn, options);
}

export async function runPythonSdk(dsn: string, scenario: string, options: SenderOptions = {}) {
  const script = path.join(REPO_ROOT, 'test/helpers/python-sdk-sender.py');
  return runSender(SYSTEM_PYTHON, [script, scenario], dsn, options);
}

export interface ApmIds {
  trace_ids: Record<string, string>;
  segment_ids: Record<string, string>;
  event_ids: Record<string, string>;
}

/** test/helpers/node-apm-app.js: a real instrumented HTTP app in one trace lifecycle. */
export async function runNodeApm(
  dsn: string,
  lifecycle: 'static' | 'stream',
  scenario = 'requests',
  options: SenderOptions = {},
): Promise<ApmIds> {
  const script = path.join(REPO_ROOT, 'test/helpers/node-apm-app.js');
  return runApmSender(process.execPath, [script, scenario], dsn, {
    ...options,
    env: { SNAG_TRACE_LIFECYCLE: lifecycle, ...options.env },
  });
}

/** test/helpers/python-apm-sender.py: a real WSGI app under Debian's python3-sentry-sdk. */
export async function runPythonApm(dsn: string, options: SenderOptions = {}): Promise<ApmIds> {
  const script = path.join(REPO_ROOT, 'test/helpers/python-apm-sender.py');
  return runApmSender(SYSTEM_PYTHON, [script, 'requests'], dsn, options);
}

async function runApmSender(command: string, args: string[], dsn: string, options: SenderOptions) {
  const { stdout, stderr } = await run(command, args, {
    cwd: REPO_ROOT,
    env: senderEnv(dsn, options),
    timeout: SENDER_TIMEOUT_MS,
  });
  const parsed = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Partial<ApmIds> & {
    flushed?: boolean;
  };
  if (parsed.flushed === false || !parsed.trace_ids)
    throw new Error(`the APM sender did not finish:\n${stdout}\n${stderr}`);
  return parsed as ApmIds;
}

function senderEnv(dsn: string, options: SenderOptions): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '/tmp',
    SNAG_DSN: dsn,
    SNAG_RELEASE: options.release ?? '',
    SNAG_ENVIRONMENT: options.environment ?? '',
    ...options.env,
  };
}

async function runSender(
  command: string,
  args: string[],
  dsn: string,
  options: SenderOptions,
): Promise<Record<string, string>> {
  const env = senderEnv(dsn, options);
  const { stdout, stderr } = await run(command, args, { cwd: REPO_ROOT, env, timeout: SENDER_TIMEOUT_MS });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  let parsed: { ids?: Record<string, string>; flushed?: boolean };
  try {
    parsed = JSON.parse(last) as typeof parsed;
  } catch {
    throw new Error(
      `${path.basename(args[0]!)} ${args.slice(1).join(' ')} printed no result:\n${stdout}\n${stderr}`,
    );
  }
  if (parsed.flushed === false) throw new Error(`the SDK did not flush within 5 s:\n${stderr}`);
  return parsed.ids ?? {};
}

export interface LogSenderResult {
  trace_id: string;
  span_id: string;
  sent: number;
}

/** test/helpers/node-logs-sender.js: real @sentry/node logs (`enableLogs`), plus one span segment. */
export async function runNodeLogs(
  dsn: string,
  count: number,
  options: SenderOptions = {},
): Promise<LogSenderResult> {
  const script = path.join(REPO_ROOT, 'test/helpers/node-logs-sender.js');
  return runLogSender([script, '--count', String(count)], senderEnv(dsn, options));
}

/** test/helpers/otel-logs-sender.js: the real OpenTelemetry JS logs SDK and its OTLP/HTTP exporters. */
export async function runOtelLogs(
  url: string,
  publicKey: string,
  options: {
    encoding: 'json' | 'protobuf';
    gzip?: boolean;
    count?: number;
    traceId?: string;
    spanId?: string;
    /** Epoch ms of the first record; the same time gives the same records run after run. */
    time?: number;
  },
): Promise<LogSenderResult> {
  const script = path.join(REPO_ROOT, 'test/helpers/otel-logs-sender.js');
  const args = [
    script,
    '--url',
    url,
    '--encoding',
    options.encoding,
    '--header',
    `Authorization: Bearer ${publicKey}`,
  ];
  if (options.gzip) args.push('--gzip');
  if (options.count) args.push('--count', String(options.count));
  if (options.traceId) args.push('--trace-id', options.traceId);
  if (options.spanId) args.push('--span-id', options.spanId);
  if (options.time) args.push('--time', String(options.time));
  return runLogSender(args, { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp' });
}

async function runLogSender(args: string[], env: Record<string, string>): Promise<LogSenderResult> {
  const { stdout, stderr } = await run(process.execPath, args, {
    cwd: REPO_ROOT,
    env,
    timeout: SENDER_TIMEOUT_MS,
  });
  const parsed = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Partial<LogSenderResult> & {
    flushed?: boolean;
  };
  if (parsed.flushed === false || !parsed.trace_id)
    throw new Error(`the log sender did not finish:\n${stdout}\n${stderr}`);
  return parsed as LogSenderResult;
}
