/**
 * Exceptions and their stack traces, displayed as Sentry does: the primary exception first, then
 * each "caused by"; frames innermost (crashing) first, in-app frames highlighted and expanded to
 * their context lines, runs of library frames folded behind one toggle. Every string here is event
 * data and reaches the page as React text, never as HTML.
 */
import { useState } from 'react';
import type { ExceptionValue, Frame } from '../api/client';
import './event-view.css';

export type FrameGroup =
  /** `index` is the frame's position in the SDK's (oldest-first) list: a stable key. */
  | { kind: 'frame'; frame: Frame; index: number; expanded: boolean }
  | { kind: 'library'; frames: { frame: Frame; index: number }[] };

/** Library runs shorter than this are shown as they are: a toggle hiding one frame saves nothing. */
const MIN_FOLDED_FRAMES = 2;

/**
 * Display groups for a stack, innermost frame first. Consecutive non-in-app frames fold into one
 * group, except the crashing frame, which is always shown. The innermost in-app frame is expanded
 * to its source, as in Sentry: it is where the bug usually is, and expanding every in-app frame
 * pushed the breadcrumbs off the first screens. With no in-app frame at all nothing is folded
 * (there would be nothing left to read) and the crashing frame is the one expanded.
 */
export function foldFrames(frames: Frame[]): FrameGroup[] {
  const ordered = frames.map((frame, index) => ({ frame, index })).reverse();
  const anyInApp = ordered.some((f) => f.frame.in_app === true);
  const expand = anyInApp ? ordered.find((f) => f.frame.in_app === true)!.index : ordered[0]?.index;
  const groups: FrameGroup[] = [];
  let run: { frame: Frame; index: number }[] = [];
  const flush = () => {
    if (run.length >= MIN_FOLDED_FRAMES) groups.push({ kind: 'library', frames: run });
    else for (const f of run) groups.push({ kind: 'frame', ...f, expanded: false });
    run = [];
  };
  ordered.forEach((f, position) => {
    if (anyInApp && f.frame.in_app !== true && position > 0) {
      run.push(f);
      return;
    }
    flush();
    groups.push({ kind: 'frame', ...f, expanded: f.index === expand });
  });
  flush();
  return groups;
}

export interface ContextLine {
  /** Null when the SDK sent context without a line number. */
  lineNo: number | null;
  text: string;
  isError: boolean;
}

/** The source around a frame: pre_context, the error line, post_context, numbered. */
export function contextLines(frame: Frame): ContextLine[] {
  if (typeof frame.context_line !== 'string') return [];
  const at = typeof frame.lineno === 'number' ? frame.lineno : null;
  const no = (offset: number) => (at === null ? null : at + offset);
  const pre = frame.pre_context ?? [];
  const post = frame.post_context ?? [];
  return [
    ...pre.map((text, i) => ({ lineNo: no(i - pre.length), text, isError: false })),
    { lineNo: at, text: frame.context_line, isError: true },
    ...post.map((text, i) => ({ lineNo: no(i + 1), text, isError: false })),
  ];
}

/** The file (or module, for platforms without files) a frame is in. */
export function frameFile(frame: Frame): string {
  return frame.filename || frame.module || frame.abs_path || frame.package || '<unknown>';
}

/** "12:7", "12", or "" when the SDK sent no position. */
export function frameLine(frame: Frame): string {
  if (typeof frame.lineno !== 'number') return '';
  return typeof frame.colno === 'number' ? `${frame.lineno}:${frame.colno}` : String(frame.lineno);
}

function hasDetails(frame: Frame): boolean {
  return (
    typeof frame.context_line === 'string' || (frame.vars !== undefined && Object.keys(frame.vars).length > 0)
  );
}

