/**
 * The pure parts of Settings → Alerts: what a channel form sends, how a channel's target is shown,
 * what a rule's threshold means. Tested in test/unit/web/.
 */
import { RequestError, type AlertChannelView, type AlertTrigger, type ChannelType } from '../api/client';

export const CHANNEL_TYPE_LABELS: Record<ChannelType, string> = {
  email: 'Email',
  ntfy: 'ntfy',
  slack: 'Slack',
  discord: 'Discord',
  webhook: 'Webhook (signed JSON)',
};

export const TRIGGER_LABELS: Record<AlertTrigger, string> = {
  new_issue: 'New issue',
  regression: 'Regression',
  burst: 'Burst (events per hour)',
  spike: 'Spike (against its baseline)',
  endpoint_p95: 'Endpoint p95 latency',
  endpoint_error_rate: 'Endpoint error rate',
};

/** The threshold field of a trigger: its label, unit, and a sensible value to start from. */
export const THRESHOLD_FIELDS: Partial<
  Record<AlertTrigger, { label: string; placeholder: string; required: boolean }>
> = {
  burst: { label: 'Events per hour', placeholder: '100', required: true },
  spike: { label: 'Standard deviations above baseline', placeholder: '3', required: false },
  endpoint_p95: { label: 'p95 above (ms)', placeholder: '1000', required: true },
  endpoint_error_rate: { label: 'Error rate above (0–1)', placeholder: '0.05', required: true },
};

export const isEndpointTrigger = (t: AlertTrigger) => t === 'endpoint_p95' || t === 'endpoint_error_rate';

/** Form fields of every channel type; only the selected type's are sent. */
export interface ChannelForm {
  name: string;
  type: ChannelType;
  to: string;
  url: string;
  token: string;
  priority: string;
  secret: string;
}

export const EMPTY_CHANNEL_FORM: ChannelForm = {
  name: '',
  type: 'email',
  to: '',
  url: '',
  token: '',
  priority: '',
  secret: '',
};

export function channelConfigOf(f: ChannelForm): Record<string, unknown> {
  switch (f.type) {
    case 'email':
      return { to: f.to };
    case 'ntfy':
      return {
        url: f.url,
        token: f.token || undefined,
        priority: f.priority ? Number(f.priority) : undefined,
      };
    case 'slack':
    case 'discord':
      return { url: f.url };
    case 'webhook':
      return { url: f.url, secret: f.secret };
  }
}

/** A stored channel back into the form (secrets stay masked; sent back masked, they are kept). */
export function formOfChannel(c: AlertChannelView): ChannelForm {
  const config = c.config;
  const text = (k: string) => (typeof config[k] === 'string' ? (config[k] as string) : '');
  return {
    name: c.name,
    type: c.type,
    to: Array.isArray(config['to']) ? (config['to'] as string[]).join(', ') : '',
    url: text('url'),
    token: text('token'),
    priority: typeof config['priority'] === 'number' ? String(config['priority']) : '',
    secret: text('secret'),
  };
}

/** One line saying where a channel sends. */
export function describeTarget(c: AlertChannelView): string {
  const config = c.config;
  if (c.type === 'email') return Array.isArray(config['to']) ? (config['to'] as string[]).join(', ') : '';
  return typeof config['url'] === 'string' ? config['url'] : '';
}

export function messageOf(err: unknown): string {
  return err instanceof RequestError || err instanceof Error ? err.message : String(err);
}
