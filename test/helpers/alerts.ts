/**
 * The alert tests' tools: real @sentry/node events through alerts-sdk-sender.js, and typed calls
 * of the alerts API (src/api/types.ts shapes).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type {
  AlertChannelsList,
  AlertChannelView,
  AlertDeliveriesPage,
  AlertRuleView,
  AlertTestResult,
} from '../../src/api/types.js';
import { REPO_ROOT, type RunningSnag } from './snag.js';

const run = promisify(execFile);

/** `specs`: `<label>:<count>[@<hours ago>]`, one issue per label (alerts-sdk-sender.js). */
export async function sendAlertEvents(
  dsn: string,
  specs: string[],
  options: { environment?: string; release?: string; level?: string } = {},
): Promise<{ ids: Record<string, string>; sent: number }> {
  const { stdout, stderr } = await run(
    process.execPath,
    [path.join(REPO_ROOT, 'test/helpers/alerts-sdk-sender.js'), ...specs],
    {
      cwd: REPO_ROOT,
      timeout: 60_000,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '/tmp',
        SNAG_DSN: dsn,
        SNAG_ENVIRONMENT: options.environment ?? '',
        SNAG_RELEASE: options.release ?? '',
        SNAG_LEVEL: options.level ?? '',
      },
    },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    ids: Record<string, string>;
    sent: number;
    flushed: boolean;
  };
  if (!result.flushed) throw new Error(`the SDK did not flush:\n${stderr}`);
  return result;
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export function alertsApi(snag: RunningSnag, project = 'default') {
  const api = `${snag.url}/api/v1`;
  return {
    channels: () => call<AlertChannelsList>('GET', `${api}/alert-channels`),
    createChannel: (body: unknown) => call<AlertChannelView>('POST', `${api}/alert-channels`, body),
    updateChannel: (id: string, body: unknown) =>
      call<AlertChannelView>('PATCH', `${api}/alert-channels/${id}`, body),
    deleteChannel: (id: string) => call<void>('DELETE', `${api}/alert-channels/${id}`),
    testChannel: (id: string) => call<AlertTestResult>('POST', `${api}/alert-channels/${id}/test`),
    rules: () => call<{ rules: AlertRuleView[] }>('GET', `${api}/projects/${project}/alert-rules`),
    createRule: (body: unknown) =>
      call<AlertRuleView>('POST', `${api}/projects/${project}/alert-rules`, body),
    updateRule: (id: number, body: unknown) => call<AlertRuleView>('PATCH', `${api}/alert-rules/${id}`, body),
    deleteRule: (id: number) => call<void>('DELETE', `${api}/alert-rules/${id}`),
    deliveries: (query: Record<string, string> = {}) =>
      call<AlertDeliveriesPage>('GET', `${api}/alert-deliveries?${new URLSearchParams(query)}`),
    setIssueStatus: (id: number, status: string) => call<unknown>('PATCH', `${api}/issues/${id}`, { status }),
    /** The raw response, for status-code assertions. */
    raw: (method: string, p: string, body?: unknown) =>
      fetch(`${api}${p}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
  };
}
