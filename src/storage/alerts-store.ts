/**
 * app.db: alert channels, rules, the delivery log (which is also the send queue: a row is
 * `pending` until sent or given up), cooldowns and the alerts loop's cursors. Written by the main
 * thread only; every statement has a fixed shape, so they are prepared SQL.
 */
import type { Db } from './sqlite.js';

export interface AlertChannelRow {
  id: number;
  name: string;
  type: string;
  /** JSON of the type's settings. */
  config: string;
  created_at: number;
  updated_at: number;
}

export interface AlertRuleRow {
  id: number;
  project_id: number;
  name: string;
  trigger: string;
  enabled: number;
  environment: string | null;
  min_level: string | null;
  threshold: number | null;
  min_events: number | null;
  window_minutes: number | null;
  endpoint: string | null;
  cooldown_seconds: number;
  /** JSON array of addresses. */
  email_to: string;
  created_at: number;
  updated_at: number;
  /** Comma list, from alert_rule_channels. */
  channel_ids: string | null;
}

export type NewAlertRule = Omit<AlertRuleRow, 'id' | 'created_at' | 'updated_at' | 'channel_ids'>;

export interface AlertDeliveryRow {
  id: number;
  dedupe_key: string | null;
  rule_id: number | null;
  channel_id: string;
  channel_name: string;
  channel_type: string;
  project_id: number | null;
  issue_id: number | null;
  trigger: string;
  /** JSON of the AlertMessage. */
  message: string;
  extra_to: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export type NewAlertDelivery = Pick<
  AlertDeliveryRow,
  | 'dedupe_key'
  | 'rule_id'
  | 'channel_id'
  | 'channel_name'
  | 'channel_type'
  | 'project_id'
  | 'issue_id'
  | 'trigger'
  | 'message'
  | 'extra_to'
>;

export interface AlertCooldownRow {
  rule_key: string;
  subject: string;
  last_sent_at: number;
  suppressed: number;
  last_fact: string;
}

const RULE_SELECT = `SELECT r.*, (SELECT group_concat(channel_id) FROM alert_rule_channels c WHERE c.rule_id = r.id) AS channel_ids
  FROM alert_rules r`;

export function createAlertsStore(db: Db) {
  const s = {
    listChannels: db.prepare('SELECT * FROM alert_channels ORDER BY id'),
    getChannel: db.prepare('SELECT * FROM alert_channels WHERE id = ?'),
    insertChannel: db.prepare(
      'INSERT INTO alert_channels (name, type, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING *',
    ),
    updateChannel: db.prepare('UPDATE alert_channels SET name = ?, config = ?, updated_at = ? WHERE id = ?'),
    deleteChannel: db.prepare('DELETE FROM alert_channels WHERE id = ?'),
    listRules: db.prepare(`${RULE_SELECT} ORDER BY r.project_id, r.id`),
    listProjectRules: db.prepare(`${RULE_SELECT} WHERE r.project_id = ? ORDER BY r.id`),
    getRule: db.prepare(`${RULE_SELECT} WHERE r.id = ?`),
    insertRule: db.prepare(
      `INSERT INTO alert_rules (project_id, name, trigger, enabled, environment, min_level, threshold, min_events,
         window_minutes, endpoint, cooldown_seconds, email_to, created_at, updated_at)
       VALUES (@project_id, @name, @trigger, @enabled, @environment, @min_level, @threshold, @min_events,
         @window_minutes, @endpoint, @cooldown_seconds, @email_to, @now, @now) RETURNING id`,
    ),
    updateRule: db.prepare(
      `UPDATE alert_rules SET name = @name, trigger = @trigger, enabled = @enabled, environment = @environment,
         min_level = @min_level, threshold = @threshold, min_events = @min_events, window_minutes = @window_minutes,
         endpoint = @endpoint, cooldown_seconds = @cooldown_seconds, email_to = @email_to, updated_at = @now
       WHERE id = @id`,
    ),
    deleteRule: db.prepare('DELETE FROM alert_rules WHERE id = ?'),
    clearRuleChannels: db.prepare('DELETE FROM alert_rule_channels WHERE rule_id = ?'),
    addRuleChannel: db.prepare(
      'INSERT OR IGNORE INTO alert_rule_channels (rule_id, channel_id) VALUES (?, ?)',
    ),
    insertDelivery: db.prepare(
      `INSERT INTO alert_deliveries (dedupe_key, rule_id, channel_id, channel_name, channel_type, project_id, issue_id,
         trigger, message, extra_to, status, attempts, next_attempt_at, created_at)
       VALUES (@dedupe_key, @rule_id, @channel_id, @channel_name, @channel_type, @project_id, @issue_id,
         @trigger, @message, @extra_to, 'pending', 0, @due, @now)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    ),
    dueDeliveries: db.prepare(
      "SELECT * FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
    ),
    getDelivery: db.prepare('SELECT * FROM alert_deliveries WHERE id = ?'),
    markSent: db.prepare(
      "UPDATE alert_deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?",
    ),
    markAttemptFailed: db.prepare(
      `UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
         status = CASE WHEN ? THEN 'failed' ELSE 'pending' END
       WHERE id = ?`,
    ),
    listDeliveries: db.prepare(
      `SELECT * FROM alert_deliveries WHERE (? IS NULL OR status = ?) AND (? IS NULL OR channel_id = ?)
       ORDER BY id DESC LIMIT ?`,
    ),
    countDeliveries: db.prepare('SELECT status, count(*) AS n FROM alert_deliveries GROUP BY status'),
    getCooldown: db.prepare('SELECT * FROM alert_cooldowns WHERE rule_key = ? AND subject = ?'),
    putCooldown: db.prepare(
      `INSERT INTO alert_cooldowns (rule_key, subject, last_sent_at, suppressed, last_fact) VALUES (?, ?, ?, 0, ?)
       ON CONFLICT (rule_key, subject) DO UPDATE SET last_sent_at = excluded.last_sent_at, suppressed = 0,
         last_fact = excluded.last_fact`,
    ),
    suppress: db.prepare(
      'UPDATE alert_cooldowns SET suppressed = suppressed + 1, last_fact = ? WHERE rule_key = ? AND subject = ?',
    ),
    listSuppressed: db.prepare('SELECT * FROM alert_cooldowns WHERE suppressed > 0 AND last_sent_at <= ?'),
    pruneCooldowns: db.prepare('DELETE FROM alert_cooldowns WHERE suppressed = 0 AND last_sent_at < ?'),
    getCursor: db.prepare('SELECT value FROM alert_cursors WHERE name = ?').pluck(),
    setCursor: db.prepare(
      `INSERT INTO alert_cursors (name, value) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
    ),
    pruneDeliveries: db.prepare("DELETE FROM alert_deliveries WHERE status != 'pending' AND created_at < ?"),
  };

  function setRuleChannels(ruleId: number, channelIds: number[]): void {
    s.clearRuleChannels.run(ruleId);
    for (const c of channelIds) s.addRuleChannel.run(ruleId, c);
  }

  return {
    /** Runs `fn` in one app.db write transaction (the loop's batch: deliveries, cooldowns, cursor). */
    transaction<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },

    listChannels: () => s.listChannels.all() as AlertChannelRow[],
    getChannel: (id: number) => s.getChannel.get(id) as AlertChannelRow | undefined,
    insertChannel(c: { name: string; type: string; config: string }, now: number): AlertChannelRow {
      return s.insertChannel.get(c.name, c.type, c.config, now, now) as AlertChannelRow;
    },
    updateChannel(id: number, c: { name: string; config: string }, now: number): void {
      s.updateChannel.run(c.name, c.config, now, id);
    },
    deleteChannel: (id: number) => s.deleteChannel.run(id).changes > 0,

    listRules: (projectId?: number) =>
      (projectId === undefined ? s.listRules.all() : s.listProjectRules.all(projectId)) as AlertRuleRow[],
    getRule: (id: number) => s.getRule.get(id) as AlertRuleRow | undefined,
    insertRule(r: NewAlertRule, channelIds: number[], now: number): number {
      return db.transaction(() => {
        const id = (s.insertRule.get({ ...r, now }) as { id: number }).id;
        setRuleChannels(id, channelIds);
        return id;
      })();
    },
    updateRule(id: number, r: Omit<NewAlertRule, 'project_id'>, channelIds: number[], now: number): void {
      db.transaction(() => {
        s.updateRule.run({ ...r, id, now });
        setRuleChannels(id, channelIds);
      })();
    },
    deleteRule: (id: number) => s.deleteRule.run(id).changes > 0,

    /** A row per (fact, rule, channel); a dedupe key seen before inserts nothing (returns null). */
    insertDelivery(d: NewAlertDelivery, now: number, dueAt = now): number | null {
      const row = s.insertDelivery.get({ ...d, now, due: dueAt }) as { id: number } | undefined;
      return row?.id ?? null;
    },
    listDueDeliveries: (now: number, limit: number) => s.dueDeliveries.all(now, limit) as AlertDeliveryRow[],
    getDelivery: (id: number) => s.getDelivery.get(id) as AlertDeliveryRow | undefined,
    markSent: (id: number, now: number) => void s.markSent.run(now, id),
    /** `retryAt` null: give up (status failed). */
    markAttemptFailed(id: number, error: string, retryAt: number | null): void {
      s.markAttemptFailed.run(error, retryAt ?? 0, retryAt === null ? 1 : 0, id);
    },
    listDeliveries(f: { status?: string; channelId?: string; limit: number }): AlertDeliveryRow[] {
      const status = f.status ?? null;
      const channel = f.channelId ?? null;
      return s.listDeliveries.all(status, status, channel, channel, f.limit) as AlertDeliveryRow[];
    },
    countDeliveriesByStatus(): Record<string, number> {
      const rows = s.countDeliveries.all() as { status: string; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
    pruneDeliveries: (before: number) => s.pruneDeliveries.run(before).changes,

    getCooldown: (ruleKey: string, subject: string) =>
      s.getCooldown.get(ruleKey, subject) as AlertCooldownRow | undefined,
    /** A message went out: the cooldown restarts and nothing is held back. */
    startCooldown(ruleKey: string, subject: string, now: number, fact: string): void {
      s.putCooldown.run(ruleKey, subject, now, fact);
    },
    suppress(ruleKey: string, subject: string, fact: string): void {
      s.suppress.run(fact, ruleKey, subject);
    },
    /** Cooldowns holding suppressed alerts whose last message is at least as old as `sentBefore`. */
    listSuppressed: (sentBefore: number) => s.listSuppressed.all(sentBefore) as AlertCooldownRow[],
    pruneCooldowns: (before: number) => s.pruneCooldowns.run(before).changes,

    readCursor: (name: string) => (s.getCursor.get(name) as number | undefined) ?? null,
    writeCursor: (name: string, value: number) => void s.setCursor.run(name, value),
  };
}

export type AlertsStore = ReturnType<typeof createAlertsStore>;

/** The alerts loop's position in errors.db's outbox, for the errors thread's prune (null: never ran). */
export function readAlertOutboxCursor(db: Db): number | null {
  const row = db.prepare("SELECT value FROM alert_cursors WHERE name = 'outbox'").pluck().get() as
    number | undefined;
  return row ?? null;
}
