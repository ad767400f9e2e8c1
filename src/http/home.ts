/**
 * GET /: until the React UI lands (its own issue), a small server-rendered page listing projects,
 * their DSNs and open-issue counts, linking to the JSON API, so the URL printed at start shows
 * something true.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../api/deps.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function registerHomePage(app: FastifyInstance, { projects, issues }: ApiDeps): void {
  app.get('/', async (_request, reply) => {
    const rows = projects
      .listProjects()
      .map((p) => {
        const { counts } = issues.listIssues({ projectId: p.id, limit: 1 });
        const api = `/api/v1/projects/${encodeURIComponent(p.slug)}/issues`;
        return `<tr><td>${escapeHtml(p.name)}</td><td><code>${escapeHtml(p.dsn)}</code></td>
          <td><a href="${api}">${counts.open} open</a> · ${counts.resolved} resolved · ${counts.ignored} ignored</td></tr>`;
      })
      .join('\n');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Snag</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}
td,th{padding:.4rem .8rem;border-bottom:1px solid #ddd;text-align:left}code{font-size:13px}</style></head>
<body><h1>Snag</h1>
<p>Point any Sentry SDK at a project's DSN. JSON API: <a href="/api/v1/projects">/api/v1/projects</a>,
health: <a href="/_health">/_health</a>.</p>
<table><tr><th>Project</th><th>DSN</th><th>Issues</th></tr>
${rows}
</table></body></html>`);
  });
}
