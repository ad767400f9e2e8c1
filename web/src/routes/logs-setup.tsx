/** How to send logs, with the project's DSN filled in: what an empty logs page shows. */
import { CodeBlock } from '../components/code-block';

/** The OTLP endpoint and header for a DSN (`http://<key>@host/<id>`): Snag reads the key as a bearer token. */
export function otlpSettings(dsn: string): { endpoint: string; headers: string } | null {
  try {
    const url = new URL(dsn);
    return { endpoint: `${url.origin}/v1/logs`, headers: `Authorization=Bearer ${url.username}` };
  } catch {
    return null;
  }
}

export function LogsSetup({ dsn }: { dsn: string }) {
  const node = `import * as Sentry from '@sentry/node';

Sentry.init({ dsn: '${dsn}', enableLogs: true });

Sentry.logger.info('Order created', { orderId: 'o-9', total: 129.99 });`;
  const python = `import sentry_sdk
from sentry_sdk import logger

sentry_sdk.init(dsn="${dsn}", enable_logs=True)

logger.info("Order {order_id} created", order_id="o-9")`;
  const otlp = otlpSettings(dsn);
  return (
    <div className="logs-setup">
      <CodeBlock code={node} label="Node.js (@sentry/node 9.41+)" language="javascript" wrap />
      <CodeBlock code={python} label="Python (sentry-sdk 2.35+)" language="python" wrap />
      {otlp && (
        <CodeBlock
          code={`OTEL_EXPORTER_OTLP_LOGS_ENDPOINT=${otlp.endpoint}\nOTEL_EXPORTER_OTLP_LOGS_HEADERS=${otlp.headers}`}
          label="OpenTelemetry exporter or Collector (OTLP/HTTP, protobuf or JSON)"
          language="shell"
          wrap
        />
      )}
    </div>
  );
}
