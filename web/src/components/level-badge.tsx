/** An event or issue level as a coloured dot (dense lists) or a labelled tag (headers). */
import './event-view.css';

const LEVELS = new Set(['fatal', 'error', 'warning', 'info', 'debug']);

/** Unknown levels (SDKs send "log", "critical"…) are drawn as errors but keep their own name. */
export function levelClass(level: string): string {
  return LEVELS.has(level) ? level : 'error';
}

export function LevelBadge({ level, variant = 'dot' }: { level: string; variant?: 'dot' | 'tag' }) {
  const cls = levelClass(level);
  if (variant === 'tag') return <span className={`level-tag level-tag-${cls}`}>{level}</span>;
  return <span className={`level level-${cls}`} role="img" aria-label={`Level: ${level}`} title={level} />;
}
