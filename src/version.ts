import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** The package version, read once at start. */
export const VERSION = (require('../package.json') as { version: string }).version;
