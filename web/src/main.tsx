// First import, so the page's first request is on the wire while React DOM initialises.
import { firstSettled } from './first-request';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, preloadPages } from './app';
import './styles.css';

/**
 * How long the first render waits for the page's first request. Rendered with its data, the page
 * skips rendering, styling and laying out its loading state first (docs/benchmarks.md); an API
 * slower than this gets the loading state first.
 */
const FIRST_DATA_WAIT_MS = 100;
/**
 * The other pages' chunks are fetched this long after the first page has its data, then when the
 * browser is idle. Their evaluation is ~85 ms of main thread at load on this box: started at once
 * (the data now comes with the HTML's Link preload, before the bundle has run) it competed with
 * the first frame's raster and presentation.
 */
const PRELOAD_AFTER_MS = 1000;

function render() {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

void Promise.race([firstSettled, new Promise((wake) => setTimeout(wake, FIRST_DATA_WAIT_MS))]).then(render);

// The other pages' chunks load once this page is on screen and the browser is idle: they never
// compete with its first frame, and later navigation rarely waits for them.
void firstSettled.then(() =>
  setTimeout(
    // No requestIdleCallback in Safari.
    () => (typeof requestIdleCallback === 'function' ? requestIdleCallback(preloadPages) : preloadPages()),
    PRELOAD_AFTER_MS,
  ),
);

/**
 * A page's chunk that fails to load is, most often, a tab opened before an upgrade asking for a
 * hashed file the new build does not have (the server answers 404): reload once to get the new
 * build's index.html. At most once a minute, so a chunk that is really missing cannot loop.
 */
const RELOAD_GUARD_KEY = 'snag:chunk-reload-at';
const RELOAD_GUARD_MS = 60_000;
window.addEventListener('vite:preloadError', (event) => {
  const last = Number(sessionStorage.getItem(RELOAD_GUARD_KEY) ?? 0);
  if (Date.now() - last < RELOAD_GUARD_MS) return;
  sessionStorage.setItem(RELOAD_GUARD_KEY, String(Date.now()));
  event.preventDefault();
  window.location.reload();
});
