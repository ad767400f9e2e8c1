/**
 * OpenID Connect login through openid-client v6: discovery (issuer URL or full discovery URL) or
 * explicit endpoints, the authorization code flow with PKCE S256, `state` and `nonce` always. The
 * library validates the ID token: issuer, audience, expiry, nonce, and — with
 * enableNonRepudiationChecks — its signature against the provider's JWKS with an asymmetric
 * algorithm the provider advertises (`none` and HMAC are never accepted). Plain http:// is allowed
 * only for loopback issuers (config.ts refuses it elsewhere), for a provider in local development.
 */
import * as client from 'openid-client';
import type { OidcSettings } from '../config.js';
import type { Identity } from '../domain/users/service.js';
import { LoginError, type LoginFlow, type LoginProvider } from './login-provider.js';
import { createLogoutTokenVerifier } from './logout-token.js';

const DISCOVERY_SUFFIX = '/.well-known/openid-configuration';
/** Seconds: a provider slower than this at discovery or the token endpoint fails the sign-in. */
const PROVIDER_TIMEOUT_S = 10;

export function createOidcProvider(settings: OidcSettings, redirectUri: () => string): LoginProvider {
  const insecure = new URL(settings.issuer).protocol === 'http:';
  const execute = [client.enableNonRepudiationChecks, ...(insecure ? [client.allowInsecureRequests] : [])];
  let loading: Promise<client.Configuration> | undefined;
  const clientAuth =
    settings.tokenAuthMethod === 'client_secret_post'
      ? client.ClientSecretPost(settings.clientSecret)
      : client.ClientSecretBasic(settings.clientSecret);

  async function load(): Promise<client.Configuration> {
    const e = settings.endpoints;
    let config: client.Configuration;
    if (e) {
      config = new client.Configuration(
        {
          issuer: settings.issuer,
          authorization_endpoint: e.authorization,
          token_endpoint: e.token,
          jwks_uri: e.jwks,
          userinfo_endpoint: e.userinfo,
          end_session_endpoint: e.endSession,
        },
        settings.clientId,
        settings.clientSecret,
        clientAuth,
      );
      for (const f of execute) f(config);
    } else {
      // A discovery URL works too; the library then takes the issuer from the document.
      const server = new URL(settings.issuer);
      config = await client.discovery(server, settings.clientId, settings.clientSecret, clientAuth, {
        execute,
        timeout: PROVIDER_TIMEOUT_S,
      });
    }
    config.timeout = PROVIDER_TIMEOUT_S;
    return config;
  }

  /** Discovery once, retried on the next sign-in if the provider was unreachable. */
  function configuration(): Promise<client.Configuration> {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw new LoginError(
        502,
        `Snag could not read the OIDC provider's configuration at ${discoveryUrlOf(settings.issuer)}: ${(err as Error).message}. Check SNAG_OIDC_ISSUER.`,
        { cause: err },
      );
    });
    return loading;
  }

  const issuerUrl = settings.issuer.endsWith(DISCOVERY_SUFFIX)
    ? settings.issuer.slice(0, -DISCOVERY_SUFFIX.length)
    : settings.issuer;
  const providerId = `oidc:${issuerUrl.replace(/\/+$/, '')}`;

  return {
    displayName: settings.providerName,
    providerId,

    async buildAuthorizationUrl(flow: LoginFlow): Promise<URL> {
      const config = await configuration();
      return client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri(),
        scope: settings.scopes.join(' '),
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
        code_challenge_method: 'S256',
      });
    },

    async finishLogin(callbackUrl: URL, flow: LoginFlow): Promise<Identity> {
      const config = await configuration();
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: flow.codeVerifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
      } catch (err) {
        throw new LoginError(400, `The sign-in response was refused: ${describe(err)}`, { cause: err });
      }
      const claims = tokens.claims()!;
      let email = typeof claims['email'] === 'string' ? claims['email'] : undefined;
      let verified = claims['email_verified'];
      let name = typeof claims['name'] === 'string' ? claims['name'] : null;
      // Some providers put only `sub` in the ID token and the rest behind userinfo.
      if (email === undefined && config.serverMetadata().userinfo_endpoint) {
        const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        email = typeof info.email === 'string' ? info.email : undefined;
        verified = info.email_verified;
        name ??= typeof info.name === 'string' ? info.name : null;
      }
      return {
        provider: providerId,
        subject: claims.sub,
        email: email ?? '',
        emailVerified: readVerified(verified),
        name,
        idpSid: typeof claims['sid'] === 'string' ? claims['sid'] : undefined,
        idToken: tokens.id_token,
      };
    },

    async buildEndSessionUrl(idTokenHint, postLogoutRedirectUri) {
      const config = await configuration();
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return client.buildEndSessionUrl(config, {
        post_logout_redirect_uri: postLogoutRedirectUri,
        ...(idTokenHint ? { id_token_hint: idTokenHint } : {}),
      });
    },

    verifyLogoutToken: (() => {
      const verify = createLogoutTokenVerifier({
        clientId: settings.clientId,
        issuer: async () => {
          const m = (await configuration()).serverMetadata();
          return { issuer: m.issuer, jwksUri: m.jwks_uri };
        },
      });
      return (token: string) => verify(token);
    })(),
  };
}

function discoveryUrlOf(issuer: string): string {
  return issuer.endsWith(DISCOVERY_SUFFIX) ? issuer : `${issuer.replace(/\/+$/, '')}${DISCOVERY_SUFFIX}`;
}

/** The library's message, plus the provider's `error_description` when it sent one. */
function describe(err: unknown): string {
  const e = err as { message?: string; error?: string; error_description?: string };
  const detail = e.error_description ?? e.error;
  return detail ? `${e.message ?? 'error'} (${detail})` : (e.message ?? String(err));
}

/** `email_verified` is a boolean, but some providers (older Cognito, AD FS) send the string. */
function readVerified(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}
