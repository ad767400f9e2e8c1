/**
 * Settings → Retention and storage (issue 8): days kept per data type (editable; saved in app.db,
 * overriding SNAG_RETENTION_*), each database's size and biggest tables with rows, bytes and the
 * compression ratio, the queue (depth, oldest job, parked jobs with their errors), the maintenance
 * schedule, versions, and the audit trail of settings changes.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import {
  api,
  RequestError,
  useResource,
  type AuditEntryView,
  type RetentionKind,
  type RetentionSettings,
  type StorageFile,
  type StorageSettings,
} from '../api/client';
import { LoadError } from '../components/empty-state';
import { RelativeTime } from '../components/relative-time';
import './settings-storage.css';

export const RETENTION_PATH = '/api/v1/settings/retention';
export const STORAGE_PATH = '/api/v1/settings/storage';
export const AUDIT_PATH = '/api/v1/settings/audit?limit=10';
/** Tables shown per database, biggest first; the rest are summed into one line. */
const TABLES_SHOWN = 6;

const KINDS: { kind: RetentionKind; label: string; hint: string }[] = [
  { kind: 'events', label: 'Error events', hint: 'an issue goes when its last event does' },
  { kind: 'transactions', label: 'Transactions', hint: 'samples, search, transaction pages' },
  { kind: 'spans', label: 'Span trees', hint: 'the waterfall; the summary stays' },
  { kind: 'logs', label: 'Logs', hint: 'whole UTC days' },
  { kind: 'rollups', label: 'Hourly rollups', hint: 'charts, percentiles, sparklines' },
];

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

function RetentionForm({ settings, onSaved }: { settings: RetentionSettings; onSaved: () => void }) {
  const [values, setValues] = useState<Record<RetentionKind, string>>(() => toStrings(settings.days));
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const id = useId();
  useEffect(() => setValues(toStrings(settings.days)), [settings]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = Object.fromEntries(KINDS.map(({ kind }) => [kind, Number(values[kind])]));
    setBusy(true);
    api.put<RetentionSettings>(RETENTION_PATH, body).then(
      () => {
        setBusy(false);
        setMessage({ ok: true, text: 'Saved. The next retention run uses these values.' });
        onSaved();
      },
      (err: unknown) => {
        setBusy(false);
        setMessage({
          ok: false,
          text: err instanceof RequestError || err instanceof Error ? err.message : String(err),
        });
      },
    );
  };

  return (
    <form className="retention-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Retention</h3>
      <div className="retention-grid">
        {KINDS.map(({ kind, label, hint }) => (
          <label key={kind} className="retention-field">
            <span className="retention-label">{label}</span>
            <span className="retention-input">
              <input
                type="number"
                name={kind}
                min={settings.min_days}
                max={settings.max_days}
                step={1}
                required
                value={values[kind]}
                onChange={(e) => setValues((v) => ({ ...v, [kind]: e.target.value }))}
              />{' '}
              days
            </span>
            <span className="muted retention-hint">
              {hint}
              {settings.overridden.includes(kind) ? ` · default ${settings.defaults[kind]}` : ''}
            </span>
          </label>
        ))}
      </div>
      <div className="retention-actions">
        <button type="submit" className="primary" disabled={busy}>
          Save retention
        </button>
        {message && (
          <span role="status" className={message.ok ? 'retention-ok' : 'retention-error'}>
            {message.text}
          </span>
        )}
      </div>
    </form>
  );
}

function toStrings(days: Record<RetentionKind, number>): Record<RetentionKind, string> {
  return Object.fromEntries(Object.entries(days).map(([k, v]) => [k, String(v)])) as Record<
    RetentionKind,
    string
  >;
}

function FileRow({ file }: { file: StorageFile }) {
  const shown = file.tables.slice(0, TABLES_SHOWN);
  const rest = file.tables.slice(TABLES_SHOWN);
  return (
    <tbody className="storage-file">
      <tr className="storage-file-row">
        <th scope="row">{file.file}</th>
        <td className="num">{formatBytes(file.bytes)}</td>
        <td />
        <td className="muted">
          WAL {formatBytes(file.wal_bytes)} ·{' '}
          {file.measured_at ? (
            <>
              {file.auto_vacuum} vacuum · {file.free_pages} free pages · measured{' '}
              <RelativeTime iso={file.measured_at} />
            </>
          ) : (
            'not measured yet'
          )}
          {file.compression.map((c) =>
            c.ratio === null ? null : (
              <span key={c.table} className="storage-compression">
                {' '}
                · {c.table} zstd {c.ratio}× ({formatBytes(c.raw_bytes)} → {formatBytes(c.stored_bytes)})
              </span>
            ),
          )}
        </td>
      </tr>
      {shown.map((t) => (
        <tr key={t.name} className="storage-table-row">
          <td className="storage-table-name">
            {t.name} <span className="muted">{t.kind}</span>
          </td>
          <td className="num">{formatBytes(t.bytes)}</td>
          <td className="num">{t.rows.toLocaleString('en')}</td>
          <td />
        </tr>
      ))}
      {rest.length > 0 && (
        <tr className="storage-table-row">
          <td className="storage-table-name muted">{rest.length} more</td>
          <td className="num">{formatBytes(rest.reduce((s, t) => s + t.bytes, 0))}</td>
          <td className="num">{rest.reduce((s, t) => s + t.rows, 0).toLocaleString('en')}</td>
          <td />
        </tr>
      )}
    </tbody>
  );
}

