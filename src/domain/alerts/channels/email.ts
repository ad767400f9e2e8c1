/**
 * Email over SMTP with nodemailer. One transport per process (it pools nothing by default: a
 * connection per message, which suits a few alerts an hour and never holds a socket open).
 */
import type { Transporter } from 'nodemailer';
import type { AlertMessage } from '../types.js';
import { DeliveryError } from './post-json.js';
import { factLines, renderText } from './text.js';

export interface SmtpSettings {
  host: string;
  port: number;
  /** true: TLS from the first byte (port 465); false: plain, upgraded by STARTTLS when offered. */
  secure: boolean;
  user: string | undefined;
  password: string | undefined;
  from: string;
}

/** Connect, greeting and idle-socket limit: a dead SMTP server fails the attempt, which is retried. */
const SMTP_TIMEOUT_MS = 10_000;

/**
 * nodemailer is imported at the first message: ~3 MiB of heap the HTTP thread would otherwise
 * carry in every Snag, with or without SMTP alerts (issue 9: idle RSS).
 */
export function createMailer(smtp: SmtpSettings) {
  let transport: Promise<Transporter> | undefined;
  const openTransport = async (): Promise<Transporter> =>
    (await import('nodemailer')).default.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    });
  return {
    async send(m: AlertMessage, to: string[]): Promise<void> {
      if (to.length === 0)
        throw new DeliveryError('No recipients: add addresses to the channel or the rule.');
      let info: { accepted: unknown[]; rejected: unknown[] };
      try {
        info = (await (
          await (transport ??= openTransport())
        ).sendMail({
          from: smtp.from,
          to,
          subject: `[Snag] ${m.title}`,
          text: renderText(m),
          html: renderHtml(m),
        })) as typeof info;
      } catch (err) {
        throw new DeliveryError(
          `SMTP ${smtp.host}:${smtp.port}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      if (info.accepted.length === 0) {
        throw new DeliveryError(`SMTP ${smtp.host}:${smtp.port} accepted no recipient (${to.join(', ')}).`);
      }
    },
    close: () => void transport?.then((t) => t.close()),
  };
}

export type Mailer = ReturnType<typeof createMailer>;

export function renderHtml(m: AlertMessage): string {
  const rows = factLines(m)
    .map(
      ([k, v]) => `<tr><th align="left" style="padding:2px 12px 2px 0">${esc(k)}</th><td>${esc(v)}</td></tr>`,
    )
    .join('');
  return [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;font-size:14px">',
    `<h2 style="font-size:16px;margin:0 0 8px">${esc(m.title)}</h2>`,
    `<p style="white-space:pre-line;margin:0 0 12px">${esc(m.summary)}</p>`,
    `<table style="border-collapse:collapse;margin:0 0 12px">${rows}</table>`,
    `<p><a href="${esc(m.url)}">Open in Snag</a></p>`,
    '</body></html>',
  ].join('');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
