import { defineStatusTool } from './set-status.js';

export const resolveIssue = defineStatusTool({
  name: 'resolve_issue',
  title: 'Resolve an issue',
  status: 'resolved',
  verb: 'resolved',
  description:
    'Marks an issue resolved (fixed). A new event of it later reopens it automatically as a regression.',
});
