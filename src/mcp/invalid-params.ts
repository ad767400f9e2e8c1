/**
 * The MCP SDK (1.32, shared/protocol.js `setRequestHandler`) parses a request's params against its
 * schema outside its own error mapping: `"arguments": []` or `"params": "x"` comes back as -32603
 * Internal error whose message is zod's issue list as pretty JSON. JSON-RPC 2.0 §5.1 says invalid
 * method parameters are -32602, and an agent reading "internal error" retries instead of fixing its
 * call (found by test/integration/fuzz-mcp.test.ts). This rewrites such answers on their way out;
 * every other message passes untouched.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

const INTERNAL_ERROR = -32603;
export const INVALID_PARAMS = -32602;
/** Issues named in the rewritten message: the first few say what to fix. */
const ISSUES_SHOWN = 3;

interface ZodIssueLike {
  path: (string | number)[];
  message: string;
}

function parseZodIssues(message: string): ZodIssueLike[] | undefined {
  if (!message.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(message);
    if (
      Array.isArray(parsed) &&
      parsed.length > 0 &&
      parsed.every(
        (i) =>
          i !== null &&
          typeof i === 'object' &&
          Array.isArray((i as ZodIssueLike).path) &&
          typeof (i as ZodIssueLike).message === 'string',
      )
    )
      return parsed as ZodIssueLike[];
  } catch {
    // Not zod's list: an internal error of another kind, left as it is.
  }
  return undefined;
}

export function rewriteInvalidParams(message: JSONRPCMessage): JSONRPCMessage {
  if (!('error' in message) || message.error.code !== INTERNAL_ERROR) return message;
  const issues = parseZodIssues(message.error.message);
  if (!issues) return message;
  const described = issues
    .slice(0, ISSUES_SHOWN)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'the request'}: ${i.message}`)
    .join('; ');
  return {
    ...message,
    error: {
      code: INVALID_PARAMS,
      message: `Invalid params: ${described}. tools/call takes {"name": "<tool>", "arguments": {…}}; tools/list lists each tool's inputSchema.`,
    },
  };
}
