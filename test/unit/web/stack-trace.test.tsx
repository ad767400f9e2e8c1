import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../web/src/api/client';
import {
  ExceptionChain,
  StackTrace,
  contextLines,
  foldFrames,
  frameFile,
  frameLine,
  orderExceptions,
} from '../../../web/src/components/stack-trace';
import { escapedText, tagWith } from './markup';

const app = (fn: string, extra: Partial<Frame> = {}): Frame => ({
  filename: `/srv/app/${fn}.js`,
  function: fn,
  lineno: 10,
  colno: 5,
  in_app: true,
  ...extra,
});
const lib = (fn: string): Frame => ({
  filename: `node_modules/express/${fn}.js`,
  function: fn,
  lineno: 1,
  in_app: false,
});

/** Oldest first, as SDKs send them: the crashing frame is last. */
const stack: Frame[] = [
  lib('runMain'),
  lib('loader'),
  lib('router'),
  app('handleRequest'),
  lib('next'),
  app('findUser'),
];

describe('foldFrames', () => {
  it('puts the innermost frame first and keeps original indexes as keys', () => {
    const groups = foldFrames(stack);
    expect(groups[0]).toMatchObject({ kind: 'frame', index: 5, frame: { function: 'findUser' } });
  });

  it('folds runs of library frames and leaves a lone one in place', () => {
    const groups = foldFrames(stack);
    expect(
      groups.map((g) => (g.kind === 'frame' ? g.frame.function : `[${g.frames.length} library]`)),
    ).toEqual(['findUser', 'next', 'handleRequest', '[3 library]']);
    const run = groups[3];
    expect(run?.kind === 'library' && run.frames.map((f) => f.frame.function)).toEqual([
      'router',
      'loader',
      'runMain',
    ]);
  });

  it('expands the innermost in-app frame only, as Sentry does', () => {
    const expanded = (frames: Frame[]) =>
      foldFrames(frames).flatMap((g) => (g.kind === 'frame' && g.expanded ? [g.frame.function] : []));
    expect(expanded(stack)).toEqual(['findUser']);
    expect(expanded([app('main'), app('load'), lib('JSON.parse')])).toEqual(['load']);
  });

  it('always shows the crashing frame, even from a library', () => {
    const groups = foldFrames([app('main'), lib('a'), lib('b'), lib('JSON.parse')]);
    expect(groups[0]).toMatchObject({ kind: 'frame', frame: { function: 'JSON.parse' }, expanded: false });
    expect(groups[1]).toMatchObject({ kind: 'library' });
    expect(groups[2]).toMatchObject({ kind: 'frame', frame: { function: 'main' }, expanded: true });
  });

  it('folds nothing when no frame is in-app, and expands the crashing one', () => {
    const groups = foldFrames([lib('a'), lib('b'), lib('c')]);
    expect(groups.every((g) => g.kind === 'frame')).toBe(true);
    expect(groups.map((g) => g.kind === 'frame' && g.expanded)).toEqual([true, false, false]);
  });

  it('handles an empty stack', () => {
    expect(foldFrames([])).toEqual([]);
  });
});

describe('contextLines', () => {
  it('numbers pre-context, the error line and post-context around lineno', () => {
    const lines = contextLines(
      app('f', { lineno: 12, pre_context: ['a', 'b'], context_line: 'boom()', post_context: ['c'] }),
    );
    expect(lines).toEqual([
      { lineNo: 10, text: 'a', isError: false },
      { lineNo: 11, text: 'b', isError: false },
      { lineNo: 12, text: 'boom()', isError: true },
      { lineNo: 13, text: 'c', isError: false },
    ]);
  });

  it('is empty without a context line, and unnumbered without lineno', () => {
    expect(contextLines(app('f'))).toEqual([]);
    expect(contextLines({ context_line: 'x', pre_context: ['w'] })).toEqual([
      { lineNo: null, text: 'w', isError: false },
      { lineNo: null, text: 'x', isError: true },
    ]);
  });
});

describe('frame labels', () => {
  it('prefers filename, then module', () => {
    expect(frameFile({ filename: 'a.js', module: 'm' })).toBe('a.js');
    expect(frameFile({ module: 'com.example.Foo' })).toBe('com.example.Foo');
    expect(frameFile({})).toBe('<unknown>');
  });
  it('formats line and column', () => {
    expect(frameLine({ lineno: 3, colno: 9 })).toBe('3:9');
    expect(frameLine({ lineno: 3 })).toBe('3');
    expect(frameLine({})).toBe('');
  });
});

describe('orderExceptions', () => {
  it('shows the primary (last sent) exception first, then its causes', () => {
    const order = orderExceptions([{ type: 'SyntaxError' }, { type: 'ConfigError' }, { type: 'BootError' }]);
    expect(order.map((e) => e.type)).toEqual(['BootError', 'ConfigError', 'SyntaxError']);
  });
});

describe('<StackTrace>', () => {
  const frames: Frame[] = [
    lib('a'),
    lib('b'),
    app('findUser', {
      lineno: 42,
      pre_context: ['function findUser(id) {'],
      context_line: '  throw new Error(`User ${id} not found`);',
      post_context: ['}'],
      vars: { id: 7, name: 'jane' },
    }),
  ];

  it('marks the error line with its number in the expanded in-app frame', () => {
    const html = renderToStaticMarkup(<StackTrace frames={frames} />);
    const errorLine = tagWith('div', 'class="ctx-line ctx-error"', 'aria-current="true"').source;
    expect(html).toMatch(new RegExp(`${errorLine}<span class="ctx-no">42</span>`));
    expect(html).toContain('<span class="ctx-no">41</span>');
    expect(html).toContain('<span class="ctx-no">43</span>');
    expect(html).toContain('aria-expanded="true"');
  });

  it('shows frame variables as a key/value table', () => {
    const html = renderToStaticMarkup(<StackTrace frames={frames} />);
    expect(html).toContain('<th scope="row">id</th><td><code>7</code></td>');
    expect(html).toContain('<code>&quot;jane&quot;</code>');
  });

  it('collapses the library frames behind one toggle', () => {
    const html = renderToStaticMarkup(<StackTrace frames={frames} />);
    expect(html).toContain('Show 2 library frames');
    expect(html).not.toContain('express/a.js');
  });

  it('escapes event strings instead of rendering them as HTML', () => {
    const evil = '<script>alert(1)</script>';
    const html = renderToStaticMarkup(
      <ExceptionChain
        values={[
          {
            type: '<img src=x onerror=alert(1)>',
            value: evil,
            stacktrace: { frames: [app(evil, { context_line: evil, filename: evil })] },
          },
        ]}
      />,
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toMatch(escapedText(evil));
    expect(html).toMatch(escapedText('<img src=x onerror=alert(1)>'));
  });

  it('labels chained exceptions "Caused by" in display order', () => {
    const html = renderToStaticMarkup(
      <ExceptionChain
        values={[
          { type: 'SyntaxError', value: 'bad json' },
          {
            type: 'Error',
            value: 'Config could not be loaded',
            mechanism: { handled: false, type: 'generic' },
          },
        ]}
      />,
    );
    expect(html.indexOf('Config could not be loaded')).toBeLessThan(html.indexOf('Caused by'));
    expect(html.indexOf('Caused by')).toBeLessThan(html.indexOf('bad json'));
    expect(html).toContain('unhandled');
  });

  it('says so when there is no stack', () => {
    expect(renderToStaticMarkup(<StackTrace frames={[]} />)).toContain('No stack trace');
  });
});
