/**
 * The shapes alerting works with: rules (what to watch, per project), channels (where to send),
 * facts (something that happened: a new issue, a regression, a burst…) and the message built from
 * a fact, which every channel renders in its own format.
 */

export const ALERT_TRIGGERS = [
  'new_issue',
  'regression',
  'burst',
  'spike',
  'endpoint_p95',
  'endpoint_error_rate',
] as const;
export type AlertTrigger = (typeof ALERT_TRIGGERS)[number];

/** Triggers about an issue (cooldown per rule and issue) rather than an endpoint. */
export const ISSUE_TRIGGERS: readonly AlertTrigger[] = ['new_issue', 'regression', 'burst', 'spike'];

export const CHANNEL_TYPES = ['email', 'ntfy', 'slack', 'discord', 'webhook'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Sentry's levels, lowest first: a rule's `min_level` lets through its level and those above. */
export const LEVELS = ['debug', 'info', 'warning', 'error', 'fatal'] as const;

export interface EmailChannelConfig {
  /** Recipients; a rule may add its own (`AlertRule.email_to`). */
  to: string[];
}
export interface NtfyChannelConfig {
  /** Topic URL, e.g. https://ntfy.sh/my-team-alerts. */
  url: string;
  token?: string;
  /** 1 (min) to 5 (max); ntfy's default is 3. */
  priority?: number;
}
export interface WebhookUrlConfig {
  url: string;
}
export interface WebhookChannelConfig {
  url: string;
  /** HMAC-SHA256 key for the X-Snag-Signature header. */
  secret: string;
}

export type ChannelConfig =
  | { type: 'email'; config: EmailChannelConfig }
  | { type: 'ntfy'; config: NtfyChannelConfig }
  | { type: 'slack'; config: WebhookUrlConfig }
  | { type: 'discord'; config: WebhookUrlConfig }
  | { type: 'webhook'; config: WebhookChannelConfig };

/**
 * A destination. Stored channels have a numeric id; channels configured by environment variables
 * (SNAG_ALERT_EMAILS, SNAG_NTFY_URL…) have ids like `env-email` and cannot be edited.
 */
export type AlertChannel = ChannelConfig & { id: string; name: string; source: 'stored' | 'env' };

export interface AlertRule {
  id: number;
  project_id: number;
  name: string;
  trigger: AlertTrigger;
  enabled: boolean;
  /** Only events (or transactions) of this environment; null = any. */
  environment: string | null;
  /** Only issues at this level or above; null = any. Issue triggers only. */
  min_level: (typeof LEVELS)[number] | null;
  /**
   * burst: events per hour; spike: z-score; endpoint_p95: milliseconds; endpoint_error_rate:
   * share 0–1. Unused by new_issue and regression.
   */
  threshold: number | null;
  /** spike: the fewest events in the last hour that can count as a spike. */
  min_events: number | null;
  /** Endpoint triggers: the window the p95 / error rate is computed over, in minutes. */
  window_minutes: number | null;
  /** Endpoint triggers: one transaction name, or null for every endpoint of the project. */
  endpoint: string | null;
  /** One message per rule and issue (or endpoint) in this long; the rest is summed in a digest. */
  cooldown_seconds: number;
  channel_ids: number[];
  /** Extra recipients for this rule's email channels. */
  email_to: string[];
}

/** Something that happened, before rules decide who hears about it. */
export interface AlertFact {
  trigger: AlertTrigger;
  projectId: number;
  /** Issue triggers. */
  issueId?: number;
  /** Endpoint triggers: the transaction name. */
  endpoint?: string;
  environment: string | null;
  release: string | null;
  level: string | null;
  /** What crossed the threshold, for the message ("142 events in the last hour"). */
  observed?: number;
  threshold?: number;
  /** Transactions in the window (endpoint triggers), for context. */
  sample?: number;
  at: number;
}

export interface AlertMessage {
  trigger: AlertTrigger | 'test' | 'digest';
  /** One line: what happened and where. */
  title: string;
  /** A few plain-text lines: why it fired, counts. */
  summary: string;
  project: { slug: string; name: string } | null;
  issue: {
    id: number;
    title: string;
    culprit: string;
    level: string;
    count: number;
    users: number;
    first_seen: string;
    last_seen: string;
  } | null;
  endpoint: string | null;
  environment: string | null;
  release: string | null;
  /** Link back to Snag (issue page, endpoint page, or Settings for a test). */
  url: string;
  /** Alerts this one stands for that were held back by the cooldown. */
  suppressed: number;
  at: string;
}
