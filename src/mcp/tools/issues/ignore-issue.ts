import { defineStatusTool } from './set-status.js';

export const ignoreIssue = defineStatusTool({
  name: 'ignore_issue',
  title: 'Ignore an issue',
  status: 'ignored',
  verb: 'ignored',
  description: 'Marks an issue ignored: it stays ignored whatever new events arrive, until reopened.',
});
