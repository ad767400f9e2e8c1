/**
 * A project's sections (Issues, Performance…) as a row of tabs under the breadcrumb, shared by
 * every page inside a project. A new section is one line in SECTIONS.
 */
import { Link, useLocation } from '../router';
import './project-nav.css';

/** [path segment after /projects/:slug/, label] */
const SECTIONS: [string, string][] = [
  ['issues', 'Issues'],
  ['performance', 'Performance'],
  ['logs', 'Logs'],
  ['releases', 'Releases'],
];

/** The section of `path` (the segment after the project's slug), or null outside a project. */
export function sectionOf(path: string): string | null {
  const m = /^\/projects\/[^/]+\/([^/]+)/.exec(path);
  return m ? m[1]! : null;
}

export function ProjectNav({ slug }: { slug: string }) {
  const { path } = useLocation();
  const current = sectionOf(path);
  const base = `/projects/${encodeURIComponent(slug)}`;
  return (
    <nav className="project-sections" aria-label="Project">
      {SECTIONS.map(([segment, label]) => (
        <Link
          key={segment}
          href={`${base}/${segment}`}
          className="project-section-link"
          aria-current={segment === current ? 'page' : undefined}
        >
          {label}
        </Link>
      ))}
    </nav>
  );
}
