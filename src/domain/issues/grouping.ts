/**
 * Decides which issue an event belongs to and how that issue is labelled. Follows Sentry's default
 * grouping (`newstyle:2023-01-11`, getsentry/sentry `src/sentry/grouping/strategies/newstyle.py`):
 * fingerprint → stack trace → exception → message. The hashes are Snag's own (sha256 over a JSON
 * list of components, not Sentry's md5), so they group like Sentry without being byte-identical.
 * JSON rather than a separator character: SDK strings may contain any character, and nesting keeps
 * an expanded `{{ default }}` distinct from any literal fingerprint entry.
 *
 * Chained exceptions: like Sentry's `chained-exception` component, EVERY exception in the chain
 * contributes (its type plus its frames), so "ValueError caused by KeyError" is a different issue
 * from "ValueError caused by TimeoutError". The in-app/system choice is made once for the whole
 * chain: if any exception has an in-app frame, only in-app frames count everywhere, and an
 * exception left without frames contributes its parameterized value instead (Sentry's "value is
 * ignored because stacktrace takes precedence" rule, applied per exception).
 */
import { createHash } from 'node:crypto';
import { parameterize } from '../events/parameterize.js';
import type { ExceptionValue, Frame, Grouping, NormalizedEvent } from '../events/types.js';

/** Bump when a change here would regroup existing events; it is part of every hash. */
const GROUPING_VERSION = 'v1';
const MAX_LABEL_CHARS = 200;
const MAX_CONTEXT_LINE_CHARS = 120;
const UNLABELED = '<unlabeled event>';

const DEFAULT_VARIABLE = /^\{\{\s*default\s*\}\}$/;
// Sentry only trusts context lines for languages where SDKs send source (newstyle.py `frame`).
const CONTEXT_LINE_PLATFORMS = new Set(['javascript', 'node', 'python', 'php', 'ruby']);
/** Platforms whose culprit Sentry writes as `function(module)`. */
const JS_PLATFORMS = new Set(['javascript', 'node']);

// Sentry's built-in enhancements mark these `-app` whatever the SDK said (all-platforms:2023-01-11).
const LIBRARY_PATH =
  /node_modules\/|site-packages\/|dist-packages\/|(?:^|\/)vendor\/|go\/pkg\/mod\/|\/\/(?:unpkg\.com|cdnjs\.cloudflare\.com|cdn\.jsdelivr\.net|esm\.run)\//m;
// ...and these `-app -group`: runtime and transpiler plumbing that differs between Node versions or
// build setups, never between bugs, so they are left out of even the system variant.
// (`internal/…\.js` is how Node before 16 named its own files; Go apps have real `internal/` dirs.)
const RUNTIME_PATH =
  /^(?:node:|internal\/.*\.js$)|node_modules\/(?:@babel|core-js|regenerator-runtime|tslib)\//m;
const RUNTIME_FUNCTION = /^(?:process\.)?(?:processTicksAndRejections|runMicrotasks)$/;
const UNGROUPABLE_ABS_PATHS = new Set(['[native code]', 'native code', 'eval code', '<anonymous>']);
const ANONYMOUS_FUNCTIONS = new Set([
  '?',
  '<anonymous>',
  '<anonymous function>',
  'Anonymous function',
  'anonymous',
]);
const RUBY_BLOCK = /^block (?:\(\d+ levels\) )?in /;
const ERB_SUFFIX = /__\d{4,}_\d{4,}$/;
// Whitespace that `\s+` → " " would change: anything but a space, or two in a row.
const UNCOLLAPSED_WHITESPACE = /[^\S ]|\s\s/;

type Basis = [kind: string, components: string[]];

/** What grouping and the culprit need to know about a frame, worked out once per event. */
interface FrameFacts {
  frame: Frame;
  inApp: boolean;
  ungroupable: boolean;
  /** Same location as the frame before it: recursion, which Sentry counts once. */
  repeat: boolean;
}

