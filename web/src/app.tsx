/**
 * The shell: header, navigation, and the route table. Later pages (performance, logs, alerts,
 * login) add a line to ROUTES and, if top-level, a link to NAV; a page whose first API call is
 * known from its URL names it too, so main.tsx can start it before React renders.
 */
import { lazy, Suspense, type ReactElement } from 'react';
import { AccountControl, OpenModeBanner, useSessionInfo } from './components/account-control';
import { EmptyState } from './components/empty-state';
import { Link, matchPath, useLocation, useScrollReset } from './router';
import { IssuesPage, issuesApiPath, readFilters } from './routes/issues-list';
import { logApiPath, logsApiPath, readLogFilters } from './routes/log-filters';
import { performanceApiPath, readPerfFilters } from './routes/performance-filters';
import { ProjectsOverview } from './routes/projects-overview';
import {
  nPlusOneApiPath,
  readTransactionFilters,
  transactionApiPath,
  transactionsApiPath,
} from './routes/transaction-pages';
import { useTheme } from './theme';

// The pages people land on (overview, issues list) are in the main chunk; the others are chunks of
// their own, fetched on first visit or once the first page has its data and the browser is idle
// (preloadPages). The landing pages then parse 31 KB less (288 → 257 KB; docs/benchmarks.md).
const loadIssueDetail = () => import('./routes/issue-detail');
const loadEventPage = () => import('./routes/event-page');
const loadSettings = () => import('./routes/settings-projects');
const IssueDetailPage = lazy(() => loadIssueDetail().then((m) => ({ default: m.IssueDetailPage })));
const EventPage = lazy(() => loadEventPage().then((m) => ({ default: m.EventPage })));
const SettingsProjects = lazy(() => loadSettings().then((m) => ({ default: m.SettingsProjects })));
const loadSettingsPage = () => import('./routes/settings');
const SettingsPage = lazy(() => loadSettingsPage().then((m) => ({ default: m.SettingsPage })));
const loadPerformance = () => import('./routes/performance');
const loadEndpoint = () => import('./routes/endpoint-detail');
const loadCompare = () => import('./routes/release-compare');
const PerformancePage = lazy(() => loadPerformance().then((m) => ({ default: m.PerformancePage })));
const EndpointDetailPage = lazy(() => loadEndpoint().then((m) => ({ default: m.EndpointDetailPage })));
const ReleaseComparePage = lazy(() => loadCompare().then((m) => ({ default: m.ReleaseComparePage })));
const loadTransaction = () => import('./routes/transaction-detail');
const loadTransactions = () => import('./routes/transactions-search');
const loadNPlusOne = () => import('./routes/n-plus-one');
const TransactionDetailPage = lazy(() =>
  loadTransaction().then((m) => ({ default: m.TransactionDetailPage })),
);
const TransactionsSearchPage = lazy(() =>
  loadTransactions().then((m) => ({ default: m.TransactionsSearchPage })),
);
const NPlusOnePage = lazy(() => loadNPlusOne().then((m) => ({ default: m.NPlusOnePage })));
const loadLogs = () => import('./routes/logs');
const loadLogDetail = () => import('./routes/log-detail');
const LogsPage = lazy(() => loadLogs().then((m) => ({ default: m.LogsPage })));
const LogDetailPage = lazy(() => loadLogDetail().then((m) => ({ default: m.LogDetailPage })));
// Releases and deploys (issue 8, H4)
const loadReleases = () => import('./routes/releases');
const ReleasesPage = lazy(() => loadReleases().then((m) => ({ default: m.ReleasesPage })));
const ReleaseDetailPage = lazy(() => loadReleases().then((m) => ({ default: m.ReleaseDetailPage })));

export function preloadPages(): void {
  // A failed preload is retried when the page is opened, which reports the error there.
  const loads = [
    ...[loadIssueDetail, loadEventPage, loadSettings, loadPerformance, loadEndpoint, loadCompare],
    ...[loadTransaction, loadTransactions, loadNPlusOne, loadSettingsPage],
    ...[loadLogs, loadLogDetail],
    loadReleases, // Releases (H4)
  ];
  for (const load of loads) load().catch(() => undefined);
}

