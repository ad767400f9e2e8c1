/**
 * ntfy: published as JSON to the server's root with the topic in the body
 * (https://docs.ntfy.sh/publish/#publish-as-json), which keeps non-ASCII titles out of HTTP
 * headers. The channel is configured with the topic URL users already know (https://ntfy.sh/team).
 */
import type { AlertMessage, NtfyChannelConfig } from '../types.js';
import { DeliveryError, postJson } from './post-json.js';
import { factLines } from './text.js';

/** ntfy priorities: 1 min … 3 default … 5 max. Breakage is "high"; a test or a digest is not. */
const PRIORITY_BY_TRIGGER: Record<AlertMessage['trigger'], number> = {
  new_issue: 4,
  regression: 4,
  burst: 4,
  spike: 4,
  endpoint_p95: 3,
  endpoint_error_rate: 4,
  digest: 2,
  test: 3,
};

export function splitTopicUrl(topicUrl: string): { server: string; topic: string } {
  const u = new URL(topicUrl);
  const parts = u.pathname.split('/').filter(Boolean);
  const topic = parts.pop();
  if (!topic) throw new DeliveryError(`ntfy URL ${topicUrl} has no topic: use https://ntfy.sh/<topic>.`);
  u.pathname = parts.length > 0 ? `/${parts.join('/')}/` : '/';
  u.search = '';
  return { server: u.toString(), topic };
}

export function renderNtfy(m: AlertMessage, config: NtfyChannelConfig) {
  const { topic } = splitTopicUrl(config.url);
  return {
    topic,
    title: m.title,
    message: [m.summary, ...factLines(m).map(([k, v]) => `${k}: ${v}`)].join('\n'),
    priority: config.priority ?? PRIORITY_BY_TRIGGER[m.trigger],
    tags: [m.trigger === 'test' ? 'white_check_mark' : 'rotating_light', 'snag'],
    click: m.url,
  };
}

export async function sendNtfy(m: AlertMessage, config: NtfyChannelConfig): Promise<void> {
  const { server } = splitTopicUrl(config.url);
  await postJson(
    server,
    renderNtfy(m, config),
    config.token ? { authorization: `Bearer ${config.token}` } : {},
  );
}
