import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderDiscord } from '../../../src/domain/alerts/channels/discord.js';
import { renderNtfy, splitTopicUrl } from '../../../src/domain/alerts/channels/ntfy.js';
import { renderSlack } from '../../../src/domain/alerts/channels/slack.js';
import { renderText } from '../../../src/domain/alerts/channels/text.js';
import { signWebhook, verifyWebhookSignature } from '../../../src/domain/alerts/channels/webhook.js';
import { buildDigest, buildMessage } from '../../../src/domain/alerts/message.js';
import { levelRank, matchesFilters, type EffectiveRule } from '../../../src/domain/alerts/rules.js';
import type { AlertFact } from '../../../src/domain/alerts/types.js';

const issue = {
  id: 42,
  project_id: 1,
  title: 'TypeError: card declined',
  culprit: 'chargeCard(app/payments.js)',
  level: 'error',
  status: 'open',
  event_count: 17,
  user_count: 3,
  first_seen: Date.UTC(2026, 10, 1),
  last_seen: Date.UTC(2026, 10, 2),
  last_release: 'shop@1.2.2',
};
const fact: AlertFact = {
  trigger: 'new_issue',
  projectId: 1,
  issueId: 42,
  environment: 'production',
  release: 'shop@1.2.3',
  level: 'error',
  at: Date.UTC(2026, 10, 2),
};
const message = buildMessage(fact, {
  publicUrl: 'https://snag.example.com',
  project: { slug: 'web-shop', name: 'Web shop' },
  issue,
  suppressed: 0,
});

describe('alert messages', () => {
  it('carry project, environment, release, count, culprit and a link to the issue', () => {
    expect(message.title).toBe('New issue in Web shop: TypeError: card declined');
    expect(message.url).toBe('https://snag.example.com/projects/web-shop/issues/42');
    const text = renderText(message);
    for (const line of [
      'Project: Web shop',
      'Environment: production',
      'Release: shop@1.2.3',
      'Events: 17',
      'Users: 3',
      'Culprit: chargeCard(app/payments.js)',
    ]) {
      expect(text).toContain(line);
    }
  });

  it('say how many alerts a digest stands for', () => {
    const digest = buildDigest(message, 5);
    expect(digest.trigger).toBe('digest');
    expect(digest.title).toBe(`5 more: ${message.title}`);
    expect(renderText(digest)).toContain('Held back by cooldown: 5');
  });
});

describe('channel formats', () => {
  it('Slack: a header, escaped mrkdwn and a button to the issue', () => {
    const m = { ...message, summary: 'a <b> & c' };
    const slack = renderSlack(m);
    expect(slack.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: m.title, emoji: false },
    });
    expect(JSON.stringify(slack.blocks[1])).toContain('a &lt;b&gt; &amp; c');
    expect(JSON.stringify(slack.blocks.at(-1))).toContain(m.url);
  });

  it('Discord: one embed linking the issue, mentions disabled', () => {
    const d = renderDiscord(message);
    expect(d.allowed_mentions).toEqual({ parse: [] });
    expect(d.embeds[0]!.url).toBe(message.url);
    expect(d.embeds[0]!.fields).toContainEqual({ name: 'Release', value: 'shop@1.2.3', inline: true });
  });

  it('ntfy: published as JSON to the server root with the topic, a click link and a priority', () => {
    expect(splitTopicUrl('https://ntfy.example.com/base/alerts?x=1')).toEqual({
      server: 'https://ntfy.example.com/base/',
      topic: 'alerts',
    });
    const n = renderNtfy(message, { url: 'https://ntfy.sh/team-alerts' });
    expect(n).toMatchObject({ topic: 'team-alerts', click: message.url, priority: 4, title: message.title });
    expect(renderNtfy(message, { url: 'https://ntfy.sh/t', priority: 2 }).priority).toBe(2);
  });

  it('webhook: HMAC-SHA256 over "<t>.<body>", rejected when tampered with or stale', () => {
    const body = '{"type":"snag.alert"}';
    const header = signWebhook('s3cret-s3cret-s3cret', body, 1_800_000_000);
    const expected = createHmac('sha256', 's3cret-s3cret-s3cret').update(`1800000000.${body}`).digest('hex');
    expect(header).toBe(`t=1800000000,v1=${expected}`);
    expect(verifyWebhookSignature('s3cret-s3cret-s3cret', body, header, 1_800_000_100)).toBe(true);
    expect(verifyWebhookSignature('s3cret-s3cret-s3cret', `${body} `, header, 1_800_000_100)).toBe(false);
    expect(verifyWebhookSignature('another-secret-here', body, header, 1_800_000_100)).toBe(false);
    expect(verifyWebhookSignature('s3cret-s3cret-s3cret', body, header, 1_800_001_000)).toBe(false);
  });
});

describe('rule filters', () => {
  const rule = (over: Partial<EffectiveRule>): EffectiveRule => ({
    key: 'rule:1',
    ruleId: 1,
    trigger: 'new_issue',
    environment: null,
    minLevel: null,
    threshold: null,
    minEvents: null,
    windowMinutes: null,
    endpoint: null,
    cooldownMs: 0,
    channels: [],
    emailTo: [],
    ...over,
  });

  it('match the environment exactly and levels at or above the minimum', () => {
    expect(matchesFilters(rule({ environment: 'production' }), fact)).toBe(true);
    expect(matchesFilters(rule({ environment: 'staging' }), fact)).toBe(false);
    expect(matchesFilters(rule({ minLevel: 'error' }), { ...fact, level: 'fatal' })).toBe(true);
    expect(matchesFilters(rule({ minLevel: 'error' }), { ...fact, level: 'warning' })).toBe(false);
    expect(levelRank('warn')).toBe(levelRank('warning'));
  });
});
