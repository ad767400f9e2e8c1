import type { IssueService } from '../domain/issues/service.js';
import type { LogsService } from '../domain/logs/service.js';
import type { ProjectService } from '../domain/projects/service.js';
import type { StatusService } from '../domain/status/service.js';
import type { PerformanceService } from '../domain/transactions/performance-service.js';
import type { Logger } from '../log.js';

/**
 * The services MCP tools read through: the same ones the JSON API and the CLI use. A tool over a
 * new noun adds its service here and in the two places that build this object (src/main.ts for
 * HTTP, src/cli/mcp.ts for stdio).
 */
export interface McpDeps {
  projects: ProjectService;
  issues: IssueService;
  performance: PerformanceService;
  status: StatusService;
  logs: LogsService;
  /** SNAG_LOG_RETENTION_DAYS in hours: log windows are clamped to it. */
  logRetentionHours: number;
  version: string;
  log: Logger;
}

/** Who is calling: recorded as the actor of status changes (`mcp:<token name>`). */
export interface Caller {
  actor: string;
}
