/** The plain-text parts every channel shows: labelled facts, and the message as text. */
import type { AlertMessage } from '../types.js';

/** Label/value pairs present in the message, in display order. */
export function factLines(m: AlertMessage): [string, string][] {
  const lines: [string, string][] = [];
  if (m.project) lines.push(['Project', m.project.name]);
  if (m.environment) lines.push(['Environment', m.environment]);
  if (m.release) lines.push(['Release', m.release]);
  if (m.issue) {
    lines.push(['Events', String(m.issue.count)]);
    if (m.issue.users > 0) lines.push(['Users', String(m.issue.users)]);
    lines.push(['Level', m.issue.level]);
    if (m.issue.culprit) lines.push(['Culprit', m.issue.culprit]);
  }
  if (m.endpoint) lines.push(['Endpoint', m.endpoint]);
  if (m.suppressed > 0) lines.push(['Held back by cooldown', String(m.suppressed)]);
  return lines;
}

export function renderText(m: AlertMessage): string {
  return [m.title, '', m.summary, '', ...factLines(m).map(([k, v]) => `${k}: ${v}`), '', m.url].join('\n');
}
