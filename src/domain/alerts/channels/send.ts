/** Sends one message to one channel, whatever its type; throws DeliveryError on failure. */
import type { AlertChannel, AlertMessage } from '../types.js';
import { sendDiscord } from './discord.js';
import type { Mailer } from './email.js';
import { sendNtfy } from './ntfy.js';
import { DeliveryError } from './post-json.js';
import { sendSlack } from './slack.js';
import { sendWebhook } from './webhook.js';

export interface SendContext {
  /** null when SNAG_SMTP_HOST is not set. */
  mailer: Mailer | null;
  deliveryId: string;
  /** Rule-specific recipients added to an email channel's own. */
  extraRecipients: string[];
  now: number;
}

export async function sendToChannel(channel: AlertChannel, m: AlertMessage, ctx: SendContext): Promise<void> {
  switch (channel.type) {
    case 'email': {
      if (!ctx.mailer) {
        throw new DeliveryError(
          'Email is not configured: set SNAG_SMTP_HOST and SNAG_SMTP_FROM (see README).',
        );
      }
      const to = [...new Set([...channel.config.to, ...ctx.extraRecipients])];
      return ctx.mailer.send(m, to);
    }
    case 'ntfy':
      return sendNtfy(m, channel.config);
    case 'slack':
      return sendSlack(m, channel.config.url);
    case 'discord':
      return sendDiscord(m, channel.config.url);
    case 'webhook':
      return sendWebhook(m, channel.config, ctx.deliveryId, ctx.now);
  }
}
