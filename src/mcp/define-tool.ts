/**
 * What a tool file exports: its name, schemas, kind and a `run` that calls services and returns
 * structured data plus a short markdown text. register-tool.ts does everything around `run`.
 */
import type { z } from 'zod';
import type { Caller, McpDeps } from './deps.js';
import type { TimeBudget } from './time-budget.js';

export type Shape = z.ZodRawShape;

export interface ToolContext {
  deps: McpDeps;
  caller: Caller;
  budget: TimeBudget;
  /** One "now" per call, so every window of the answer agrees. */
  now: number;
  /** A line for the answer's `notes` (a clamped window, a capped list…). */
  note(text: string): void;
  /** Marks the answer partial (time budget spent, scan cap reached) and says why. */
  partial(reason: string): void;
}

export interface ToolAnswer<Data> {
  /** Validated against `output` (plus `notes` and `partial`, which the wrapper adds). */
  data: Data;
  /** Short markdown for the model; untrusted values only through fence() / inline(). */
  text: string;
}

export interface ToolDefinition<I extends Shape, O extends Shape> {
  name: string;
  title: string;
  description: string;
  /** read → readOnlyHint; status-change → idempotentHint (setting a status twice changes nothing). */
  kind: 'read' | 'status-change';
  /** The answer quotes data sent by monitored applications: its text opens with UNTRUSTED_NOTICE. */
  untrusted?: boolean;
  input: I;
  output: O;
  run(
    args: z.output<z.ZodObject<I>>,
    ctx: ToolContext,
  ): ToolAnswer<z.input<z.ZodObject<O>>> | Promise<ToolAnswer<z.input<z.ZodObject<O>>>>;
}

export type AnyTool = ToolDefinition<Shape, Shape>;

/** Type-checks a tool against its own schemas, then erases them for the registry list. */
export function defineTool<I extends Shape, O extends Shape>(tool: ToolDefinition<I, O>): AnyTool {
  return tool as unknown as AnyTool;
}