function StorageDetails({ storage }: { storage: StorageSettings }) {
  const { queue, scheduler, versions } = storage;
  return (
    <>
      <h3>Databases ({formatBytes(storage.total_bytes)})</h3>
      <div className="storage-scroll">
        <table className="storage-files" aria-label="Databases and tables">
          <thead>
            <tr>
              <th scope="col">Database / table</th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col" className="num">
                Rows
              </th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          {storage.files.map((f) => (
            <FileRow key={f.name} file={f} />
          ))}
        </table>
      </div>

      <h3>Queue</h3>
      <p>
        <strong data-testid="queue-depth">{queue.depth.toLocaleString('en')}</strong> jobs waiting
        {queue.oldest_age_seconds !== null ? `, the oldest for ${queue.oldest_age_seconds} s` : ''} ·{' '}
        {queue.parked_total} parked
      </p>
      {queue.parked.length > 0 && (
        <ul className="storage-parked">
          {queue.parked.map((j) => (
            <li key={`${j.file}-${j.job_id}`}>
              <code>
                {j.file} #{j.job_id} {j.kind}
              </code>{' '}
              <RelativeTime iso={j.parked_at} />: <span className="storage-parked-error">{j.error}</span>
            </li>
          ))}
        </ul>
      )}

      <h3>Maintenance</h3>
      <p className="muted">
        {scheduler.this_process_runs_it
          ? 'This process runs the scheduler.'
          : scheduler.holder
            ? `Another process runs the scheduler (${scheduler.holder}).`
            : 'No process holds the scheduler lease right now.'}
      </p>
      <table className="storage-tasks" aria-label="Maintenance schedule">
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Schedule (UTC)</th>
            <th scope="col">Last run</th>
            <th scope="col">Next run</th>
          </tr>
        </thead>
        <tbody>
          {scheduler.tasks.map((t) => (
            <tr key={t.name}>
              <td>{t.name}</td>
              <td>
                <code>{t.cron}</code>
              </td>
              <td>
                {t.running ? (
                  'running'
                ) : t.last_started ? (
                  <>
                    <RelativeTime iso={t.last_started} />{' '}
                    {t.last_ok ? `ok, ${t.last_ms} ms` : `failed: ${t.last_error}`}
                  </>
                ) : (
                  'not yet'
                )}
              </td>
              <td>{t.next_run ? <RelativeTime iso={t.next_run} /> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>Versions</h3>
      <p className="muted">
        Snag {versions.snag} · Node.js {versions.node} · SQLite {versions.sqlite}
      </p>
    </>
  );
}

function AuditTrail({ entries }: { entries: AuditEntryView[] }) {
  if (entries.length === 0) return <p className="muted">No settings have been changed yet.</p>;
  return (
    <ul className="storage-audit">
      {entries.map((e) => (
        <li key={e.id}>
          <RelativeTime iso={e.created_at} /> <strong>{e.actor}</strong> {e.action} <code>{e.target}</code>:{' '}
          <span className="muted">{describeChange(e.before, e.after)}</span>
        </li>
      ))}
    </ul>
  );
}

/** "events 90 → 30" for the keys that changed. */
export function describeChange(before: unknown, after: unknown): string {
  if (typeof before !== 'object' || typeof after !== 'object' || !before || !after)
    return `${JSON.stringify(before)} → ${JSON.stringify(after)}`;
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const changed = Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  return changed.length === 0
    ? 'no change'
    : changed.map((k) => `${k} ${String(b[k])} → ${String(a[k])}`).join(', ');
}

export function StorageSection() {
  const retention = useResource<RetentionSettings>(RETENTION_PATH);
  const storage = useResource<StorageSettings>(STORAGE_PATH, { live: true });
  const audit = useResource<{ entries: AuditEntryView[] }>(AUDIT_PATH, { live: true });
  return (
    <section className="card settings-page-section settings-storage" aria-labelledby="storage-title">
      <h2 id="storage-title">Retention and storage</h2>
      <p className="muted">
        Older data is deleted in small batches between digest batches, so ingest never waits on it. Issue
        counts stay lifetime totals after their oldest events are deleted.
      </p>
      {retention.data ? (
        <RetentionForm
          settings={retention.data}
          onSaved={() => {
            retention.reload();
            audit.reload();
          }}
        />
      ) : retention.error ? (
        <LoadError title="Could not load retention" error={retention.error} retry={retention.reload} />
      ) : (
        <div aria-busy="true" />
      )}
      {storage.data ? (
        <StorageDetails storage={storage.data} />
      ) : storage.error ? (
        <LoadError title="Could not load storage" error={storage.error} retry={storage.reload} />
      ) : (
        <div aria-busy="true" />
      )}
      <h3>Audit trail</h3>
      {audit.data ? (
        <AuditTrail entries={audit.data.entries} />
      ) : audit.error ? (
        <LoadError title="Could not load the audit trail" error={audit.error} retry={audit.reload} />
      ) : null}
    </section>
  );
}
