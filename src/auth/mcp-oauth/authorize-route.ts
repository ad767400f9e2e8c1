/**
 * GET/POST /oauth/authorize: the human step of an MCP client's sign-in. GET checks the request and
 * shows the consent page; POST (the page's Allow/Deny) checks it again and sends the browser back
 * to the client with a code or `access_denied`. Who may consent: with login on, the signed-in
 * person (no session: off to the login, which returns here); with login off, whoever reaches the
 * page, and only while Snag listens on a loopback address, where that can only be someone on this
 * machine. POSTs carry a CSRF token: the session's with login on, else a SameSite=Strict cookie
 * echoed in the form (double submit).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isMetadataDocumentClientId } from '../../domain/tokens/oauth-clients.js';
import { OAuthError } from '../../domain/tokens/oauth-error.js';
import type { AuthorizationRequest, OAuthService } from '../../domain/tokens/oauth-service.js';
import { isLoopbackHost } from '../../domain/tokens/redirect-uris.js';
import type { AuthRuntime } from '../runtime.js';
import { loginPath, sessionOf, type SessionUser } from '../session.js';
import { fetchClientMetadataDocument } from './client-metadata-document.js';
import { consentHeaders, renderConsentPage, renderOAuthErrorPage } from './consent-page.js';
import { mcpResourceOf } from './metadata.js';

export interface AuthorizeDeps {
  oauth: OAuthService;
  publicUrl: () => string;
  /** The bind address, for the loopback check when the login runtime is not attached. */
  host: string;
}

type Params = Record<string, string | undefined>;

const CSRF_COOKIE = 'snag_oauth_csrf';
const CSRF_FIELD = 'csrf';
/** Seconds the consent page may stay open before Allow needs a reload. */
const CSRF_COOKIE_MAX_AGE_S = 600;
/** Request parameters the consent form carries to its POST. */
const CARRIED = [
  'client_id',
  'redirect_uri',
  'response_type',
  'code_challenge',
  'code_challenge_method',
  'state',
  'resource',
];

type Human = { user: SessionUser | null; csrf: string | null };

function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

