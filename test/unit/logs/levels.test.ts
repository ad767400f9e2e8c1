import { describe, expect, it } from 'vitest';
import {
  baseSeverityNumber,
  levelFromSeverityNumber,
  levelFromText,
  resolveLevel,
} from '../../../src/domain/logs/levels.js';
import { LOG_LEVELS } from '../../../src/domain/logs/types.js';

describe('levelFromSeverityNumber', () => {
  it.each([
    [0, null],
    [1, 'trace'],
    [4, 'trace'],
    [5, 'debug'],
    [8, 'debug'],
    [9, 'info'],
    [12, 'info'],
    [13, 'warn'],
    [16, 'warn'],
    [17, 'error'],
    [20, 'error'],
    [21, 'fatal'],
    [24, 'fatal'],
    [25, null],
    [-1, null],
    [9.5, null],
  ])('%s → %s', (number, level) => {
    expect(levelFromSeverityNumber(number)).toBe(level);
  });
});

describe('levelFromText', () => {
  it.each([
    ['warn', 'warn'],
    ['warning', 'warn'],
    ['WARNING', 'warn'],
    ['Err', 'error'],
    ['critical', 'fatal'],
    ['crit', 'fatal'],
    ['panic', 'fatal'],
    ['TRACE', 'trace'],
    ['INFO3', 'info'],
    ['FATAL4', 'fatal'],
    [' debug ', 'debug'],
    ['notice', 'info'],
    ['INFO5', null],
    ['loud', null],
    ['', null],
    [null, null],
  ])('%j → %s', (text, level) => {
    expect(levelFromText(text)).toBe(level);
  });
});

describe('resolveLevel', () => {
  it('prefers a valid number to the text', () => {
    expect(resolveLevel(17, 'INFO')).toBe('error');
  });

  it('falls back to the text when the number is unspecified or out of range', () => {
    expect(resolveLevel(0, 'Warning')).toBe('warn');
    expect(resolveLevel(25, 'fatal')).toBe('fatal');
    expect(resolveLevel(null, 'err')).toBe('error');
  });

  it('is info when neither says anything', () => {
    expect(resolveLevel(0, null)).toBe('info');
    expect(resolveLevel(25, 'loud')).toBe('info');
  });

  it('gives each level the lowest number of its bucket', () => {
    expect(LOG_LEVELS.map(baseSeverityNumber)).toEqual([1, 5, 9, 13, 17, 21]);
  });
});
