/** Stored rows ↔ the domain's rules and channels. */
import type { AlertChannelRow, AlertRuleRow } from '../../storage/alerts-store.js';
import type { AlertChannel, AlertRule, ChannelConfig } from './types.js';

export function channelOf(row: AlertChannelRow): AlertChannel {
  return {
    id: String(row.id),
    name: row.name,
    source: 'stored',
    ...({ type: row.type, config: JSON.parse(row.config) as unknown } as unknown as ChannelConfig),
  };
}

export function ruleOf(row: AlertRuleRow): AlertRule {
  return {
    id: row.id,
    project_id: row.project_id,
    name: row.name,
    trigger: row.trigger as AlertRule['trigger'],
    enabled: row.enabled === 1,
    environment: row.environment,
    min_level: row.min_level as AlertRule['min_level'],
    threshold: row.threshold,
    min_events: row.min_events,
    window_minutes: row.window_minutes,
    endpoint: row.endpoint,
    cooldown_seconds: row.cooldown_seconds,
    channel_ids: row.channel_ids ? row.channel_ids.split(',').map(Number) : [],
    email_to: JSON.parse(row.email_to) as string[],
  };
}
