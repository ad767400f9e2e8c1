/**
 * Parts of a stored event (the normalized Sentry payload) as MCP answers present them: the
 * exception chain primary first, each stack innermost frame first with in-app frames ahead of
 * library ones, and the markdown for them. Everything here is untrusted data.
 */
import { z } from 'zod';
import type { ExceptionValue, Frame, NormalizedEvent } from '../../../domain/events/types.js';
import { fence, inline, truncate } from '../../fence.js';

/** Frames kept per exception (innermost first). */
const MAX_FRAMES = 50;
/** In-app frames shown with their code line in the markdown. */
const SHOWN_IN_APP_FRAMES = 15;
const MAX_CHAIN = 5;

export const frameSchema = z.object({
  index: z.number().describe('Position in the stack, 0 = innermost (where it was thrown).'),
  function: z.string().nullable(),
  file: z.string().nullable(),
  line: z.number().nullable(),
  column: z.number().nullable(),
  module: z.string().nullable(),
  in_app: z.boolean(),
  context_line: z.string().nullable().describe('The source line, when the SDK sent source context.'),
});

export const exceptionSchema = z.object({
  type: z.string().nullable(),
  value: z.string().nullable(),
  mechanism: z.string().nullable(),
  handled: z.boolean().nullable(),
  frames: z.array(frameSchema).describe('In-app frames first, each group innermost first; see index.'),
  frames_total: z.number(),
});

export type ExceptionView = z.infer<typeof exceptionSchema>;

function frameView(f: Frame, index: number): z.infer<typeof frameSchema> {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    index,
    function: str(f.function),
    file: str(f.filename) ?? str(f.abs_path),
    line: num(f.lineno),
    column: num(f.colno),
    module: str(f.module),
    in_app: f.in_app === true,
    context_line: str(f.context_line)?.trim() ?? null,
  };
}

/** The chain primary exception first (Sentry sends it last), at most MAX_CHAIN deep. */
export function exceptionChain(event: NormalizedEvent): ExceptionView[] {
  const values: ExceptionValue[] = [...(event.exception?.values ?? [])].reverse().slice(0, MAX_CHAIN);
  return values.map((e) => {
    const innermostFirst = [...(e.stacktrace?.frames ?? [])].reverse().map(frameView);
    const kept = innermostFirst.slice(0, MAX_FRAMES);
    return {
      type: typeof e.type === 'string' ? e.type : null,
      value: typeof e.value === 'string' ? e.value : null,
      mechanism: typeof e.mechanism?.type === 'string' ? e.mechanism.type : null,
      handled: typeof e.mechanism?.handled === 'boolean' ? e.mechanism.handled : null,
      frames: [...kept.filter((f) => f.in_app), ...kept.filter((f) => !f.in_app)],
      frames_total: innermostFirst.length,
    };
  });
}

export function eventMessage(event: NormalizedEvent): string | null {
  return event.logentry?.formatted ?? event.logentry?.message ?? null;
}

const where = (f: z.infer<typeof frameSchema>) =>
  `${f.file ?? f.module ?? '?'}${f.line === null ? '' : `:${f.line}${f.column === null ? '' : `:${f.column}`}`}`;

export function formatChain(chain: ExceptionView[], message: string | null): string {
  const parts: string[] = [];
  if (message) parts.push(fence('Message:', message));
  chain.forEach((e, i) => {
    const head = `${i === 0 ? 'Exception' : 'Caused by / chained'}: ${inline(e.type ?? 'Error')}${e.handled === false ? ' (unhandled)' : ''}`;
    const lines: string[] = [head];
    if (e.value) lines.push(fence('Value:', e.value, 1_000));
    const inApp = e.frames.filter((f) => f.in_app);
    const library = e.frames.filter((f) => !f.in_app);
    if (inApp.length > 0) {
      const stack = inApp
        .slice(0, SHOWN_IN_APP_FRAMES)
        .map(
          (f) =>
            `#${f.index} at ${f.function ?? '?'} (${where(f)})${f.context_line ? `\n      ${truncate(f.context_line, 200)}` : ''}`,
        )
        .join('\n');
      lines.push(fence(`In-app frames, innermost first (${inApp.length}):`, stack, 6_000));
    }
    if (library.length > 0) {
      const names = library
        .slice(0, 5)
        .map((f) => `#${f.index} ${f.function ?? '?'} (${where(f)})`)
        .join('\n');
      lines.push(fence(`Library frames (${library.length}; first 5):`, names, 1_500));
    }
    if (e.frames_total > e.frames.length)
      lines.push(`(${e.frames_total - e.frames.length} outer frames not kept)`);
    parts.push(lines.join('\n'));
  });
  return parts.join('\n\n') || 'No exception or message in this event.';
}
