/**
 * app.db's releases and deploys. A release row is made by the digest threads when a version first
 * shows up in an event or transaction (first/last seen, counts), or by the release API before any
 * event (`sentry-cli releases new`, a deploy): its first/last seen stay null until data comes.
 */
import { sql } from 'kysely';
import { createBuilder, type Runner } from './query.js';
import type { AppSchema, DeployRow, ReleaseRow } from './schema.js';
import type { Db } from './sqlite.js';

/** A release that has sent data: what markers, filter menus and release questions read. */
export interface ReleaseSeen {
  projectId: number;
  version: string;
  firstSeen: number;
  lastSeen: number;
  /** Error events. */
  count: number;
  transactionCount: number;
}

export interface Release {
  projectId: number;
  version: string;
  firstSeen: number | null;
  lastSeen: number | null;
  eventCount: number;
  transactionCount: number;
  createdAt: number;
  releasedAt: number | null;
  url: string | null;
}

export interface ReleaseChanges {
  url?: string | null;
  releasedAt?: number | null;
}

export interface Deploy {
  id: number;
  projectId: number;
  version: string;
  environment: string;
  name: string | null;
  url: string | null;
  startedAt: number | null;
  finishedAt: number;
  createdAt: number;
}

export type NewDeploy = Omit<Deploy, 'id' | 'createdAt'>;

const qb = createBuilder<AppSchema>();
/** When a release started, for ordering: its first event, else when it was created. */
const startedAt = sql<number>`coalesce(first_seen, created_at)`;

