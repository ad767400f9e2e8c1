/** One HTTP POST for every webhook-style channel: a time limit, and failures that say what came back. */

/** A receiver that has not answered in this long is treated as down; the delivery is retried. */
export const SEND_TIMEOUT_MS = 10_000;
/** Enough of an error body to tell "bad token" from "rate limited" in the delivery log. */
const ERROR_BODY_CHARS = 300;

export class DeliveryError extends Error {}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Snag-Alerts', ...headers },
      body: text,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (err) {
    const cause =
      err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new DeliveryError(`POST ${redact(url)} failed: ${cause}`);
  }
  if (!res.ok) {
    const snippet = (await res.text().catch(() => '')).slice(0, ERROR_BODY_CHARS);
    throw new DeliveryError(`POST ${redact(url)} answered ${res.status}${snippet ? `: ${snippet}` : ''}`);
  }
  await res.body?.cancel();
  return { status: res.status };
}

/** Webhook URLs carry their secret in the path (Slack, Discord): logs show the host only. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(invalid URL)';
  }
}
