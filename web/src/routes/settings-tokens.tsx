/**
 * Settings → API tokens and MCP clients (issue 7): tokens for scripts, CI and MCP clients without
 * OAuth (name, scopes, project, created, last used, expiry; created here and shown once, revoked
 * here), and the MCP clients that signed in with OAuth, with their active grants (revoking one
 * stops every token it holds at once). Everything here needs the admin scope on the server.
 */
import { useId, useState, type FormEvent } from 'react';
import {
  api,
  RequestError,
  useResource,
  type CreatedToken,
  type McpSettings,
  type NewTokenRequest,
  type OAuthClientView,
  type ProjectList,
  type TokenList,
  type TokenScope,
  type TokenView,
} from '../api/client';
import { CopyButton } from '../components/copy-button';
import { DataTable, type Column } from '../components/data-table';
import { LoadError } from '../components/empty-state';
import { RelativeTime } from '../components/relative-time';
import './settings-tokens.css';

const TOKENS_PATH = '/api/v1/tokens';
const MCP_SETTINGS_PATH = '/api/v1/settings/mcp';

/** Scopes nest, so the form picks the highest one. */
const SCOPE_CHOICES: { scopes: TokenScope[]; label: string; hint: string }[] = [
  { scopes: ['read'], label: 'Read', hint: 'read issues, events, performance and logs' },
  { scopes: ['read', 'write'], label: 'Read and write', hint: 'also resolve, ignore and reopen issues' },
  { scopes: ['read', 'write', 'admin'], label: 'Admin', hint: 'also change settings and tokens' },
];
const EXPIRY_CHOICES = [
  { value: '30d', label: '30 days' },
  { value: '90d', label: '90 days' },
  { value: '1y', label: '1 year' },
  { value: '', label: 'Never' },
];

function messageOf(err: unknown): string {
  return err instanceof RequestError || err instanceof Error ? err.message : String(err);
}

