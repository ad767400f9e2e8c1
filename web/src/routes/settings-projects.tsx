/**
 * Settings → Projects: the list on the left, the selected project (`?project=<slug>`, so the view
 * is a shareable URL) on the right: name, DSN, key rotation and SDK snippets with the real DSN.
 */
import { useId, useState, type FormEvent } from 'react';
import { api, RequestError, useResource, type ProjectList, type ProjectView } from '../api/client';
import { CopyButton } from '../components/copy-button';
import { EmptyState, LoadError } from '../components/empty-state';
import { formatTimestamp } from '../components/relative-time';
import { SdkSnippets } from '../components/sdk-snippets';
import { Link, setQuery, useLocation } from '../router';
import './settings-projects.css';

const projectPath = (slug: string) => `/api/v1/projects/${encodeURIComponent(slug)}`;
/**
 * A stable callback ref focuses the element once, when it mounts. Not `autoFocus`: React focuses
 * on mount, but Preact (what ships, web/vite.config.ts) only sets the attribute, which a browser
 * honours once per document, so the second form opened would not get the focus.
 */
const focusOnMount = (el: HTMLElement | null) => el?.focus();

function messageOf(err: unknown): string {
  return err instanceof RequestError || err instanceof Error ? err.message : String(err);
}

function CreateProjectForm({ onCreated }: { onCreated: (p: ProjectView) => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // The server says the same, but a blank name need not cost a round trip.
    if (!name.trim()) return setError('Give the project a name, e.g. "Web shop".');
    setBusy(true);
    setError(undefined);
    api.post<ProjectView>('/api/v1/projects', { name }).then(
      (p) => {
        setBusy(false);
        setName('');
        onCreated(p);
      },
      (err: unknown) => {
        setBusy(false);
        setError(messageOf(err));
      },
    );
  };

  return (
    <form className="card create-project" onSubmit={submit} noValidate>
      <label htmlFor={`${id}-name`} className="field-label">
        New project
      </label>
      <div className="inline-form">
        <input
          id={`${id}-name`}
          type="text"
          value={name}
          placeholder="e.g. Web shop"
          autoComplete="off"
          onChange={(e) => setName(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create'}
        </button>
      </div>
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function RenameForm({ project, onDone }: { project: ProjectView; onDone: (p?: ProjectView) => void }) {
  const [name, setName] = useState(project.name);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() === project.name) return onDone();
    setBusy(true);
    setError(undefined);
    api.patch<ProjectView>(projectPath(project.slug), { name }).then(
      (p) => onDone(p),
      (err: unknown) => {
        setBusy(false);
        setError(messageOf(err));
      },
    );
  };

  return (
    <form className="rename-form" onSubmit={submit} noValidate>
      <label htmlFor={`${id}-name`} className="visually-hidden">
        Project name
      </label>
      <div className="inline-form">
        <input
          id={`${id}-name`}
          type="text"
          value={name}
          ref={focusOnMount}
          autoComplete="off"
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && onDone()}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : `${id}-hint`}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={() => onDone()} disabled={busy}>
          Cancel
        </button>
      </div>
      {error ? (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      ) : (
        <p id={`${id}-hint`} className="field-hint">
          The slug <code>{project.slug}</code> and the DSN stay the same.
        </p>
      )}
    </form>
  );
}

