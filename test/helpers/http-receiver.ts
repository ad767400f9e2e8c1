/**
 * A local HTTP server standing in for ntfy, Slack, Discord or a webhook consumer: it records every
 * request (method, path, headers, raw body) and answers with the statuses it is told to, so a test
 * can make it fail first and recover later.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
  /** What the receiver answered. */
  status: number;
}

export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Statuses for the next requests, in order; after them every request gets `status`. */
  failNext(statuses: number[]): void;
  status: number;
  close(): Promise<void>;
}

export async function startHttpReceiver(options: { status?: number } = {}): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const queued: number[] = [];
  const receiver: HttpReceiver = {
    url: '',
    requests,
    status: options.status ?? 200,
    failNext: (statuses) => queued.push(...statuses),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = undefined;
      try {
        json = JSON.parse(body);
      } catch {
        // not JSON: kept as text
      }
      const status = queued.shift() ?? receiver.status;
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json,
        status,
      });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver failure');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
