/** Preformatted text (never HTML): snippets, raw JSON, request bodies. */
import { CopyButton } from './copy-button';

export function CodeBlock({
  code,
  label,
  copy = true,
  language,
  wrap = false,
}: {
  code: string;
  label?: string;
  copy?: boolean;
  /** Recorded as `data-language`; there is no highlighter (it would cost more than it shows). */
  language?: string;
  /** Wrap long lines instead of scrolling sideways (JSON bodies, messages). */
  wrap?: boolean;
}) {
  return (
    <div className={wrap ? 'code-block code-block-wrap' : 'code-block'} data-language={language}>
      {(label || copy) && (
        <div className="code-block-bar">
          <span className="code-block-label">{label}</span>
          {copy && <CopyButton text={code} aria-label={label ? `Copy ${label}` : 'Copy code'} />}
        </div>
      )}
      <pre tabIndex={0} aria-label={label}>
        <code>{code}</code>
      </pre>
    </div>
  );
}
