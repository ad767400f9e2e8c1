/**
 * The consent page of an MCP client authorization, and the page shown when a request cannot even
 * be sent back to its client. Server-rendered like the login pages (auth/pages.ts): no script, no
 * external assets, every dynamic string escaped, never framed (clickjacking a consent button is
 * the classic attack on this page).
 */
import type { TokenScope } from '../../domain/tokens/scopes.js';
import { escapeHtml } from '../pages.js';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:10vh auto;padding:0 1.5rem;color:#1f2328}
h1{font-size:1.35rem;margin:.25rem 0 1rem}.eyebrow{color:#59636e;font-size:.85rem;margin:0}
ul{padding-left:1.25rem}li{margin:.25rem 0}dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;font-size:.9rem}
dt{color:#59636e}dd{margin:0;word-break:break-all}code{background:#f3f4f6;padding:0 .25rem;border-radius:4px}
.muted{color:#59636e;font-size:.9rem}.actions{display:flex;gap:.75rem;margin-top:1.5rem}
button{font:inherit;padding:.5rem 1.1rem;border-radius:6px;border:1px solid #d1d9e0;background:#f6f8fa;color:#1f2328;cursor:pointer}
button.primary{background:#1f6feb;border-color:#1f6feb;color:#fff}`;

/** What each scope lets an MCP client do, in the words the consent page uses. */
const SCOPE_WORDS: Record<TokenScope, string> = {
  read: 'Read issues, events and stack traces, transactions, logs and traces of every project',
  write: 'Resolve, ignore and reopen issues (recorded in each issue’s history under its name)',
  admin: 'Change settings and tokens',
};

export function consentHeaders(formTarget: string | undefined): Record<string, string> {
  // form-action must allow the redirect that follows the POST, or Chromium blocks it.
  const formAction = ["'self'", formTarget].filter(Boolean).join(' ');
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} · Snag</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export interface ConsentView {
  clientName: string;
  clientId: string;
  clientUri: string | null;
  redirectUri: string;
  scopes: TokenScope[];
  /** The signed-in person, or null in open mode. */
  user: { email: string; name: string | null } | null;
  /** Hidden form fields that carry the request to the POST. */
  fields: Record<string, string>;
}

export function renderConsentPage(v: ConsentView): string {
  const hidden = Object.entries(v.fields)
    .map(([k, val]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(val)}">`)
    .join('');
  const redirectHost = (() => {
    try {
      return new URL(v.redirectUri).host || v.redirectUri;
    } catch {
      return v.redirectUri;
    }
  })();
  const who = v.user
    ? `<dt>Signed in as</dt><dd>${escapeHtml(v.user.name ? `${v.user.name} <${v.user.email}>` : v.user.email)}</dd>`
    : `<dt>Signed in as</dt><dd>nobody: login is off and Snag listens on a loopback address</dd>`;
  return page(
    'Authorize an MCP client',
    `<p class="eyebrow">Snag · MCP access</p>
<h1>Allow <strong>${escapeHtml(v.clientName)}</strong> to use Snag?</h1>
<p>It will be able to:</p>
<ul>${v.scopes.map((s) => `<li>${escapeHtml(SCOPE_WORDS[s])}</li>`).join('')}</ul>
<dl><dt>Client</dt><dd>${escapeHtml(v.clientName)}${v.clientUri ? ` (${escapeHtml(v.clientUri)})` : ''}</dd>
<dt>Client ID</dt><dd><code>${escapeHtml(v.clientId)}</code></dd>
<dt>Sends you back to</dt><dd>${escapeHtml(redirectHost)}</dd>${who}</dl>
<p class="muted">Only allow a client you just started connecting yourself. Its access renews itself while it is used; revoke it any time in Settings → API tokens.</p>
<form method="post" action="/oauth/authorize">${hidden}<div class="actions"><button class="primary" type="submit" name="decision" value="approve">Allow</button><button type="submit" name="decision" value="deny">Deny</button></div></form>`,
  );
}

export function renderOAuthErrorPage(title: string, message: string): string {
  return page(
    title,
    `<p class="eyebrow">Snag · MCP access</p><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p class="muted">Start again from your MCP client. Setup: docs/mcp.md.</p>`,
  );
}
