/**
 * The one wrapper every tool is registered through. The SDK validates arguments against the
 * strict input schema (unknown arguments are errors, so a misspelt filter is not silently
 * ignored); this adds the call's context and time budget, caps and validates the structured
 * answer against the declared outputSchema, fences untrusted text, times the call, and turns every
 * failure into an `isError` result whose message says what to do next.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { AnyTool, ToolContext } from './define-tool.js';
import type { Caller, McpDeps } from './deps.js';
import { fitJson, truncate, UNTRUSTED_NOTICE } from './fence.js';
import { TimeBudget } from './time-budget.js';

/** ms a tool may spend before it stops and answers with what it has (labelled partial). */
export const TOOL_TIME_BUDGET_MS = 3_000;
/** Characters of markdown per answer: enough for a stack trace, small next to a model's context. */
const MAX_TEXT_CHARS = 24_000;
/** Characters of structured JSON per answer. */
const MAX_STRUCTURED_CHARS = 200_000;

const ANNOTATIONS: Record<AnyTool['kind'], ToolAnnotations> = {
  read: { readOnlyHint: true, openWorldHint: false },
  'status-change': {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
};

const COMMON_OUTPUT = {
  notes: z
    .array(z.string())
    .describe('What shaped the answer: clamped windows, capped lists, partial results and why.'),
  partial: z
    .boolean()
    .describe('True when the answer is incomplete (time budget spent or a scan cap reached); see notes.'),
};

export function toolError(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

export function registerTool(server: McpServer, tool: AnyTool, deps: McpDeps, caller: Caller): void {
  const input = z.strictObject(tool.input);
  const output = z.object({ ...tool.output, ...COMMON_OUTPUT });
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: input,
      outputSchema: output,
      annotations: { title: tool.title, ...ANNOTATIONS[tool.kind] },
    },
    (args: Record<string, unknown>) => callTool(tool, output, args, deps, caller),
  );
}

async function callTool(
  tool: AnyTool,
  output: z.ZodObject,
  args: Record<string, unknown>,
  deps: McpDeps,
  caller: Caller,
): Promise<CallToolResult> {
  const budget = new TimeBudget(TOOL_TIME_BUDGET_MS);
  const notes: string[] = [];
  let partial = false;
  const ctx: ToolContext = {
    deps,
    caller,
    budget,
    now: Date.now(),
    // Deduplicated: a collector in a loop may report the same cut for every item.
    note: (text) => void (notes.includes(text) || notes.push(text)),
    partial: (reason) => {
      partial = true;
      if (!notes.includes(reason)) notes.push(reason);
    },
  };
  try {
    const answer = await tool.run(args, ctx);
    const fitted = fitJson({ ...answer.data, notes, partial }, MAX_STRUCTURED_CHARS);
    if (fitted.cut)
      notes.push(`Long strings were cut to keep the answer under ${MAX_STRUCTURED_CHARS} characters.`);
    const parsed = output.safeParse({ ...fitted.value, notes, partial });
    if (!parsed.success) {
      deps.log.error(
        { tool: tool.name, issues: parsed.error.issues.slice(0, 5) },
        'MCP answer does not match its outputSchema',
      );
      return toolError(
        `${tool.name} built an answer that does not match its declared outputSchema. This is a bug in Snag and it has been logged; the other tools still work.`,
      );
    }
    const text = [
      tool.untrusted ? `_${UNTRUSTED_NOTICE}_` : '',
      truncate(answer.text, MAX_TEXT_CHARS),
      notes.length > 0 ? `\n**Notes**\n${notes.map((n) => `- ${n}`).join('\n')}` : '',
    ]
      .filter(Boolean)
      .join('\n\n');
    return { content: [{ type: 'text', text }], structuredContent: parsed.data };
  } catch (err) {
    if (err instanceof AppError && err.expose) return toolError(err.message);
    deps.log.error({ err, tool: tool.name }, 'MCP tool failed');
    return toolError(
      `${tool.name} failed with an internal error (logged on the Snag server). Retry once; if it fails again, narrow the request (a shorter window, a lower limit, one project).`,
    );
  } finally {
    const ms = Math.round(budget.elapsedMs());
    if (ms > TOOL_TIME_BUDGET_MS)
      deps.log.warn({ tool: tool.name, ms }, 'MCP tool call over its time budget');
    else deps.log.debug({ tool: tool.name, ms, actor: caller.actor }, 'MCP tool call');
  }
}
