/** app.db: projects and releases. */
import { createBuilder, Runner } from './query.js';
import type { AppSchema, ProjectRow, ReleaseRow } from './schema.js';
import type { Db } from './sqlite.js';

export type Project = Omit<ProjectRow, 'id'> & { id: number };

export interface ReleaseSeen {
  projectId: number;
  version: string;
  firstSeen: number;
  lastSeen: number;
  count: number;
}

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

    getRelease(projectId: number, version: string): ReleaseSeen | undefined {
      const row = run.first(
        qb
          .selectFrom('releases')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('version', '=', version),
      );
      return row && toReleaseSeen(row);
    },

    /** Most recently active releases first. */
    listReleases(projectId: number, limit: number): ReleaseSeen[] {
      return run
        .all(
          qb
            .selectFrom('releases')
            .selectAll()
            .where('project_id', '=', projectId)
            .orderBy('last_seen', 'desc')
            .limit(limit),
        )
        .map(toReleaseSeen);
    },

    listReleasesStartedSince(projectId: number, since: number): ReleaseSeen[] {
      return run
        .all(
          qb
            .selectFrom('releases')
            .selectAll()
            .where('project_id', '=', projectId)
            .where('first_seen', '>=', since)
            .orderBy('first_seen'),
        )
        .map(toReleaseSeen);
    },

    /** Folds a worker batch's release sightings into first/last seen and counts, in one transaction. */
    recordReleases(seen: ReleaseSeen[]): void {
      if (seen.length === 0) return;
      const upsert = run.prepare(
        `INSERT INTO releases (project_id, version, first_seen, last_seen, event_count) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (project_id, version) DO UPDATE SET
           first_seen = min(first_seen, excluded.first_seen),
           last_seen = max(last_seen, excluded.last_seen),
           event_count = event_count + excluded.event_count`,
      );
      db.transaction(() => {
        for (const r of seen) upsert.run(r.projectId, r.version, r.firstSeen, r.lastSeen, r.count);
      }).immediate();
    },
  };
}

function toReleaseSeen(r: ReleaseRow): ReleaseSeen {
  return {
    projectId: r.project_id,
    version: r.version,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    count: r.event_count,
  };
}

export type AppStore = ReturnType<typeof createAppStore>;