/** Variables as Sentry shows them: strings quoted, everything else as JSON. */
export function formatVar(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function FrameRow({ frame, defaultExpanded }: { frame: Frame; defaultExpanded: boolean }) {
  const expandable = hasDetails(frame);
  const [open, setOpen] = useState(defaultExpanded && expandable);
  const line = frameLine(frame);
  const head = (
    <>
      <span className="frame-file" title={frame.abs_path ?? undefined}>
        {frameFile(frame)}
      </span>
      {frame.function && (
        <>
          <span className="frame-sep"> in </span>
          <span className="frame-fn">{frame.function}</span>
        </>
      )}
      {line && (
        <>
          <span className="frame-sep"> at line </span>
          <span className="frame-line">{line}</span>
        </>
      )}
      {frame.in_app === true && <span className="frame-badge">In app</span>}
    </>
  );
  return (
    <li className={`frame${frame.in_app === true ? ' in-app' : ' library'}${open ? ' open' : ''}`}>
      {expandable ? (
        <button type="button" className="frame-head" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span className="frame-chevron" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          {head}
        </button>
      ) : (
        <div className="frame-head">
          <span className="frame-chevron" aria-hidden="true" />
          {head}
        </div>
      )}
      {open && <FrameDetails frame={frame} />}
    </li>
  );
}

function FrameDetails({ frame }: { frame: Frame }) {
  const lines = contextLines(frame);
  const vars = Object.entries(frame.vars ?? {});
  return (
    <div className="frame-body">
      {lines.length > 0 && (
        <div className="frame-context" role="group" aria-label={`Source of ${frameFile(frame)}`}>
          {lines.map((l, i) => (
            <div
              key={i}
              className={l.isError ? 'ctx-line ctx-error' : 'ctx-line'}
              aria-current={l.isError ? 'true' : undefined}
            >
              <span className="ctx-no">{l.lineNo ?? ''}</span>
              <code className="ctx-text">{l.text === '' ? ' ' : l.text}</code>
            </div>
          ))}
        </div>
      )}
      {vars.length > 0 && (
        <table className="kv-table frame-vars">
          <caption className="visually-hidden">Local variables</caption>
          <tbody>
            {vars.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>
                  <code>{formatVar(v)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function LibraryRun({ frames }: { frames: { frame: Frame; index: number }[] }) {
  const [open, setOpen] = useState(false);
  return (
    <li className="frame-run">
      <button type="button" className="frame-run-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide' : 'Show'} {frames.length} library frames
      </button>
      {open && (
        <ol className="frames nested">
          {frames.map(({ frame, index }) => (
            <FrameRow key={index} frame={frame} defaultExpanded={false} />
          ))}
        </ol>
      )}
    </li>
  );
}

export function StackTrace({ frames }: { frames: Frame[] }) {
  if (frames.length === 0) return <p className="muted">No stack trace was sent with this exception.</p>;
  return (
    <ol className="frames">
      {foldFrames(frames).map((g) =>
        g.kind === 'frame' ? (
          <FrameRow key={g.index} frame={g.frame} defaultExpanded={g.expanded} />
        ) : (
          <LibraryRun key={`run${g.frames[0]!.index}`} frames={g.frames} />
        ),
      )}
    </ol>
  );
}

/** Display order of a chain sent oldest (root cause) to newest (primary): primary first, then its causes. */
export function orderExceptions(values: ExceptionValue[]): ExceptionValue[] {
  return [...values].reverse();
}

/**
 * `message`: the event's message. SDKs that attach a stack to a message event send it as an
 * exception with no type whose value is that message; like Sentry, show just its stack then.
 */
export function ExceptionChain({ values, message }: { values: ExceptionValue[]; message?: string | null }) {
  return (
    <div className="exception-chain">
      {orderExceptions(values).map((exc, i) => (
        <div className="exception" key={i}>
          {i > 0 && <div className="caused-by">Caused by</div>}
          <div className="exception-head">
            {(exc.type || exc.value !== message) && <h4 className="exception-type">{exc.type || 'Error'}</h4>}
            {exc.mechanism && exc.mechanism.synthetic !== true && (
              <span className="exception-mechanism">
                {exc.mechanism.handled === false ? (
                  <span className="chip chip-danger">unhandled</span>
                ) : exc.mechanism.handled === true ? (
                  <span className="chip">handled</span>
                ) : null}
                {exc.mechanism.type && <span className="chip">mechanism: {exc.mechanism.type}</span>}
              </span>
            )}
          </div>
          {exc.value && (exc.type || exc.value !== message) && (
            <pre className="exception-value">{exc.value}</pre>
          )}
          <StackTrace frames={exc.stacktrace?.frames ?? []} />
        </div>
      ))}
    </div>
  );
}
