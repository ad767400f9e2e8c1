/**
 * Discord webhooks: one embed per alert (https://discord.com/developers/docs/resources/webhook).
 * Discord answers 204 No Content. `allowed_mentions` is empty so an error message containing
 * "@everyone" cannot ping a server.
 */
import type { AlertMessage } from '../types.js';
import { postJson } from './post-json.js';
import { factLines } from './text.js';

const COLORS: Record<string, number> = {
  new_issue: 0xe5484d,
  regression: 0xf76b15,
  burst: 0xe5484d,
  spike: 0xf76b15,
  endpoint_p95: 0xffb224,
  endpoint_error_rate: 0xe5484d,
  digest: 0x8e8c99,
  test: 0x3e63dd,
};

export function renderDiscord(m: AlertMessage) {
  return {
    username: 'Snag',
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: m.title.slice(0, 256),
        url: m.url,
        description: m.summary.slice(0, 4096),
        color: COLORS[m.trigger] ?? 0x3e63dd,
        timestamp: m.at,
        fields: factLines(m)
          .slice(0, 25)
          .map(([name, value]) => ({ name, value: value.slice(0, 1024), inline: name !== 'Culprit' })),
      },
    ],
  };
}

export async function sendDiscord(m: AlertMessage, url: string): Promise<void> {
  await postJson(url, renderDiscord(m));
}
