/**
 * Settings: links to the per-project settings, and "MCP / AI agents": the endpoint, how calls are
 * authenticated, how to mint a token, and each client's setup ready to paste, built by the server
 * with its own public URL (GET /api/v1/settings/mcp; the token itself is never sent).
 */
import { useResource, type McpSettings } from '../api/client';
import { CodeBlock } from '../components/code-block';
import { CopyButton } from '../components/copy-button';
import { LoadError } from '../components/empty-state';
import { RelativeTime } from '../components/relative-time';
import { Link } from '../router';
import './settings.css';
import { AccountSection } from './settings-account';
import { TokensSection } from './settings-tokens'; // API tokens + MCP OAuth clients (issue 7, H2)
import { StorageSection } from './settings-storage'; // Retention, storage, queue, audit (issue 8, H5)
import { AlertsSection } from './settings-alerts'; // Alerts: channels, rules, deliveries (issue 8, H3)

export const MCP_SETTINGS_PATH = '/api/v1/settings/mcp';

function McpSection({ settings }: { settings: McpSettings }) {
  const { url, env_token_configured: envToken, tokens, setups } = settings;
  const oauthNote = settings.oauth.available
    ? ''
    : ` (not possible on this Snag: ${settings.oauth.note ?? ''})`;
  return (
    <section className="card settings-page-section" aria-labelledby="mcp-title">
      <h2 id="mcp-title">MCP / AI agents</h2>
      <p className="muted">
        Coding agents (Claude Code, Cursor, VS Code, Claude Desktop) connect to Snag over the Model Context
        Protocol to triage issues, read stack traces and traces, find slow endpoints and N+1 queries, and
        resolve what they fixed. Clients that support OAuth sign in by themselves: add the endpoint and
        approve them on the page they open{oauthNote}. Others send a bearer token.
      </p>
      <div className="dsn-field">
        <span className="dsn-field-label">Endpoint</span>
        <code>{url}</code>
        <CopyButton text={url} aria-label="Copy the MCP endpoint" />
      </div>

      <h3>1. Create a token (clients without OAuth)</h3>
      <p className="muted">
        On the machine running Snag (tokens are shown once and stored hashed; revoke one with{' '}
        <code>npx snag token revoke &lt;name&gt;</code>):
      </p>
      <CodeBlock code="npx snag token create --name claude-code" label="Shell" language="sh" />
      <p className="muted">
        {envToken
          ? 'SNAG_MCP_TOKEN is also set on this server: clients may send it instead.'
          : 'Alternatively, set SNAG_MCP_TOKEN on the server (at least 32 characters) and send that.'}{' '}
        {tokens.length === 0 ? (
          'No token has been created yet.'
        ) : (
          <>
            Active tokens:{' '}
            {tokens.map((t, i) => (
              <span key={t.id}>
                {i > 0 && ', '}
                <strong>{t.name}</strong> (last used{' '}
                {t.last_used_at ? <RelativeTime iso={t.last_used_at} /> : 'never'})
              </span>
            ))}
            .
          </>
        )}
      </p>

      <h3>2. Add Snag to your client</h3>
      <p className="muted">
        Replace <code>&lt;token&gt;</code> with the token. Details and every tool: docs/mcp.md.
      </p>
      <div className="settings-page-setups">
        {setups.map((s) => (
          <CodeBlock key={s.client} code={s.text} label={`${s.client}: ${s.where}`} language={s.language} />
        ))}
      </div>
    </section>
  );
}

export function SettingsPage() {
  const { data, error, reload } = useResource<McpSettings>(MCP_SETTINGS_PATH);
  return (
    <>
      <div className="page-header">
        <h1 className="page-title">Settings</h1>
      </div>
      <div className="settings-page">
        <AccountSection />
        <section className="card settings-page-section" aria-labelledby="projects-title">
          <h2 id="projects-title">Projects</h2>
          <p className="muted">
            DSNs, key rotation and SDK setup for each project: <Link href="/settings/projects">Projects</Link>
            .
          </p>
        </section>
        <TokensSection />
        {data ? (
          <McpSection settings={data} />
        ) : error ? (
          <LoadError title="Could not load the MCP settings" error={error} retry={reload} />
        ) : (
          <div aria-busy="true" />
        )}
        <AlertsSection />
        <StorageSection />
      </div>
    </>
  );
}
