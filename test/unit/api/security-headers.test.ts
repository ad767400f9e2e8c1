// The security-headers hook on a real Fastify instance: JSON answers, errors and 404s get them;
// a route that sets its own CSP (the UI's, http/static.ts) keeps it.
import Fastify from 'fastify';
import { expect, test } from 'vitest';
import { API_SECURITY_HEADERS, registerSecurityHeaders } from '../../../src/http/security-headers.js';

test('every answer gets the headers unless it set its own', async () => {
  const app = Fastify();
  registerSecurityHeaders(app);
  app.get('/json', async () => ({ ok: true }));
  app.get('/fails', async () => {
    throw new Error('boom');
  });
  app.get('/page', async (_req, reply) =>
    reply.header('Content-Security-Policy', "default-src 'self'").type('text/html').send('<p>hi</p>'),
  );
  for (const url of ['/json', '/fails', '/missing']) {
    const res = await app.inject({ url });
    for (const [name, value] of Object.entries(API_SECURITY_HEADERS))
      expect(res.headers[name], `${url} ${name}`).toBe(value);
  }
  const page = await app.inject({ url: '/page' });
  expect(page.headers['content-security-policy']).toBe("default-src 'self'");
  expect(page.headers['x-content-type-options']).toBe('nosniff');
  await app.close();
});
