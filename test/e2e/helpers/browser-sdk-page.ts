/**
 * A test page for the real @sentry/browser, served from its own 127.0.0.1 port: a different origin
 * from Snag's, so the SDK's envelope POST is a real cross-origin request and Snag's CORS headers
 * are what let it through. The SDK ships only as ES modules (no CDN-style bundle in the npm
 * package), so the page loads them straight from node_modules through an import map, the way a
 * no-build app would. The import map is derived by crawling the SDK's module graph, so an SDK
 * upgrade that adds a dependency needs no change here.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/snag.js';

const NODE_MODULES = path.join(REPO_ROOT, 'node_modules');
const APP_SCRIPT = path.join(REPO_ROOT, 'test/e2e/browser-app/checkout.js');
/** Export conditions a browser bundler would use, in the package's own priority order. */
const BROWSER_CONDITIONS = new Set(['browser', 'import', 'module', 'default']);
// One statement per line in the SDK's ESM output; `[^;]*?` also spans a multi-line import list.
// Anchored at line start so JSDoc examples (" * import … from '@sentry/<your-sdk>'") never match.
const STATIC_IMPORT =
  /^\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;

export interface BrowserSdkPage {
  /** The page that loads the SDK and reports one error to `dsn`. */
  url: string;
  close(): Promise<void>;
}

function pickTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  for (const [condition, value] of Object.entries(entry)) {
    if (!BROWSER_CONDITIONS.has(condition)) continue;
    const target = pickTarget(value);
    if (target) return target;
  }
  return undefined;
}

/** `@sentry/core/browser` → the file a browser bundler would load (top-level node_modules only). */
function resolveBare(specifier: string): string | undefined {
  const parts = specifier.split('/');
  const nameParts = specifier.startsWith('@') ? 2 : 1;
  const dir = path.join(NODE_MODULES, ...parts.slice(0, nameParts));
  const subpath = ['.', ...parts.slice(nameParts)].join('/');
  let pkg: { exports?: unknown; module?: string; main?: string };
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as typeof pkg;
  } catch {
    return undefined;
  }
  let target: string | undefined;
  if (pkg.exports !== undefined) {
    const exp = pkg.exports;
    const bySubpath =
      exp !== null && typeof exp === 'object' && Object.keys(exp).some((k) => k.startsWith('.'))
        ? (exp as Record<string, unknown>)
        : { '.': exp };
    target = pickTarget(bySubpath[subpath]);
  } else {
    target = subpath === '.' ? (pkg.module ?? pkg.main ?? 'index.js') : subpath;
  }
  return target ? path.join(dir, target) : undefined;
}

/** Walks the module graph from `entry`: the files to serve and the import map for bare specifiers. */
function crawlModules(entry: string): { files: Set<string>; imports: Record<string, string> } {
  const files = new Set<string>();
  const imports: Record<string, string> = {};
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const m of source.matchAll(STATIC_IMPORT)) {
      const specifier = (m[1] ?? m[2])!;
      if (specifier.startsWith('.')) {
        pending.push(path.resolve(path.dirname(file), specifier));
      } else if (!(specifier in imports)) {
        const resolved = resolveBare(specifier);
        // An unresolvable specifier fails loudly in the browser if it is really imported.
        if (!resolved) continue;
        imports[specifier] = urlOf(resolved);
        pending.push(resolved);
      }
    }
  }
  return { files, imports };
}

function urlOf(file: string): string {
  return '/node_modules/' + path.relative(NODE_MODULES, file).split(path.sep).join('/');
}

function pageHtml(dsn: string, importMap: Record<string, string>): string {
  // JSON in a <script> only needs "<" escaped to be unable to close the element.
  const json = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Checkout (Snag e2e test page)</title>
    <link rel="icon" href="data:," />
    <meta name="snag-dsn" content="${dsn.replace(/"/g, '&quot;')}" />
    <script type="importmap">${json({ imports: importMap })}</script>
    <script type="module" src="/checkout.js"></script>
  </head>
  <body>
    <h1>Checkout</h1>
  </body>
</html>
`;
}

export async function startBrowserSdkPage(dsn: string): Promise<BrowserSdkPage> {
  const sdkEntry = resolveBare('@sentry/browser');
  if (!sdkEntry) throw new Error('@sentry/browser is not installed: run npm install');
  const { files, imports } = crawlModules(sdkEntry);
  const html = pageHtml(dsn, { ...imports, '@sentry/browser': urlOf(sdkEntry) });
  const served = new Map([...files].map((f) => [urlOf(f), f]));
  served.set('/checkout.js', APP_SCRIPT);

  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0]!;
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const file = served.get(url);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not part of the test page: ${url}`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
