/**
 * The domain services over one set of open files, as `snag serve` (main.ts) and `snag mcp` over a
 * local data dir (cli/mcp.ts) both build them: one place to wire a service's stores.
 */
import { createIssueService } from './domain/issues/service.js';
import { createLogsService } from './domain/logs/service.js';
import { createProjectService } from './domain/projects/service.js';
import { createReleaseService } from './domain/releases/service.js'; // Releases (issue 8, H4)
import { createPerformanceService } from './domain/transactions/performance-service.js';
import type { Storage } from './storage/index.js';

export function createServices(storage: Storage, publicUrl: string) {
  const projects = createProjectService(storage.app, publicUrl);
  const issues = createIssueService(storage.issues, storage.app);
  const performance = createPerformanceService({
    transactions: storage.transactions,
    issues: storage.issues,
    releases: storage.app,
    logs: storage.logs,
    getProject: (slug) => projects.getProject(slug),
  });
  const logs = createLogsService({
    logs: storage.logs,
    transactions: storage.transactions,
    issues: storage.issues,
    getProject: (ref) => projects.getProject(ref),
  });
  // Releases and deploys (issue 8, H4): the release API, sentry-cli's routes and the Releases page.
  const releases = createReleaseService({
    releases: storage.app,
    releaseIssues: storage.releaseIssues,
    performance,
    projects,
  });
  return { projects, issues, performance, logs, releases };
}
