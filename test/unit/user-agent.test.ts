import { describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../src/domain/events/normalize.js';
import { parseUserAgent } from '../../src/domain/events/user-agent.js';

const CHROME_WIN =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const EDGE = `${CHROME_WIN} Edg/126.0.2592.56`;
const SAFARI_IOS =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

describe('parseUserAgent', () => {
  it('names common browsers and systems, Edge before the Chrome it also claims to be', () => {
    expect(parseUserAgent(CHROME_WIN)).toEqual({
      browser: { name: 'Chrome', version: '126.0.0.0' },
      os: { name: 'Windows', version: '10' },
    });
    expect(parseUserAgent(EDGE).browser).toEqual({ name: 'Edge', version: '126.0.2592.56' });
    expect(parseUserAgent(SAFARI_IOS)).toEqual({
      browser: { name: 'Safari', version: '17.5' },
      os: { name: 'iOS', version: '17.5' },
    });
    expect(parseUserAgent(FIREFOX_LINUX)).toEqual({
      browser: { name: 'Firefox', version: '128.0' },
      os: { name: 'Linux' },
    });
    expect(parseUserAgent('curl/8.5.0')).toEqual({});
  });
});

describe('normalizeEvent user-agent contexts', () => {
  const withUa = (platform: string, contexts: Record<string, unknown> = {}) =>
    normalizeEvent(
      { platform, request: { headers: { 'User-Agent': CHROME_WIN } }, contexts },
      { receivedAt: 0 },
    );

  it('adds browser and os for browser events, client_os for server events', () => {
    const browser = withUa('javascript');
    expect(browser.contexts['browser']).toMatchObject({ name: 'Chrome', version: '126.0.0.0' });
    expect(browser.contexts['os']).toMatchObject({ name: 'Windows', version: '10' });
    const server = withUa('node', { os: { name: 'Linux' } });
    expect(server.contexts['os']).toEqual({ name: 'Linux' });
    expect(server.contexts['client_os']).toMatchObject({ name: 'Windows' });
  });

  it('never overwrites what the SDK sent', () => {
    const e = withUa('javascript', { browser: { name: 'Brave', version: '1.2' } });
    expect(e.contexts['browser']).toEqual({ name: 'Brave', version: '1.2' });
  });
});
