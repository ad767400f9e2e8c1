import { describe, expect, it } from 'vitest';
import type { AlertChannelView } from '../../../web/src/api/client';
import {
  channelConfigOf,
  describeTarget,
  EMPTY_CHANNEL_FORM,
  formOfChannel,
} from '../../../web/src/routes/alert-forms';
import { ruleBodyOf } from '../../../web/src/routes/settings-alert-rules';

const view = (over: Partial<AlertChannelView>): AlertChannelView => ({
  id: '1',
  name: 'x',
  type: 'email',
  source: 'stored',
  config: {},
  rule_count: 0,
  last_delivery: null,
  ...over,
});

describe('Settings → Alerts forms', () => {
  it('send only the selected type’s settings', () => {
    const form = { ...EMPTY_CHANNEL_FORM, url: 'https://ntfy.sh/t', token: '', priority: '4', to: 'ignored' };
    expect(channelConfigOf({ ...form, type: 'ntfy' })).toEqual({
      url: 'https://ntfy.sh/t',
      token: undefined,
      priority: 4,
    });
    expect(channelConfigOf({ ...form, type: 'slack' })).toEqual({ url: 'https://ntfy.sh/t' });
    expect(channelConfigOf({ ...form, type: 'email' })).toEqual({ to: 'ignored' });
  });

  it('round-trip a stored channel, masked secrets included, and say where it sends', () => {
    const hook = view({ type: 'webhook', config: { url: 'https://example.com/in', secret: '••••abcd' } });
    expect(formOfChannel(hook)).toMatchObject({
      type: 'webhook',
      url: 'https://example.com/in',
      secret: '••••abcd',
    });
    expect(channelConfigOf(formOfChannel(hook))).toEqual({
      url: 'https://example.com/in',
      secret: '••••abcd',
    });
    expect(describeTarget(view({ config: { to: ['a@example.com', 'b@example.com'] } }))).toBe(
      'a@example.com, b@example.com',
    );
  });

  it('build a rule body with numbers as numbers and fields that do not apply left out', () => {
    const base = {
      name: '',
      threshold: '250',
      environment: ' production ',
      minLevel: 'error',
      windowMinutes: '15',
      minEvents: '',
      endpoint: 'GET /slow',
      cooldownMinutes: '30',
      channelIds: [3],
      emailTo: '',
    };
    expect(ruleBodyOf({ ...base, trigger: 'endpoint_p95' })).toEqual({
      name: undefined,
      trigger: 'endpoint_p95',
      threshold: 250,
      environment: 'production',
      min_level: undefined,
      window_minutes: 15,
      min_events: undefined,
      endpoint: 'GET /slow',
      cooldown_minutes: 30,
      channel_ids: [3],
      email_to: undefined,
    });
    expect(ruleBodyOf({ ...base, trigger: 'new_issue' })).toMatchObject({
      threshold: undefined,
      min_level: 'error',
      window_minutes: undefined,
      endpoint: undefined,
    });
  });
});
