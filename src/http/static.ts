/**
 * Serves the built web UI (dist/web) from memory: it is small, and reading it once at start keeps
 * request handling free of disk I/O. Hashed assets are cached forever; every other GET that is not
 * an API route gets index.html (client-side routing). Every UI response carries a strict CSP: no
 * inline scripts, no third-party origins, event data can never become script.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
}

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const url = '/' + path.relative(dir, full).split(path.sep).join('/');
        assets.set(url, {
          body: fs.readFileSync(full),
          type: TYPES[path.extname(full)] ?? 'application/octet-stream',
        });
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return assets;
}

/** Paths the SPA fallback must never answer (they 404 as JSON instead). */
const NOT_UI = /^\/(api|_health|mcp)(\/|$)/;

export function registerUi(app: FastifyInstance, dir = UI_DIR): void {
  const assets = loadAssets(dir);
  const index = assets.get('/index.html');

  const sendIndex = (reply: FastifyReply) => {
    if (!index) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(
          'The web UI has not been built: run `npm run build` (npm install and npm start do it for you).',
        );
    }
    return reply
      .headers(SECURITY_HEADERS)
      .header('Cache-Control', 'no-cache')
      .type(index.type)
      .send(index.body);
  };

  app.get('/*', async (request, reply) => {
    const url = request.url.split('?')[0]!;
    if (NOT_UI.test(url)) {
      return reply.code(404).send({ detail: `No route GET ${url}: see docs/api.md.`, code: 'not_found' });
    }
    const asset = url === '/' ? undefined : assets.get(url);
    if (!asset) return sendIndex(reply);
    const immutable = url.startsWith('/assets/');
    return reply
      .headers(SECURITY_HEADERS)
      .header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .type(asset.type)
      .send(asset.body);
  });
}
