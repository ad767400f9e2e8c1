/**
 * "How do I send errors here?" for each SDK, with the project's real DSN filled in. The code
 * follows each SDK's current setup guide (docs.sentry.io/platforms/…): @sentry/node 8+ wants
 * `Sentry.init` in its own file loaded with `--import`; sentry-go needs `Flush` before exit or the
 * last events are lost; Rails reads `config/initializers/sentry.rb`.
 */
import { useId, useState, type KeyboardEvent } from 'react';
import { CodeBlock } from './code-block';

export interface Snippet {
  id: string;
  label: string;
  language: string;
  code: string;
  /** Shell command that installs the SDK, when there is one. */
  install?: string;
  /** Where the code goes, shown as the code block's label. */
  file?: string;
}

export interface DsnParts {
  publicKey: string;
  projectId: string;
  /** Scheme, host and any path prefix: what `/api/<id>/envelope/` hangs off. */
  baseUrl: string;
  envelopeUrl: string;
}

/** Splits `<scheme>://<key>@<host>[/prefix]/<project id>` (develop.sentry.dev "Authentication"). */
export function parseDsn(dsn: string): DsnParts {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    return { publicKey: '<key>', projectId: '<project id>', baseUrl: '<snag url>', envelopeUrl: dsn };
  }
  const parts = url.pathname.split('/').filter(Boolean);
  const projectId = parts.pop() ?? '';
  const prefix = parts.length ? `/${parts.join('/')}` : '';
  const baseUrl = `${url.protocol}//${url.host}${prefix}`;
  const publicKey = decodeURIComponent(url.username);
  return {
    publicKey,
    projectId,
    baseUrl,
    envelopeUrl: `${baseUrl}/api/${projectId}/envelope/?sentry_key=${publicKey}`,
  };
}

export function snippetsFor(dsn: string): Snippet[] {
  const { envelopeUrl } = parseDsn(dsn);
  return [
    {
      id: 'node',
      label: 'Node.js',
      language: 'javascript',
      install: 'npm install @sentry/node',
      file: 'instrument.mjs — load it first: node --import ./instrument.mjs app.mjs',
      code: `import * as Sentry from '@sentry/node';

Sentry.init({
  dsn: '${dsn}',
  // environment: 'production',
  // release: 'my-app@1.0.0',
});

// Uncaught errors are reported on their own; to send one by hand:
// Sentry.captureException(new Error('Hello from Node'));
`,
    },
    {
      id: 'browser',
      label: 'Browser',
      language: 'javascript',
      install: 'npm install @sentry/browser',
      file: 'main.js — run it before the rest of your app',
      code: `import * as Sentry from '@sentry/browser';

Sentry.init({
  dsn: '${dsn}',
  // release: 'my-app@1.0.0',
});

// Uncaught errors and unhandled rejections are reported on their own; to send one by hand:
// Sentry.captureException(new Error('Hello from the browser'));
`,
    },
    {
      id: 'python',
      label: 'Python',
      language: 'python',
      install: 'pip install --upgrade sentry-sdk',
      file: 'at the start of your program',
      code: `import sentry_sdk

sentry_sdk.init(
    dsn="${dsn}",
    # environment="production",
    # release="my-app@1.0.0",
)

# Uncaught exceptions are reported on their own; to try it:
# division_by_zero = 1 / 0
`,
    },
    {
      id: 'rails',
      label: 'Ruby / Rails',
      language: 'ruby',
      install: 'bundle add sentry-ruby sentry-rails',
      file: 'config/initializers/sentry.rb',
      code: `Sentry.init do |config|
  config.dsn = "${dsn}"
  config.breadcrumbs_logger = [:active_support_logger, :http_logger]
  # config.environment = "production"
  # config.release = "my-app@1.0.0"
end

# Outside Rails (gem "sentry-ruby" only), require "sentry-ruby" first;
# to try it: Sentry.capture_message("Hello from Ruby")
`,
    },
    {
      id: 'go',
      label: 'Go',
      language: 'go',
      install: 'go get github.com/getsentry/sentry-go@latest',
      file: 'main.go',
      code: `package main

import (
	"errors"
	"log"
	"time"

	"github.com/getsentry/sentry-go"
)

func main() {
	err := sentry.Init(sentry.ClientOptions{
		Dsn: "${dsn}",
		// Environment: "production",
		// Release:     "my-app@1.0.0",
	})
	if err != nil {
		log.Fatalf("sentry.Init: %s", err)
	}
	// Events are sent in the background: wait for them before the program exits.
	defer sentry.Flush(2 * time.Second)

	sentry.CaptureException(errors.New("hello from Go"))
}
`,
    },
    {
      id: 'curl',
      label: 'curl',
      language: 'shell',
      file: 'Any shell: an envelope with one error event',
      code: `# DSN ${dsn}
curl -sS -X POST '${envelopeUrl}' \\
  -H 'Content-Type: application/x-sentry-envelope' \\
  --data-binary @- <<'EOF'
{}
{"type":"event"}
{"level":"error","platform":"other","exception":{"values":[{"type":"Error","value":"Hello from curl"}]}}
EOF
`,
    },
  ];
}

