/**
 * A count with thousands separators, "12,345", as `toLocaleString('en-US')` writes it (English,
 * as the rest of the UI's numbers: format-duration.ts), without Intl. A new tab's first call into
 * Intl sets up ICU: 15–100 ms of its main thread in Chromium 156 on the 2-core test box, measured
 * in fresh renderers (docs/benchmarks.md), which the issues list's first render paid for its
 * counts alone.
 */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',');
  return n < 0 ? `-${digits}` : digits;
}
