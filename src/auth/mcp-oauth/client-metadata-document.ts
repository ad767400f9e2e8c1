/**
 * Fetching a client ID metadata document: the client_id is an https URL and the JSON it serves
 * describes the client (draft-ietf-oauth-client-id-metadata-document, MCP 2025-11-25). Fetched
 * at each authorization, only after the login check, so an anonymous caller cannot make Snag send
 * requests. No redirects, a byte cap and a timeout: the URL comes from whoever started the flow.
 */
import { OAuthError } from '../../domain/tokens/oauth-error.js';

const MAX_DOCUMENT_BYTES = 64 * 1024;
const FETCH_TIMEOUT_MS = 5_000;

export async function fetchClientMetadataDocument(url: string): Promise<unknown> {
  const fail = (why: string) =>
    new OAuthError('invalid_client', `Snag could not use the client metadata document at ${url}: ${why}.`);
  let res: Response;
  try {
    res = await fetch(url, {
      redirect: 'error',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      headers: { accept: 'application/json' },
    });
  } catch (err) {
    throw fail(`fetching it failed (${(err as Error).message})`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw fail(`it answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_DOCUMENT_BYTES) {
    await res.body?.cancel();
    throw fail(`it is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += (chunk as Uint8Array).byteLength;
    if (size > MAX_DOCUMENT_BYTES) throw fail(`it is larger than ${MAX_DOCUMENT_BYTES} bytes`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw fail('it is not JSON');
  }
}
