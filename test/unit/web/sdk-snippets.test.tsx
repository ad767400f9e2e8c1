import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import {
  firstErrorSnippetsFor,
  parseDsn,
  SdkSnippets,
  snippetsFor,
} from '../../../web/src/components/sdk-snippets';

const KEY = '0123456789abcdef0123456789abcdef';
const DSN = `http://${KEY}@127.0.0.1:8322/7`;
const PREFIXED_DSN = `https://${KEY}@errors.example.com/snag/12`;

describe('parseDsn', () => {
  it('splits key, project id and base URL', () => {
    expect(parseDsn(DSN)).toEqual({
      publicKey: KEY,
      projectId: '7',
      baseUrl: 'http://127.0.0.1:8322',
      envelopeUrl: `http://127.0.0.1:8322/api/7/envelope/?sentry_key=${KEY}`,
    });
  });

  it('keeps a path prefix (Snag behind a reverse proxy at /snag)', () => {
    expect(parseDsn(PREFIXED_DSN).envelopeUrl).toBe(
      `https://errors.example.com/snag/api/12/envelope/?sentry_key=${KEY}`,
    );
  });
});

describe('snippetsFor', () => {
  const snippets = snippetsFor(DSN);

  it('covers Node, browser, Python, Ruby/Rails, Go and curl', () => {
    expect(snippets.map((s) => s.id)).toEqual(['node', 'browser', 'python', 'rails', 'go', 'curl']);
  });

  it('puts the exact DSN in every snippet', () => {
    for (const s of [...snippets, ...firstErrorSnippetsFor(DSN)]) expect(s.code, s.id).toContain(DSN);
  });

  it('uses each SDK’s current setup API', () => {
    const code = Object.fromEntries(snippets.map((s) => [s.id, s.code]));
    expect(code['node']).toContain("import * as Sentry from '@sentry/node'");
    expect(code['browser']).toContain("import * as Sentry from '@sentry/browser'");
    expect(code['python']).toContain('sentry_sdk.init(');
    expect(code['rails']).toContain('Sentry.init do |config|');
    expect(code['go']).toContain(`sentry.Init(sentry.ClientOptions{\n\t\tDsn: "${DSN}"`);
    expect(code['go']).toContain('defer sentry.Flush(2 * time.Second)');
  });

  it('has curl post an envelope to /api/<project id>/envelope/ with the key', () => {
    const curl = snippets.find((s) => s.id === 'curl')!.code;
    expect(curl).toContain(`'http://127.0.0.1:8322/api/7/envelope/?sentry_key=${KEY}'`);
    expect(curl).toContain('application/x-sentry-envelope');
    // Envelope: header line, item header line, payload line, each valid JSON.
    const body = curl.split("<<'EOF'\n")[1]!.split('\nEOF')[0]!.split('\n');
    expect(body.map((line) => JSON.parse(line) as unknown)).toHaveLength(3);
    expect(JSON.parse(body[1]!)).toEqual({ type: 'event' });
  });

  it('derives the curl URL from a prefixed DSN too', () => {
    const curl = snippetsFor(PREFIXED_DSN).find((s) => s.id === 'curl')!.code;
    expect(curl).toContain(`https://errors.example.com/snag/api/12/envelope/?sentry_key=${KEY}`);
  });
});

describe('<SdkSnippets>', () => {
  it('renders accessible tabs with the first selected and its code as text', () => {
    const html = renderToStaticMarkup(<SdkSnippets dsn={DSN} />);
    expect(html).toContain('role="tablist"');
    expect(html.match(/role="tab"/g)).toHaveLength(6);
    expect(html.match(/aria-selected="true"/g)).toHaveLength(1);
    expect(html).toContain('role="tabpanel"');
    expect(html).toContain(DSN);
    expect(html).toContain('npm install @sentry/node');
  });

  it('shows only the requested snippets', () => {
    const html = renderToStaticMarkup(
      <SdkSnippets dsn={DSN} variant="first-error" only={['node', 'python', 'curl']} />,
    );
    expect(html.match(/role="tab"/g)).toHaveLength(3);
  });
});
