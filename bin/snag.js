#!/usr/bin/env node
// The `snag` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare)
// and `npm start`; this shim only points at them so `npx snag` works inside the repository.
// `serve` first makes sure its process was started with the settings it wants (serve-launch.ts).
import { relaunchServe } from '../dist/cli/serve-launch.js';

const args = process.argv.slice(2);
const relaunched = args[0] === 'serve' ? relaunchServe() : null;
if (relaunched) process.exitCode = await relaunched;
else {
  const { runCli } = await import('../dist/cli/index.js');
  process.exitCode = await runCli(args);
}
