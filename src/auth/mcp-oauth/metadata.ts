/**
 * Discovery documents: the protected resource metadata of /mcp (RFC 9728), which names Snag as its
 * authorization server, and that server's metadata (RFC 8414). An MCP client reads the first from
 * the `resource_metadata` of a 401 challenge (or the well-known paths, with and without `/mcp`),
 * then the second, then registers and sends the user to /oauth/authorize.
 */
import { OAUTH_SCOPES } from '../../domain/tokens/oauth-service.js';

export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';
export const AUTHORIZATION_SERVER_PATH = '/.well-known/oauth-authorization-server';

/** This server's /mcp as an RFC 8707 resource indicator: what every OAuth token is bound to. */
export const mcpResourceOf = (publicUrl: string) => `${publicUrl}/mcp`;
export const resourceMetadataUrlOf = (publicUrl: string) => `${publicUrl}${PROTECTED_RESOURCE_PATH}/mcp`;

export function buildProtectedResourceMetadata(publicUrl: string) {
  return {
    resource: mcpResourceOf(publicUrl),
    authorization_servers: [publicUrl],
    scopes_supported: [...OAUTH_SCOPES],
    bearer_methods_supported: ['header'],
    resource_name: 'Snag MCP server',
  };
}

export function buildAuthorizationServerMetadata(publicUrl: string) {
  return {
    issuer: publicUrl,
    authorization_endpoint: `${publicUrl}/oauth/authorize`,
    token_endpoint: `${publicUrl}/oauth/token`,
    registration_endpoint: `${publicUrl}/oauth/register`,
    revocation_endpoint: `${publicUrl}/oauth/revoke`,
    scopes_supported: [...OAUTH_SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    // Public clients only: an agent on a laptop cannot keep a secret; PKCE binds the code instead.
    token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
    code_challenge_methods_supported: ['S256'],
    client_id_metadata_document_supported: true,
    // RFC 9207: the redirect carries `iss`, so a client talking to several servers can tell them apart.
    authorization_response_iss_parameter_supported: true,
  };
}
