/**
 * What the uPlot charts (latency-chart, log-histogram) read from the theme: colours are CSS
 * variables, read when a chart is built (and rebuilt on a theme change), and one axis style.
 */
import type uPlot from 'uplot';

export const CHART_FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export function readChartStyle(el: HTMLElement): {
  css: CSSStyleDeclaration;
  color: (name: string) => string;
  axis: uPlot.Axis;
} {
  const css = getComputedStyle(el);
  const color = (name: string) => css.getPropertyValue(name).trim() || '#888';
  const grid = color('--border');
  return {
    css,
    color,
    axis: {
      stroke: color('--text-muted'),
      font: CHART_FONT,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1, size: 4 },
    },
  };
}
