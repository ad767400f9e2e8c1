/**
 * The login routes (never behind the guard): /auth/login → provider → /auth/callback → session
 * cookie → back to where the person was headed; POST /auth/logout (RP-initiated logout at the
 * provider when it has an end_session endpoint); POST /auth/backchannel-logout for the provider;
 * and GET /api/v1/session, which tells the UI the mode, who is signed in and the CSRF token.
 * Login and callback are rate limited per client address.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionInfo } from '../api/types.js';
import { AppError } from '../errors.js';
import { clearCookie, LOGIN_COOKIE, readCookie, SESSION_COOKIE, setCookie } from './cookies.js';
import { assertCsrf } from './csrf.js';
import { safeReturnTo, LOGIN_FLOW_TTL_MS } from './login-flows.js';
import { LoginError } from './login-provider.js';
import { PAGE_HEADERS } from './guard.js';
import { renderLoginErrorPage, renderMisconfiguredPage, renderSignedOutPage } from './pages.js';
import type { AuthRuntime } from './runtime.js';
import { loginPath, sessionOf } from './session.js';

/** Bytes: a logout token is a JWT of a few hundred bytes. */
const MAX_LOGOUT_BODY_BYTES = 16 * 1024;
const LOGGED_OUT_PATH = '/auth/logged-out';

export function registerAuthRoutes(app: FastifyInstance, auth: AuthRuntime): void {
  const cookieOptions = () => ({ secure: auth.secureCookies() });
  const loginCookieOptions = () => ({
    ...cookieOptions(),
    path: '/auth',
    maxAgeSeconds: LOGIN_FLOW_TTL_MS / 1000,
  });
  const limited = { onRequest: auth.rateLimiter.hook };

  const sendPage = (reply: FastifyReply, status: number, html: string) =>
    reply.code(status).headers(PAGE_HEADERS).send(html);

  const failLogin = (request: FastifyRequest, reply: FastifyReply, err: unknown, returnTo: string) => {
    if (!(err instanceof LoginError)) throw err;
    request.log.warn({ err: err.message }, 'sign-in refused');
    return sendPage(reply, err.status, renderLoginErrorPage(err.message, loginPath(returnTo)));
  };

  app.get<{ Querystring: { return_to?: string } }>('/auth/login', limited, async (request, reply) => {
    const returnTo = safeReturnTo(request.query.return_to);
    if (auth.mode === 'misconfigured')
      return sendPage(reply, 503, renderMisconfiguredPage(auth.config.problems));
    if (!auth.provider || sessionOf(request)) return reply.redirect(returnTo, 302);
    const { key, flow } = auth.flows.start(returnTo);
    try {
      const url = await auth.provider.buildAuthorizationUrl(flow);
      setCookie(reply, LOGIN_COOKIE, key, loginCookieOptions());
      return reply.header('Cache-Control', 'no-store').redirect(url.href, 302);
    } catch (err) {
      return failLogin(request, reply, err, returnTo);
    }
  });

  app.get('/auth/callback', limited, async (request, reply) => {
    if (!auth.provider) return reply.redirect('/', 302);
    const flow = auth.flows.take(readCookie(request, LOGIN_COOKIE));
    clearCookie(reply, LOGIN_COOKIE, { ...cookieOptions(), path: '/auth' });
    if (!flow) {
      return sendPage(
        reply,
        400,
        renderLoginErrorPage(
          'This sign-in has expired, was already used, or was started in another browser. Start again from Snag.',
          loginPath('/'),
        ),
      );
    }
    // The URL the provider redirected to, as registered: the token request repeats it.
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const callbackUrl = new URL(`${auth.publicUrl()}/auth/callback${query}`);
    try {
      const identity = await auth.provider.finishLogin(callbackUrl, flow);
      const result = auth.users.signIn(identity);
      if (!result.ok) throw new LoginError(403, result.reason);
      request.log.info({ user: result.user.id, provider: identity.provider }, 'signed in');
      setCookie(reply, SESSION_COOKIE, result.sessionId, {
        ...cookieOptions(),
        maxAgeSeconds: Math.floor(auth.config.sessionMaxAgeMs / 1000),
      });
      return reply.header('Cache-Control', 'no-store').redirect(flow.returnTo, 302);
    } catch (err) {
      return failLogin(request, reply, err, flow.returnTo);
    }
  });

  // POST only, with the CSRF token: a logout link on another site must not sign people out.
  app.post('/auth/logout', async (request, reply) => {
    const session = sessionOf(request);
    let redirectUrl = LOGGED_OUT_PATH;
    if (session) {
      assertCsrf(request, session, auth.publicUrl());
      auth.users.signOut(readCookie(request, SESSION_COOKIE)!);
      const endSession = await auth.provider
        ?.buildEndSessionUrl(session.idTokenHint, `${auth.publicUrl()}${LOGGED_OUT_PATH}`)
        .catch((err: unknown) => {
          request.log.warn({ err }, 'no RP-initiated logout: provider configuration unavailable');
          return undefined;
        });
      if (endSession) redirectUrl = endSession.href;
    }
    clearCookie(reply, SESSION_COOKIE, cookieOptions());
    return { redirect_url: redirectUrl };
  });

  app.get(LOGGED_OUT_PATH, async (_request, reply) =>
    sendPage(reply, 200, renderSignedOutPage(auth.provider?.displayName ?? 'your provider')),
  );

  // OpenID Connect Back-Channel Logout 1.0 §2.5: form-encoded `logout_token`, 200 or 400, no-store.
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: MAX_LOGOUT_BODY_BYTES },
      (_req, body, done) => done(null, new URLSearchParams(body as string)),
    );
    scope.post('/auth/backchannel-logout', async (request, reply) => {
      reply.header('Cache-Control', 'no-store');
      const token = request.body instanceof URLSearchParams ? request.body.get('logout_token') : null;
      const verify = auth.provider?.verifyLogoutToken;
      if (!token || !verify) {
        return reply
          .code(400)
          .send({ error: 'invalid_request', error_description: 'logout_token is required' });
      }
      try {
        const claims = await verify(token);
        const revoked = auth.users.revokeByProvider({ provider: auth.provider!.providerId, ...claims });
        request.log.info({ revoked, sid: claims.sid !== undefined }, 'back-channel logout');
        return reply.code(200).send();
      } catch (err) {
        request.log.warn({ err: (err as Error).message }, 'back-channel logout refused');
        return reply.code(400).send({ error: 'invalid_request', error_description: (err as Error).message });
      }
    });
  });

  app.get('/api/v1/session', async (request, reply): Promise<SessionInfo> => {
    reply.header('Cache-Control', 'no-store');
    if (auth.mode === 'misconfigured') {
      throw new AppError(
        'login_misconfigured',
        503,
        `Login is misconfigured: ${auth.config.problems.join(' ')} See docs/auth.md.`,
        { expose: true },
      );
    }
    const session = sessionOf(request);
    return {
      mode: auth.mode,
      provider_name: auth.provider?.displayName ?? null,
      user: session ? session.user : null,
      csrf_token: session?.csrfToken ?? null,
      expires_at: session ? new Date(session.expiresAt).toISOString() : null,
      banner: auth.banner,
      login_url: auth.provider ? '/auth/login' : null,
    };
  });
}