/**
 * One-shot scripts for the first-run page: each sends an error as soon as it runs, so a new user
 * sees the overview come alive. (The setup snippets above are what goes into a real app.)
 */
export function firstErrorSnippetsFor(dsn: string): Snippet[] {
  const curl = snippetsFor(dsn).find((s) => s.id === 'curl')!;
  return [
    {
      id: 'node',
      label: '@sentry/node',
      language: 'javascript',
      install: 'npm install @sentry/node',
      file: 'first-error.mjs — run it with: node first-error.mjs',
      code: `import * as Sentry from '@sentry/node';

Sentry.init({ dsn: '${dsn}' });

try {
  JSON.parse('{ not json');
} catch (err) {
  Sentry.captureException(err);
}

// Events are sent in the background: wait for them before the script exits.
await Sentry.flush(2000);
`,
    },
    {
      id: 'python',
      label: 'Python (sentry-sdk)',
      language: 'python',
      install: 'pip install --upgrade sentry-sdk',
      file: 'first_error.py — run it with: python first_error.py',
      code: `import sentry_sdk

sentry_sdk.init(dsn="${dsn}")

try:
    1 / 0
except ZeroDivisionError as err:
    sentry_sdk.capture_exception(err)

sentry_sdk.flush()
`,
    },
    curl,
  ];
}

/**
 * Tabs over `snippetsFor(dsn)` following the WAI-ARIA tabs pattern: arrow keys, Home and End move
 * between tabs and select them; only the selected tab is in the Tab order.
 */
export function SdkSnippets({
  dsn,
  only,
  label = 'SDK setup',
  variant = 'setup',
}: {
  dsn: string;
  /** Snippet ids to show, e.g. ['node', 'python', 'curl']. */
  only?: string[];
  label?: string;
  /** `setup` goes into an app; `first-error` is a script that sends one error right away. */
  variant?: 'setup' | 'first-error';
}) {
  const all = variant === 'first-error' ? firstErrorSnippetsFor(dsn) : snippetsFor(dsn);
  const snippets = only ? all.filter((s) => only.includes(s.id)) : all;
  const [selectedId, setSelectedId] = useState(snippets[0]?.id);
  const base = useId();
  const selected = snippets.find((s) => s.id === selectedId) ?? snippets[0];
  if (!selected) return null;

  const tabId = (id: string) => `${base}-tab-${id}`;
  const panelId = `${base}-panel`;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = snippets.indexOf(selected);
    const next =
      e.key === 'ArrowRight'
        ? snippets[(i + 1) % snippets.length]
        : e.key === 'ArrowLeft'
          ? snippets[(i - 1 + snippets.length) % snippets.length]
          : e.key === 'Home'
            ? snippets[0]
            : e.key === 'End'
              ? snippets[snippets.length - 1]
              : undefined;
    if (!next) return;
    e.preventDefault();
    setSelectedId(next.id);
    document.getElementById(tabId(next.id))?.focus();
  };

  return (
    <div className="sdk-snippets">
      <div className="tabs" role="tablist" aria-label={label} onKeyDown={onKeyDown}>
        {snippets.map((s) => (
          <button
            key={s.id}
            type="button"
            role="tab"
            id={tabId(s.id)}
            aria-selected={s === selected}
            aria-controls={panelId}
            tabIndex={s === selected ? 0 : -1}
            className="tab"
            onClick={() => setSelectedId(s.id)}
          >
            {s.label}
          </button>
        ))}
      </div>
      <div className="sdk-snippets-panel" role="tabpanel" id={panelId} aria-labelledby={tabId(selected.id)}>
        {selected.install && <CodeBlock code={selected.install} label="Install" language="shell" />}
        <CodeBlock code={selected.code} label={selected.file ?? 'Configure'} language={selected.language} />
      </div>
    </div>
  );
}
