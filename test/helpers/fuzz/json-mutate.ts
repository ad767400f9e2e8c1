/**
 * Mutations of a real payload (an SDK's event, transaction, log batch, OTLP request): a few fields
 * replaced by hostile values, deleted or duplicated, then serialized, sometimes with text-level
 * damage that JSON.stringify cannot produce (duplicate keys, BOM, NUL, invalid UTF-8, truncation).
 */
import type { Rng } from './prng.js';
import { deepValue, hostileValue, toJsonText } from './values.js';

type Path = (string | number)[];

/** Every path into `value`, breadth first, at most `max` of them. */
export function pathsOf(value: unknown, max = 2000): Path[] {
  const out: Path[] = [];
  const queue: [unknown, Path][] = [[value, []]];
  while (queue.length > 0 && out.length < max) {
    const [v, path] = queue.shift()!;
    if (path.length > 0) out.push(path);
    if (Array.isArray(v)) v.forEach((child, i) => queue.push([child, [...path, i]]));
    else if (v !== null && typeof v === 'object')
      for (const [k, child] of Object.entries(v)) queue.push([child, [...path, k]]);
  }
  return out;
}

function setAt(root: unknown, path: Path, value: unknown, remove: boolean): void {
  let parent = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = value;
}

/** A structured copy of `value` with 1–4 fields replaced, deleted, or given extra neighbours. */
export function mutateFields(rng: Rng, value: unknown, options: { huge?: boolean } = {}): unknown {
  const copy = structuredClone(value);
  const paths = pathsOf(copy);
  if (paths.length === 0) return hostileValue(rng, options);
  const n = rng.between(1, 4);
  for (let i = 0; i < n; i++) {
    const path = rng.pick(paths);
    try {
      const roll = rng.int(10);
      if (roll === 0) setAt(copy, path, undefined, true);
      else if (roll === 1) setAt(copy, path, deepValue(rng, rng.pick([100, 10_000])), false);
      else setAt(copy, path, hostileValue(rng, options), false);
    } catch {
      // An earlier mutation removed this path's parent: nothing to do.
    }
  }
  if (rng.chance(0.05)) return hostileValue(rng, options); // the whole payload the wrong type
  return copy;
}

const KEY = /"([A-Za-z_][A-Za-z0-9_.]{0,40})":/g;

/** JSON text with damage only a hand-made client sends. */
export function damageJsonText(rng: Rng, text: string): Buffer {
  const roll = rng.int(9);
  if (roll === 0) {
    // Duplicate keys: which one wins is the parser's business, but it must not crash.
    const keys = [...text.matchAll(KEY)];
    if (keys.length > 0) {
      const m = rng.pick(keys);
      const dup = `"${m[1]}":${toJsonText(hostileValue(rng))},`;
      return Buffer.from(text.slice(0, m.index) + dup + text.slice(m.index));
    }
  }
  const bytes = Buffer.from(text);
  if (roll === 1) return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]); // BOM
  if (roll === 2) return insertAt(rng, bytes, Buffer.from([0])); // NUL
  if (roll === 3) return insertAt(rng, bytes, rng.pick(INVALID_UTF8));
  if (roll === 4) return bytes.subarray(0, rng.int(bytes.length)); // truncated
  if (roll === 5) return Buffer.concat([bytes, Buffer.from(rng.pick(['}', ']', ',', ' garbage', '\u0000']))]);
  if (roll === 6) {
    const copy = Buffer.from(bytes);
    for (let i = rng.between(1, 8); i > 0; i--) copy[rng.int(copy.length)] = rng.int(256);
    return copy;
  }
  return bytes;
}

const INVALID_UTF8: readonly Buffer[] = [
  Buffer.from([0xff]),
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
  Buffer.from([0xc0, 0xaf]), // overlong "/"
];

function insertAt(rng: Rng, bytes: Buffer, insert: Buffer): Buffer {
  const at = rng.int(bytes.length + 1);
  return Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at)]);
}

/** A mutated payload as bytes: fields first, then (sometimes) the text. */
export function mutateJson(rng: Rng, value: unknown, options: { huge?: boolean } = {}): Buffer {
  const mutated = rng.chance(0.9) ? mutateFields(rng, value, options) : value;
  const text = toJsonText(mutated);
  return rng.chance(0.3) ? damageJsonText(rng, text) : Buffer.from(text);
}