function CreateTokenForm({ onCreated }: { onCreated: (t: CreatedToken) => void }) {
  const projects = useResource<ProjectList>('/api/v1/projects');
  const [name, setName] = useState('');
  const [scope, setScope] = useState(1);
  const [project, setProject] = useState('');
  const [expiry, setExpiry] = useState('90d');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setError('Give the token a name that says where it is used, e.g. "ci-deploy".');
    setBusy(true);
    setError(undefined);
    const body: NewTokenRequest = {
      name,
      scopes: SCOPE_CHOICES[scope]!.scopes,
      project: project || null,
      expires_in: expiry || null,
    };
    api.post<CreatedToken>(TOKENS_PATH, body).then(
      (t) => {
        setBusy(false);
        setName('');
        onCreated(t);
      },
      (err: unknown) => {
        setBusy(false);
        setError(messageOf(err));
      },
    );
  };

  return (
    <form className="token-form" onSubmit={submit} noValidate aria-label="Create an API token">
      <div>
        <label htmlFor={`${id}-name`} className="field-label">
          Name
        </label>
        <input
          id={`${id}-name`}
          type="text"
          value={name}
          placeholder="e.g. ci-deploy"
          autoComplete="off"
          onChange={(e) => setName(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
      </div>
      <div>
        <label htmlFor={`${id}-scope`} className="field-label">
          Access
        </label>
        <select id={`${id}-scope`} value={scope} onChange={(e) => setScope(Number(e.target.value))}>
          {SCOPE_CHOICES.map((c, i) => (
            <option key={c.label} value={i}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-project`} className="field-label">
          Project
        </label>
        <select id={`${id}-project`} value={project} onChange={(e) => setProject(e.target.value)}>
          <option value="">Every project</option>
          {projects.data?.projects.map((p) => (
            <option key={p.slug} value={p.slug}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-expiry`} className="field-label">
          Expires
        </label>
        <select id={`${id}-expiry`} value={expiry} onChange={(e) => setExpiry(e.target.value)}>
          {EXPIRY_CHOICES.map((c) => (
            <option key={c.label} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create token'}
      </button>
      {error && (
        <p id={`${id}-error`} className="field-error token-form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function NewTokenNotice({ token, onDismiss }: { token: CreatedToken; onDismiss: () => void }) {
  return (
    <div className="token-created" role="status">
      <p>
        Token <strong>{token.name}</strong> created. Copy it now: Snag keeps only its hash and cannot show it
        again.
      </p>
      <div className="dsn-field">
        <code className="token-secret">{token.token}</code>
        <CopyButton text={token.token} aria-label="Copy the new token" />
      </div>
      <p className="muted">
        Send it as <code>Authorization: Bearer &lt;token&gt;</code>.{' '}
        <button type="button" className="link-button" onClick={onDismiss}>
          Done
        </button>
      </p>
    </div>
  );
}

/** A revoke button that asks once more before acting. */
function RevokeButton({ what, onRevoke }: { what: string; onRevoke: () => Promise<unknown> }) {
  const [state, setState] = useState<'idle' | 'confirm' | 'busy'>('idle');
  const [error, setError] = useState<string>();
  if (state === 'idle')
    return (
      <button type="button" onClick={() => setState('confirm')} aria-label={`Revoke ${what}`}>
        Revoke
      </button>
    );
  return (
    <span className="revoke-confirm">
      <button
        type="button"
        className="danger"
        disabled={state === 'busy'}
        aria-label={`Confirm revoking ${what}`}
        onClick={() => {
          setState('busy');
          onRevoke().then(
            () => setState('idle'),
            (err: unknown) => {
              setError(messageOf(err));
              setState('confirm');
            },
          );
        }}
      >
        {state === 'busy' ? 'Revoking…' : 'Revoke now'}
      </button>
      <button type="button" onClick={() => setState('idle')}>
        Cancel
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

const when = (iso: string | null, none: string) => (iso ? <RelativeTime iso={iso} /> : none);

function tokenColumns(reload: () => void): Column<TokenView>[] {
  return [
    {
      id: 'name',
      header: 'Name',
      render: (t) => (
        <>
          <strong>{t.name}</strong> <code className="muted">{t.prefix}</code>
        </>
      ),
    },
    {
      id: 'scopes',
      header: 'Scopes',
      render: (t) => (t.legacy ? 'read, write (MCP)' : t.scopes.join(', ')),
    },
    { id: 'project', header: 'Project', render: (t) => t.project?.slug ?? 'all' },
    { id: 'created', header: 'Created', render: (t) => <RelativeTime iso={t.created_at} /> },
    { id: 'used', header: 'Last used', render: (t) => when(t.last_used_at, 'never') },
    {
      id: 'expires',
      header: 'Expires',
      render: (t) =>
        t.expires_at && Date.parse(t.expires_at) <= Date.now() ? (
          <span className="field-error">expired</span>
        ) : (
          when(t.expires_at, 'never')
        ),
    },
    {
      id: 'revoke',
      header: <span className="visually-hidden">Actions</span>,
      align: 'right',
      render: (t) => (
        <RevokeButton
          what={`token ${t.name}`}
          onRevoke={() => api.delete(`${TOKENS_PATH}/${t.id}`).then(reload)}
        />
      ),
    },
  ];
}

function clientColumns(reload: () => void): Column<OAuthClientView>[] {
  return [
    {
      id: 'name',
      header: 'Client',
      render: (c) => (
        <>
          <strong>{c.name}</strong>
          {c.source === 'metadata_document' && <span className="muted"> ({c.client_id})</span>}
        </>
      ),
    },
    {
      id: 'redirects',
      header: 'Redirect URIs',
      render: (c) => (
        <span className="token-uris">
          {c.redirect_uris.map((u) => (
            <code key={u}>{u}</code>
          ))}
        </span>
      ),
    },
    { id: 'used', header: 'Last used', render: (c) => when(c.last_used_at, 'never') },
    { id: 'grants', header: 'Active grants', align: 'right', render: (c) => c.active_grants },
    {
      id: 'revoke',
      header: <span className="visually-hidden">Actions</span>,
      align: 'right',
      render: (c) => (
        <RevokeButton
          what={`MCP client ${c.name}`}
          onRevoke={() => api.delete(`${MCP_SETTINGS_PATH}/clients/${c.id}`).then(reload)}
        />
      ),
    },
  ];
}

export function TokensSection() {
  const tokens = useResource<TokenList>(TOKENS_PATH);
  const mcp = useResource<McpSettings>(MCP_SETTINGS_PATH);
  const [created, setCreated] = useState<CreatedToken>();

  return (
    <>
      <section className="card settings-page-section" aria-labelledby="tokens-title">
        <h2 id="tokens-title">API tokens</h2>
        <p className="muted">
          For scripts, CI and MCP clients without OAuth: send <code>Authorization: Bearer &lt;token&gt;</code>{' '}
          to the JSON API or <code>/mcp</code>. {SCOPE_CHOICES.map((c) => `${c.label}: ${c.hint}.`).join(' ')}{' '}
          A project token reaches only its project (JSON API only). Also from the shell:{' '}
          <code>npx snag token create --name ci --scope read --expires-in 30d</code>.
        </p>
        <CreateTokenForm
          onCreated={(t) => {
            setCreated(t);
            tokens.reload();
          }}
        />
        {created && <NewTokenNotice token={created} onDismiss={() => setCreated(undefined)} />}
        {tokens.error ? (
          <LoadError title="Could not load the tokens" error={tokens.error} retry={tokens.reload} />
        ) : (
          <DataTable
            caption="API tokens"
            columns={tokenColumns(tokens.reload)}
            rows={tokens.data?.tokens ?? []}
            rowKey={(t) => t.id}
            loading={tokens.loading && !tokens.data}
            empty="No tokens yet."
          />
        )}
      </section>
      <section className="card settings-page-section" aria-labelledby="oauth-clients-title">
        <h2 id="oauth-clients-title">MCP clients signed in with OAuth</h2>
        <p className="muted">
          {mcp.data?.oauth.available === false
            ? mcp.data.oauth.note
            : 'Clients that support OAuth (Claude Code, VS Code…) need no token: give them the MCP endpoint and they open a Snag page where you approve them. Their access renews itself while used; revoke it here.'}
        </p>
        {mcp.error ? (
          <LoadError title="Could not load the MCP clients" error={mcp.error} retry={mcp.reload} />
        ) : (
          <DataTable
            caption="MCP clients signed in with OAuth"
            columns={clientColumns(mcp.reload)}
            rows={mcp.data?.oauth_clients ?? []}
            rowKey={(c) => c.id}
            loading={mcp.loading && !mcp.data}
            empty="No MCP client has signed in with OAuth yet."
          />
        )}
      </section>
    </>
  );
}