export function groupEvent(event: NormalizedEvent): Grouping {
  const exceptions = event.exception.values;
  const facts = exceptions.map((exception) => readStackFacts(exception.stacktrace?.frames ?? []));
  const basis = describeDefaultBasis(event, facts);
  const fingerprint = event.fingerprint;
  // `["{{ default }}"]` alone asks for exactly the default grouping, so it must hash the same.
  const custom = fingerprint && !(fingerprint.length === 1 && DEFAULT_VARIABLE.test(fingerprint[0]!.trim()));
  const input = custom
    ? ['fingerprint', fingerprint.map((part) => (DEFAULT_VARIABLE.test(part.trim()) ? basis : part))]
    : basis;
  const hash = createHash('sha256')
    .update(JSON.stringify([GROUPING_VERSION, input]))
    .digest('hex');
  return { hash, ...labelEvent(event, facts) };
}

function describeDefaultBasis(event: NormalizedEvent, facts: FrameFacts[][]): Basis {
  const exceptions = describeExceptions(event.exception.values, facts, event.platform);
  if (exceptions.length > 0) return ['exception', exceptions];
  const logentry = event.logentry;
  const text = logentry?.message || logentry?.formatted;
  const lines = text ? splitLines(text).slice(0, 2) : [];
  if (lines.length > 0) return ['message', [parameterize(lines.join('\n'))]];
  return ['nothing', []];
}

function describeExceptions(exceptions: ExceptionValue[], facts: FrameFacts[][], platform: string): string[] {
  const appFrames = facts.map((frames) => describeFrames(frames, platform, true));
  const frames = appFrames.some((list) => list.length > 0)
    ? appFrames
    : facts.map((frames) => describeFrames(frames, platform, false));
  return exceptions.flatMap((exception, index) => {
    const parts: string[] = [];
    if (exception.type && !exception.mechanism?.synthetic) parts.push('type', exception.type);
    const exceptionFrames = frames[index] ?? [];
    if (exceptionFrames.length > 0) parts.push('frames', ...exceptionFrames);
    else if (exception.value) parts.push('value', parameterize(firstLine(exception.value)));
    return parts.length > 0 ? [JSON.stringify(parts)] : [];
  });
}

function describeFrames(frames: FrameFacts[], platform: string, appOnly: boolean): string[] {
  const parts: string[] = [];
  for (const { frame, inApp, ungroupable, repeat } of frames) {
    if (repeat || ungroupable || (appOnly && !inApp)) continue;
    const part = describeFrame(frame, frame.platform ?? platform);
    if (part) parts.push(part);
  }
  return parts;
}

/**
 * Worked out once per frame and shared by the in-app pass, the system pass and the culprit:
 * checking each frame's paths in each of them ran the path regexes up to four times per frame.
 */
function readStackFacts(frames: Frame[]): FrameFacts[] {
  return frames.map((frame, index) => readFrameFacts(frame, index > 0 ? frames[index - 1] : undefined));
}

function readFrameFacts(frame: Frame, previous: Frame | undefined): FrameFacts {
  const runtime = testFramePath(frame, RUNTIME_PATH) || RUNTIME_FUNCTION.test(frame.function ?? '');
  return {
    frame,
    // The SDK's in_app flag, overruled for library and runtime paths (Python and Ruby trust it less).
    inApp: frame.in_app !== false && !runtime && !testFramePath(frame, LIBRARY_PATH),
    ungroupable: runtime || frame.function === 'eval' || UNGROUPABLE_ABS_PATHS.has(frame.abs_path ?? ''),
    repeat: previous !== undefined && isSameLocation(frame, previous),
  };
}

/** Recursion: same place, line and column. `===` is enough: normalized frames hold only strings and integers here. */
function isSameLocation(a: Frame, b: Frame): boolean {
  return (
    a.abs_path === b.abs_path &&
    a.package === b.package &&
    a.module === b.module &&
    a.filename === b.filename &&
    a.function === b.function &&
    a.lineno === b.lineno &&
    a.colno === b.colno
  );
}

/** Module (or file basename), function and context line; line and column numbers never count. */
function describeFrame(frame: Frame, platform: string): string | undefined {
  const location = frame.module || readBasename(frame.filename || frame.abs_path);
  const fn = normalizeFunction(frame.function);
  const line = CONTEXT_LINE_PLATFORMS.has(platform) ? collapseWhitespace(frame.context_line?.trim()) : '';
  const context = line && line.length <= MAX_CONTEXT_LINE_CHARS ? line : '';
  if (!location && !fn && !context) return undefined;
  return JSON.stringify([location ?? '', fn ?? '', context]);
}

/** Runs of whitespace as one space; the line itself when it has none to collapse (most lines). */
function collapseWhitespace(line: string | undefined): string | undefined {
  return line && UNCOLLAPSED_WHITESPACE.test(line) ? line.replace(/\s+/g, ' ') : line;
}

