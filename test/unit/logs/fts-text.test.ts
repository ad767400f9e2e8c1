import { describe, expect, it } from 'vitest';
import {
  buildSearchDocument,
  MAX_INDEXED_WORDS_CHARS,
  normalizeIds,
} from '../../../src/domain/logs/fts-text.js';
import { logRecord } from './storage-helpers.js';

const UUID = '3F2504E0-4F89-41D3-9A0C-0305E82C3301';
const UUID_HEX = '3f2504e04f8941d39a0c0305e82c3301';

describe('normalizeIds', () => {
  it('writes a UUID as 32 lowercase hex digits wherever it is in the text', () => {
    expect(normalizeIds(`order ${UUID} failed`)).toBe(`order ${UUID_HEX} failed`);
    expect(normalizeIds(`a ${UUID.toLowerCase()},${UUID}`)).toBe(`a ${UUID_HEX},${UUID_HEX}`);
  });

  it('leaves text without UUIDs untouched', () => {
    expect(normalizeIds('GET /api/orders-42 took 12ms')).toBe('GET /api/orders-42 took 12ms');
    expect(normalizeIds('3f2504e0-4f89-41d3-9a0c')).toBe('3f2504e0-4f89-41d3-9a0c');
  });
});

describe('buildSearchDocument', () => {
  it('indexes the body and the values of record attributes, ids normalized', () => {
    const doc = buildSearchDocument(
      logRecord({
        body: `payment ${UUID} declined`,
        attributes: { 'request.id': UUID, status: 422, method: 'POST', duration: 12.5, retried: false },
      }),
    );
    expect(doc.words).toBe(`payment ${UUID_HEX} declined ${UUID_HEX} 422 POST`);
    expect(doc.fields).toEqual([
      'request.id',
      UUID_HEX,
      'status',
      '422',
      'method',
      'POST',
      'duration',
      '12.5',
      'retried',
      'false',
    ]);
  });

  it('flattens nested attributes with dotted keys and arrays as one pair per element', () => {
    const doc = buildSearchDocument(
      logRecord({ attributes: { http: { request: { method: 'GET' } }, tags: ['a', 'b'], empty: null } }),
    );
    expect(doc.fields).toEqual(['http.request.method', 'GET', 'tags', 'a', 'tags', 'b']);
  });

  it('keeps resource attributes as pairs but not as free words', () => {
    const doc = buildSearchDocument(
      logRecord({ body: 'x', resource: { 'k8s.pod.name': 'api-7f9' }, attributes: { route: '/orders' } }),
    );
    expect(doc.fields).toEqual(['k8s.pod.name', 'api-7f9', 'route', '/orders']);
    expect(doc.words).toBe('x /orders');
  });

  it('leaves out attributes that only repeat a hot field', () => {
    const doc = buildSearchDocument(
      logRecord({
        service: 'checkout',
        release: '1.4.2',
        environment: 'production',
        resource: { 'service.name': 'checkout', 'service.version': '1.4.2', 'host.name': 'other-host' },
        attributes: { 'sentry.environment': 'production', 'sentry.release': 'different' },
      }),
    );
    expect(doc.fields).toEqual(['host.name', 'other-host', 'sentry.release', 'different']);
  });

  it('caps the indexed text of a huge record', () => {
    const doc = buildSearchDocument(
      logRecord({ body: 'word '.repeat(10_000), attributes: { stack: 'frame '.repeat(5_000) } }),
    );
    expect(doc.words.length).toBe(MAX_INDEXED_WORDS_CHARS);
  });
});
