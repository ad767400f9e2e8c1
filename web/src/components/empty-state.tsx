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
