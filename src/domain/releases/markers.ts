/**
 * Chart markers for a window: the deploys that finished in it when there are any, else the
 * releases whose first event falls in it. Deploys say when code went live; first events only say
 * when it was first heard from, which is all there is for data sent before deploys were recorded.
 */
import type { AppStore } from '../../storage/index.js';
import type { ReleaseMarker } from './views.js';

export type MarkerSource = Pick<AppStore, 'listDeploysBetween' | 'listReleasesStartedSince'>;

const iso = (ms: number) => new Date(ms).toISOString();

/** Markers in [from, to) (ms), oldest first. */
export function releaseMarkers(
  source: MarkerSource,
  projectId: number,
  from: number,
  to: number,
): ReleaseMarker[] {
  const deploys = source.listDeploysBetween(projectId, from, to);
  if (deploys.length > 0)
    return deploys.map((d) => ({
      version: d.version,
      first_seen: iso(d.finishedAt),
      environment: d.environment,
    }));
  return source
    .listReleasesStartedSince(projectId, from)
    .filter((r) => r.firstSeen < to)
    .map((r) => ({ version: r.version, first_seen: iso(r.firstSeen), environment: null }));
}