function sameSecret(a: string | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function firstValues(raw: unknown): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

export function registerAuthorizeRoutes(app: FastifyInstance, deps: AuthorizeDeps): void {
  const runtime = (request: FastifyRequest): AuthRuntime | undefined => request.server.snagAuth;

  function showError(reply: FastifyReply, status: number, title: string, message: string) {
    return reply.code(status).headers(consentHeaders(undefined)).send(renderOAuthErrorPage(title, message));
  }

  /** Who is consenting, or undefined once an answer (login redirect, refusal) has been sent. */
  function admitHuman(request: FastifyRequest, reply: FastifyReply): Human | undefined {
    const auth = runtime(request);
    const mode = auth?.mode ?? 'open';
    if (mode === 'misconfigured') {
      void showError(
        reply,
        503,
        'Login is misconfigured',
        'Snag has some login settings but not all, so nobody can authorize an MCP client until they are fixed (docs/auth.md).',
      );
      return undefined;
    }
    if (mode === 'open') {
      const loopback = auth?.config.loopbackBind ?? isLoopbackHost(deps.host);
      if (!loopback) {
        void showError(
          reply,
          403,
          'Turn on login to authorize MCP clients',
          'This Snag listens on a network address without login, so it cannot tell who is approving access. Turn on login (SNAG_OIDC_* or SNAG_GITHUB_*, docs/auth.md) or use an API token (Settings → API tokens) instead.',
        );
        return undefined;
      }
      return { user: null, csrf: null };
    }
    const session = sessionOf(request);
    if (!session) {
      if (request.method === 'GET') void reply.redirect(loginPath(request.url), 302);
      else
        void showError(
          reply,
          403,
          'Sign in again',
          'Your Snag session ended before you answered. Start again from your MCP client.',
        );
      return undefined;
    }
    return {
      user: { id: session.user.id, email: session.user.email, name: session.user.name },
      csrf: session.csrfToken,
    };
  }

  /** Step 1 failures are shown here; step 2 failures go back to the client with `state`. */
  function redirectBack(
    reply: FastifyReply,
    redirectUri: string,
    params: Record<string, string | undefined>,
    status: 302 | 303,
  ) {
    const url = new URL(redirectUri);
    for (const [k, v] of Object.entries({ ...params, iss: deps.publicUrl() }))
      if (v !== undefined) url.searchParams.set(k, v);
    return reply.code(status).header('cache-control', 'no-store').redirect(url.href, status);
  }

  async function checkRequest(
    params: Params,
    reply: FastifyReply,
    status: 302 | 303,
    refetch: boolean,
  ): Promise<AuthorizationRequest | undefined> {
    let target: ReturnType<OAuthService['checkClient']>;
    try {
      const clientId = params['client_id'];
      if (refetch && clientId && isMetadataDocumentClientId(clientId))
        deps.oauth.acceptMetadataDocument(clientId, await fetchClientMetadataDocument(clientId));
      target = deps.oauth.checkClient(params);
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      void showError(reply, 400, 'This authorization request cannot be completed', err.description);
      return undefined;
    }
    try {
      return deps.oauth.checkAuthorization(params, target, mcpResourceOf(deps.publicUrl()));
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      void redirectBack(
        reply,
        target.redirectUri,
        { error: err.error, error_description: err.description, state: params['state'] },
        status,
      );
      return undefined;
    }
  }

  app.get('/oauth/authorize', async (request, reply) => {
    const human = admitHuman(request, reply);
    if (!human) return reply;
    const params = firstValues(request.query);
    const req = await checkRequest(params, reply, 302, true);
    if (!req) return reply;
    let csrf = human.csrf;
    if (csrf === null) {
      csrf = randomBytes(32).toString('base64url');
      const secure = deps.publicUrl().startsWith('https:') ? '; Secure' : '';
      reply.header(
        'set-cookie',
        `${CSRF_COOKIE}=${csrf}; Path=/oauth/authorize; HttpOnly; SameSite=Strict; Max-Age=${CSRF_COOKIE_MAX_AGE_S}${secure}`,
      );
    }
    const fields: Record<string, string> = { [CSRF_FIELD]: csrf, scope: req.scopes.join(' ') };
    for (const k of CARRIED) if (params[k] !== undefined) fields[k] = params[k]!;
    fields['redirect_uri'] = req.redirectUri;
    return reply.headers(consentHeaders(new URL(req.redirectUri).origin)).send(
      renderConsentPage({
        clientName: req.client.name,
        clientId: req.client.client_id,
        clientUri: req.client.client_uri,
        redirectUri: req.redirectUri,
        scopes: req.scopes,
        user: human.user,
        fields,
      }),
    );
  });

  app.post('/oauth/authorize', async (request, reply) => {
    const human = admitHuman(request, reply);
    if (!human) return reply;
    const params = firstValues(request.body);
    const origin = request.headers.origin;
    const crossSite =
      request.headers['sec-fetch-site'] === 'cross-site' ||
      (origin !== undefined &&
        origin !== 'null' &&
        origin !== new URL(deps.publicUrl()).origin &&
        origin !== `${request.protocol}://${request.host}`);
    const expected = human.csrf ?? readCookie(request, CSRF_COOKIE);
    if (crossSite || !sameSecret(params[CSRF_FIELD], expected))
      return showError(
        reply,
        403,
        'This approval did not come from Snag’s consent page',
        'The form was stale or sent from another site. Start again from your MCP client.',
      );
    const req = await checkRequest(params, reply, 303, false);
    if (!req) return reply;
    if (human.csrf === null)
      reply.header(
        'set-cookie',
        `${CSRF_COOKIE}=; Path=/oauth/authorize; HttpOnly; SameSite=Strict; Max-Age=0`,
      );
    if (params['decision'] !== 'approve')
      return redirectBack(
        reply,
        req.redirectUri,
        { error: 'access_denied', error_description: 'The user denied access.', state: req.state },
        303,
      );
    const code = deps.oauth.issueCode(req, human.user?.id ?? null);
    return redirectBack(reply, req.redirectUri, { code, state: req.state }, 303);
  });
}
