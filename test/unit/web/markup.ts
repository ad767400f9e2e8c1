/**
 * Matchers for rendered markup that hold whichever renderer made it. The UI ships Preact through
 * React's API (web/vite.config.ts) and these tests render with it; React writes the same DOM with
 * other attribute order, attribute-name case (`dateTime`, `colSpan`) and escaping of `>`.
 */

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `text` as rendered inside markup: `<` and `&` escaped; `>` escaped (React) or not (Preact), both
 * inert, since no tag can open without a `<`.
 */
export function escapedText(text: string): RegExp {
  const pattern = [...text]
    .map((c) => (c === '<' ? '&lt;' : c === '&' ? '&amp;' : c === '>' ? '(?:&gt;|>)' : escapeRegExp(c)))
    .join('');
  return new RegExp(pattern, 'g');
}

/** An opening `<tag …>` that has every one of `attributes` (`name="value"`), in any order. */
export function tagWith(tag: string, ...attributes: string[]): RegExp {
  const ahead = attributes.map((a) => `(?=[^>]*\\s${escapeRegExp(a)}[\\s>/])`).join('');
  return new RegExp(`<${tag}${ahead}[^>]*>`, 'i');
}