type Page = (params: Record<string, string>) => ReactElement;
/** The API path the page loads first, from the same functions the page uses. */
type FirstRequest = (params: Record<string, string>, query: URLSearchParams) => string;

const ROUTES: [string, Page, FirstRequest?][] = [
  ['/', () => <ProjectsOverview />, () => '/api/v1/projects'],
  [
    '/projects/:slug/issues',
    (p) => <IssuesPage slug={p['slug']!} />,
    (p, query) => issuesApiPath(p['slug']!, readFilters(query)),
  ],
  ['/projects/:slug/issues/:id', (p) => <IssueDetailPage slug={p['slug']!} issueId={Number(p['id'])} />],
  ['/projects/:slug/events/:eventId', (p) => <EventPage slug={p['slug']!} eventId={p['eventId']!} />],
  // Before any more generic performance pattern: a transaction id is a path segment.
  [
    '/projects/:slug/performance/transactions/:id',
    (p) => <TransactionDetailPage slug={p['slug']!} id={p['id']!} />,
    (p) => transactionApiPath(p['slug']!, p['id']!),
  ],
  [
    '/projects/:slug/performance/transactions',
    (p) => <TransactionsSearchPage slug={p['slug']!} />,
    (p, query) => transactionsApiPath(p['slug']!, readTransactionFilters(query)),
  ],
  [
    '/projects/:slug/performance/n-plus-one',
    (p) => <NPlusOnePage slug={p['slug']!} />,
    (p, query) => nPlusOneApiPath(p['slug']!, readPerfFilters(query)),
  ],
  [
    '/projects/:slug/performance',
    (p) => <PerformancePage slug={p['slug']!} />,
    (p, query) => performanceApiPath(p['slug']!, readPerfFilters(query)),
  ],
  ['/projects/:slug/performance/endpoint', (p) => <EndpointDetailPage slug={p['slug']!} />],
  ['/projects/:slug/performance/compare', (p) => <ReleaseComparePage slug={p['slug']!} />],
  [
    '/projects/:slug/logs',
    (p) => <LogsPage slug={p['slug']!} />,
    (p, query) => logsApiPath(p['slug']!, readLogFilters(query)),
  ],
  [
    '/projects/:slug/logs/:id',
    (p) => <LogDetailPage slug={p['slug']!} id={p['id']!} />,
    (p) => logApiPath(p['slug']!, p['id']!),
  ],
  // Releases and deploys (issue 8, H4)
  ['/projects/:slug/releases', (p) => <ReleasesPage slug={p['slug']!} />],
  [
    '/projects/:slug/releases/:version',
    (p) => <ReleaseDetailPage slug={p['slug']!} version={p['version']!} />,
  ],
  ['/settings/projects', () => <SettingsProjects />, () => '/api/v1/projects'],
  ['/settings', () => <SettingsPage />, () => '/api/v1/settings/mcp'],
];

const NAV: [string, string][] = [
  ['/', 'Projects'],
  // /settings, which also marks Settings → Projects as current (matched by prefix below).
  ['/settings', 'Settings'],
];

/** The first API call of the page at `path`, if its route names one. */
export function firstRequestOf(path: string, query: URLSearchParams): string | undefined {
  for (const [pattern, , first] of ROUTES) {
    const params = matchPath(pattern, path);
    if (params) return first?.(params, query);
  }
  return undefined;
}

export function App() {
  const { path } = useLocation();
  const [theme, toggleTheme] = useTheme();
  const session = useSessionInfo(); // login (issue 7)
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
        <AccountControl session={session} />
        <button
          type="button"
          className="theme-toggle"
          onClick={toggleTheme}
          aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        >
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <OpenModeBanner session={session} />
      <main id="main" className="app-main">
        {/* Empty, not a spinner: a lazy page's chunk is local and arrives in tens of milliseconds. */}
        <Suspense fallback={<div aria-busy="true" />}>
          {page ?? <EmptyState title="Page not found" body={<Link href="/">Back to projects</Link>} />}
        </Suspense>
      </main>
    </>
  );
}
