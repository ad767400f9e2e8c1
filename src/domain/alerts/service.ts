/**
 * Alert settings as the API reads and changes them: channels (stored, plus read-only ones from
 * SNAG_* variables), rules per project, the delivery log, "send test". Every change is recorded
 * in the shared audit trail (audit_log) with the caller's actor.
 */
import { badRequest, notFound } from '../../errors.js';
import type { AlertDeliveryRow, AlertsStore } from '../../storage/alerts-store.js';
import type { Dispatcher } from './dispatcher.js';
import { buildTestMessage } from './message.js';
import { DEFAULT_TRIGGERS, type DefaultRuleSettings } from './rules.js';
import { channelOf, ruleOf } from './rows.js';
import type { AlertChannel, AlertMessage, AlertRule } from './types.js';
import {
  DEFAULT_COOLDOWN_MINUTES,
  MAX_COOLDOWN_MINUTES,
  optionalLevel,
  optionalNumber,
  optionalText,
  parseChannelConfig,
  parseChannelType,
  parseEmails,
  parseThreshold,
  parseTrigger,
  requireName,
} from './validate.js';
import type {
  AlertChannelsList,
  AlertChannelView,
  AlertDeliveriesPage,
  AlertDeliveryView,
  AlertRuleView,
  AlertTestResult,
} from './views.js';

type Body = Record<string, unknown>;
type ProjectRef = { id: number; slug: string };

const MAX_DELIVERIES_PAGE = 200;
const iso = (ms: number) => new Date(ms).toISOString();

