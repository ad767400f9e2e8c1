/** app.db: projects, and releases with their deploys (releases-store.ts). */
import { createBuilder, Runner } from './query.js';
import { createReleaseFunctions } from './releases-store.js';
import type { AppSchema, ProjectRow } from './schema.js';
import type { Db } from './sqlite.js';

export type { Deploy, NewDeploy, Release, ReleaseChanges, ReleaseSeen } from './releases-store.js';

export type Project = Omit<ProjectRow, 'id'> & { id: number };

const qb = createBuilder<AppSchema>();

export function createAppStore(db: Db) {
  const run = new Runner(db);

  return {
    listProjects(): Project[] {
      return run.all(qb.selectFrom('projects').selectAll().orderBy('id')) as Project[];
    },

    findProjectById(id: number): Project | undefined {
      return run.first(qb.selectFrom('projects').selectAll().where('id', '=', id)) as Project | undefined;
    },

    findProjectBySlug(slug: string): Project | undefined {
      return run.first(qb.selectFrom('projects').selectAll().where('slug', '=', slug)) as Project | undefined;
    },

    findProjectByKey(publicKey: string): Project | undefined {
      return run.first(qb.selectFrom('projects').selectAll().where('public_key', '=', publicKey)) as
        Project | undefined;
    },

    slugExists(slug: string): boolean {
      return run.first(qb.selectFrom('projects').select('id').where('slug', '=', slug)) !== undefined;
    },

    insertProject(p: Omit<Project, 'id'>): Project {
      const { lastInsertRowid } = run.run(qb.insertInto('projects').values(p));
      return { ...p, id: lastInsertRowid };
    },

    renameProject(id: number, name: string): void {
      run.run(qb.updateTable('projects').set({ name }).where('id', '=', id));
    },

    setProjectKey(id: number, publicKey: string): void {
      run.run(qb.updateTable('projects').set({ public_key: publicKey }).where('id', '=', id));
    },

    ...createReleaseFunctions(db, run),
  };
}

export type AppStore = ReturnType<typeof createAppStore>;
