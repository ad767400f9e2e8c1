import { describe, expect, it } from 'vitest';
import { checkAllowlist } from '../../../src/domain/users/allowlist.js';

const LIST = { users: ['alice@example.com'], domains: ['corp.example', '*.partner.example'] };
const allowed = (email: string, list = LIST) => checkAllowlist(email, list).allowed;

describe('checkAllowlist', () => {
  it('admits listed users case-insensitively', () => {
    expect(allowed('Alice@Example.COM')).toBe(true);
    expect(allowed('alicia@example.com')).toBe(false);
  });

  it('admits a domain and its subdomains, on whole labels', () => {
    expect(allowed('bob@corp.example')).toBe(true);
    expect(allowed('bob@eu.corp.example')).toBe(true);
    expect(allowed('bob@badcorp.example')).toBe(false);
    expect(allowed('bob@corp.example.evil')).toBe(false);
  });

  it('admits only subdomains for a *.domain entry', () => {
    expect(allowed('dave@x.partner.example')).toBe(true);
    expect(allowed('dave@a.b.partner.example')).toBe(true);
    expect(allowed('erin@partner.example')).toBe(false);
    expect(allowed('erin@evilpartner.example')).toBe(false);
  });

  it('admits nobody when both lists are empty, and says why', () => {
    const decision = checkAllowlist('alice@example.com', { users: [], domains: [] });
    expect(decision).toMatchObject({ allowed: false });
    expect(decision.allowed === false && decision.reason).toMatch(/SNAG_ALLOWED_USERS/);
  });

  it('refuses what is not an email address', () => {
    expect(allowed('corp.example')).toBe(false);
    expect(allowed('@corp.example')).toBe(false);
    expect(allowed('bob@')).toBe(false);
  });
});
