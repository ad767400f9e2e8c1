/** Small numeric helpers shared by the load runs and the report. */

/** Latencies in ms, growing without reallocating per sample. */
export function createSampleList() {
  let values = new Float64Array(65_536);
  let length = 0;
  return {
    add(value) {
      if (length === values.length) {
        const bigger = new Float64Array(values.length * 2);
        bigger.set(values);
        values = bigger;
      }
      values[length++] = value;
    },
    get length() {
      return length;
    },
    /** Nearest-rank percentiles, p in [0, 100]; NaN when empty. */
    percentiles(...ps) {
      const sorted = values.slice(0, length).sort();
      return ps.map((p) =>
        length === 0 ? NaN : sorted[Math.min(length - 1, Math.ceil((p / 100) * length) - 1)],
      );
    },
  };
}

export function median(list) {
  const sorted = list.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const MIB = 1024 * 1024;

export const formatCount = (value) =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
export const formatMs = (value) =>
  Number.isFinite(value) ? `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms` : 'n/a';
export const formatMiB = (bytes) => (Number.isFinite(bytes) ? `${(bytes / MIB).toFixed(0)} MiB` : 'n/a');
export const formatSeconds = (value) => (Number.isFinite(value) ? `${value.toFixed(1)} s` : 'n/a');
export const formatRatio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');
export const formatCores = (value) => (Number.isFinite(value) ? `${value.toFixed(2)} cores` : 'n/a');
export const formatKiB = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KiB` : 'n/a');
