/**
 * The rules alerting applies to a project: its stored rules, plus the default rules that the
 * zero-configuration channels (SNAG_ALERT_EMAILS, SNAG_NTFY_URL, SNAG_SLACK_WEBHOOK_URL,
 * SNAG_DISCORD_WEBHOOK_URL, SNAG_WEBHOOK_URL) get on every project: new issues, regressions and
 * bursts, with no rule created.
 */
import type { AlertChannel, AlertFact, AlertRule, AlertTrigger } from './types.js';
import { LEVELS } from './types.js';

/** A rule with its channels resolved, stored or default; `key` names it in cooldowns. */
export interface EffectiveRule {
  key: string;
  ruleId: number | null;
  trigger: AlertTrigger;
  environment: string | null;
  minLevel: AlertRule['min_level'];
  threshold: number | null;
  minEvents: number | null;
  windowMinutes: number | null;
  endpoint: string | null;
  cooldownMs: number;
  channels: AlertChannel[];
  emailTo: string[];
}

export interface DefaultRuleSettings {
  burstPerHour: number;
  cooldownMinutes: number;
}

export const DEFAULT_TRIGGERS: readonly AlertTrigger[] = ['new_issue', 'regression', 'burst'];

export function defaultRules(envChannels: AlertChannel[], d: DefaultRuleSettings): EffectiveRule[] {
  if (envChannels.length === 0) return [];
  return DEFAULT_TRIGGERS.map((trigger) => ({
    key: `default:${trigger}`,
    ruleId: null,
    trigger,
    environment: null,
    minLevel: null,
    threshold: trigger === 'burst' ? d.burstPerHour : null,
    minEvents: null,
    windowMinutes: null,
    endpoint: null,
    cooldownMs: d.cooldownMinutes * 60_000,
    channels: envChannels,
    emailTo: [],
  }));
}

export function effectiveRule(rule: AlertRule, channelsById: Map<number, AlertChannel>): EffectiveRule {
  return {
    key: `rule:${rule.id}`,
    ruleId: rule.id,
    trigger: rule.trigger,
    environment: rule.environment,
    minLevel: rule.min_level,
    threshold: rule.threshold,
    minEvents: rule.min_events,
    windowMinutes: rule.window_minutes,
    endpoint: rule.endpoint,
    cooldownMs: rule.cooldown_seconds * 1000,
    channels: rule.channel_ids.flatMap((id) => channelsById.get(id) ?? []),
    emailTo: rule.email_to,
  };
}

/** Environment and level filters, for facts that carry them (new issue, regression). */
export function matchesFilters(rule: EffectiveRule, fact: AlertFact): boolean {
  if (rule.environment !== null && fact.environment !== null && fact.environment !== rule.environment)
    return false;
  if (rule.minLevel !== null && fact.level !== null && levelRank(fact.level) < levelRank(rule.minLevel))
    return false;
  return true;
}

/** Unknown levels rank as `error`, the SDKs' default for exceptions. */
export function levelRank(level: string): number {
  const i = (LEVELS as readonly string[]).indexOf(level === 'warn' ? 'warning' : level);
  return i < 0 ? LEVELS.indexOf('error') : i;
}

export function subjectOf(fact: AlertFact): string {
  return fact.issueId !== undefined ? `issue:${fact.issueId}` : `endpoint:${fact.endpoint ?? ''}`;
}
