/**
 * Settings → Alerts: channels (stored ones can be added, edited, tested and deleted; those from
 * SNAG_* variables are shown read-only and can be tested), rules per project
 * (settings-alert-rules.tsx) and the recent deliveries, failures with their last error.
 */
import { useId, useState, type FormEvent } from 'react';
import {
  api,
  useResource,
  type AlertChannelsList,
  type AlertChannelView,
  type AlertDeliveriesPage,
  type AlertTestResult,
  type ChannelType,
} from '../api/client';
import { RelativeTime } from '../components/relative-time';
import {
  CHANNEL_TYPE_LABELS,
  channelConfigOf,
  describeTarget,
  EMPTY_CHANNEL_FORM,
  formOfChannel,
  messageOf,
  type ChannelForm,
} from './alert-forms';
import { AlertRules } from './settings-alert-rules';
import './settings-alerts.css';

export const ALERT_CHANNELS_PATH = '/api/v1/alert-channels';
const DELIVERIES_PATH = '/api/v1/alert-deliveries?limit=20';

function ChannelEditor({
  initial,
  editingId,
  onDone,
}: {
  initial: ChannelForm;
  editingId: string | null;
  onDone: (saved: boolean) => void;
}) {
  const [f, setF] = useState(initial);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = useId();
  const set = (k: keyof ChannelForm) => (e: { target: { value: string } }) =>
    setF({ ...f, [k]: e.target.value });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = { name: f.name, type: f.type, config: channelConfigOf(f) };
    const done = editingId
      ? api.patch(`${ALERT_CHANNELS_PATH}/${editingId}`, body)
      : api.post(ALERT_CHANNELS_PATH, body);
    done.then(
      () => onDone(true),
      (err: unknown) => {
        setBusy(false);
        setError(messageOf(err));
      },
    );
  };

  const field = (k: keyof ChannelForm, label: string, placeholder: string, type = 'text') => (
    <div className="alerts-field">
      <label htmlFor={`${id}-${k}`} className="field-label">
        {label}
      </label>
      <input
        id={`${id}-${k}`}
        type={type}
        value={f[k]}
        placeholder={placeholder}
        autoComplete="off"
        onChange={set(k)}
      />
    </div>
  );

  return (
    <form
      className="alerts-form"
      onSubmit={submit}
      noValidate
      aria-label={editingId ? 'Edit channel' : 'Add channel'}
    >
      <div className="alerts-form-grid">
        {field('name', 'Name', 'e.g. On-call email')}
        <div className="alerts-field">
          <label htmlFor={`${id}-type`} className="field-label">
            Type
          </label>
          <select id={`${id}-type`} value={f.type} onChange={set('type')} disabled={editingId !== null}>
            {(Object.keys(CHANNEL_TYPE_LABELS) as ChannelType[]).map((t) => (
              <option key={t} value={t}>
                {CHANNEL_TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
        {f.type === 'email' && field('to', 'Recipients', 'a@example.com, b@example.com')}
        {f.type === 'ntfy' && (
          <>
            {field('url', 'Topic URL', 'https://ntfy.sh/my-team-alerts')}
            {field('token', 'Access token (optional)', 'tk_…')}
            {field('priority', 'Priority 1–5 (optional)', '4')}
          </>
        )}
        {(f.type === 'slack' || f.type === 'discord') &&
          field(
            'url',
            'Webhook URL',
            f.type === 'slack' ? 'https://hooks.slack.com/services/…' : 'https://discord.com/api/webhooks/…',
          )}
        {f.type === 'webhook' && (
          <>
            {field('url', 'URL', 'https://example.com/snag-alerts')}
            {field('secret', 'Signing secret (16+ characters)', 'openssl rand -hex 32')}
          </>
        )}
      </div>
      {f.type === 'webhook' && (
        <p className="field-hint">
          Requests carry <code>X-Snag-Signature: t=…,v1=…</code>, an HMAC-SHA256 of <code>t.body</code> with
          this secret (docs/api.md).
        </p>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : editingId ? 'Save channel' : 'Add channel'}
        </button>
        <button type="button" onClick={() => onDone(false)} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ChannelRow({
  channel,
  onChanged,
  onEdit,
}: {
  channel: AlertChannelView;
  onChanged: () => void;
  onEdit: () => void;
}) {
  const [test, setTest] = useState<{ busy: boolean; result?: string; ok?: boolean }>({ busy: false });
  const sendTest = () => {
    setTest({ busy: true });
    api.post<AlertTestResult>(`${ALERT_CHANNELS_PATH}/${channel.id}/test`, {}).then(
      (r) => {
        setTest({
          busy: false,
          ok: r.ok,
          result: r.ok ? 'Test sent' : `Failed: ${r.delivery.last_error ?? 'unknown error'}`,
        });
        onChanged();
      },
      (err: unknown) => setTest({ busy: false, ok: false, result: messageOf(err) }),
    );
  };
  const remove = () => {
    if (!window.confirm(`Delete the channel "${channel.name}"? Rules sending only to it stop alerting.`))
      return;
    api
      .delete(`${ALERT_CHANNELS_PATH}/${channel.id}`)
      .then(onChanged, (err: unknown) => setTest({ busy: false, ok: false, result: messageOf(err) }));
  };
  const last = channel.last_delivery;
  return (
    <tr className="alert-channel-row" data-channel={channel.name}>
      <td>
        <strong>{channel.name}</strong>
        {channel.source === 'env' && <span className="alerts-chip">from environment</span>}
      </td>
      <td>{CHANNEL_TYPE_LABELS[channel.type]}</td>
      <td className="alerts-target">{describeTarget(channel)}</td>
      <td>
        {last ? (
          <span className={`alerts-status alerts-status-${last.status}`} title={last.last_error ?? undefined}>
            {last.status} <RelativeTime iso={last.at} />
          </span>
        ) : (
          <span className="muted">never</span>
        )}
      </td>
      <td>
        <div className="button-row">
          <button type="button" onClick={sendTest} disabled={test.busy}>
            {test.busy ? 'Sending…' : 'Send test'}
          </button>
          {channel.source === 'stored' && (
            <>
              <button type="button" onClick={onEdit}>
                Edit
              </button>
              <button type="button" className="danger" onClick={remove}>
                Delete
              </button>
            </>
          )}
        </div>
        {test.result && (
          <p className={test.ok ? 'alerts-test-ok' : 'field-error'} role="status">
            {test.result}
          </p>
        )}
      </td>
    </tr>
  );
}

function Deliveries() {
  const { data } = useResource<AlertDeliveriesPage>(DELIVERIES_PATH, { live: true });
  if (!data) return <div aria-busy="true" />;
  return (
    <>
      <p className="muted">
        {data.counts.sent} sent, {data.counts.pending} waiting or retrying, {data.counts.failed} given up.
      </p>
      <div className="data-table-wrap">
        <table className="data-table alerts-deliveries">
          <caption className="visually-hidden">Recent alert deliveries</caption>
          <thead>
            <tr>
              <th>When</th>
              <th>Alert</th>
              <th>Channel</th>
              <th>Status</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            {data.deliveries.length === 0 && (
              <tr className="data-table-empty">
                <td colSpan={5} className="muted">
                  No alert has been sent yet.
                </td>
              </tr>
            )}
            {data.deliveries.map((d) => (
              <tr key={d.id} className={`alert-delivery-row alerts-delivery-${d.status}`}>
                <td>
                  <RelativeTime iso={d.sent_at ?? d.created_at} />
                </td>
                <td>
                  <a href={d.url}>{d.title}</a>
                </td>
                <td>{d.channel.name}</td>
                <td>
                  <span className={`alerts-status alerts-status-${d.status}`}>{d.status}</span>
                  {d.attempts > 1 && <span className="muted"> after {d.attempts} attempts</span>}
                </td>
                <td className="alerts-error">{d.last_error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function AlertsSection() {
  const { data, error, reload } = useResource<AlertChannelsList>(ALERT_CHANNELS_PATH, { live: true });
  const [editing, setEditing] = useState<{ id: string | null; form: ChannelForm } | null>(null);
  const done = (saved: boolean) => {
    setEditing(null);
    if (saved) reload();
  };
  return (
    <section className="card settings-page-section alerts-section" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts</h2>
      <p className="muted">
        Where alerts go (channels), what sends them (rules, per project), and what was sent. Messages link
        back to the issue or endpoint.
      </p>
      {error && (
        <p className="field-error" role="alert">
          Could not load the alert channels: {messageOf(error)}
        </p>
      )}
      {data && (
        <>
          <h3>Channels</h3>
          {data.channels.some((c) => c.source === 'env') && (
            <p className="muted">
              Channels from the environment alert every project on{' '}
              {data.defaults.triggers.map((t) => t.replace('_', ' ')).join(', ')} (bursts from{' '}
              {data.defaults.burst_per_hour} events an hour), one message per issue per{' '}
              {data.defaults.cooldown_minutes} minutes.
            </p>
          )}
          {!data.smtp_configured && (
            <p className="muted">Email channels need SNAG_SMTP_HOST and SNAG_SMTP_FROM on the server.</p>
          )}
          <div className="data-table-wrap">
            <table className="data-table alerts-channels">
              <caption className="visually-hidden">Alert channels</caption>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Type</th>
                  <th>Sends to</th>
                  <th>Last delivery</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {data.channels.length === 0 && (
                  <tr className="data-table-empty">
                    <td colSpan={5} className="muted">
                      No channel yet: add one below.
                    </td>
                  </tr>
                )}
                {data.channels.map((c) => (
                  <ChannelRow
                    key={c.id}
                    channel={c}
                    onChanged={reload}
                    onEdit={() => setEditing({ id: c.id, form: formOfChannel(c) })}
                  />
                ))}
              </tbody>
            </table>
          </div>
          {editing ? (
            <ChannelEditor
              key={editing.id ?? 'new'}
              initial={editing.form}
              editingId={editing.id}
              onDone={done}
            />
          ) : (
            <div className="button-row">
              <button type="button" onClick={() => setEditing({ id: null, form: EMPTY_CHANNEL_FORM })}>
                Add channel
              </button>
            </div>
          )}
          <h3>Rules</h3>
          <AlertRules channels={data.channels.filter((c) => c.source === 'stored')} />
        </>
      )}
      <h3>Recent deliveries</h3>
      <Deliveries />
    </section>
  );
}
