/**
 * A cap on how deep an event may nest once stored. JSON.parse takes any depth (V8's parser is
 * iterative), but JSON.stringify, structuredClone and every recursive walk do not: a 10,000-level
 * value under a field scrubbing skips (`sdk`, `debug_meta`, a frame's extra keys) overflowed the
 * stack when the event was serialized, and the job was parked as a bug (docs/reliability.md,
 * fuzzing finding 3). Relay caps depth at 100 (relay-event-normalization `trimming.rs`).
 */
export const MAX_EVENT_DEPTH = 100;
export const TOO_DEEP = '[Filtered: nested too deep]';

/** Replaces, in place, every object or array deeper than `maxDepth` with TOO_DEEP. */
export function capDepth<T>(value: T, maxDepth = MAX_EVENT_DEPTH): T {
  capChildren(value, 1, maxDepth);
  return value;
}

function capChildren(value: unknown, depth: number, maxDepth: number): void {
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const child = record[key];
    if (typeof child !== 'object' || child === null) continue;
    if (depth >= maxDepth) record[key] = TOO_DEEP;
    else capChildren(child, depth + 1, maxDepth);
  }
}

/**
 * JSON.stringify, capping depth only when the plain call overflows the stack: real events never
 * come near it, so the common case costs nothing more.
 */
export function stringifyCapped(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return JSON.stringify(capDepth(value));
  }
}
