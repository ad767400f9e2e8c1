/**
 * The guard of the JSON API and the UI (docs/auth.md). A request with `Authorization: Bearer` is a
 * token (H2's BearerVerifier, audience `api`), checked for scope — GET/HEAD need `read`, other
 * methods `write`, settings/tokens/users admin needs `admin` — and, for a project-scoped token,
 * for the project the route names. Otherwise the session cookie, with CSRF checks on anything
 * that changes state. Open mode lets everything through; misconfigured mode answers 503 naming
 * what is missing. Each request ends up with `request.snagCaller`, whose `actorOf` is what audit
 * rows record.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { BearerVerifier, TokenCaller, TokenScope } from './bearer.js';
import { assertCsrf, isStateChanging } from './csrf.js';
import { renderMisconfiguredPage } from './pages.js';
import { loginPath, sessionOf } from './session.js';

export type SnagCaller =
  | { kind: 'open' }
  | { kind: 'session'; user: { id: number; email: string; name: string | null }; sessionId: string }
  | TokenCaller;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the guard on guarded routes; undefined elsewhere (ingest, /mcp, /auth/*). */
    snagCaller: SnagCaller | undefined;
  }
  interface FastifyContextConfig {
    /**
     * The route names its projects somewhere the guard cannot see (sentry-cli's release API, in
     * the body) and limits a project-scoped token itself, from `request.snagCaller.projectId`.
     */
    projectCheckInHandler?: boolean;
  }
}

/** Who did it, for audit rows: the person's email, the token's actor, or 'anonymous'. */
export function actorOf(caller: SnagCaller | undefined): string {
  if (!caller || caller.kind === 'open') return 'anonymous';
  return caller.kind === 'session' ? caller.user.email : caller.actor;
}

export interface GuardDeps {
  bearer: BearerVerifier | undefined;
  /** Project id of a slug or numeric id from a route, or undefined when there is no such project. */
  projectIdOf(ref: string): number | undefined;
  /** Project id of an issue, or undefined. */
  issueProjectIdOf(issueId: number): number | undefined;
}

const SCOPE_RANK: Record<TokenScope, number> = { read: 1, write: 2, admin: 3 };
/**
 * Routes that change how Snag itself works or who may use it: settings, tokens, users, alert
 * channels and rules (channels hold webhook URLs and SMTP settings), DSN key rotation, new projects.
 */
const ADMIN_PATHS = [
  /^\/api\/v1\/(settings|tokens|users|alert-channels|alert-rules|alert-deliveries)(\/|$|\?)/,
  /^\/api\/v1\/projects\/[^/?]+\/(rotate-key|alert-rules)(\/|$|\?)/,
];
const ISSUE_PATH = /^\/api\/v1\/issues\/(\d+)(\/|$|\?)/;

function requiredScope(request: FastifyRequest): TokenScope {
  const read = request.method === 'GET' || request.method === 'HEAD';
  if (ADMIN_PATHS.some((re) => re.test(request.url))) return 'admin';
  if (!read && /^\/api\/v1\/projects\/?(\?|$)/.test(request.url)) return 'admin';
  return read ? 'read' : 'write';
}

function misconfigured(problems: string[]): AppError {
  return new AppError(
    'login_misconfigured',
    503,
    `Login is misconfigured, so the UI and API are unavailable until it is fixed: ${problems.join(' ')} See docs/auth.md.`,
    { expose: true },
  );
}

function checkToken(request: FastifyRequest, caller: TokenCaller, deps: GuardDeps): void {
  const need = requiredScope(request);
  if (!caller.scopes.some((s) => SCOPE_RANK[s] >= SCOPE_RANK[need])) {
    throw new AppError(
      'insufficient_scope',
      403,
      `This token has scope ${caller.scopes.join(', ') || 'none'}; ${request.method} ${request.url.split('?')[0]} needs ${need}. Create a token with that scope in Settings.`,
      { headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${need}"` } },
    );
  }
  if (caller.projectId === null || request.routeOptions.config.projectCheckInHandler) return;
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  const issue = ISSUE_PATH.exec(request.url);
  const projectId =
    params['project'] !== undefined
      ? deps.projectIdOf(params['project'])
      : issue
        ? deps.issueProjectIdOf(Number(issue[1]))
        : undefined;
  if (projectId !== caller.projectId) {
    throw new AppError(
      'wrong_project',
      403,
      `This token only reaches project ${caller.projectId}: ${request.method} ${request.url.split('?')[0]} is not part of it. Use a personal token for cross-project calls.`,
    );
  }
}

export function createGuard(deps: GuardDeps) {
  /** onRequest hook for the JSON API. */
  async function guardApi(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const auth = request.server.snagAuth;
    const mode = auth?.mode ?? 'open';
    if (mode === 'misconfigured') throw misconfigured(auth!.config.problems);
    const authorization = request.headers.authorization;

    if (authorization !== undefined && /^bearer\s/i.test(authorization) && deps.bearer) {
      const result = deps.bearer.verify(authorization, 'api');
      if (result.ok) {
        // In open mode a token only names the caller for the audit trail; nothing is enforced.
        if (mode !== 'open') checkToken(request, result.caller, deps);
        request.snagCaller = result.caller;
        return;
      }
      if (mode !== 'open') {
        throw new AppError('invalid_token', 401, result.message, {
          headers: { 'WWW-Authenticate': `Bearer realm="snag", error="invalid_token"` },
        });
      }
    }
    if (mode === 'open') {
      request.snagCaller = { kind: 'open' };
      return;
    }

    const session = sessionOf(request);
    if (!session) {
      throw new AppError(
        'login_required',
        401,
        `Sign in first (${loginPath('/')}), or send an API token as \`Authorization: Bearer <token>\`.`,
        { headers: { 'WWW-Authenticate': `Bearer realm="snag"` } },
      );
    }
    if (isStateChanging(request)) assertCsrf(request, session, auth!.publicUrl());
    request.snagCaller = {
      kind: 'session',
      user: { id: session.user.id, email: session.user.email, name: session.user.name },
      sessionId: session.idHash,
    };
  }

  /**
   * onRequest hook for the SPA: a page without a session goes to the login, keeping where it was
   * headed; hashed assets and icons are served to anyone (they hold no data, and the login error
   * pages use none of them).
   */
  async function guardUi(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
    const auth = request.server.snagAuth;
    if (!auth || auth.mode === 'open') return;
    const path = request.url.split('?')[0]!;
    if (/^\/(api|_health|mcp)(\/|$)/.test(path)) return; // answered 404 by the SPA route
    if (auth.mode === 'misconfigured') {
      return reply.code(503).headers(PAGE_HEADERS).send(renderMisconfiguredPage(auth.config.problems));
    }
    const isAsset = path.startsWith('/assets/') || /\.(js|css|svg|png|ico|woff2|json|txt|map)$/.test(path);
    if (isAsset || sessionOf(request)) return;
    return reply.redirect(loginPath(request.url), 302);
  }

  return { guardApi, guardUi };
}

export type Guard = ReturnType<typeof createGuard>;

export const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  // The login pages are static text: no script at all, and not framable.
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};
