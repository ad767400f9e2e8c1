/**
 * The shell: header, navigation, and the route table. Later pages (performance, logs, alerts,
 * login) add a line to ROUTES and, if top-level, a link to NAV.
 */
import type { ReactElement } from 'react';
import { EmptyState } from './components/empty-state';
import { Link, matchPath, useLocation, useScrollReset } from './router';
import { EventPage } from './routes/event-page';
import { IssueDetailPage } from './routes/issue-detail';
import { IssuesPage } from './routes/issues-list';
import { ProjectsOverview } from './routes/projects-overview';
import { SettingsProjects } from './routes/settings-projects';
import { useTheme } from './theme';

type Page = (params: Record<string, string>) => ReactElement;

const ROUTES: [string, Page][] = [
  ['/', () => <ProjectsOverview />],
  ['/projects/:slug/issues', (p) => <IssuesPage slug={p['slug']!} />],
  ['/projects/:slug/issues/:id', (p) => <IssueDetailPage slug={p['slug']!} issueId={Number(p['id'])} />],
  ['/projects/:slug/events/:eventId', (p) => <EventPage slug={p['slug']!} eventId={p['eventId']!} />],
  ['/settings/projects', () => <SettingsProjects />],
];

const NAV: [string, string][] = [
  ['/', 'Projects'],
  ['/settings/projects', 'Settings'],
];

export function App() {
  const { path } = useLocation();
  const [theme, toggleTheme] = useTheme();
  useScrollReset(path);

  let page: ReactElement | null = null;
  for (const [pattern, render] of ROUTES) {
    const params = matchPath(pattern, path);
    if (params) {
      page = render(params);
      break;
    }
  }

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link href="/" className="brand" aria-label="Snag home">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Snag
        </Link>
        <nav aria-label="Main">
          {NAV.map(([href, label]) => (
            <Link
              key={href}
              href={href}
              className="nav-link"
              aria-current={
                (href === '/' ? path === '/' || path.startsWith('/projects') : path.startsWith(href))
                  ? 'page'
                  : undefined
              }
            >
              {label}
            </Link>
          ))}
        </nav>
        <button
          type="button"
          className="theme-toggle"
          onClick={toggleTheme}
          aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        >
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <main id="main" className="app-main">
        {page ?? <EmptyState title="Page not found" body={<Link href="/">Back to projects</Link>} />}
      </main>
    </>
  );
}
