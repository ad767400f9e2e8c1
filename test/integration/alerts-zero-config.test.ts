/**
 * Zero-configuration alerting through a real Snag: only SNAG_* variables (SMTP + SNAG_ALERT_EMAILS,
 * ntfy, Slack, Discord, a signed webhook), no rule created, real @sentry/node events. Every
 * channel is a real local receiver: an SMTP server (smtp-server) and HTTP servers. Covers new
 * issues, regressions, bursts with their cooldown, and a retry after a receiver failure.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsApi, sendAlertEvents } from '../helpers/alerts.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest } from '../helpers/http-receiver.js';
import { snagApi } from '../helpers/snag-api.js';
import { startSmtpReceiver, type SmtpReceiver } from '../helpers/smtp-receiver.js';
import { startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';

const SECRET = 'zero-config-webhook-secret-0123456789';
const RELEASE = 'shop@1.2.3';
const BURST_PER_HOUR = 12;
/** Routing polls every second, sending retries after 1 s: a message is due within a few seconds. */
const ALERT_TIMEOUT_MS = 20_000;

/** What a receiver does with X-Snag-Signature (docs/api.md), written independently of Snag's code. */
function verifySignature(r: ReceivedRequest, secret: string): boolean {
  const header = String(r.headers['x-snag-signature'] ?? '');
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${r.body}`).digest();
  return (
    Math.abs(Date.now() / 1000 - Number(m[1])) < 300 && timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'))
  );
}

type Json = Record<string, unknown>;
const titleOf = (r: ReceivedRequest) => String((r.json as Json)['title'] ?? '');

describe('zero-configuration alerts', () => {
  let snag: RunningSnag;
  let smtp: SmtpReceiver;
  let ntfy: HttpReceiver;
  let slack: HttpReceiver;
  let discord: HttpReceiver;
  let webhook: HttpReceiver;
  let issueUrl: (id: number) => string;

  beforeAll(async () => {
    [smtp, ntfy, slack, discord, webhook] = await Promise.all([
      startSmtpReceiver(),
      startHttpReceiver(),
      startHttpReceiver(),
      startHttpReceiver({ status: 204 }),
      startHttpReceiver(),
    ]);
    // The first webhook delivery meets a failing receiver; the retry must get through.
    webhook.failNext([500]);
    snag = await startSnag({
      env: {
        SNAG_SMTP_HOST: '127.0.0.1',
        SNAG_SMTP_PORT: String(smtp.port),
        SNAG_SMTP_USER: smtp.user,
        SNAG_SMTP_PASSWORD: smtp.password,
        SNAG_SMTP_FROM: 'Snag <alerts@snag.test>',
        SNAG_SMTP_SECURE: 'false',
        SNAG_ALERT_EMAILS: 'oncall@example.com, lead@example.com',
        SNAG_NTFY_URL: `${ntfy.url}/snag-alerts`,
        SNAG_NTFY_TOKEN: 'tk_zero_config',
        SNAG_SLACK_WEBHOOK_URL: `${slack.url}/services/T000/B000/XXXX`,
        SNAG_DISCORD_WEBHOOK_URL: `${discord.url}/api/webhooks/1/token`,
        SNAG_WEBHOOK_URL: `${webhook.url}/hooks/snag`,
        SNAG_WEBHOOK_SECRET: SECRET,
        SNAG_ALERT_BURST_PER_HOUR: String(BURST_PER_HOUR),
        SNAG_ALERT_EVALUATE_SECONDS: '1',
        SNAG_ALERT_RETRY_SECONDS: '1',
      },
    });
    issueUrl = (id) => `${snag.url}/projects/default/issues/${id}`;
  });

  afterAll(async () => {
    await stopAndRemove(snag);
    await Promise.all([smtp, ntfy, slack, discord, webhook].map((r) => r?.close()));
  });

  const issueIdOf = async (label: string) => {
    const { issues } = await snagApi(snag).listIssues({ query: label });
    const issue = issues.find((i) => i.value.includes(label));
    if (!issue) throw new Error(`no issue for ${label}`);
    return issue;
  };

  it('a new issue reaches email, ntfy, Slack, Discord and the webhook, with what and where', async () => {
    await sendAlertEvents(snag.dsn, ['checkout:1'], { environment: 'production', release: RELEASE });
    await waitFor(
      () =>
        smtp.mails.length >= 1 &&
        ntfy.requests.length >= 1 &&
        slack.requests.length >= 1 &&
        discord.requests.length >= 1 &&
        webhook.requests.some((r) => r.status === 200),
      ALERT_TIMEOUT_MS,
      'a message on every channel',
    );
    const issue = await issueIdOf('checkout');
    const link = issueUrl(issue.id);

    const mail = smtp.mails[0]!;
    expect(mail.to.sort()).toEqual(['lead@example.com', 'oncall@example.com']);
    expect(mail.from).toBe('alerts@snag.test');
    expect(mail.subject).toBe(`[Snag] New issue in default: ${issue.title}`);
    for (const line of [
      'Project: default',
      'Environment: production',
      `Release: ${RELEASE}`,
      'Events: 1',
      `Culprit: ${issue.culprit}`,
      link,
    ]) {
      expect(mail.text).toContain(line);
    }

    const n = ntfy.requests[0]!;
    expect(n.path).toBe('/');
    expect(n.headers['authorization']).toBe('Bearer tk_zero_config');
    expect(n.json).toMatchObject({
      topic: 'snag-alerts',
      click: link,
      priority: 4,
      title: `New issue in default: ${issue.title}`,
    });
    expect(String((n.json as Json)['message'])).toContain(`Release: ${RELEASE}`);

    const s = slack.requests[0]!;
    expect(s.path).toBe('/services/T000/B000/XXXX');
    const blocks = (s.json as { blocks: Json[] }).blocks;
    expect(blocks[0]).toMatchObject({ type: 'header' });
    expect(JSON.stringify(blocks)).toContain('*Culprit*');
    expect(JSON.stringify(blocks.at(-1))).toContain(link);

    const embed = (discord.requests[0]!.json as { embeds: Json[] }).embeds[0]!;
    expect(embed).toMatchObject({ url: link, title: `New issue in default: ${issue.title}` });
    expect(embed['fields']).toContainEqual({ name: 'Environment', value: 'production', inline: true });

    const body = webhook.requests.find((r) => r.status === 200)!;
    expect(body.path).toBe('/hooks/snag');
    expect(verifySignature(body, SECRET)).toBe(true);
    expect(verifySignature({ ...body, body: body.body.replace('checkout', 'checkoux') }, SECRET)).toBe(false);
    expect(body.headers['x-snag-event']).toBe('new_issue');
    expect(body.json).toMatchObject({
      type: 'snag.alert',
      trigger: 'new_issue',
      url: link,
      project: { slug: 'default', name: 'default' },
      environment: 'production',
      release: RELEASE,
      issue: { id: issue.id, culprit: issue.culprit, count: 1, level: 'error' },
    });
  });

  it('retries a delivery the receiver failed, with the same delivery id, and logs both attempts', async () => {
    const [failed, ok] = webhook.requests;
    expect(failed!.status).toBe(500);
    expect(ok!.status).toBe(200);
    expect(ok!.headers['x-snag-delivery']).toBe(failed!.headers['x-snag-delivery']);
    const { deliveries } = await alertsApi(snag).deliveries({ channel: 'env-webhook' });
    const d = deliveries.find((x) => String(x.id) === ok!.headers['x-snag-delivery'])!;
    expect(d).toMatchObject({ status: 'sent', attempts: 2, last_error: null, trigger: 'new_issue' });
  });

  it('a resolved issue that happens again alerts as a regression', async () => {
    const issue = await issueIdOf('checkout');
    await alertsApi(snag).setIssueStatus(issue.id, 'resolved');
    await sendAlertEvents(snag.dsn, ['checkout:1'], { environment: 'production', release: 'shop@1.2.4' });
    const mail = await waitFor(
      () => smtp.mails.find((m) => m.subject.startsWith('[Snag] Regression in default')),
      ALERT_TIMEOUT_MS,
      'a regression email',
    );
    expect(mail.text).toContain('Release: shop@1.2.4');
    expect(mail.text).toContain('Events: 2');
    await waitFor(
      () => slack.requests.some((r) => JSON.stringify(r.json).includes('Regression in default')),
      ALERT_TIMEOUT_MS,
    );
    expect(ntfy.requests.filter((r) => titleOf(r).startsWith('Regression')).length).toBe(1);
  });

  it(`a burst (over ${BURST_PER_HOUR} events an hour) alerts once, then the cooldown holds the rest back`, async () => {
    await sendAlertEvents(snag.dsn, [`storm:${BURST_PER_HOUR + 4}`]);
    const burst = await waitFor(
      () => ntfy.requests.find((r) => titleOf(r).startsWith('Burst in default')),
      ALERT_TIMEOUT_MS,
      'a burst notification',
    );
    expect(String((burst.json as Json)['message'])).toMatch(
      /About 1\d events in the last hour \(threshold 12 per hour\)/,
    );
    // Evaluations run every second and the storm is still over the threshold: nothing more is sent.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(ntfy.requests.filter((r) => titleOf(r).startsWith('Burst')).length).toBe(1);
    expect(smtp.mails.filter((m) => m.subject.includes('Burst in default')).length).toBe(1);
    // One new-issue message for the storm's issue, however many events it had.
    expect(
      ntfy.requests.filter((r) => titleOf(r).startsWith('New issue') && titleOf(r).includes('storm')).length,
    ).toBe(1);
  });

  it('lists the environment channels read-only and sends them a test', async () => {
    const api = alertsApi(snag);
    const { channels, defaults } = await api.channels();
    expect(channels.map((c) => c.id).sort()).toEqual([
      'env-discord',
      'env-email',
      'env-ntfy',
      'env-slack',
      'env-webhook',
    ]);
    expect(channels.every((c) => c.source === 'env')).toBe(true);
    // Secrets are masked: the Slack URL path and the webhook secret never come back whole.
    expect(JSON.stringify(channels)).not.toContain('/services/T000/B000');
    expect(JSON.stringify(channels)).not.toContain(SECRET);
    expect(defaults).toEqual({
      triggers: ['new_issue', 'regression', 'burst'],
      burst_per_hour: BURST_PER_HOUR,
      cooldown_minutes: 60,
    });
    const before = smtp.mails.length;
    const result = await api.testChannel('env-email');
    expect(result).toMatchObject({ ok: true, delivery: { status: 'sent', attempts: 1 } });
    expect(smtp.mails.length).toBe(before + 1);
    expect(smtp.mails.at(-1)!.subject).toBe('[Snag] Test alert from Snag');
    const edit = await api.raw('PATCH', '/alert-channels/env-email', { name: 'x' });
    expect(edit.status).toBe(400);
  });
});
