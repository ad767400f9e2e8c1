import { z } from 'zod';
import { defineTool } from '../../define-tool.js';
import { inline } from '../../fence.js';

export const listProjects = defineTool({
  name: 'list_projects',
  title: 'List projects',
  description:
    'Every project in Snag with its slug, name, numeric id and DSN. Any of slug, name or id can be passed as `project` to the other tools.',
  kind: 'read',
  input: {},
  output: {
    projects: z.array(
      z.object({
        id: z.number(),
        slug: z.string(),
        name: z.string(),
        dsn: z.string(),
        created_at: z.string(),
      }),
    ),
  },
  run(_args, { deps }) {
    const projects = deps.projects
      .listProjects()
      .map(({ id, slug, name, dsn, created_at }) => ({ id, slug, name, dsn, created_at }));
    const lines = projects.map(
      (p) => `- **${p.slug}** (id ${p.id}, name ${inline(p.name)}): DSN \`${p.dsn}\``,
    );
    return {
      data: { projects },
      text: `${projects.length} project${projects.length === 1 ? '' : 's'}:\n${lines.join('\n')}`,
    };
  },
});
