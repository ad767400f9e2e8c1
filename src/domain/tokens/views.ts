/**
 * API tokens and MCP OAuth clients as the JSON API returns them (re-exported by src/api/types.ts
 * for the web UI). Endpoints (src/api/tokens.ts, src/api/settings.ts), all needing admin:
 * - GET /api/v1/tokens → TokenList (tokens not revoked, newest first)
 * - POST /api/v1/tokens NewTokenRequest → 201 CreatedToken (the only time the token is shown)
 * - DELETE /api/v1/tokens/<id> → TokenView (revoked)
 * - GET /api/v1/settings/mcp → McpSettings, with `oauth_clients: OAuthClientView[]`
 * - DELETE /api/v1/settings/mcp/clients/<id> → OAuthClientView (its grants revoked)
 */

/** Nested: admin includes write, write includes read. */
export type TokenScope = 'read' | 'write' | 'admin';

export interface TokenView {
  id: number;
  name: string;
  /** The token's first characters (`snag_ab12…`), to tell tokens apart in a listing. */
  prefix: string;
  scopes: TokenScope[];
  /** Minted before scopes existed (MCP tokens): read and write. */
  legacy: boolean;
  /** A project-scoped token reaches that project only; null: every project. */
  project: { id: number; slug: string } | null;
  /** Who created it in Settings (a personal token); null when made with the CLI. */
  user_id: number | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface TokenList {
  tokens: TokenView[];
}

export interface NewTokenRequest {
  name: string;
  scopes: TokenScope[];
  /** Project slug; omitted or null: every project. */
  project?: string | null;
  /** `30d`, `12h`, `2w`…; omitted or null: never expires. */
  expires_in?: string | null;
}

export type CreatedToken = TokenView & { token: string };

export interface OAuthClientView {
  id: number;
  client_id: string;
  name: string;
  redirect_uris: string[];
  client_uri: string | null;
  /** registration: RFC 7591; metadata_document: its client_id is an https URL. */
  source: 'registration' | 'metadata_document';
  created_at: string;
  last_used_at: string | null;
  /** Authorizations whose refresh token is still live. */
  active_grants: number;
}
