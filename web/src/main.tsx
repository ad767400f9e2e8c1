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
/** Where there is no requestIdleCallback (Safari). */
const PRELOAD_FALLBACK_MS = 500;

function render() {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

void Promise.race([firstSettled, new Promise((wake) => setTimeout(wake, FIRST_DATA_WAIT_MS))]).then(render);

// The other pages' chunks load once this page has its data and the browser is idle: they never
// compete with its first render, and later navigation rarely waits for them.
void firstSettled.then(() =>
  typeof requestIdleCallback === 'function'
    ? requestIdleCallback(preloadPages)
    : setTimeout(preloadPages, PRELOAD_FALLBACK_MS),
);
