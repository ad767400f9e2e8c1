/**
 * Project lookup by DSN public key for every ingest edge (Sentry, OTLP), remembered briefly: the
 * lookup cost ~11 µs a request (a query built and compiled by Kysely), ~4 % of the HTTP thread's
 * time per event (docs/benchmarks.md). A rotated key keeps working this much longer; unknown keys
 * are looked up every time.
 */
import type { AcceptDeps } from './sentry/accept.js';

const PROJECT_KEY_CACHE_MS = 1000;
const PROJECT_KEY_CACHE_MAX_KEYS = 1000;

export function cacheProjectKeys(find: AcceptDeps['findProjectByKey']): AcceptDeps['findProjectByKey'] {
  const known = new Map<string, { project: ReturnType<typeof find>; until: number }>();
  return (publicKey) => {
    const now = Date.now();
    const hit = known.get(publicKey);
    if (hit && hit.until > now) return hit.project;
    const project = find(publicKey);
    if (project) {
      if (known.size >= PROJECT_KEY_CACHE_MAX_KEYS) known.clear();
      known.set(publicKey, { project, until: now + PROJECT_KEY_CACHE_MS });
    }
    return project;
  };
}
