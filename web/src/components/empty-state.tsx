import type { ReactNode } from 'react';

/** A titled panel for "nothing here yet", "not found" and "failed to load", with optional actions. */
export function EmptyState({
  title,
  body,
  children,
  actions,
  tone = 'neutral',
}: {
  title: string;
  body?: ReactNode;
  children?: ReactNode;
  actions?: ReactNode;
  tone?: 'neutral' | 'error';
}) {
  return (
    <section
      className={`empty-state card empty-state-${tone}`}
      aria-label={title}
      role={tone === 'error' ? 'alert' : undefined}
    >
      <h2>{title}</h2>
      {body && <div className="muted">{body}</div>}
      {children}
      {actions && <div className="empty-state-actions">{actions}</div>}
    </section>
  );
}

/** The "failed to load" panel every page shows the same way: the server's reason and a retry. */
export function LoadError({ title, error, retry }: { title: string; error: Error; retry: () => void }) {
  return (
    <EmptyState
      tone="error"
      title={title}
      body={error.message}
      actions={
        <button type="button" onClick={retry}>
          Try again
        </button>
      }
    />
  );
}
