/**
 * The canonical event shape. SDKs send many variants of the Sentry event payload (float or ISO
 * timestamps, `exception` as `{values}` or a bare list, tags as a dict or pairs, `logentry` vs
 * `message`…); `normalizeEvent` turns every one of them into this shape, which is what the
 * worker groups, scrubs, compresses and stores, and what the API returns. It stays Sentry-shaped
 * (snake_case, same field names) so a Sentry-aware reader recognises it.
 */

export type Level = 'fatal' | 'error' | 'warning' | 'info' | 'debug';

export interface Frame {
  filename?: string;
  abs_path?: string;
  module?: string;
  package?: string;
  function?: string;
  raw_function?: string;
  lineno?: number;
  colno?: number;
  context_line?: string;
  pre_context?: string[];
  post_context?: string[];
  in_app?: boolean;
  vars?: Record<string, unknown>;
  platform?: string;
  instruction_addr?: string;
  [key: string]: unknown;
}

export interface Stacktrace {
  /** Oldest first: the crashing frame is last, as Sentry sends it. */
  frames: Frame[];
  [key: string]: unknown;
}

export interface ExceptionValue {
  type?: string;
  value?: string;
  module?: string;
  mechanism?: { type?: string; handled?: boolean; synthetic?: boolean; [key: string]: unknown };
  stacktrace?: Stacktrace;
  [key: string]: unknown;
}

export interface Breadcrumb {
  /** Seconds since the epoch (float). */
  timestamp?: number;
  type?: string;
  category?: string;
  message?: string;
  level?: Level;
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface EventUser {
  id?: string;
  email?: string;
  ip_address?: string;
  username?: string;
  name?: string;
  [key: string]: unknown;
}

export interface NormalizedEvent {
  /** 32 lowercase hex characters. */
  event_id: string;
  /** Seconds since the epoch (float), when the event happened. */
  timestamp: number;
  /** Seconds since the epoch (float), when Snag accepted it. */
  received: number;
  level: Level;
  platform: string;
  logger?: string;
  transaction?: string;
  server_name?: string;
  release?: string;
  dist?: string;
  /** Always set; "production" when the SDK sent none (Sentry's default). */
  environment: string;
  /** `logentry.formatted`, else `logentry.message` with params applied, else a string `message`. */
  logentry?: { message?: string; formatted?: string; params?: unknown[] };
  /** Oldest to newest; the last one is the primary exception. Empty when there is none. */
  exception: { values: ExceptionValue[] };
  breadcrumbs: { values: Breadcrumb[] };
  /** Sorted, deduplicated `[key, value]` pairs; values are strings. */
  tags: [string, string][];
  /** `null` when the SDK sent none or an empty list. */
  fingerprint: string[] | null;
  user?: EventUser;
  request?: Record<string, unknown>;
  contexts: Record<string, Record<string, unknown>>;
  sdk?: { name?: string; version?: string; [key: string]: unknown };
  extra?: Record<string, unknown>;
  modules?: Record<string, string>;
  threads?: { values: Record<string, unknown>[] };
  [key: string]: unknown;
}

/** What grouping derives from an event: the issue it belongs to and how that issue is labelled. */
export interface Grouping {
  /** Hex digest identifying the issue inside a project. */
  hash: string;
  /** Issue title, e.g. "TypeError: Cannot read properties of undefined (reading 'id')". */
  title: string;
  /** Where it happened: the top in-app frame ("app/models/user.rb in save"), else the transaction. */
  culprit: string;
  /** Primary exception type, or "" for message events. */
  type: string;
  /** First line of the primary exception value or of the message. */
  value: string;
}
