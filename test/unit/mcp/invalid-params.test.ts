// Fuzzing finding 7 (docs/reliability.md): the MCP SDK answers params of the wrong shape with
// -32603 and zod's issue list; they leave as -32602 naming the field. Other errors pass untouched.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { expect, test } from 'vitest';
import { INVALID_PARAMS, rewriteInvalidParams } from '../../../src/mcp/invalid-params.js';

const zodDump = JSON.stringify(
  [
    {
      expected: 'record',
      code: 'invalid_type',
      path: ['params', 'arguments'],
      message: 'Invalid input: expected record, received array',
    },
  ],
  null,
  2,
);

test('a zod issue list under -32603 becomes -32602 naming the field', () => {
  const out = rewriteInvalidParams({ jsonrpc: '2.0', id: 7, error: { code: -32603, message: zodDump } });
  expect(out).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: INVALID_PARAMS } });
  expect((out as { error: { message: string } }).error.message).toMatch(
    /^Invalid params: params\.arguments: Invalid input: expected record, received array\./,
  );
});

test('other messages pass untouched', () => {
  const messages: JSONRPCMessage[] = [
    { jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'database is locked' } },
    { jsonrpc: '2.0', id: 2, error: { code: -32603, message: '[not json' } },
    { jsonrpc: '2.0', id: 3, error: { code: -32601, message: zodDump } },
    { jsonrpc: '2.0', id: 4, result: {} },
  ];
  for (const m of messages) expect(rewriteInvalidParams(m)).toBe(m);
});
