/**
 * `snag project create|list`: works on the data dir directly, also while a server runs on it
 * (SQLite serialises the writers; the server reads keys from the file on every request).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createProjectService, type ProjectView } from '../domain/projects/service.js';
import { migrateAll, openStorage } from '../storage/index.js';

export function runProjectCommand(args: string[]): number {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const config = loadConfig();
  migrateAll(config.dataDir);
  const storage = openStorage(config.dataDir);
  try {
    const projects = createProjectService(storage.app, config.publicUrl);
    const out = (p: ProjectView) => ({
      id: p.id,
      slug: p.slug,
      name: p.name,
      dsn: p.dsn,
      public_key: p.public_key,
    });
    if (sub === 'create') {
      if (positionals.length === 0) {
        console.error('usage: snag project create <name> [--json]');
        return 2;
      }
      const p = projects.createProject(positionals.join(' '));
      console.log(
        values.json
          ? JSON.stringify(out(p))
          : `Created project "${p.name}" (${p.slug}, id ${p.id})\nDSN: ${p.dsn}`,
      );
      return 0;
    }
    if (sub === 'list') {
      const list = projects.listProjects();
      if (values.json) console.log(JSON.stringify(list.map(out)));
      else for (const p of list) console.log(`${String(p.id).padStart(4)}  ${p.slug.padEnd(24)}  ${p.dsn}`);
      return 0;
    }
    console.error('usage: snag project create <name> [--json] | snag project list [--json]');
    return 2;
  } finally {
    storage.close();
  }
}
