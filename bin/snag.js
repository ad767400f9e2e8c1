#!/usr/bin/env node
// The `snag` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare)
// and `npm start`; this shim only points at them so `npx snag` works inside the repository.
import { runCli } from '../dist/cli/index.js';

process.exitCode = await runCli(process.argv.slice(2));
