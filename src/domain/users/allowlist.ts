/**
 * Who may sign in: an email listed in SNAG_ALLOWED_USERS, or one whose domain matches
 * SNAG_ALLOWED_DOMAINS. `example.com` admits the domain and its subdomains (`eu.example.com`);
 * `*.example.com` admits the subdomains only. Matching is on whole labels, so `example.com` never
 * admits `badexample.com`. Both lists empty admits nobody: login turned on without an allowlist must
 * not open Snag to every account the provider knows (a Google client accepts any Gmail address).
 */
export interface Allowlist {
  users: string[];
  domains: string[];
}

export type AllowDecision = { allowed: true } | { allowed: false; reason: string };

export function checkAllowlist(email: string, list: Allowlist): AllowDecision {
  const normalized = email.trim().toLowerCase();
  const at = normalized.lastIndexOf('@');
  if (at <= 0 || at === normalized.length - 1) {
    return { allowed: false, reason: `"${email}" is not an email address.` };
  }
  if (list.users.includes(normalized)) return { allowed: true };
  const domain = normalized.slice(at + 1);
  for (const entry of list.domains) {
    if (entry.startsWith('*.')) {
      if (domain.endsWith(entry.slice(1))) return { allowed: true };
    } else if (domain === entry || domain.endsWith(`.${entry}`)) {
      return { allowed: true };
    }
  }
  if (list.users.length === 0 && list.domains.length === 0) {
    return {
      allowed: false,
      reason:
        'Nobody may sign in to this Snag yet: its administrator must list people in SNAG_ALLOWED_USERS or domains in SNAG_ALLOWED_DOMAINS.',
    };
  }
  return {
    allowed: false,
    reason: `${normalized} is not allowed to sign in to this Snag: ask its administrator to add it to SNAG_ALLOWED_USERS, or its domain to SNAG_ALLOWED_DOMAINS.`,
  };
}