function KeySection({ project, onRotated }: { project: ProjectView; onRotated: (p: ProjectView) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [rotated, setRotated] = useState(false);
  const ids = useId();

  const rotate = () => {
    setBusy(true);
    setError(undefined);
    api.post<ProjectView>(`${projectPath(project.slug)}/rotate-key`, {}).then(
      (p) => {
        setBusy(false);
        setConfirming(false);
        setRotated(true);
        onRotated(p);
      },
      (err: unknown) => {
        setBusy(false);
        setError(messageOf(err));
      },
    );
  };

  return (
    <section className="settings-section" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`}>Client key (DSN)</h3>
      <p className="muted section-intro">
        SDKs send events to this address. It is not a secret in the password sense (browser apps ship it), but
        anyone who has it can send events to this project.
      </p>
      <div className={rotated ? 'dsn-field dsn-field-fresh' : 'dsn-field'}>
        <span className="dsn-field-label">DSN</span>
        <code>{project.dsn}</code>
        <CopyButton text={project.dsn} aria-label="Copy the DSN" />
      </div>
      <dl className="key-facts">
        <div>
          <dt>Public key</dt>
          <dd>
            <code>{project.public_key}</code>
          </dd>
        </div>
        <div>
          <dt>Project id</dt>
          <dd>
            <code>{project.id}</code>
          </dd>
        </div>
      </dl>
      {rotated && !confirming && (
        <p className="notice notice-ok" role="status">
          New key in place. The old DSN no longer works: deploy the DSN above wherever the old one was used.
        </p>
      )}

      {confirming ? (
        <div className="confirm-panel" role="group" aria-labelledby={`${ids}-confirm`}>
          <p id={`${ids}-confirm`}>
            <strong>Rotate the key of {project.name}?</strong> The current DSN stops working at once: SDKs
            still using it get <code>403</code> and their events are dropped until they are given the new DSN.
            There is no undo.
          </p>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <div className="button-row">
            <button type="button" className="danger" onClick={rotate} disabled={busy} ref={focusOnMount}>
              {busy ? 'Rotating…' : 'Rotate key'}
            </button>
            <button type="button" onClick={() => setConfirming(false)} disabled={busy}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div className="button-row">
          <button type="button" onClick={() => setConfirming(true)}>
            Rotate key…
          </button>
        </div>
      )}
    </section>
  );
}

function ProjectDetail({
  project,
  onChanged,
}: {
  project: ProjectView;
  onChanged: (p: ProjectView) => void;
}) {
  const [renaming, setRenaming] = useState(false);
  return (
    <div className="card project-settings" aria-labelledby="project-settings-title">
      <header className="project-settings-head">
        {renaming ? (
          <RenameForm
            project={project}
            onDone={(p) => {
              setRenaming(false);
              if (p) onChanged(p);
            }}
          />
        ) : (
          <div className="project-settings-title">
            <h2 id="project-settings-title">{project.name}</h2>
            <button type="button" onClick={() => setRenaming(true)}>
              Rename
            </button>
          </div>
        )}
        <p className="muted project-settings-meta">
          <span>
            Slug <code>{project.slug}</code>
          </span>
          <span>Created {formatTimestamp(project.created_at)}</span>
          <Link href={`/projects/${encodeURIComponent(project.slug)}/issues`}>View issues →</Link>
        </p>
      </header>

      <KeySection key={project.slug} project={project} onRotated={onChanged} />

      <section className="settings-section" aria-labelledby="sdk-setup-title">
        <h3 id="sdk-setup-title">Send errors from your app</h3>
        <p className="muted section-intro">
          Snag speaks the Sentry protocol: use the official Sentry SDK of your platform with this DSN.
        </p>
        <SdkSnippets dsn={project.dsn} label="SDK" />
      </section>
    </div>
  );
}

export function SettingsProjects() {
  const { query } = useLocation();
  const { data, error, reload } = useResource<ProjectList>('/api/v1/projects');
  // Shown until the list refetch catches up, so a rename or rotation is visible at once.
  const [fresh, setFresh] = useState<ProjectView>();

  const listed: ProjectView[] = data?.projects ?? [];
  const projects =
    fresh && !listed.some((p) => p.id === fresh.id)
      ? [...listed, fresh]
      : listed.map((p) => (fresh && p.id === fresh.id ? { ...p, ...fresh } : p));
  const selected = projects.find((p) => p.slug === query.get('project')) ?? projects[0];

  const select = (slug: string) => setQuery({ project: slug }, { replace: true });
  const changed = (p: ProjectView) => {
    setFresh(p);
    reload();
  };

  return (
    <>
      <div className="page-header">
        <div>
          <p className="eyebrow">Settings</p>
          <h1 className="page-title">Projects</h1>
        </div>
      </div>
      {!data && error ? (
        <LoadError title="Could not load projects" error={error} retry={reload} />
      ) : (
        <div className="settings-layout">
          <aside className="settings-aside">
            <nav className="card project-nav" aria-label="Projects">
              {!data ? (
                <p className="muted project-nav-empty">Loading…</p>
              ) : projects.length === 0 ? (
                <p className="muted project-nav-empty">No projects yet: create one below.</p>
              ) : (
                <ul>
                  {projects.map((p) => (
                    <li key={p.id}>
                      <Link
                        href={`/settings/projects?project=${encodeURIComponent(p.slug)}`}
                        aria-current={p === selected ? 'page' : undefined}
                      >
                        <span className="project-nav-name">{p.name}</span>
                        <span className="project-nav-slug">{p.slug}</span>
                      </Link>
                    </li>
                  ))}
                </ul>
              )}
            </nav>
            <CreateProjectForm
              onCreated={(p) => {
                changed(p);
                select(p.slug);
              }}
            />
          </aside>
          {selected ? (
            <ProjectDetail key={selected.id} project={selected} onChanged={changed} />
          ) : (
            data && <EmptyState title="No project selected" body="Create a project to get its DSN." />
          )}
        </div>
      )}
    </>
  );
}
