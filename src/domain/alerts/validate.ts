/** Checks API input for channels and rules; every refusal says which field and what to send. */
import { badRequest } from '../../errors.js';
import {
  ALERT_TRIGGERS,
  CHANNEL_TYPES,
  LEVELS,
  type AlertTrigger,
  type ChannelConfig,
  type ChannelType,
} from './types.js';

type Body = Record<string, unknown>;

/** Longest cooldown a rule may have (a week): longer is "mute", which is what disabling is for. */
export const MAX_COOLDOWN_MINUTES = 7 * 24 * 60;
export const DEFAULT_COOLDOWN_MINUTES = 60;
const MAX_NAME_CHARS = 100;
/** A webhook secret shorter than this could be guessed offline from one signed request. */
export const MIN_WEBHOOK_SECRET_CHARS = 16;
const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;

export function requireName(v: unknown, field = 'name'): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > MAX_NAME_CHARS) {
    throw badRequest(`${field} must be a non-empty string of at most ${MAX_NAME_CHARS} characters.`);
  }
  return v.trim();
}

export function requireHttpUrl(v: unknown, field: string): string {
  if (typeof v === 'string') {
    try {
      const u = new URL(v.trim());
      if (u.protocol === 'http:' || u.protocol === 'https:') return u.toString();
    } catch {
      // fall through to the refusal
    }
  }
  throw badRequest(`${field} must be an http(s) URL.`);
}

export function parseEmails(v: unknown, field: string): string[] {
  const list = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : v == null ? [] : null;
  if (list === null) throw badRequest(`${field} must be a list of email addresses.`);
  const out = list.map((x) => (typeof x === 'string' ? x.trim() : '')).filter(Boolean);
  const bad = out.find((x) => !EMAIL.test(x));
  if (bad !== undefined) throw badRequest(`${field}: ${JSON.stringify(bad)} is not an email address.`);
  return [...new Set(out)];
}

export function parseChannelType(v: unknown): ChannelType {
  if (!(CHANNEL_TYPES as readonly unknown[]).includes(v)) {
    throw badRequest(`type must be one of ${CHANNEL_TYPES.join(', ')}.`);
  }
  return v as ChannelType;
}

/** The type's settings from `config`, with `keep` (the stored config) filling omitted secrets. */
export function parseChannelConfig(
  type: ChannelType,
  config: Body,
  keep?: Record<string, unknown>,
): ChannelConfig {
  const secret = (field: string) => {
    const v = config[field];
    return v === undefined || v === null || v === '' || (typeof v === 'string' && v.includes('••'))
      ? keep?.[field]
      : v;
  };
  switch (type) {
    case 'email': {
      const to = parseEmails(config['to'], 'config.to');
      if (to.length === 0) throw badRequest('config.to must list at least one email address.');
      return { type, config: { to } };
    }
    case 'ntfy': {
      const url = requireHttpUrl(secret('url'), 'config.url');
      if (new URL(url).pathname.split('/').filter(Boolean).length === 0) {
        throw badRequest('config.url must name a topic, e.g. https://ntfy.sh/my-alerts.');
      }
      const rawToken = secret('token');
      if (rawToken !== undefined && rawToken !== null && typeof rawToken !== 'string') {
        throw badRequest('config.token must be a string.');
      }
      const token = typeof rawToken === 'string' && rawToken !== '' ? rawToken : undefined;
      const p = config['priority'];
      if (
        p !== undefined &&
        p !== null &&
        !(Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 5)
      ) {
        throw badRequest('config.priority must be a whole number from 1 (min) to 5 (max).');
      }
      return { type, config: { url, token, priority: (p as number | null | undefined) ?? undefined } };
    }
    case 'slack':
    case 'discord':
      return { type, config: { url: requireHttpUrl(secret('url'), 'config.url') } };
    case 'webhook': {
      const s = secret('secret');
      if (typeof s !== 'string' || s.length < MIN_WEBHOOK_SECRET_CHARS) {
        throw badRequest(
          `config.secret must be at least ${MIN_WEBHOOK_SECRET_CHARS} characters (e.g. \`openssl rand -hex 32\`): it signs every request.`,
        );
      }
      return { type, config: { url: requireHttpUrl(config['url'], 'config.url'), secret: s } };
    }
  }
}

export function parseTrigger(v: unknown): AlertTrigger {
  if (!(ALERT_TRIGGERS as readonly unknown[]).includes(v)) {
    throw badRequest(`trigger must be one of ${ALERT_TRIGGERS.join(', ')}.`);
  }
  return v as AlertTrigger;
}

export function optionalText(v: unknown, field: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || v.length > 500)
    throw badRequest(`${field} must be a string (or null for any).`);
  return v.trim();
}

export function optionalLevel(v: unknown): (typeof LEVELS)[number] | null {
  if (v === undefined || v === null || v === '') return null;
  if (!(LEVELS as readonly unknown[]).includes(v))
    throw badRequest(`min_level must be one of ${LEVELS.join(', ')}.`);
  return v as (typeof LEVELS)[number];
}

export function optionalNumber(
  v: unknown,
  field: string,
  min: number,
  max: number,
  integer = false,
): number | null {
  if (v === undefined || v === null || v === '') return null;
  const n = typeof v === 'string' ? Number(v) : v;
  if (
    typeof n !== 'number' ||
    !Number.isFinite(n) ||
    n < min ||
    n > max ||
    (integer && !Number.isInteger(n))
  ) {
    throw badRequest(`${field} must be a ${integer ? 'whole ' : ''}number from ${min} to ${max}.`);
  }
  return n;
}

/** What each trigger's `threshold` means, and its bounds. */
export const THRESHOLDS: Partial<
  Record<AlertTrigger, { what: string; min: number; max: number; required: boolean }>
> = {
  burst: { what: 'events per hour', min: 1, max: 1e9, required: true },
  spike: {
    what: 'z-score (standard deviations above the hourly baseline)',
    min: 0.5,
    max: 1000,
    required: false,
  },
  endpoint_p95: { what: 'p95 in milliseconds', min: 1, max: 3_600_000, required: true },
  endpoint_error_rate: { what: 'share of failed transactions, 0–1', min: 0.0001, max: 1, required: true },
};

export function parseThreshold(trigger: AlertTrigger, v: unknown): number | null {
  const spec = THRESHOLDS[trigger];
  if (!spec) return null;
  const n = optionalNumber(v, 'threshold', spec.min, spec.max);
  if (n === null && spec.required) throw badRequest(`A ${trigger} rule needs threshold (${spec.what}).`);
  return n;
}
