/**
 * Alerting on the main thread (app.db's writer): every second it routes new outbox rows (new
 * issues, regressions) and sends due deliveries; every SNAG_ALERT_EVALUATE_SECONDS it evaluates
 * bursts, spikes and endpoint thresholds and sends digests of ended cooldowns. Reads of errors.db
 * and transactions.db use the main thread's read connections; nothing here writes them.
 * Sending is async (network) but every database step is a short synchronous transaction.
 */
import type { AlertsConfig } from '../config.js';
import { createMailer } from '../domain/alerts/channels/email.js';
import { createDispatcher } from '../domain/alerts/dispatcher.js';
import { createAlertEngine, type EndpointStat } from '../domain/alerts/engine.js';
import { envChannelsOf } from '../domain/alerts/env-channels.js';
import { createAlertService, type AlertService } from '../domain/alerts/service.js';
import type { ProjectService } from '../domain/projects/service.js';
import type { PerformanceService } from '../domain/transactions/performance-service.js';
import type { Logger } from '../log.js';
import type { Storage } from '../storage/index.js';

/** New issues and regressions reach the channels within about this long of being digested. */
export const OUTBOX_POLL_MS = 1000;
/** Outbox batches routed per tick at most, so a backlog cannot hold the HTTP thread for long. */
const MAX_OUTBOX_BATCHES_PER_TICK = 5;

export interface Alerting {
  service: AlertService;
  /** One pass now (tests, and the first tick). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function startAlerting(deps: {
  config: AlertsConfig;
  storage: Pick<Storage, 'alerts' | 'alertSignals' | 'app' | 'audit'>;
  projects: Pick<ProjectService, 'getProject'>;
  performance: Pick<PerformanceService, 'overview'>;
  publicUrl: () => string;
  log: Logger;
  /**
   * Whether this process routes and sends: the scheduler lease's holder only, so Snag processes
   * sharing a data dir send each alert once (the delivery rows' keys stop double routing, not
   * double sending). Omitted: always.
   */
  isActive?: () => boolean;
}): Alerting {
  const { config, storage, log } = deps;
  const envChannels = envChannelsOf(config.channels);
  const mailer = config.smtp ? createMailer(config.smtp) : null;
  const defaults = { burstPerHour: config.burstPerHour, cooldownMinutes: config.cooldownMinutes };
  const dispatcher = createDispatcher({
    alerts: storage.alerts,
    envChannels,
    mailer,
    retryBaseMs: config.retryBaseMs,
    maxAttempts: config.maxAttempts,
    log,
  });
  const engine = createAlertEngine({
    alerts: storage.alerts,
    signals: storage.alertSignals,
    listProjects: () => storage.app.listProjects(),
    findProject: (id) => storage.app.findProjectById(id),
    endpointStats: (slug, window, environment): EndpointStat[] =>
      deps.performance.overview(slug, { window: { ...window, buckets: 1 }, environment }).endpoints,
    envChannels,
    defaults,
    publicUrl: deps.publicUrl,
  });
  const service = createAlertService({
    alerts: storage.alerts,
    dispatcher,
    envChannels,
    defaults,
    smtpConfigured: mailer !== null,
    publicUrl: deps.publicUrl,
    getProject: (slug) => deps.projects.getProject(slug),
    findProjectById: (id) => storage.app.findProjectById(id),
    recordAudit: (e) => storage.audit.record(e),
  });

  let lastEvaluation = 0;
  let sending: Promise<void> | null = null;
  let stopped = false;

  /** Routing is synchronous and quick; sending runs on, so a slow receiver never delays routing. */
  function tick(): Promise<void> {
    const now = Date.now();
    try {
      for (let batch = 0; batch < MAX_OUTBOX_BATCHES_PER_TICK; batch++) {
        if (engine.processOutbox(now) === 0) break;
      }
      if (now - lastEvaluation >= config.evaluateIntervalMs) {
        lastEvaluation = now;
        engine.evaluate(now);
      }
    } catch (err) {
      // Nothing was committed (each step is one transaction): the next tick tries again.
      log.error({ err }, 'alert evaluation failed; retrying next tick');
    }
    sending ??= dispatcher
      .sendDue()
      .then(
        () => undefined,
        (err: unknown) => log.error({ err }, 'alert sending failed; retrying next tick'),
      )
      .finally(() => (sending = null));
    return sending;
  }

  const isActive = deps.isActive ?? (() => true);
  const timer = setInterval(() => {
    if (!stopped && isActive()) void tick();
  }, OUTBOX_POLL_MS);
  timer.unref();

  return {
    service,
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await sending;
      mailer?.close();
    },
  };
}
