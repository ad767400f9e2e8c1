/**
 * Single-key shortcuts (j/k, r, i, /…) as in Sentry and Gmail. Keys typed into a field, or held
 * with a modifier (browser and OS shortcuts), never trigger them.
 */
import { useEffect, useLayoutEffect, useRef } from 'react';

export type KeyBindings = Partial<Record<string, (event: KeyboardEvent) => void>>;

/** True when the keystroke belongs to what the user is typing into. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  return el.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]') !== null;
}

/** Enter on a focused button or link activates it; the shortcut must not fire as well. */
function isActivatable(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  return (target as Element).closest('a[href], button, summary, [role="button"]') !== null;
}

/** The binding a keydown should run, or undefined. Pure, so the rules above are testable. */
export function bindingFor(
  bindings: KeyBindings,
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'defaultPrevented' | 'target'>,
): ((event: KeyboardEvent) => void) | undefined {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return undefined;
  if (isTypingTarget(event.target)) return undefined;
  if (event.key === 'Enter' && isActivatable(event.target)) return undefined;
  return bindings[event.key];
}

/** Installs `bindings` on the document while mounted; the latest bindings are always used. */
export function useKeyboard(bindings: KeyBindings, enabled = true): void {
  const ref = useRef(bindings);
  // A layout effect, not an effect: Preact runs effects after the next frame, so a key pressed just
  // after a render (j, j in quick succession) ran the previous render's bindings and moved from
  // the old focus (the e2e keyboard test caught it).
  useLayoutEffect(() => {
    ref.current = bindings;
  });
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => {
      const run = bindingFor(ref.current, event);
      if (!run) return;
      event.preventDefault();
      run(event);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enabled]);
}
