/**
 * Turns facts into queued deliveries. Two sources:
 *  - the outbox errors.db's writer fills in the transaction that creates or reopens an issue
 *    (new issue, regression), read after a cursor kept in app.db: the deliveries, cooldowns and
 *    the new cursor commit in one app.db transaction, so a crash re-reads the same rows and a
 *    row is never routed twice (deliveries carry a dedupe key besides);
 *  - a timer that reads hourly issue counts (burst, spike) and endpoint rollups (p95, error rate).
 * A rule fires at most once per cooldown for a subject (issue or endpoint); what it holds back is
 * counted and sent as one digest when the cooldown ends.
 */
import type { AlertsStore } from '../../storage/alerts-store.js';
import type { AlertIssueRow, AlertSignalsStore } from '../../storage/alerts-signals-store.js';
import { buildDigest, buildMessage } from './message.js';
import { baselineHours, baselineOf, estimateLastHour, HOUR_MS, spikeScore } from './rates.js';
import { channelOf, ruleOf } from './rows.js';
import {
  defaultRules,
  effectiveRule,
  levelRank,
  matchesFilters,
  subjectOf,
  type DefaultRuleSettings,
  type EffectiveRule,
} from './rules.js';
import type { AlertChannel, AlertFact, AlertMessage } from './types.js';

/** Outbox rows routed per transaction. */
const OUTBOX_BATCH = 200;
/** A spike rule without `threshold` fires at this z-score… */
export const DEFAULT_SPIKE_Z = 3;
/** …and needs at least this many events in the last hour (3 events over a baseline of 0 is noise). */
export const DEFAULT_SPIKE_MIN_EVENTS = 10;
/** Endpoint rules without `min_events`: fewer transactions than this make no percentile worth a page. */
export const DEFAULT_ENDPOINT_MIN_EVENTS = 10;
export const DEFAULT_ENDPOINT_WINDOW_MINUTES = 10;
/** Idle cooldown rows (nothing held back) are forgotten after the longest cooldown a rule may have. */
export const MAX_COOLDOWN_MS = 7 * 24 * HOUR_MS;
/** Sent and given-up deliveries stay in the log this long. */
const DELIVERY_LOG_MS = 30 * 24 * HOUR_MS;

interface ProjectRef {
  id: number;
  slug: string;
  name: string;
}

export interface EndpointStat {
  name: string;
  count: number;
  p95: number | null;
  error_rate: number;
}

export interface AlertEngineDeps {
  alerts: AlertsStore;
  signals: AlertSignalsStore;
  listProjects(): ProjectRef[];
  findProject(id: number): ProjectRef | undefined;
  /** Per-endpoint figures of a window from the APM rollups (the performance service's overview). */
  endpointStats(
    slug: string,
    window: { from: number; to: number },
    environment: string | undefined,
  ): EndpointStat[];
  envChannels: AlertChannel[];
  defaults: DefaultRuleSettings;
  publicUrl: () => string;
}

