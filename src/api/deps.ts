import type { IssueService } from '../domain/issues/service.js';
import type { LogsService } from '../domain/logs/service.js';
import type { ProjectService } from '../domain/projects/service.js';
import type { PerformanceService } from '../domain/transactions/performance-service.js';

/** The services the JSON API reads through (the same ones MCP and the CLI use). */
export interface ApiDeps {
  projects: ProjectService;
  issues: IssueService;
  performance: PerformanceService;
  logs: LogsService;
}