// Literal prefix checks before each pattern: this runs for every grouped frame of every event.
function normalizeFunction(name: string | undefined): string | undefined {
  if (!name) return undefined;
  let fn = name.trim();
  if (fn.startsWith('block ') && RUBY_BLOCK.test(fn)) return 'block';
  if (fn.startsWith('async ')) fn = fn.slice('async '.length);
  if (fn.startsWith('Object.')) fn = fn.slice('Object.'.length);
  if (fn.includes('__')) fn = fn.replace(ERB_SUFFIX, '');
  return ANONYMOUS_FUNCTIONS.has(fn) || fn.endsWith('/<') ? undefined : fn;
}

function readBasename(path: string | undefined): string | undefined {
  if (!path) return undefined;
  const withoutQuery = path.replace(/[?#].*$/, '');
  return withoutQuery.slice(withoutQuery.search(/[^/\\]*$/)).toLowerCase() || undefined;
}

/** Whether grouping counts the frame as the app's own (see `readFrameFacts`). */
export function isInApp(frame: Frame): boolean {
  return readFrameFacts(frame, undefined).inApp;
}

/**
 * Whether `pattern` matches the frame's abs_path, filename or module, with `\` read as `/`. Each
 * is tested alone rather than joined by newlines: the path patterns are multiline and cannot match
 * a newline, so the answer is the same, without building the joined string for every frame.
 */
function testFramePath(frame: Frame, pattern: RegExp): boolean {
  return (
    testPath(frame.abs_path, pattern) || testPath(frame.filename, pattern) || testPath(frame.module, pattern)
  );
}

function testPath(path: unknown, pattern: RegExp): boolean {
  if (typeof path !== 'string' || path === '') return false;
  return pattern.test(path.includes('\\') ? path.replaceAll('\\', '/') : path);
}

function labelEvent(event: NormalizedEvent, facts: FrameFacts[][]): Omit<Grouping, 'hash'> {
  const exceptions = event.exception.values;
  const primary = exceptions.at(-1);
  const type = primary?.type ?? '';
  const exceptionValue = primary?.value ? firstLine(primary.value) : '';
  const messageText = event.logentry?.formatted || event.logentry?.message;
  const value = exceptionValue || (type ? '' : firstLine(messageText ?? ''));
  const title = type && value ? `${type}: ${value}` : type || value || UNLABELED;
  return {
    title: truncate(title),
    culprit: truncate(findCulprit(facts, event.platform) ?? event.transaction ?? ''),
    type,
    value: truncate(value),
  };
}

/** The newest in-app frame, searching the primary exception first (Sentry's `get_culprit`). */
function findCulprit(facts: FrameFacts[][], platform: string): string | undefined {
  for (let outer = facts.length - 1; outer >= 0; outer--) {
    const frames = facts[outer]!;
    for (let index = frames.length - 1; index >= 0; index--) {
      const { frame, inApp, ungroupable } = frames[index]!;
      if (!inApp || ungroupable) continue;
      // Sentry's Frame.get_culprit_string: module wins over filename; JS reads "fn(module)".
      const location = frame.module || moduleFromUrl(frame.filename || frame.abs_path);
      if (!location && !frame.function) continue;
      if (!frame.function) return location!;
      if (!location) return frame.function;
      return JS_PLATFORMS.has(frame.platform ?? platform)
        ? `${frame.function}(${location})`
        : `${location} in ${frame.function}`;
    }
  }
  return undefined;
}

function splitLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

function firstLine(text: string): string {
  return splitLines(text)[0] ?? '';
}

function truncate(text: string): string {
  return text.length > MAX_LABEL_CHARS ? `${text.slice(0, MAX_LABEL_CHARS - 1)}…` : text;
}

/**
 * Browser SDKs send no module and a URL as filename; Sentry's JS processing derives the module
 * from the URL's path (`https://shop.example/assets/app.js?v=2` → `assets/app`). Paths that are
 * not URLs are returned unchanged.
 */
function moduleFromUrl(file: string | undefined): string | undefined {
  if (!file || !/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) return file;
  try {
    const module = new URL(file).pathname.replace(/^\/+/, '').replace(/\.[a-z0-9]+$/i, '');
    return module || file;
  } catch {
    return file;
  }
}
