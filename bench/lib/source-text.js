/**
 * Fake but stable source files: the same path always has the same lines, so a frame's context
 * lines (which Snag's grouping hashes) are the same every time that frame appears, as with a real
 * deployed build.
 */
import { CODE_LINES, STRINGS } from './vocabulary.js';
import { createRandom, seedOf } from './random.js';

const LINES_PER_FILE = 400;
/** @sentry/node sends 5 lines either side of the frame's line (ContextLines integration). */
export const CONTEXT_LINES = 5;

const IDENTIFIERS = [
  'order',
  'user',
  'rows',
  'items',
  'result',
  'tenant',
  'payload',
  'price',
  'job',
  'cursor',
];
const FUNCTIONS = [
  'loadOrder',
  'applyDiscount',
  'syncStock',
  'sendMail',
  'fetchRates',
  'checkQuota',
  'renderInvoice',
];

const files = new Map();

/** Replaces the $-placeholders of a template with words drawn from `random`. */
export function fillTemplate(template, random, extra = {}) {
  return template.replace(/\$([a-z]+)/g, (match, name) => {
    if (name in extra) return String(typeof extra[name] === 'function' ? extra[name]() : extra[name]);
    if (name === 'a' || name === 'b') return random.pick(IDENTIFIERS);
    if (name === 'n') return String(random.int(2, 999));
    if (name === 's') return random.pick(STRINGS);
    if (name === 'f') return random.pick(FUNCTIONS);
    return match;
  });
}

export function readSourceLines(path) {
  let lines = files.get(path);
  if (!lines) {
    const random = createRandom(seedOf(path));
    lines = Array.from({ length: LINES_PER_FILE }, () => {
      const indent = ' '.repeat(2 * random.int(0, 3));
      return indent + fillTemplate(random.pick(CODE_LINES), random);
    });
    files.set(path, lines);
  }
  return lines;
}

/** A line number with a full window of context around it. */
export function pickLineNumber(random) {
  return random.int(CONTEXT_LINES + 1, LINES_PER_FILE - CONTEXT_LINES);
}

export function readContext(path, lineno) {
  const lines = readSourceLines(path);
  return {
    pre_context: lines.slice(lineno - 1 - CONTEXT_LINES, lineno - 1),
    context_line: lines[lineno - 1],
    post_context: lines.slice(lineno, lineno + CONTEXT_LINES),
  };
}
