/**
 * The `project` argument: a slug (any case), then an exact name (any case; ambiguous names are an
 * error), then a numeric id — what an agent is likely to have read in a previous answer. Unknown
 * values are errors that list the valid slugs, so the next call can be right.
 */
import { AppError, badRequest } from '../errors.js';

export interface ProjectRef {
  id: number;
  slug: string;
  name: string;
}

/** How many projects an error message lists before "…". */
const LISTED_PROJECTS = 20;

function known(projects: readonly ProjectRef[]): string {
  const shown = projects.slice(0, LISTED_PROJECTS).map((p) => `${p.slug} ("${p.name}", id ${p.id})`);
  if (projects.length > LISTED_PROJECTS) shown.push(`… ${projects.length - LISTED_PROJECTS} more`);
  return shown.join(', ');
}

export function resolveProject<P extends ProjectRef>(
  projects: readonly P[],
  ref: string | number | undefined,
): P {
  if (projects.length === 0)
    throw new AppError(
      'no_projects',
      404,
      'Snag has no projects yet: create one with `snag project create <name>`.',
    );
  if (ref === undefined || ref === '') {
    if (projects.length === 1) return projects[0]!;
    throw badRequest(`Several projects exist: pass project as one of ${known(projects)}.`);
  }
  const s = String(ref).trim();
  const lower = s.toLowerCase();
  const bySlug = projects.find((p) => p.slug.toLowerCase() === lower);
  if (bySlug) return bySlug;
  const byName = projects.filter((p) => p.name.toLowerCase() === lower);
  if (byName.length > 1)
    throw badRequest(
      `The name "${s}" matches ${byName.length} projects: pass a slug instead, one of ${known(byName)}.`,
    );
  if (byName[0]) return byName[0];
  if (/^\d+$/.test(s)) {
    const byId = projects.find((p) => p.id === Number(s));
    if (byId) return byId;
  }
  throw new AppError(
    'project_not_found',
    404,
    `No project "${s}". Projects: ${known(projects)}. Pass a slug, a name or an id (list_projects lists them).`,
  );
}

/** Every project when `ref` is omitted (cross-project tools), else the one it names. */
export function resolveProjects<P extends ProjectRef>(
  projects: readonly P[],
  ref: string | number | undefined,
): P[] {
  return ref === undefined || ref === '' ? [...projects] : [resolveProject(projects, ref)];
}
