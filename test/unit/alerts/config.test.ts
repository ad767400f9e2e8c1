import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { envChannelsOf } from '../../../src/domain/alerts/env-channels.js';

const SMTP = { SNAG_SMTP_HOST: 'smtp.example.com', SNAG_SMTP_FROM: 'alerts@example.com' };

describe('alert settings', () => {
  it('default to no channel, a 100/h burst, a 60 min cooldown and minute evaluations', () => {
    const { alerts } = loadConfig({});
    expect(alerts.smtp).toBeNull();
    expect(envChannelsOf(alerts.channels)).toEqual([]);
    expect(alerts).toMatchObject({
      burstPerHour: 100,
      cooldownMinutes: 60,
      evaluateIntervalMs: 60_000,
      maxAttempts: 8,
    });
  });

  it('turn SNAG_* variables into zero-configuration channels', () => {
    const { alerts } = loadConfig({
      ...SMTP,
      SNAG_SMTP_PORT: '465',
      SNAG_ALERT_EMAILS: 'a@example.com, b@example.com',
      SNAG_NTFY_URL: 'https://ntfy.sh/team',
      SNAG_NTFY_TOKEN: 'tk_1',
      SNAG_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x',
      SNAG_WEBHOOK_URL: 'https://example.com/in',
      SNAG_WEBHOOK_SECRET: '0123456789abcdef',
    });
    // Port 465 is TLS from the first byte unless SNAG_SMTP_SECURE says otherwise.
    expect(alerts.smtp).toMatchObject({ host: 'smtp.example.com', port: 465, secure: true, user: undefined });
    expect(envChannelsOf(alerts.channels).map((c) => [c.id, c.type])).toEqual([
      ['env-email', 'email'],
      ['env-ntfy', 'ntfy'],
      ['env-slack', 'slack'],
      ['env-webhook', 'webhook'],
    ]);
    expect(envChannelsOf(alerts.channels)[0]!.config).toEqual({ to: ['a@example.com', 'b@example.com'] });
  });

  it('refuse combinations that could not send, saying what to set', () => {
    expect(() => loadConfig({ SNAG_ALERT_EMAILS: 'a@example.com' })).toThrow(
      /SNAG_ALERT_EMAILS is set but SNAG_SMTP_HOST is not/,
    );
    expect(() => loadConfig({ SNAG_SMTP_HOST: 'smtp.example.com' })).toThrow(/SNAG_SMTP_FROM is not/);
    expect(() => loadConfig({ ...SMTP, SNAG_ALERT_EMAILS: 'nobody' })).toThrow(
      /"nobody" is not an email address/,
    );
    expect(() => loadConfig({ SNAG_WEBHOOK_URL: 'https://example.com/in' })).toThrow(
      /needs SNAG_WEBHOOK_SECRET of at least 16/,
    );
    expect(() => loadConfig({ SNAG_NTFY_URL: 'https://ntfy.sh/' })).toThrow(/names no topic/);
    expect(() => loadConfig({ SNAG_SLACK_WEBHOOK_URL: 'hooks.slack.com/x' })).toThrow(
      /SNAG_SLACK_WEBHOOK_URL=.* is not an http\(s\) URL/,
    );
    expect(() => loadConfig({ SNAG_ALERT_EVALUATE_SECONDS: '0' })).toThrow(/SNAG_ALERT_EVALUATE_SECONDS/);
  });
});
