/**
 * The generic JSON webhook. Each POST is signed so a receiver can tell it came from this Snag and
 * was not replayed later:
 *
 *   X-Snag-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *   X-Snag-Delivery: <delivery id>   (the same on every retry of one alert: use it to dedupe)
 *   X-Snag-Event: <trigger>
 *
 * The timestamp is inside the signed bytes (Stripe's scheme), so a captured request cannot be
 * re-sent with a fresh time; receivers should reject signatures older than a few minutes and
 * compare in constant time. docs/api.md shows a verifier.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertMessage, WebhookChannelConfig } from '../types.js';
import { postJson } from './post-json.js';

export const SIGNATURE_HEADER = 'x-snag-signature';

export function renderWebhook(m: AlertMessage, deliveryId: string) {
  return { type: 'snag.alert', delivery_id: deliveryId, ...m };
}

export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** What a receiver does (used by the tests, and a reference for docs/api.md). */
export function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts['t']);
  const v1 = parts['v1'];
  if (!Number.isInteger(t) || !v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, body, t).split('v1=')[1]!, 'hex');
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function sendWebhook(
  m: AlertMessage,
  config: WebhookChannelConfig,
  deliveryId: string,
  now: number,
): Promise<void> {
  const body = JSON.stringify(renderWebhook(m, deliveryId));
  await postJson(config.url, body, {
    [SIGNATURE_HEADER]: signWebhook(config.secret, body, Math.floor(now / 1000)),
    'x-snag-delivery': deliveryId,
    'x-snag-event': m.trigger,
  });
}
