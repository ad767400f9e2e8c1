/**
 * The typed API client. Types come from the server (src/api/types.ts) so a change there breaks the
 * UI's build, not its users.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError, SessionInfo } from '../../../src/api/types';

export type * from '../../../src/api/types';

export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

// Login (issue 7, H1): who is signed in, the CSRF token every change sends, and 401 → sign-in.
export const SESSION_PATH = '/api/v1/session';
let session: Promise<SessionInfo | undefined> | undefined;
/** GET /api/v1/session once per page load (the header, the banner and mutations share it). */
export function loadSession(): Promise<SessionInfo | undefined> {
  return (session ??= request<SessionInfo>('GET', SESSION_PATH).catch(() => undefined));
}
export function signInPath(): string {
  return `/auth/login?${new URLSearchParams({ return_to: location.pathname + location.search })}`;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = method === 'GET' ? null : (await loadSession())?.csrf_token;
  if (csrf) headers['x-snag-csrf'] = csrf;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // The session ended (expired, revoked, signed out elsewhere): sign in again, then come back.
  if (res.status === 401 && path !== SESSION_PATH) location.assign(signInPath());
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new RequestError(res.status, (json as ApiError | undefined)?.detail ?? res.statusText);
  return json as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown) => request<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path), // API tokens (issue 7, H2): revoke
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body), // Operations (issue 8, H5): retention
};

/** Query-string builder that skips empty values. */
export function qs(params: Record<string, string | number | null | undefined>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== null && v !== undefined && v !== '') s.set(k, String(v));
  const out = s.toString();
  return out ? `?${out}` : '';
}

/**
 * Requests started before React's first render (first-request.ts), each taken once by the first
 * `useResource` load of its path. `data` is set when the response is in, so a page first rendered
 * after that starts with it instead of with its loading state.
 */
const prefetched = new Map<string, { pending: Promise<unknown>; data?: unknown }>();

/** Starts GET `path` for a page about to mount; resolves when it settles, never rejects. */
export function prefetch(path: string): Promise<void> {
  const entry = prefetched.get(path) ?? { pending: api.get(path) };
  prefetched.set(path, entry);
  // Also marks the request handled: the page that takes it reports its error, not this.
  return entry.pending.then(
    (data) => {
      entry.data = data;
    },
    () => undefined,
  );
}

function takePrefetched<T>(path: string): Promise<T> | undefined {
  const entry = prefetched.get(path);
  prefetched.delete(path);
  return entry?.pending as Promise<T> | undefined;
}

/** How often views refresh themselves while visible (the issue asks for at most 5 s). */
export const LIVE_REFRESH_MS = 3000;

export interface Resource<T> {
  data: T | undefined;
  error: RequestError | Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Fetches `path` and, with `live`, refetches it every LIVE_REFRESH_MS while the tab is visible.
 * Data is kept while refetching so the page never blanks or jumps.
 */
export function useResource<T>(path: string | null, options: { live?: boolean } = {}): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean; path: string | null }>(
    () => {
      const ready = path === null ? undefined : (prefetched.get(path)?.data as T | undefined);
      return { data: ready, loading: path !== null && ready === undefined, path };
    },
  );
  const seq = useRef(0);

  const load = useCallback(() => {
    if (path === null) return;
    const mine = ++seq.current;
    (takePrefetched<T>(path) ?? api.get<T>(path)).then(
      // The same object as the prefetched first state: no second render.
      (data) =>
        mine === seq.current &&
        setState((s) => (s.data === data && s.path === path ? s : { data, loading: false, path })),
      (error: Error) => mine === seq.current && setState((s) => ({ ...s, error, loading: false, path })),
    );
  }, [path]);

  useEffect(() => {
    setState((s) => (s.path === path ? s : { loading: path !== null, path }));
    load();
    if (!options.live) return;
    const timer = setInterval(() => document.visibilityState === 'visible' && load(), LIVE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [path, load, options.live]);

  return {
    data: state.path === path ? state.data : undefined,
    error: state.error,
    loading: state.loading,
    reload: load,
  };
}
