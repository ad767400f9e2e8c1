/**
 * Serves the built web UI (dist/web) from memory: it is small, and reading it once at start keeps
 * request handling free of disk I/O. Hashed assets are cached forever; every other GET that is not
 * an API route gets index.html (client-side routing). Every UI response carries a strict CSP: no
 * inline scripts, no third-party origins, event data can never become script.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const UI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web');

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

interface Asset {
  body: Buffer;
  type: string;
  /** Compressed once at start: ~60 ms for the whole UI, instead of on every request. */
  br?: Buffer;
  gzip?: Buffer;
}

/** Below this, compression saves less than the headers it costs. */
const MIN_COMPRESS_BYTES = 1024;
const COMPRESSIBLE_TYPE = /^(text\/|application\/json|image\/svg\+xml)/;
/** Brotli 9: 93% of quality 11's saving on the JS bundle in 6% of the time (47 ms vs 753 ms). */
const BROTLI_QUALITY = 9;

function compressAsset(asset: Asset): Asset {
  if (!COMPRESSIBLE_TYPE.test(asset.type) || asset.body.length < MIN_COMPRESS_BYTES) return asset;
  return {
    ...asset,
    br: zlib.brotliCompressSync(asset.body, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY },
    }),
    gzip: zlib.gzipSync(asset.body, { level: 9 }),
  };
}

/** The best encoding the client accepts (RFC 9110 §12.5.3; q=0 refuses), or none. */
export function pickEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = new Set<string>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    if (name && (q === undefined || Number(q) > 0)) accepted.add(name);
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return undefined;
}

function sendAsset(reply: FastifyReply, asset: Asset, acceptEncoding: string | undefined) {
  const encoding = asset.br ? pickEncoding(acceptEncoding) : undefined;
  if (asset.br) reply.header('Vary', 'Accept-Encoding');
  if (encoding) reply.header('Content-Encoding', encoding);
  return reply.type(asset.type).send(encoding ? asset[encoding] : asset.body);
}

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const url = '/' + path.relative(dir, full).split(path.sep).join('/');
        assets.set(
          url,
          compressAsset({
            body: fs.readFileSync(full),
            type: TYPES[path.extname(full)] ?? 'application/octet-stream',
          }),
        );
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return assets;
}

/** web/src/routes/issues-list.tsx PAGE_SIZE. */
const ISSUES_PAGE_SIZE = 25;
const ISSUES_PAGE = /^\/projects\/([^/]+)\/issues$/;

/**
 * The API call the page at `url` makes first, when the server can name it: the issues list's
 * default view (no query string), the URL issuesApiPath() in web/src/routes/issues-list.tsx builds
 * for it (test/e2e/ui.test.ts fails if the page's request is not the preloaded one). Sent as a Link
 * preload with index.html, the browser starts it when the HTML arrives instead of once the bundle
 * has run: ~40 ms instead of ~150–250 ms after navigation start in a new tab on this box, so the
 * data is in before the bundle has run (docs/benchmarks.md). Filtered views start their request
 * from the bundle (web/src/first-request.ts), so their URL logic stays in one place.
 */
export function firstApiPathOf(url: string): string | undefined {
  const [pathname, search] = url.split('?');
  const slug = ISSUES_PAGE.exec(pathname!)?.[1];
  if (slug === undefined || search) return undefined;
  try {
    return `/api/v1/projects/${encodeURIComponent(decodeURIComponent(slug))}/issues?status=open&limit=${ISSUES_PAGE_SIZE}`;
  } catch {
    return undefined; // A malformed %-escape: the page shows "not found" and needs no data.
  }
}

/**
 * index.html's entry files (its module script, modulepreloads and stylesheet) as Link preloads, in
 * the document's order. Sent with the HTML, the browser asks for them when the response's headers
 * arrive, with the first API call, instead of once a new tab's renderer has started and parsed the
 * document (~30–120 ms later on a cold visit). Listed before that API call: this process answers
 * requests in the order they come, a file sent from memory takes well under a millisecond while the
 * list query holds the event loop for 15 ms or more, and the bundle compiles while the query runs.
 * Cold first row, quiet box: 292 ms files first, 312 ms API first, 372–392 ms without (session 6,
 * docs/benchmarks.md). `crossorigin` as on the tags, or the preload would not be used.
 */
export function entryPreloadsOf(html: string): string[] {
  const links: string[] = [];
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/g)) {
    const url = /\s(?:src|href)="(\/assets\/[^"]+)"/.exec(tag)?.[1];
    if (!url) continue;
    const cors = /\scrossorigin\b/.test(tag) ? '; crossorigin' : '';
    if (tag.startsWith('<script') || /\srel="modulepreload"/.test(tag))
      links.push(`<${url}>; rel=modulepreload${cors}`);
    else if (/\srel="stylesheet"/.test(tag)) links.push(`<${url}>; rel=preload; as=style${cors}`);
  }
  return links;
}

/** Paths the SPA fallback must never answer (they 404 as JSON instead). */
const NOT_UI = /^\/(api|_health|mcp)(\/|$)/;

export function registerUi(app: FastifyInstance, dir = UI_DIR): void {
  const assets = loadAssets(dir);
  const index = assets.get('/index.html');
  const entryPreloads = index ? entryPreloadsOf(index.body.toString('utf8')) : [];

  const sendIndex = (reply: FastifyReply, url: string, acceptEncoding: string | undefined) => {
    if (!index) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(
          'The web UI has not been built: run `npm run build` (npm install and npm start do it for you).',
        );
    }
    // `crossorigin`: fetch() requests are CORS-mode, and a preload is used only by a request of
    // the same mode and credentials.
    const api = firstApiPathOf(url);
    const links = api ? [...entryPreloads, `<${api}>; rel=preload; as=fetch; crossorigin`] : entryPreloads;
    if (links.length > 0) reply.header('Link', links.join(', '));
    return sendAsset(
      reply.headers(SECURITY_HEADERS).header('Cache-Control', 'no-cache'),
      index,
      acceptEncoding,
    );
  };

  app.get('/*', async (request, reply) => {
    const url = request.url.split('?')[0]!;
    if (NOT_UI.test(url)) {
      return reply.code(404).send({ detail: `No route GET ${url}: see docs/api.md.`, code: 'not_found' });
    }
    const acceptEncoding = request.headers['accept-encoding'];
    const asset = url === '/' ? undefined : assets.get(url);
    const immutable = url.startsWith('/assets/');
    // A hashed file of an older build (a tab open across an upgrade): index.html in its place
    // would be HTML served as a script; a 404 makes the app's chunk loader reload the page.
    if (!asset && immutable) {
      return reply
        .code(404)
        .headers(SECURITY_HEADERS)
        .header('Cache-Control', 'no-cache')
        .type('text/plain; charset=utf-8')
        .send(`${url} is not part of this Snag's web UI (an older build?): reload the page.`);
    }
    if (!asset) return sendIndex(reply, request.url, acceptEncoding);
    reply
      .headers(SECURITY_HEADERS)
      .header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return sendAsset(reply, asset, acceptEncoding);
  });
}
