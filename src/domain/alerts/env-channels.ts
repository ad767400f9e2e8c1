/**
 * Channels configured by SNAG_* variables (zero configuration): with them set, every project
 * alerts on new issues, regressions and bursts (rules.ts `defaultRules`) without a rule or channel
 * being created. They show in Settings as read-only and can be sent a test.
 */
import type { AlertChannel } from './types.js';

export interface ZeroConfigChannels {
  /** SNAG_ALERT_EMAILS (sent through SNAG_SMTP_*). */
  emails: string[];
  ntfy: { url: string; token: string | undefined } | null;
  slackWebhookUrl: string | undefined;
  discordWebhookUrl: string | undefined;
  webhook: { url: string; secret: string } | null;
}

export function envChannelsOf(z: ZeroConfigChannels): AlertChannel[] {
  const out: AlertChannel[] = [];
  const env = { source: 'env' as const };
  if (z.emails.length > 0)
    out.push({
      ...env,
      id: 'env-email',
      name: 'Email (SNAG_ALERT_EMAILS)',
      type: 'email',
      config: { to: z.emails },
    });
  if (z.ntfy)
    out.push({
      ...env,
      id: 'env-ntfy',
      name: 'ntfy (SNAG_NTFY_URL)',
      type: 'ntfy',
      config: { url: z.ntfy.url, token: z.ntfy.token },
    });
  if (z.slackWebhookUrl)
    out.push({
      ...env,
      id: 'env-slack',
      name: 'Slack (SNAG_SLACK_WEBHOOK_URL)',
      type: 'slack',
      config: { url: z.slackWebhookUrl },
    });
  if (z.discordWebhookUrl)
    out.push({
      ...env,
      id: 'env-discord',
      name: 'Discord (SNAG_DISCORD_WEBHOOK_URL)',
      type: 'discord',
      config: { url: z.discordWebhookUrl },
    });
  if (z.webhook)
    out.push({
      ...env,
      id: 'env-webhook',
      name: 'Webhook (SNAG_WEBHOOK_URL)',
      type: 'webhook',
      config: z.webhook,
    });
  return out;
}
