/**
 * Browser and OS contexts from a request's User-Agent, as Relay derives them
 * (relay-event-normalization/src/normalize/user_agent.rs): browser SDKs send only the header, and
 * Sentry users expect "Chrome 126" and "Windows 10" cards and tags. A short table covers the
 * browsers and systems that send nearly all traffic; uap-core's full regex list (~300 KB) would
 * cost more than the long tail is worth.
 */
import type { NormalizedEvent } from './types.js';

export interface UserAgentContexts {
  browser?: { name: string; version?: string };
  os?: { name: string; version?: string };
}

/** First match wins: Edge and Opera also say "Chrome", and Chrome also says "Safari". */
// prettier-ignore
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\/([\d.]+)/, 'Edge'],
  [/\bOPR\/([\d.]+)/, 'Opera'],
  [/\bSamsungBrowser\/([\d.]+)/, 'Samsung Internet'],
  [/\bHeadlessChrome\/([\d.]+)/, 'HeadlessChrome'],
  [/\b(?:Chrome|CriOS)\/([\d.]+)/, 'Chrome'],
  [/\b(?:Firefox|FxiOS)\/([\d.]+)/, 'Firefox'],
  [/\bVersion\/([\d.]+).*\bSafari\//, 'Safari'],
];

// prettier-ignore
const SYSTEMS: [RegExp, string, ((m: RegExpExecArray) => string | undefined)?][] = [
  [/\bWindows NT ([\d.]+)/, 'Windows', (m) => WINDOWS_VERSIONS[m[1]!] ?? m[1]],
  [/\b(?:iPhone|CPU) OS ([\d_]+)/, 'iOS', (m) => m[1]!.replaceAll('_', '.')],
  [/\bMac OS X ([\d_.]+)/, 'Mac OS X', (m) => m[1]!.replaceAll('_', '.')],
  [/\bAndroid ([\d.]+)/, 'Android', (m) => m[1]],
  [/\bCrOS\b/, 'Chrome OS'],
  [/\bLinux\b/, 'Linux'],
];

const WINDOWS_VERSIONS: Record<string, string> = { '10.0': '10', '6.3': '8.1', '6.2': '8', '6.1': '7' };

export function parseUserAgent(ua: string): UserAgentContexts {
  const out: UserAgentContexts = {};
  for (const [re, name] of BROWSERS) {
    const m = re.exec(ua);
    if (m) {
      out.browser = { name, version: m[1] };
      break;
    }
  }
  for (const [re, name, version] of SYSTEMS) {
    const m = re.exec(ua);
    if (m) {
      out.os = version ? { name, version: version(m) } : { name };
      break;
    }
  }
  return out;
}

/** The User-Agent header of a normalized request, whatever its case. */
export function readUserAgent(request: Record<string, unknown> | undefined): string | undefined {
  const headers = request?.['headers'];
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === 'user-agent' && typeof v === 'string' && v.trim()) return v;
  }
  return undefined;
}

/**
 * Relay's user-agent normalization: the browser, and the client's OS, from the request's
 * User-Agent, unless the SDK sent them. On a server platform `os` is the server's own, so the
 * client's goes to `client_os`.
 */
export function addUserAgentContexts(event: NormalizedEvent): void {
  const ua = readUserAgent(event.request);
  if (!ua) return;
  const { browser, os } = parseUserAgent(ua);
  // Browser SDKs report `javascript`; every other SDK runs where `os` is its own host.
  const osKey = event.platform === 'javascript' ? 'os' : 'client_os';
  if (browser && !event.contexts['browser']) event.contexts['browser'] = { type: 'browser', ...browser };
  if (os && !event.contexts[osKey]) event.contexts[osKey] = { type: 'os', ...os };
}
