import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { formatRelative, RelativeTime } from '../../../web/src/components/relative-time';
import { tagWith } from './markup';

const now = Date.parse('2026-11-22T12:00:00Z');
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

describe('formatRelative', () => {
  it('says "just now" for the last few seconds, either side of now', () => {
    expect(formatRelative(ago(0), now)).toBe('just now');
    expect(formatRelative(ago(30), now)).toBe('just now');
    expect(formatRelative(ago(-5), now)).toBe('just now');
  });

  it('counts minutes', () => {
    expect(formatRelative(ago(60), now)).toBe('1 min ago');
    expect(formatRelative(ago(5 * 60 + 10), now)).toBe('5 min ago');
    expect(formatRelative(ago(59 * 60), now)).toBe('59 min ago');
  });

  it('moves to the next unit instead of saying "60 min"', () => {
    expect(formatRelative(ago(59 * 60 + 45), now)).toBe('1 hr ago');
  });

  it('counts hours', () => {
    expect(formatRelative(ago(3600), now)).toBe('1 hr ago');
    expect(formatRelative(ago(3 * 3600 + 600), now)).toBe('3 hr ago');
    expect(formatRelative(ago(23 * 3600), now)).toBe('23 hr ago');
  });

  it('counts days, then months and years', () => {
    expect(formatRelative(ago(24 * 3600), now)).toBe('1 day ago');
    expect(formatRelative(ago(3 * 24 * 3600), now)).toBe('3 days ago');
    expect(formatRelative(ago(75 * 24 * 3600), now)).toBe('3 months ago');
    expect(formatRelative(ago(800 * 24 * 3600), now)).toBe('2 years ago');
  });

  it('speaks of the future (a client clock behind the server)', () => {
    expect(formatRelative(ago(-5 * 60), now)).toBe('in 5 min');
    expect(formatRelative(ago(-2 * 3600), now)).toBe('in 2 hr');
    expect(formatRelative(ago(-2 * 24 * 3600), now)).toBe('in 2 days');
  });

  it('returns an unparseable input unchanged', () => {
    expect(formatRelative('soon', now)).toBe('soon');
  });
});

describe('<RelativeTime>', () => {
  it('renders a <time> with the machine-readable instant', () => {
    const iso = new Date(Date.now() - 2 * 3600 * 1000).toISOString();
    const html = renderToStaticMarkup(<RelativeTime iso={iso} />);
    expect(html).toMatch(tagWith('time', `datetime="${iso}"`));
    expect(html).toContain('>2 hr ago</time>');
  });
});
