import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('has defaults that work on localhost', () => {
    const c = loadConfig({}, '/srv/snag');
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8000,
      dataDir: '/srv/snag/data',
      publicUrl: 'http://127.0.0.1:8000',
    });
    expect(c.queue.maxDepth).toBe(100_000);
    expect(c.scrub.enabled).toBe(true);
  });

  it('derives a reachable public URL from a wildcard bind and keeps an explicit one', () => {
    expect(loadConfig({ SNAG_HOST: '0.0.0.0', SNAG_PORT: '9000' }).publicUrl).toBe('http://127.0.0.1:9000');
    expect(loadConfig({ SNAG_PUBLIC_URL: 'https://snag.example.com/errors/' }).publicUrl).toBe(
      'https://snag.example.com/errors',
    );
  });

  it('parses lists and booleans', () => {
    const c = loadConfig({ SNAG_SCRUB_EXTRA_KEYS: ' iban, ssn ,', SNAG_SCRUB_PII: 'off' });
    expect(c.scrub.extraKeys).toEqual(['iban', 'ssn']);
    expect(c.scrub.enabled).toBe(false);
  });

  it('refuses bad values with a message that names the variable and how to fix it', () => {
    expect(() => loadConfig({ SNAG_PORT: 'eighty' })).toThrow(
      /SNAG_PORT="eighty" is not a whole number between 0 and 65535/,
    );
    expect(() => loadConfig({ SNAG_SCRUB_PII: 'maybe' })).toThrow(/use true or false/);
    expect(() => loadConfig({ SNAG_PUBLIC_URL: 'ftp://x' })).toThrow(/SNAG_PUBLIC_URL.*http\(s\) URL/);
    expect(() => loadConfig({ SNAG_QUEUE_WARNING_DEPTH: '50', SNAG_QUEUE_CRITICAL_DEPTH: '10' })).toThrow(
      /lower the first or raise the second/,
    );
  });

  it('reports every problem at once', () => {
    expect(() => loadConfig({ SNAG_PORT: '-1', SNAG_LOG_LEVEL: 'loud' })).toThrow(
      /SNAG_PORT[\s\S]*SNAG_LOG_LEVEL/,
    );
  });
});
