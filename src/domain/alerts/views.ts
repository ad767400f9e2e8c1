/** The alerts API's shapes (src/api/types.ts re-exports them for the web UI). */
import type { AlertTrigger, ChannelType } from './types.js';

export type { AlertTrigger, ChannelType };

/**
 * A channel as the API shows it: secrets (ntfy token, webhook secret, Slack/Discord URLs) are
 * masked; sending a masked value back on update keeps the stored one.
 */
export interface AlertChannelView {
  id: string;
  name: string;
  type: ChannelType;
  /** `env`: configured by SNAG_* variables, read-only here. */
  source: 'stored' | 'env';
  config: Record<string, unknown>;
  /** Stored rules sending to this channel (env channels: every project's default rules). */
  rule_count: number;
  last_delivery: { status: AlertDeliveryView['status']; at: string; last_error: string | null } | null;
}

export interface AlertRuleView {
  id: number;
  project: string;
  name: string;
  trigger: AlertTrigger;
  enabled: boolean;
  environment: string | null;
  min_level: string | null;
  threshold: number | null;
  min_events: number | null;
  window_minutes: number | null;
  endpoint: string | null;
  cooldown_minutes: number;
  channel_ids: number[];
  email_to: string[];
  created_at: string;
  updated_at: string;
}

export interface AlertDeliveryView {
  id: number;
  trigger: string;
  title: string;
  url: string;
  channel: { id: string; name: string; type: string };
  rule_id: number | null;
  project_id: number | null;
  issue_id: number | null;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  sent_at: string | null;
}

/** GET /api/v1/alert-deliveries */
export interface AlertDeliveriesPage {
  deliveries: AlertDeliveryView[];
  counts: { pending: number; sent: number; failed: number };
}

/** GET /api/v1/alert-channels */
export interface AlertChannelsList {
  channels: AlertChannelView[];
  /** Whether SNAG_SMTP_HOST is set (an email channel can send). */
  smtp_configured: boolean;
  /** What the zero-configuration channels alert on, for every project. */
  defaults: { triggers: AlertTrigger[]; burst_per_hour: number; cooldown_minutes: number };
}

/** POST /api/v1/alert-channels/:id/test */
export interface AlertTestResult {
  ok: boolean;
  delivery: AlertDeliveryView;
}
