/**
 * The few pages login renders itself, outside the SPA: a failed sign-in, signed out, and the
 * misconfigured-mode notice. Plain HTML, every dynamic string escaped, no script (PAGE_HEADERS).
 */
const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:12vh auto;padding:0 1.5rem;color:#1f2328}
h1{font-size:1.4rem}a.button{display:inline-block;margin-top:1rem;padding:.5rem 1rem;border-radius:6px;background:#1f6feb;color:#fff;text-decoration:none}
code{background:#f3f4f6;padding:0 .25rem;border-radius:4px}.muted{color:#59636e}`;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} · Snag</title><style>${STYLE}</style></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

export function renderLoginErrorPage(message: string, retryHref: string): string {
  return page(
    'Sign-in failed',
    `<p>${escapeHtml(message)}</p><a class="button" href="${escapeHtml(retryHref)}">Try again</a>`,
  );
}

export function renderSignedOutPage(providerName: string): string {
  return page(
    'Signed out',
    `<p>You have signed out of Snag.</p><a class="button" href="/auth/login">Sign in with ${escapeHtml(providerName)}</a>`,
  );
}

export function renderMisconfiguredPage(problems: string[]): string {
  return page(
    'Login is misconfigured',
    `<p>This Snag has some login settings but not all, so its UI and API are off until they are fixed. Error ingest, OTLP, <code>/mcp</code> and <code>/_health</code> keep working.</p><ul>${problems
      .map((p) => `<li>${escapeHtml(p)}</li>`)
      .join('')}</ul><p class="muted">Setup for each provider: docs/auth.md.</p>`,
  );
}
