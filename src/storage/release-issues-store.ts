/**
 * errors.db read side of releases: the issues a release brought (first event of the issue carried
 * it) and the resolved issues it brought back (the digest stamps each automatic reopening with the
 * release of the event that reopened it, indexed by release).
 */
import { createBuilder, Runner } from './query.js';
import type { Issue } from './issues-store.js';
import type { ErrorsSchema, IssueStatus } from './schema.js';
import type { Db } from './sqlite.js';

export interface RegressionRow {
  issue_id: number;
  title: string;
  culprit: string;
  type: string;
  level: string;
  status: IssueStatus;
  event_count: number;
  reason: string;
  /** When the issue reopened (ms). */
  created_at: number;
}

const qb = createBuilder<ErrorsSchema>();

export function createReleaseIssuesStore(db: Db) {
  const run = new Runner(db);

  const newIssues = (projectId: number, versions: string[]) =>
    qb
      .selectFrom('issue_tags as t')
      .innerJoin('issues as i', 'i.id', 't.issue_id')
      .where('t.key', '=', 'release')
      .where('t.value', 'in', versions)
      .where('i.project_id', '=', projectId)
      .whereRef('i.first_release', '=', 't.value');

  const regressions = (projectId: number, versions: string[]) =>
    qb
      .selectFrom('issue_status_changes as c')
      .innerJoin('issues as i', 'i.id', 'c.issue_id')
      .where('c.release', 'in', versions)
      .where('c.actor', '=', 'system')
      .where('c.from_status', '=', 'resolved')
      .where('i.project_id', '=', projectId);

  return {
    /**
     * New issues per release: issues whose first release it is, found through the issues that had
     * events of it (`issue_tags` release rows, indexed by value). No index has first_release: it
     * would cost every digest batch an index update per issue. Through the tag index a page of
     * 21 releases over 100,000 issues (500 new per release, each seen in 4) took 10–26 ms, a pass
     * over the project's issues 185–224 ms (/tmp measurement on the 2-core machine, noisy).
     */
    countNewIssuesByRelease(projectId: number, versions: string[]): Map<string, number> {
      if (versions.length === 0) return new Map();
      const rows = run.all(
        newIssues(projectId, versions)
          .select(['t.value', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy('t.value'),
      );
      return new Map(rows.map((r) => [r.value, r.n]));
    },

    /** Issues first seen in `version`, most events first. */
    listNewIssuesIn(projectId: number, version: string, limit: number): Issue[] {
      return run.all(
        newIssues(projectId, [version])
          .selectAll('i')
          .orderBy('i.event_count', 'desc')
          .orderBy('i.id', 'desc')
          .limit(limit),
      ) as Issue[];
    },

    /** Issues reopened by an event of each release (an issue reopened twice in one release counts once). */
    countRegressionsByRelease(projectId: number, versions: string[]): Map<string, number> {
      if (versions.length === 0) return new Map();
      const rows = run.all(
        regressions(projectId, versions)
          .select(['c.release', (eb) => eb.fn.count<number>('c.issue_id').distinct().as('n')])
          .groupBy('c.release'),
      );
      return new Map(rows.map((r) => [r.release!, r.n]));
    },

    /** Reopenings by events of `version`, newest first. */
    listRegressionsIn(projectId: number, version: string, limit: number): RegressionRow[] {
      return run.all(
        regressions(projectId, [version])
          .select([
            'c.issue_id',
            'i.title',
            'i.culprit',
            'i.type',
            'i.level',
            'i.status',
            'i.event_count',
            'c.reason',
            'c.created_at',
          ])
          .orderBy('c.id', 'desc')
          .limit(limit),
      );
    },
  };
}

export type ReleaseIssuesStore = ReturnType<typeof createReleaseIssuesStore>;
