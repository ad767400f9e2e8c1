/**
 * Copies text and says so. The async Clipboard API exists only in secure contexts, and Snag is
 * often reached over plain http on a LAN, so a hidden-textarea `execCommand('copy')` is the
 * fallback (deprecated, still supported by every browser we target).
 */
import { useEffect, useRef, useState } from 'react';

const COPIED_FEEDBACK_MS = 1500;

function copyWithTextarea(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand('copy');
  } finally {
    area.remove();
  }
}

export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Permission refused or document not focused: try the fallback.
  }
  return copyWithTextarea(text);
}

export function CopyButton({
  text,
  label = 'Copy',
  className,
  'aria-label': ariaLabel,
}: {
  text: string;
  label?: string;
  className?: string;
  'aria-label'?: string;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = () => {
    void copyText(text).then((ok) => {
      setState(ok ? 'copied' : 'failed');
      clearTimeout(timer.current);
      timer.current = setTimeout(() => setState('idle'), COPIED_FEEDBACK_MS);
    });
  };
  return (
    <>
      <button
        type="button"
        className={['copy-button', className].filter(Boolean).join(' ')}
        data-state={state}
        onClick={copy}
        aria-label={ariaLabel}
      >
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
      </button>
      <span className="visually-hidden" role="status">
        {state === 'copied'
          ? 'Copied to clipboard'
          : state === 'failed'
            ? 'Copy failed: select the text and copy it by hand'
            : ''}
      </span>
    </>
  );
}