export function createReleaseFunctions(db: Db, run: Runner) {
  const seenReleases = () =>
    qb
      .selectFrom('releases')
      .selectAll()
      .where('first_seen', 'is not', null)
      .where('last_seen', 'is not', null);

  function findRelease(projectId: number, version: string): Release | undefined {
    const row = run.first(
      qb
        .selectFrom('releases')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('version', '=', version),
    );
    return row && toRelease(row);
  }

  function saveRelease(projectId: number, version: string, changes: ReleaseChanges, now: number): Release {
    run
      .prepare(
        // A null change leaves the stored value: sentry-cli sends only what it was given.
        `INSERT INTO releases (project_id, version, created_at, released_at, url) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (project_id, version) DO UPDATE SET
           released_at = coalesce(excluded.released_at, released_at),
           url = coalesce(excluded.url, url)`,
      )
      .run(projectId, version, now, changes.releasedAt ?? null, changes.url ?? null);
    return findRelease(projectId, version)!;
  }

  return {
    findRelease,
    saveRelease,

    /** A release that has sent events or transactions. */
    getRelease(projectId: number, version: string): ReleaseSeen | undefined {
      const row = run.first(
        seenReleases().where('project_id', '=', projectId).where('version', '=', version),
      );
      return row && toReleaseSeen(row);
    },

    /** Releases that have sent data, most recently active first. */
    listReleases(projectId: number, limit: number): ReleaseSeen[] {
      return run
        .all(seenReleases().where('project_id', '=', projectId).orderBy('last_seen', 'desc').limit(limit))
        .map(toReleaseSeen);
    },

    listReleasesStartedSince(projectId: number, since: number): ReleaseSeen[] {
      return run
        .all(
          seenReleases()
            .where('project_id', '=', projectId)
            .where('first_seen', '>=', since)
            .orderBy('first_seen'),
        )
        .map(toReleaseSeen);
    },

    /**
     * A project's releases, newest start first (first event, else creation), `limit` after the
     * keyset `before` (the last row of the previous page).
     */
    listReleasePage(
      projectId: number,
      limit: number,
      before?: { startedAt: number; version: string },
    ): Release[] {
      let q = qb.selectFrom('releases').selectAll().where('project_id', '=', projectId);
      if (before)
        q = q.where((eb) =>
          eb.or([
            eb(startedAt, '<', before.startedAt),
            eb.and([eb(startedAt, '=', before.startedAt), eb('version', '<', before.version)]),
          ]),
        );
      return run.all(q.orderBy(startedAt, 'desc').orderBy('version', 'desc').limit(limit)).map(toRelease);
    },

    /** Projects that know `version` (Sentry's org-level release routes name no project). */
    listProjectIdsWithRelease(version: string): number[] {
      return run
        .all(
          qb.selectFrom('releases').select('project_id').where('version', '=', version).orderBy('project_id'),
        )
        .map((r) => r.project_id);
    },

    /** Records a deploy, creating its release if no event has named it yet. */
    insertDeploy(d: NewDeploy, now: number): Deploy {
      return db
        .transaction(() => {
          saveRelease(d.projectId, d.version, {}, now);
          const { lastInsertRowid } = run.run(
            qb.insertInto('deploys').values({
              project_id: d.projectId,
              version: d.version,
              environment: d.environment,
              name: d.name,
              url: d.url,
              started_at: d.startedAt,
              finished_at: d.finishedAt,
              created_at: now,
            }),
          );
          return { ...d, id: lastInsertRowid, createdAt: now };
        })
        .immediate();
    },

    /** Deploys of some releases of a project, newest first. */
    listDeploysOf(projectId: number, versions: string[], limit = 1000): Deploy[] {
      if (versions.length === 0) return [];
      return run
        .all(
          qb
            .selectFrom('deploys')
            .selectAll()
            .where('project_id', '=', projectId)
            .where('version', 'in', versions)
            .orderBy('finished_at', 'desc')
            .orderBy('id', 'desc')
            .limit(limit),
        )
        .map(toDeploy);
    },

    /** Deploys that finished in [from, to), oldest first: the chart markers. */
    listDeploysBetween(projectId: number, from: number, to: number): Deploy[] {
      return run
        .all(
          qb
            .selectFrom('deploys')
            .selectAll()
            .where('project_id', '=', projectId)
            .where('finished_at', '>=', from)
            .where('finished_at', '<', to)
            .orderBy('finished_at')
            .orderBy('id'),
        )
        .map(toDeploy);
    },

    /** Folds a worker batch's release sightings into first/last seen and counts, in one transaction. */
    recordReleases(seen: ReleaseSeen[]): void {
      if (seen.length === 0) return;
      // min()/max() with a NULL argument are NULL in SQLite: a release created before its first
      // event has null first/last seen, hence the coalesce.
      const upsert = run.prepare(
        `INSERT INTO releases (project_id, version, first_seen, last_seen, event_count, transaction_count, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (project_id, version) DO UPDATE SET
           first_seen = min(coalesce(first_seen, excluded.first_seen), excluded.first_seen),
           last_seen = max(coalesce(last_seen, excluded.last_seen), excluded.last_seen),
           event_count = event_count + excluded.event_count,
           transaction_count = transaction_count + excluded.transaction_count`,
      );
      const now = Date.now();
      db.transaction(() => {
        for (const r of seen)
          upsert.run(r.projectId, r.version, r.firstSeen, r.lastSeen, r.count, r.transactionCount, now);
      }).immediate();
    },
  };
}

function toReleaseSeen(r: ReleaseRow): ReleaseSeen {
  return {
    projectId: r.project_id,
    version: r.version,
    // Only rows with both set are selected (seenReleases).
    firstSeen: r.first_seen ?? r.created_at,
    lastSeen: r.last_seen ?? r.created_at,
    count: r.event_count,
    transactionCount: r.transaction_count,
  };
}

function toRelease(r: ReleaseRow): Release {
  return {
    projectId: r.project_id,
    version: r.version,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    eventCount: r.event_count,
    transactionCount: r.transaction_count,
    createdAt: r.created_at,
    releasedAt: r.released_at,
    url: r.url,
  };
}

function toDeploy(r: Omit<DeployRow, 'id'> & { id: number }): Deploy {
  return {
    id: r.id,
    projectId: r.project_id,
    version: r.version,
    environment: r.environment,
    name: r.name,
    url: r.url,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    createdAt: r.created_at,
  };
}
