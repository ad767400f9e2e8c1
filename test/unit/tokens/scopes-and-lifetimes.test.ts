import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { parseLifetime } from '../../../src/domain/tokens/expiry.js';
import { expandScopes, parseScopes, scopesOfRow } from '../../../src/domain/tokens/scopes.js';

describe('token scopes', () => {
  it('nest: the highest scope given brings the ones below it', () => {
    expect(parseScopes('read')).toEqual(['read']);
    expect(parseScopes('write')).toEqual(['read', 'write']);
    expect(parseScopes('read,admin')).toEqual(['read', 'write', 'admin']);
    expect(parseScopes(['write', 'read'])).toEqual(['read', 'write']);
    expect(expandScopes(['admin'])).toEqual(['read', 'write', 'admin']);
  });

  it('refuse unknown or empty scopes with the list of valid ones', () => {
    expect(() => parseScopes('read,root')).toThrow(/"root".*use read, write or admin/);
    expect(() => parseScopes('')).toThrow(AppError);
  });

  it('read a stored row: NULL is a token from before scopes (read and write)', () => {
    expect(scopesOfRow(null)).toEqual(['read', 'write']);
    expect(scopesOfRow('read')).toEqual(['read']);
    expect(scopesOfRow('read,write,admin')).toEqual(['read', 'write', 'admin']);
  });
});

describe('token lifetimes', () => {
  it('parse a number and a unit', () => {
    expect(parseLifetime('90m')).toBe(90 * 60_000);
    expect(parseLifetime('12h')).toBe(12 * 3_600_000);
    expect(parseLifetime('30d')).toBe(30 * 86_400_000);
    expect(parseLifetime(' 2W ')).toBe(14 * 86_400_000);
    expect(parseLifetime('1y')).toBe(365 * 86_400_000);
  });

  it('refuse what is not one, zero, and more than ten years', () => {
    for (const bad of ['30', 'd', '3 weeks', '0d', '11y', '-1d'])
      expect(() => parseLifetime(bad)).toThrow(/30d/);
  });
});
