/**
 * The current page's first API call (its route's FirstRequest), started as soon as the bundle
 * runs. main.tsx imports this module before react-dom, so the request is already on the wire
 * while React DOM initialises, and the first render can often start with the data.
 */
import { prefetch } from './api/client';
import { firstRequestOf } from './app';

const first = firstRequestOf(window.location.pathname, new URLSearchParams(window.location.search));

/** Settles (never rejects) when that request does; at once if the page names none. */
export const firstSettled: Promise<void> = first ? prefetch(first) : Promise.resolve();
