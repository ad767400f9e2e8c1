import { defineStatusTool } from './set-status.js';

export const reopenIssue = defineStatusTool({
  name: 'reopen_issue',
  title: 'Reopen an issue',
  status: 'open',
  verb: 'reopened',
  description: 'Moves a resolved or ignored issue back to open.',
});
