/**
 * Alert rules and stored channels through a real Snag, fed by real SDKs (@sentry/node errors,
 * and transactions from the instrumented app in test/helpers/node-apm-app.js): channel CRUD and
 * "send test", environment and level filters, cooldown with a digest and dedup across rules,
 * spikes against a backdated baseline, endpoint p95 and error rate, and giving up on a receiver
 * that keeps failing. Each test has receivers of its own; rules accumulate in one server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChannelView } from '../../src/api/types.js';
import { alertsApi, sendAlertEvents } from '../helpers/alerts.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest } from '../helpers/http-receiver.js';
import { runNodeApm } from '../helpers/sdk-senders.js';
import { snagApi } from '../helpers/snag-api.js';
import { startSmtpReceiver, type SmtpReceiver } from '../helpers/smtp-receiver.js';
import { startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';

const SECRET = 'rules-test-webhook-secret-000';
const ALERT_TIMEOUT_MS = 20_000;
const MAX_ATTEMPTS = 3;

type Json = Record<string, unknown>;
const json = (r: ReceivedRequest) => r.json as Json;
const trigger = (r: ReceivedRequest) => String(json(r)['trigger']);
const title = (r: ReceivedRequest) => String(json(r)['title']);

describe('alert rules and channels', () => {
  let snag: RunningSnag;
  let smtp: SmtpReceiver;
  let api: ReturnType<typeof alertsApi>;
  const receivers: HttpReceiver[] = [];

  /** A webhook channel to a fresh receiver. */
  async function webhookChannel(name: string, status = 200) {
    const receiver = await startHttpReceiver({ status });
    receivers.push(receiver);
    const channel = await api.createChannel({
      name,
      type: 'webhook',
      config: { url: `${receiver.url}/in`, secret: SECRET },
    });
    return { receiver, channel };
  }

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    snag = await startSnag({
      env: {
        SNAG_SMTP_HOST: '127.0.0.1',
        SNAG_SMTP_PORT: String(smtp.port),
        SNAG_SMTP_USER: smtp.user,
        SNAG_SMTP_PASSWORD: smtp.password,
        SNAG_SMTP_FROM: 'alerts@snag.test',
        SNAG_ALERT_EVALUATE_SECONDS: '1',
        SNAG_ALERT_RETRY_SECONDS: '1',
        SNAG_ALERT_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      },
    });
    api = alertsApi(snag);
  });

  afterAll(async () => {
    await stopAndRemove(snag);
    await Promise.all([smtp?.close(), ...receivers.map((r) => r.close())]);
  });

  it('creates, masks, edits, tests and deletes channels of every type, refusing bad settings', async () => {
    const http = await startHttpReceiver({ status: 204 });
    receivers.push(http);
    const bad = await api.raw('POST', '/alert-channels', {
      name: 'w',
      type: 'webhook',
      config: { url: `${http.url}/x` },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(
      /config.secret must be at least 16 characters/,
    );
    expect(
      (
        await api.raw('POST', '/alert-channels', {
          name: 'e',
          type: 'email',
          config: { to: 'not-an-address' },
        })
      ).status,
    ).toBe(400);
    expect(
      (await api.raw('POST', '/alert-channels', { name: 'n', type: 'ntfy', config: { url: http.url } }))
        .status,
    ).toBe(400);

    const created: AlertChannelView[] = [
      await api.createChannel({ name: 'Team email', type: 'email', config: { to: 'team@example.com' } }),
      await api.createChannel({
        name: 'Phone',
        type: 'ntfy',
        config: { url: `${http.url}/phone`, token: 'tk_secret_token', priority: 5 },
      }),
      await api.createChannel({
        name: 'Slack #ops',
        type: 'slack',
        config: { url: `${http.url}/services/T1/B1/slacksecret` },
      }),
      await api.createChannel({
        name: 'Discord',
        type: 'discord',
        config: { url: `${http.url}/api/webhooks/9/discordsecret` },
      }),
      await api.createChannel({
        name: 'Hook',
        type: 'webhook',
        config: { url: `${http.url}/hook`, secret: SECRET },
      }),
    ];
    const listed = JSON.stringify((await api.channels()).channels);
    for (const secret of ['tk_secret_token', 'slacksecret', 'discordsecret', SECRET])
      expect(listed).not.toContain(secret);

    for (const c of created) {
      const result = await api.testChannel(c.id);
      expect(result, c.name).toMatchObject({ ok: true, delivery: { status: 'sent', channel: { id: c.id } } });
    }
    expect(smtp.mails.at(-1)).toMatchObject({
      to: ['team@example.com'],
      subject: '[Snag] Test alert from Snag',
    });
    const paths = http.requests.map((r) => r.path);
    expect(paths).toEqual(['/', '/services/T1/B1/slacksecret', '/api/webhooks/9/discordsecret', '/hook']);
    expect(http.requests[0]!.headers['authorization']).toBe('Bearer tk_secret_token');
    expect(json(http.requests[0]!)).toMatchObject({ topic: 'phone', priority: 5 });

    // Sending a masked secret back keeps the stored one; the test still authenticates.
    const phone = created[1]!;
    const renamed = await api.updateChannel(phone.id, { name: 'On-call phone', config: phone.config });
    expect(renamed.name).toBe('On-call phone');
    await api.testChannel(phone.id);
    expect(http.requests.at(-1)!.headers['authorization']).toBe('Bearer tk_secret_token');

    // A receiver that is not there: the test answers with the error, and is not retried.
    const closed = await startHttpReceiver();
    await closed.close();
    const gone = await api.createChannel({
      name: 'Gone',
      type: 'slack',
      config: { url: `${closed.url}/services/x` },
    });
    const failed = await api.testChannel(gone.id);
    expect(failed.ok).toBe(false);
    expect(failed.delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.delivery.last_error).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/… failed/);

    for (const c of [...created, gone]) await api.deleteChannel(c.id);
    expect((await api.channels()).channels).toEqual([]);
  });

  it('emails a rule’s own recipients besides the channel’s', async () => {
    const email = await api.createChannel({
      name: 'QA email',
      type: 'email',
      config: { to: ['qa@example.com'] },
    });
    await api.createRule({
      trigger: 'new_issue',
      environment: 'qa',
      email_to: 'lead@example.com, qa@example.com',
      channel_ids: [Number(email.id)],
    });
    await sendAlertEvents(snag.dsn, ['qa-only:1'], { environment: 'qa', release: 'web@9.9.9' });
    const mail = await waitFor(
      () => smtp.mails.find((m) => m.subject.includes('qa-only')),
      ALERT_TIMEOUT_MS,
      'the email',
    );
    expect(mail.to.sort()).toEqual(['lead@example.com', 'qa@example.com']);
    expect(mail.subject).toMatch(/^\[Snag\] New issue in default: Error: Checkout failed for qa-only/);
    expect(mail.text).toContain('Environment: qa');
    expect(mail.text).toContain('Release: web@9.9.9');
  });

  it('filters by environment and level', async () => {
    const { receiver, channel } = await webhookChannel('Production errors');
    await api.createRule({
      trigger: 'new_issue',
      environment: 'production',
      min_level: 'error',
      channel_ids: [Number(channel.id)],
    });
    await sendAlertEvents(snag.dsn, ['staging-only:1'], { environment: 'staging' });
    await sendAlertEvents(snag.dsn, ['warning-only:1'], { environment: 'production', level: 'warning' });
    await sendAlertEvents(snag.dsn, ['prod-error:1'], { environment: 'production' });
    await waitFor(
      () => receiver.requests.some((r) => title(r).includes('prod-error')),
      ALERT_TIMEOUT_MS,
      'the production error',
    );
    // The outbox is routed in order: the two earlier issues were judged before this one arrived.
    expect(receiver.requests.map(title).filter((t) => /staging-only|warning-only/.test(t))).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
  });

  it('sends one message per cooldown, then a digest of what it held back; two rules to one channel send once', async () => {
    const { receiver, channel } = await webhookChannel('Regressions');
    const channelIds = [Number(channel.id)];
    // 12 s: long enough to hold back the second regression, short enough to wait for the digest.
    const rule = await api.createRule({
      trigger: 'regression',
      name: 'Regressions',
      cooldown_minutes: 0.2,
      channel_ids: channelIds,
    });
    await api.createRule({
      trigger: 'regression',
      name: 'Same channel',
      cooldown_minutes: 0.2,
      channel_ids: channelIds,
    });
    expect(rule.cooldown_minutes).toBe(0.2);

    await sendAlertEvents(snag.dsn, ['flappy:1']);
    const issueId = await waitFor(async () => {
      const { issues } = await snagApi(snag).listIssues({ query: 'flappy' });
      return issues[0]?.id;
    });
    const regress = async () => {
      await api.setIssueStatus(issueId, 'resolved');
      await sendAlertEvents(snag.dsn, ['flappy:1']);
      await waitFor(
        async () => (await snagApi(snag).getIssue(issueId)).status === 'open',
        ALERT_TIMEOUT_MS,
        'reopened',
      );
    };
    await regress();
    const first = await waitFor(
      () => receiver.requests.find((r) => trigger(r) === 'regression'),
      ALERT_TIMEOUT_MS,
    );
    await regress();
    const digest = await waitFor(
      () => receiver.requests.find((r) => trigger(r) === 'digest'),
      ALERT_TIMEOUT_MS,
      'the digest',
    );
    expect(receiver.requests.filter((r) => trigger(r) === 'regression')).toEqual([first]);
    expect(json(digest)).toMatchObject({ suppressed: 1, issue: { id: issueId, count: 3 } });
    expect(title(digest)).toMatch(/^1 more: Regression in default: /);
    // The second rule's digest went to the same channel: one message, not two.
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.requests.filter((r) => trigger(r) === 'digest')).toHaveLength(1);
  });

  it('alerts on a spike against the issue’s own baseline, not on a steady issue', async () => {
    const { receiver, channel } = await webhookChannel('Spikes');
    await api.createRule({
      trigger: 'spike',
      threshold: 3,
      min_events: 5,
      channel_ids: [Number(channel.id)],
    });
    // steady: 4 events in each of the 29 hours before the last two, 6 now (z = 1);
    // spiky: one event every 4 hours, 12 now (z ≈ 11).
    const hours = Array.from({ length: 29 }, (_, i) => i + 2);
    await sendAlertEvents(snag.dsn, [...hours.map((h) => `steady:4@${h}`), 'steady:6']);
    await sendAlertEvents(snag.dsn, [
      ...hours.filter((h) => h % 4 === 2).map((h) => `spiky:1@${h}`),
      'spiky:12',
    ]);
    const spike = await waitFor(
      () => receiver.requests.find((r) => title(r).includes('spiky')),
      ALERT_TIMEOUT_MS,
      'the spike',
    );
    expect(trigger(spike)).toBe('spike');
    expect(String(json(spike)['summary'])).toMatch(
      /About \d+ events in the last hour, 3 standard deviations or more above/,
    );
    await new Promise((r) => setTimeout(r, 2500));
    expect(receiver.requests.filter((r) => title(r).includes('steady'))).toEqual([]);
  });

  it('alerts on an endpoint’s p95 latency and error rate from the APM rollups', async () => {
    const { receiver, channel } = await webhookChannel('Endpoints');
    const ids = [Number(channel.id)];
    await api.createRule({
      trigger: 'endpoint_p95',
      endpoint: 'GET /slow',
      threshold: 250,
      min_events: 1,
      window_minutes: 10,
      channel_ids: ids,
    });
    await api.createRule({
      trigger: 'endpoint_p95',
      endpoint: 'GET /orders',
      threshold: 60_000,
      min_events: 1,
      channel_ids: ids,
    });
    await api.createRule({ trigger: 'endpoint_error_rate', threshold: 0.5, min_events: 1, channel_ids: ids });
    await runNodeApm(snag.dsn, 'static');
    const slow = await waitFor(
      () => receiver.requests.find((r) => trigger(r) === 'endpoint_p95'),
      ALERT_TIMEOUT_MS,
      'p95 alert',
    );
    const failing = await waitFor(
      () =>
        receiver.requests.find(
          (r) => trigger(r) === 'endpoint_error_rate' && json(r)['endpoint'] === 'GET /checkout',
        ),
      ALERT_TIMEOUT_MS,
      'error-rate alert',
    );
    expect(json(slow)).toMatchObject({ endpoint: 'GET /slow', title: 'Slow endpoint in default: GET /slow' });
    expect(String(json(slow)['url'])).toBe(
      `${snag.url}/projects/default/performance/endpoint?name=GET%20%2Fslow&range=1h`,
    );
    expect(String(json(slow)['summary'])).toMatch(/^p95 \d+ ms over 1 transactions \(threshold 250 ms\)/);
    expect(json(failing)).toMatchObject({ endpoint: 'GET /checkout' });
    expect(String(json(failing)['summary'])).toMatch(
      /^100\.0% of 1 transactions failed \(threshold 50\.0%\)/,
    );
    expect(receiver.requests.filter((r) => String(json(r)['endpoint']) === 'GET /orders')).toEqual([]);
  });

  it(`gives up after ${MAX_ATTEMPTS} failed attempts, with the last error in the delivery log`, async () => {
    const { receiver, channel } = await webhookChannel('Broken receiver', 500);
    await api.createRule({ trigger: 'new_issue', channel_ids: [Number(channel.id)] });
    await sendAlertEvents(snag.dsn, ['doomed:1']);
    const failed = await waitFor(
      async () => (await api.deliveries({ status: 'failed', channel: channel.id })).deliveries[0],
      ALERT_TIMEOUT_MS,
      'a given-up delivery',
    );
    expect(failed).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, trigger: 'new_issue' });
    expect(failed.last_error).toMatch(/answered 500: receiver failure/);
    expect(receiver.requests.filter((r) => title(r).includes('doomed'))).toHaveLength(MAX_ATTEMPTS);
    const channels = (await api.channels()).channels;
    expect(channels.find((c) => c.id === channel.id)!.last_delivery).toMatchObject({ status: 'failed' });
  });

  it('refuses rules that cannot work', async () => {
    const { channel } = await webhookChannel('Validation');
    const post = (body: object) => api.raw('POST', '/projects/default/alert-rules', body);
    expect((await post({ trigger: 'burst', channel_ids: [Number(channel.id)] })).status).toBe(400);
    expect((await post({ trigger: 'new_issue', channel_ids: [] })).status).toBe(400);
    expect((await post({ trigger: 'new_issue', channel_ids: [99_999] })).status).toBe(404);
    expect((await post({ trigger: 'sometimes', channel_ids: [Number(channel.id)] })).status).toBe(400);
    expect(
      (await post({ trigger: 'regression', cooldown_minutes: -1, channel_ids: [Number(channel.id)] })).status,
    ).toBe(400);
    expect(
      (await api.raw('POST', '/projects/nope/alert-rules', { trigger: 'new_issue', channel_ids: [1] }))
        .status,
    ).toBe(404);
    const rule = await api.createRule({
      trigger: 'burst',
      threshold: 50,
      environment: 'production',
      channel_ids: [Number(channel.id)],
    });
    const off = await api.updateRule(rule.id, { enabled: false });
    expect(off).toMatchObject({ enabled: false, threshold: 50, environment: 'production', trigger: 'burst' });
    await api.deleteRule(rule.id);
    expect((await api.rules()).rules.find((r) => r.id === rule.id)).toBeUndefined();
  });
});
