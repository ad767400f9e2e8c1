/**
 * Who an MCP client is: registered dynamically (RFC 7591: public clients only, since an agent on a
 * laptop cannot keep a secret) or named by a client ID metadata document (the client_id is an
 * https URL serving the client's metadata as JSON; draft-ietf-oauth-client-id-metadata-document).
 * Both end up as one row with a display name and the redirect URIs codes may go to.
 */
import { randomBytes } from 'node:crypto';
import type { OAuthClient, OAuthStore } from '../../storage/index.js';
import { OAuthError } from './oauth-error.js';
import { validateRedirectUris } from './redirect-uris.js';

const MAX_CLIENT_NAME_CHARS = 100;
const CLIENT_ID_RANDOM_BYTES = 16;
const SUPPORTED_GRANTS = ['authorization_code', 'refresh_token'];

export interface RegistrationResponse {
  client_id: string;
  client_id_issued_at: number;
  client_name: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: 'none';
  client_uri?: string;
  scope: string;
}

/** A client_id that is an https URL names a metadata document rather than a registration. */
export const isMetadataDocumentClientId = (clientId: string) => /^https:\/\//i.test(clientId);

function optionalString(doc: Record<string, unknown>, key: string, maxChars: number): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > maxChars)
    throw new OAuthError(
      'invalid_client_metadata',
      `${key} must be a string of at most ${maxChars} characters.`,
    );
  return v;
}

function optionalHttpsUrl(doc: Record<string, unknown>, key: string): string | undefined {
  const v = optionalString(doc, key, 2000);
  if (v === undefined) return undefined;
  try {
    if (new URL(v).protocol === 'https:') return v;
  } catch {
    // refused below
  }
  throw new OAuthError('invalid_client_metadata', `${key} must be an https URL.`);
}

/** The metadata both ways of knowing a client share (RFC 7591 §2), checked. */
function parseClientMetadata(body: unknown) {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new OAuthError('invalid_client_metadata', 'Client metadata must be a JSON object.');
  const doc = body as Record<string, unknown>;
  const redirectUris = validateRedirectUris(doc['redirect_uris']);
  const grants = doc['grant_types'];
  if (
    grants !== undefined &&
    (!Array.isArray(grants) ||
      !grants.includes('authorization_code') ||
      grants.some((g) => !SUPPORTED_GRANTS.includes(g as string)))
  )
    throw new OAuthError(
      'invalid_client_metadata',
      'grant_types must include authorization_code and may add refresh_token: Snag supports nothing else.',
    );
  const responseTypes = doc['response_types'];
  if (
    responseTypes !== undefined &&
    (!Array.isArray(responseTypes) || responseTypes.some((r) => r !== 'code'))
  )
    throw new OAuthError('invalid_client_metadata', 'response_types may only be ["code"].');
  const name = optionalString(doc, 'client_name', MAX_CLIENT_NAME_CHARS)?.trim();
  return {
    name: name || new URL(redirectUris[0]!).host || 'Unnamed MCP client',
    redirectUris,
    clientUri: optionalHttpsUrl(doc, 'client_uri') ?? null,
    authMethod: doc['token_endpoint_auth_method'],
  };
}

export function createClientRegistry(store: OAuthStore) {
  return {
    /** RFC 7591 §3: the client is public whatever it asked for (§3.2.1 lets the server say so). */
    registerClient(body: unknown, now = Date.now()): RegistrationResponse {
      const meta = parseClientMetadata(body);
      const clientId = `mcp_${randomBytes(CLIENT_ID_RANDOM_BYTES).toString('base64url')}`;
      store.insertClient({
        client_id: clientId,
        name: meta.name,
        redirect_uris: JSON.stringify(meta.redirectUris),
        client_uri: meta.clientUri,
        source: 'registration',
        created_at: now,
        refreshed_at: now,
      });
      return {
        client_id: clientId,
        client_id_issued_at: Math.floor(now / 1000),
        client_name: meta.name,
        redirect_uris: meta.redirectUris,
        grant_types: SUPPORTED_GRANTS,
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        ...(meta.clientUri ? { client_uri: meta.clientUri } : {}),
        scope: 'read write',
      };
    },

    /** A fetched metadata document, checked and stored (or its stored copy updated). */
    acceptMetadataDocument(url: string, document: unknown, now = Date.now()): OAuthClient {
      const meta = parseClientMetadata(document);
      if ((document as Record<string, unknown>)['client_id'] !== url)
        throw new OAuthError(
          'invalid_client',
          `The client metadata document at ${url} names a different client_id: it must be its own URL.`,
        );
      if (meta.authMethod !== undefined && meta.authMethod !== 'none')
        throw new OAuthError(
          'invalid_client',
          `The client metadata document at ${url} asks for token_endpoint_auth_method ${JSON.stringify(meta.authMethod)}: Snag supports public clients only ("none").`,
        );
      const fields = {
        name: meta.name,
        redirect_uris: JSON.stringify(meta.redirectUris),
        client_uri: meta.clientUri,
        refreshed_at: now,
      };
      const existing = store.findClient(url);
      if (existing) {
        store.updateClientMetadata(url, fields);
        return { ...existing, ...fields };
      }
      return store.insertClient({ client_id: url, source: 'metadata_document', created_at: now, ...fields });
    },

    findClient: (clientId: string) => store.findClient(clientId),
  };
}

export type ClientRegistry = ReturnType<typeof createClientRegistry>;
