import { describe, expect, it } from 'vitest';
import {
  changeTone,
  formatChange,
  formatDuration,
  formatPointChange,
  formatRate,
  formatThroughput,
  significant,
} from '../../../web/src/format-duration';

describe('formatDuration', () => {
  it('keeps three significant digits in ms below a second', () => {
    expect(formatDuration(0.4234)).toBe('0.423 ms');
    expect(formatDuration(12.345)).toBe('12.3 ms');
    expect(formatDuration(123.6)).toBe('124 ms');
    expect(formatDuration(40)).toBe('40 ms');
  });

  it('switches to seconds, minutes and hours, rounding before it picks the unit', () => {
    expect(formatDuration(999.4)).toBe('999 ms');
    expect(formatDuration(999.7)).toBe('1 s');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(1200)).toBe('1.2 s');
    expect(formatDuration(59_940)).toBe('59.9 s');
    expect(formatDuration(59_990)).toBe('1 min');
    expect(formatDuration(123_000)).toBe('2.05 min');
    expect(formatDuration(5_400_000)).toBe('1.5 h');
  });

  it('says so for nothing, zero and slivers', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(0.001)).toBe('<0.01 ms');
  });

  it('rounds to significant digits as a number', () => {
    expect(significant(0.000123456)).toBe(0.000123);
    expect(significant(98765)).toBe(98800);
    expect(significant(0)).toBe(0);
  });
});

describe('formatRate, formatThroughput, formatChange', () => {
  it('formats 0–1 shares as percentages', () => {
    expect(formatRate(0)).toBe('0%');
    expect(formatRate(1)).toBe('100%');
    expect(formatRate(0.0123)).toBe('1.23%');
    expect(formatRate(0.456)).toBe('45.6%');
    expect(formatRate(0.00001)).toBe('<0.01%');
    expect(formatRate(null)).toBe('—');
  });

  it('formats throughput per minute', () => {
    expect(formatThroughput(12.345)).toBe('12.3/min');
    expect(formatThroughput(1234.5)).toBe('1,235/min');
    expect(formatThroughput(0.001)).toBe('<0.01/min');
    expect(formatThroughput(0)).toBe('0/min');
    expect(formatThroughput(0, 20)).toBe('<0.01/min');
  });

  it('signs changes with a plus or a real minus', () => {
    expect(formatChange(12.345)).toBe('+12.3%');
    expect(formatChange(-4.5)).toBe('−4.5%');
    expect(formatChange(0)).toBe('0%');
    expect(formatChange(null)).toBe('—');
    expect(formatChange(12_345)).toBe('+12,300%');
  });

  it('formats share changes in percentage points', () => {
    expect(formatPointChange(0.2)).toBe('+20 pts');
    expect(formatPointChange(-0.015)).toBe('−1.5 pts');
    expect(formatPointChange(0)).toBe('0 pts');
  });
});

describe('changeTone', () => {
  it('colours slower and more errors as bad, faster and fewer as good', () => {
    expect(changeTone(25, 'latency')).toBe('bad');
    expect(changeTone(-25, 'latency')).toBe('good');
    expect(changeTone(80, 'errors')).toBe('bad');
    expect(changeTone(-80, 'errors')).toBe('good');
  });

  it('leaves noise, unknowns and throughput uncoloured', () => {
    expect(changeTone(4.9, 'latency')).toBe('neutral');
    expect(changeTone(-4.9, 'errors')).toBe('neutral');
    expect(changeTone(null, 'latency')).toBe('neutral');
    expect(changeTone(300, 'throughput')).toBe('neutral');
  });
});