/** Shows enough of a secret to tell two apart; the bullets mark it as masked on the way back. */
export function maskSecret(value: string): string {
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.host}/••••${value.slice(-4)}`;
  } catch {
    return `••••${value.slice(-4)}`;
  }
}

const SECRET_FIELDS: Record<string, string[]> = {
  ntfy: ['token'],
  slack: ['url'],
  discord: ['url'],
  webhook: ['secret'],
};

function maskedConfig(c: AlertChannel): Record<string, unknown> {
  const config = { ...(c.config as unknown as Record<string, unknown>) };
  for (const f of SECRET_FIELDS[c.type] ?? []) {
    if (typeof config[f] === 'string') config[f] = maskSecret(config[f]);
  }
  return config;
}

export function deliveryView(r: AlertDeliveryRow): AlertDeliveryView {
  const m = JSON.parse(r.message) as AlertMessage;
  return {
    id: r.id,
    trigger: r.trigger,
    title: m.title,
    url: m.url,
    channel: { id: r.channel_id, name: r.channel_name, type: r.channel_type },
    rule_id: r.rule_id,
    project_id: r.project_id,
    issue_id: r.issue_id,
    status: r.status,
    attempts: r.attempts,
    last_error: r.last_error,
    next_attempt_at: r.status === 'pending' ? iso(r.next_attempt_at) : null,
    created_at: iso(r.created_at),
    sent_at: r.sent_at === null ? null : iso(r.sent_at),
  };
}

/** More channels than any Snag has; bounds the per-id lookups of one rule. */
const MAX_RULE_CHANNELS = 100;

/**
 * A channel id: a number, or digits as channels are listed. `Number.isInteger(Number(c))` took
 * `[true]` for channel 1 and overflowed the stack on a deeply nested array (Array#toString
 * recurses): a 500, found by test/integration/fuzz-api-writes.test.ts.
 */
const isChannelId = (c: unknown) =>
  (typeof c === 'number' && Number.isSafeInteger(c)) || (typeof c === 'string' && /^\d{1,15}$/.test(c));

export function createAlertService(deps: {
  alerts: AlertsStore;
  dispatcher: Dispatcher;
  envChannels: AlertChannel[];
  defaults: DefaultRuleSettings;
  smtpConfigured: boolean;
  publicUrl: () => string;
  getProject: (slug: string) => ProjectRef;
  findProjectById: (id: number) => ProjectRef | undefined;
  /** The shared settings audit trail (app.db audit_log). */
  recordAudit: (e: {
    actor: string;
    action: string;
    target: string;
    before: unknown;
    after: unknown;
  }) => void;
  now?: () => number;
}) {
  const { alerts } = deps;
  const now = () => deps.now?.() ?? Date.now();

  function audit(actor: string, action: string, target: string, before: unknown, after: unknown): void {
    deps.recordAudit({ actor, action: `alerts.${action}`, target, before, after });
  }

  function storedChannel(id: string | number): AlertChannel {
    const row = /^\d+$/.test(String(id)) ? alerts.getChannel(Number(id)) : undefined;
    if (!row) {
      throw String(id).startsWith('env-')
        ? badRequest(`Channel ${id} comes from SNAG_* variables: change it in the server's environment.`)
        : notFound(`No alert channel ${id}: list them with GET /api/v1/alert-channels.`);
    }
    return channelOf(row);
  }

  function ruleView(r: AlertRule): AlertRuleView {
    const row = alerts.getRule(r.id)!;
    return {
      id: r.id,
      project: deps.findProjectById(r.project_id)?.slug ?? String(r.project_id),
      name: r.name,
      trigger: r.trigger,
      enabled: r.enabled,
      environment: r.environment,
      min_level: r.min_level,
      threshold: r.threshold,
      min_events: r.min_events,
      window_minutes: r.window_minutes,
      endpoint: r.endpoint,
      cooldown_minutes: r.cooldown_seconds / 60,
      channel_ids: r.channel_ids,
      email_to: r.email_to,
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }

  function parseRule(body: Body, current?: AlertRule) {
    const get = (k: string) => (k in body ? body[k] : current ? (current as unknown as Body)[k] : undefined);
    const trigger = parseTrigger(get('trigger'));
    const channelIds = get('channel_ids');
    if (
      !Array.isArray(channelIds) ||
      channelIds.length === 0 ||
      channelIds.length > MAX_RULE_CHANNELS ||
      !channelIds.every(isChannelId)
    ) {
      throw badRequest(
        `channel_ids must list 1 to ${MAX_RULE_CHANNELS} stored channel ids, e.g. [1, 2] (GET /api/v1/alert-channels).`,
      );
    }
    const ids = [...new Set(channelIds.map(Number))];
    for (const id of ids) storedChannel(id);
    const cooldownMinutes =
      'cooldown_minutes' in body
        ? optionalNumber(body['cooldown_minutes'], 'cooldown_minutes', 0, MAX_COOLDOWN_MINUTES)
        : current
          ? current.cooldown_seconds / 60
          : null;
    const endpointTrigger = trigger === 'endpoint_p95' || trigger === 'endpoint_error_rate';
    return {
      channelIds: ids,
      row: {
        name:
          get('name') === undefined || get('name') === null
            ? trigger.replace(/_/g, ' ')
            : requireName(get('name')),
        trigger,
        enabled: get('enabled') === false ? 0 : 1,
        environment: optionalText(get('environment'), 'environment'),
        min_level: endpointTrigger ? null : optionalLevel(get('min_level')),
        threshold: parseThreshold(trigger, get('threshold')),
        min_events: optionalNumber(get('min_events'), 'min_events', 1, 1e9, true),
        window_minutes: endpointTrigger
          ? optionalNumber(get('window_minutes'), 'window_minutes', 5, 360, true)
          : null,
        endpoint: endpointTrigger ? optionalText(get('endpoint'), 'endpoint') : null,
        cooldown_seconds: Math.round((cooldownMinutes ?? DEFAULT_COOLDOWN_MINUTES) * 60),
        email_to: JSON.stringify(parseEmails(get('email_to'), 'email_to')),
      },
    };
  }

  function getRule(id: number): AlertRule {
    const row = alerts.getRule(id);
    if (!row) throw notFound(`No alert rule ${id}.`);
    return ruleOf(row);
  }

  function listChannels(): AlertChannelsList {
    const rules = alerts.listRules().map(ruleOf);
    const stored = alerts.listChannels().map(channelOf);
    const channels = [...stored, ...deps.envChannels].map((c): AlertChannelView => {
      const last = alerts.listDeliveries({ channelId: c.id, limit: 1 })[0];
      return {
        id: c.id,
        name: c.name,
        type: c.type,
        source: c.source,
        config: maskedConfig(c),
        rule_count: rules.filter((r) => r.channel_ids.includes(Number(c.id))).length,
        last_delivery: last
          ? { status: last.status, at: iso(last.sent_at ?? last.created_at), last_error: last.last_error }
          : null,
      };
    });
    return {
      channels,
      smtp_configured: deps.smtpConfigured,
      defaults: {
        triggers: [...DEFAULT_TRIGGERS],
        burst_per_hour: deps.defaults.burstPerHour,
        cooldown_minutes: deps.defaults.cooldownMinutes,
      },
    };
  }

  return {
    listChannels,

    createChannel(body: Body, actor: string): AlertChannelView {
      const name = requireName(body['name']);
      const type = parseChannelType(body['type']);
      const parsed = parseChannelConfig(type, (body['config'] ?? {}) as Body);
      const row = alerts.insertChannel({ name, type, config: JSON.stringify(parsed.config) }, now());
      audit(actor, 'channel.create', `alert-channel:${row.id}`, null, { name, type });
      return listChannels().channels.find((c) => c.id === String(row.id))!;
    },

    updateChannel(id: string, body: Body, actor: string): AlertChannelView {
      const current = storedChannel(id);
      const name = body['name'] === undefined ? current.name : requireName(body['name']);
      const parsed = parseChannelConfig(
        current.type,
        (body['config'] ?? current.config) as Body,
        current.config as unknown as Record<string, unknown>,
      );
      alerts.updateChannel(Number(id), { name, config: JSON.stringify(parsed.config) }, now());
      audit(actor, 'channel.update', `alert-channel:${id}`, { name: current.name }, { name });
      return listChannels().channels.find((c) => c.id === id)!;
    },

    deleteChannel(id: string, actor: string): void {
      const current = storedChannel(id);
      alerts.deleteChannel(Number(id));
      audit(actor, 'channel.delete', `alert-channel:${id}`, { name: current.name, type: current.type }, null);
    },

    /** Sends a test message now and answers with the outcome (a failed test is not retried). */
    async testChannel(id: string, actor: string): Promise<AlertTestResult> {
      const channel = deps.dispatcher.resolveChannel(id);
      if (!channel) throw notFound(`No alert channel ${id}: list them with GET /api/v1/alert-channels.`);
      const at = now();
      const deliveryId = alerts.insertDelivery(
        {
          dedupe_key: null,
          rule_id: null,
          channel_id: channel.id,
          channel_name: channel.name,
          channel_type: channel.type,
          project_id: null,
          issue_id: null,
          trigger: 'test',
          message: JSON.stringify(buildTestMessage(deps.publicUrl(), channel.name, at)),
          extra_to: '[]',
        },
        at,
        // Due far in the future: the dispatcher's tick must not pick it while this request sends it.
        at + 3_600_000,
      )!;
      await deps.dispatcher.attempt(alerts.getDelivery(deliveryId)!, { retry: false });
      const delivery = deliveryView(alerts.getDelivery(deliveryId)!);
      audit(actor, 'channel.test', `alert-channel:${id}`, null, { status: delivery.status });
      return { ok: delivery.status === 'sent', delivery };
    },

    listRules(slug: string): { rules: AlertRuleView[] } {
      const project = deps.getProject(slug);
      return { rules: alerts.listRules(project.id).map((r) => ruleView(ruleOf(r))) };
    },

    createRule(slug: string, body: Body, actor: string): AlertRuleView {
      const project = deps.getProject(slug);
      const { row, channelIds } = parseRule(body);
      const id = alerts.insertRule({ ...row, project_id: project.id }, channelIds, now());
      audit(actor, 'rule.create', `alert-rule:${id}`, null, {
        project: slug,
        ...row,
        channel_ids: channelIds,
      });
      return ruleView(getRule(id));
    },

    updateRule(id: number, body: Body, actor: string): AlertRuleView {
      const current = getRule(id);
      const { row, channelIds } = parseRule(body, current);
      alerts.updateRule(id, row, channelIds, now());
      audit(actor, 'rule.update', `alert-rule:${id}`, current, { ...row, channel_ids: channelIds });
      return ruleView(getRule(id));
    },

    ruleProjectId: (id: number) => getRule(id).project_id,

    deleteRule(id: number, actor: string): void {
      const current = getRule(id);
      alerts.deleteRule(id);
      audit(actor, 'rule.delete', `alert-rule:${id}`, current, null);
    },

    listDeliveries(f: { status?: string; channel?: string; limit?: number }): AlertDeliveriesPage {
      const limit = Math.min(Math.max(f.limit ?? 50, 1), MAX_DELIVERIES_PAGE);
      const counts = alerts.countDeliveriesByStatus();
      return {
        deliveries: alerts
          .listDeliveries({ status: f.status, channelId: f.channel, limit })
          .map(deliveryView),
        counts: { pending: counts['pending'] ?? 0, sent: counts['sent'] ?? 0, failed: counts['failed'] ?? 0 },
      };
    },
  };
}

export type AlertService = ReturnType<typeof createAlertService>;