export function createAlertEngine(deps: AlertEngineDeps) {
  const { alerts, signals } = deps;

  function loadRules(): {
    ofProject: (projectId: number) => EffectiveRule[];
    byKey: Map<string, EffectiveRule>;
  } {
    const channels = new Map(alerts.listChannels().map((r) => [r.id, channelOf(r)]));
    const stored = alerts
      .listRules()
      .map(ruleOf)
      .filter((r) => r.enabled)
      .map((r) => ({ projectId: r.project_id, rule: effectiveRule(r, channels) }));
    const defaults = defaultRules(deps.envChannels, deps.defaults);
    const byKey = new Map<string, EffectiveRule>();
    for (const r of [...stored.map((s) => s.rule), ...defaults]) byKey.set(r.key, r);
    return {
      ofProject: (projectId) => [
        ...stored.filter((s) => s.projectId === projectId).map((s) => s.rule),
        ...defaults,
      ],
      byKey,
    };
  }

  function messageFor(fact: AlertFact, suppressed: number): AlertMessage {
    const project = deps.findProject(fact.projectId);
    const issue = fact.issueId === undefined ? null : (signals.getIssue(fact.issueId) ?? null);
    return buildMessage(fact, {
      publicUrl: deps.publicUrl(),
      project: project ? { slug: project.slug, name: project.name } : null,
      issue,
      suppressed,
    });
  }

  /**
   * Queues `message` to each of the rule's channels not already sent this fact (two rules sending
   * to one channel make one message). `factKey` dedupes a re-read outbox row; timer facts have none.
   */
  function queue(
    rule: EffectiveRule,
    fact: AlertFact,
    message: AlertMessage,
    factKey: string | null,
    sentTo: Set<string>,
    now: number,
  ) {
    for (const channel of rule.channels) {
      const seen = `${subjectOf(fact)}:${message.trigger}:${channel.id}`;
      if (sentTo.has(seen)) continue;
      sentTo.add(seen);
      alerts.insertDelivery(
        {
          dedupe_key: factKey === null ? null : `${factKey}:${channel.id}`,
          rule_id: rule.ruleId,
          channel_id: channel.id,
          channel_name: channel.name,
          channel_type: channel.type,
          project_id: fact.projectId,
          issue_id: fact.issueId ?? null,
          trigger: message.trigger,
          message: JSON.stringify(message),
          extra_to: JSON.stringify(rule.emailTo),
        },
        now,
      );
    }
  }

  /** One rule, one fact: send (restarting the cooldown) or hold back (counted for the digest). */
  function fire(
    rule: EffectiveRule,
    fact: AlertFact,
    factKey: string | null,
    sentTo: Set<string>,
    now: number,
  ) {
    const subject = subjectOf(fact);
    const factJson = JSON.stringify(fact);
    const cooldown = alerts.getCooldown(rule.key, subject);
    if (cooldown && now - cooldown.last_sent_at < rule.cooldownMs) {
      alerts.suppress(rule.key, subject, factJson);
      return;
    }
    alerts.startCooldown(rule.key, subject, now, factJson);
    queue(rule, fact, messageFor(fact, cooldown?.suppressed ?? 0), factKey, sentTo, now);
  }

  /** Whether an issue (for burst and spike, which have no single event) passes a rule's filters. */
  function issuePasses(rule: EffectiveRule, issue: AlertIssueRow, now: number): boolean {
    if (rule.minLevel !== null && levelRank(issue.level) < levelRank(rule.minLevel)) return false;
    // issue_hourly is not split by environment: the count is the issue's, and the filter asks that
    // the issue had events in that environment within the hour.
    if (rule.environment !== null && !signals.wasSeenIn(issue.id, rule.environment, now - HOUR_MS))
      return false;
    return true;
  }

  function issueFacts(
    project: ProjectRef,
    rules: EffectiveRule[],
    now: number,
  ): [EffectiveRule, AlertFact][] {
    const bursts = rules.filter((r) => r.trigger === 'burst' && r.threshold !== null);
    const spikes = rules.filter((r) => r.trigger === 'spike');
    if (bursts.length === 0 && spikes.length === 0) return [];
    const out: [EffectiveRule, AlertFact][] = [];
    const hour = Math.floor(now / HOUR_MS);
    // A spike needs min_events in the last hour: most issues are below it, and skip the baseline.
    const spikeFloor = Math.min(...spikes.map((r) => r.minEvents ?? DEFAULT_SPIKE_MIN_EVENTS));
    for (const issue of signals.listActiveIssues(project.id, now - 2 * HOUR_MS)) {
      const counts = new Map(signals.listHourlyCounts(issue.id, hour - 1).map((r) => [r.hour, r.count]));
      const lastHour = estimateLastHour(counts, now);
      const fact = (rule: EffectiveRule, threshold: number): AlertFact => ({
        trigger: rule.trigger,
        projectId: project.id,
        issueId: issue.id,
        environment: rule.environment,
        release: issue.last_release,
        level: issue.level,
        observed: lastHour,
        threshold,
        at: now,
      });
      for (const rule of bursts) {
        if (lastHour >= rule.threshold! && issuePasses(rule, issue, now))
          out.push([rule, fact(rule, rule.threshold!)]);
      }
      if (spikes.length === 0 || lastHour < spikeFloor) continue;
      const span = baselineHours(now, issue.first_seen);
      if (!span) continue;
      const sums = signals.sumHourlyCounts(issue.id, span.first, span.last);
      const z = spikeScore(lastHour, baselineOf(sums.sum, sums.sum_of_squares, span.last - span.first + 1));
      for (const rule of spikes) {
        const zThreshold = rule.threshold ?? DEFAULT_SPIKE_Z;
        if (
          lastHour >= (rule.minEvents ?? DEFAULT_SPIKE_MIN_EVENTS) &&
          z >= zThreshold &&
          issuePasses(rule, issue, now)
        ) {
          out.push([rule, fact(rule, zThreshold)]);
        }
      }
    }
    return out;
  }

  function endpointFacts(
    project: ProjectRef,
    rules: EffectiveRule[],
    now: number,
  ): [EffectiveRule, AlertFact][] {
    const out: [EffectiveRule, AlertFact][] = [];
    const cache = new Map<string, EndpointStat[]>();
    for (const rule of rules) {
      if (
        (rule.trigger !== 'endpoint_p95' && rule.trigger !== 'endpoint_error_rate') ||
        rule.threshold === null
      )
        continue;
      const windowMs = (rule.windowMinutes ?? DEFAULT_ENDPOINT_WINDOW_MINUTES) * 60_000;
      const key = `${windowMs}:${rule.environment ?? ''}`;
      let stats = cache.get(key);
      if (!stats) {
        stats = deps.endpointStats(
          project.slug,
          { from: now - windowMs, to: now },
          rule.environment ?? undefined,
        );
        cache.set(key, stats);
      }
      for (const e of stats) {
        if (rule.endpoint !== null && e.name !== rule.endpoint) continue;
        if (e.count < (rule.minEvents ?? DEFAULT_ENDPOINT_MIN_EVENTS)) continue;
        const value = rule.trigger === 'endpoint_p95' ? e.p95 : e.error_rate;
        if (value === null || value < rule.threshold) continue;
        out.push([
          rule,
          {
            trigger: rule.trigger,
            projectId: project.id,
            endpoint: e.name,
            environment: rule.environment,
            release: null,
            level: null,
            observed: value,
            threshold: rule.threshold,
            sample: e.count,
            at: now,
          },
        ]);
      }
    }
    return out;
  }

  /** For each cooldown that ended with alerts held back, one digest message, and a new cooldown. */
  function flushDigests(now: number): void {
    const rules = loadRules();
    alerts.transaction(() => {
      const sentTo = new Set<string>();
      for (const row of alerts.listSuppressed(now)) {
        const rule = rules.byKey.get(row.rule_key);
        if (!rule) {
          // The rule was deleted or its channels unset: nothing to send the digest to.
          alerts.startCooldown(row.rule_key, row.subject, row.last_sent_at, row.last_fact);
          continue;
        }
        if (now - row.last_sent_at < rule.cooldownMs) continue;
        const fact = JSON.parse(row.last_fact) as AlertFact;
        alerts.startCooldown(rule.key, row.subject, now, row.last_fact);
        queue(rule, fact, buildDigest(messageFor(fact, 0), row.suppressed), null, sentTo, now);
      }
      alerts.pruneCooldowns(now - MAX_COOLDOWN_MS);
      alerts.pruneDeliveries(now - DELIVERY_LOG_MS);
    });
  }

  return {
    flushDigests,

    /** Routes outbox rows after the cursor; returns how many were read (0: caught up). */
    processOutbox(now: number): number {
      const after = alerts.readCursor('outbox') ?? 0;
      const rows = signals.readOutboxAfter(after, OUTBOX_BATCH);
      if (rows.length === 0) return 0;
      const rules = loadRules();
      alerts.transaction(() => {
        for (const row of rows) {
          const fact: AlertFact = {
            trigger: row.trigger,
            projectId: row.project_id,
            issueId: row.issue_id,
            environment: row.environment,
            release: row.release,
            level: row.level,
            at: row.created_at,
          };
          const sentTo = new Set<string>();
          for (const rule of rules.ofProject(row.project_id)) {
            if (rule.trigger === row.trigger && matchesFilters(rule, fact))
              fire(rule, fact, `outbox:${row.id}`, sentTo, now);
          }
        }
        alerts.writeCursor('outbox', rows[rows.length - 1]!.id);
      });
      return rows.length;
    },

    /** Bursts, spikes and endpoint thresholds of every project, then digests of ended cooldowns. */
    evaluate(now: number): void {
      const rules = loadRules();
      const facts: [EffectiveRule, AlertFact][] = [];
      for (const project of deps.listProjects()) {
        const projectRules = rules.ofProject(project.id);
        facts.push(...issueFacts(project, projectRules, now), ...endpointFacts(project, projectRules, now));
      }
      alerts.transaction(() => {
        const sentTo = new Set<string>();
        for (const [rule, fact] of facts) fire(rule, fact, null, sentTo, now);
      });
      flushDigests(now);
    },
  };
}

export type AlertEngine = ReturnType<typeof createAlertEngine>;
