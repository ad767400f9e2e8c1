/**
 * Slack incoming webhooks: `text` is the notification fallback, `blocks` the formatted message
 * (https://api.slack.com/messaging/webhooks, Block Kit). Slack answers 200 "ok".
 */
import type { AlertMessage } from '../types.js';
import { postJson } from './post-json.js';
import { factLines } from './text.js';

/** Slack's limit on a section block's text. */
const SECTION_TEXT_MAX_CHARS = 3000;

export function renderSlack(m: AlertMessage) {
  const fields = factLines(m).map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${escape(v)}` }));
  return {
    text: `${m.title} ${m.url}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: m.title.slice(0, 150), emoji: false } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: escape(m.summary).slice(0, SECTION_TEXT_MAX_CHARS) },
      },
      // Slack allows at most 10 fields per section.
      ...(fields.length > 0 ? [{ type: 'section', fields: fields.slice(0, 10) }] : []),
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Snag' }, url: m.url }],
      },
    ],
  };
}

export async function sendSlack(m: AlertMessage, url: string): Promise<void> {
  await postJson(url, renderSlack(m));
}

/** mrkdwn treats &, < and > as control characters (https://api.slack.com/reference/surfaces/formatting). */
function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
