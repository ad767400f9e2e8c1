/**
 * Settings → Alerts → Rules: per project, what triggers an alert (with its threshold and filters),
 * how long a rule stays quiet per issue or endpoint after a message (cooldown), and where it sends.
 */
import { useId, useState, type FormEvent } from 'react';
import {
  api,
  useResource,
  type AlertChannelView,
  type AlertRuleView,
  type AlertTrigger,
  type ProjectList,
} from '../api/client';
import { isEndpointTrigger, messageOf, THRESHOLD_FIELDS, TRIGGER_LABELS } from './alert-forms';

const LEVELS = ['debug', 'info', 'warning', 'error', 'fatal'];
const rulesPath = (slug: string) => `/api/v1/projects/${encodeURIComponent(slug)}/alert-rules`;

interface RuleForm {
  name: string;
  trigger: AlertTrigger;
  threshold: string;
  environment: string;
  minLevel: string;
  windowMinutes: string;
  minEvents: string;
  endpoint: string;
  cooldownMinutes: string;
  channelIds: number[];
  /** Comma list of addresses added to the rule's email channels. */
  emailTo: string;
}

const EMPTY_RULE: RuleForm = {
  name: '',
  trigger: 'new_issue',
  threshold: '',
  environment: '',
  minLevel: '',
  windowMinutes: '',
  minEvents: '',
  endpoint: '',
  cooldownMinutes: '60',
  channelIds: [],
  emailTo: '',
};

/** The API body of a rule form: empty fields are left out, numbers sent as numbers. */
export function ruleBodyOf(f: RuleForm): Record<string, unknown> {
  const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const endpoint = isEndpointTrigger(f.trigger);
  return {
    name: f.name.trim() || undefined,
    trigger: f.trigger,
    threshold: THRESHOLD_FIELDS[f.trigger] ? num(f.threshold) : undefined,
    environment: f.environment.trim() || undefined,
    min_level: endpoint ? undefined : f.minLevel || undefined,
    window_minutes: endpoint ? num(f.windowMinutes) : undefined,
    min_events: f.trigger === 'spike' || endpoint ? num(f.minEvents) : undefined,
    endpoint: endpoint ? f.endpoint.trim() || undefined : undefined,
    cooldown_minutes: num(f.cooldownMinutes),
    channel_ids: f.channelIds,
    email_to: f.emailTo.trim() || undefined,
  };
}

function RuleEditor({
  slug,
  channels,
  onDone,
}: {
  slug: string;
  channels: AlertChannelView[];
  onDone: (saved: boolean) => void;
}) {
  const [f, setF] = useState<RuleForm>({
    ...EMPTY_RULE,
    channelIds: channels[0] ? [Number(channels[0].id)] : [],
  });
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = useId();
  const set = (k: keyof RuleForm) => (e: { target: { value: string } }) =>
    setF({ ...f, [k]: e.target.value });
  const threshold = THRESHOLD_FIELDS[f.trigger];
  const endpoint = isEndpointTrigger(f.trigger);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    api.post(rulesPath(slug), ruleBodyOf(f)).then(
      () => onDone(true),
      (err: unknown) => {
        setBusy(false);
        setError(messageOf(err));
      },
    );
  };
  const field = (k: keyof RuleForm, label: string, placeholder: string) => (
    <div className="alerts-field">
      <label htmlFor={`${id}-${k}`} className="field-label">
        {label}
      </label>
      <input
        id={`${id}-${k}`}
        type="text"
        value={f[k] as string}
        placeholder={placeholder}
        autoComplete="off"
        onChange={set(k)}
      />
    </div>
  );

  return (
    <form className="alerts-form" onSubmit={submit} noValidate aria-label="New rule">
      <div className="alerts-form-grid">
        <div className="alerts-field">
          <label htmlFor={`${id}-trigger`} className="field-label">
            Trigger
          </label>
          <select id={`${id}-trigger`} value={f.trigger} onChange={set('trigger')}>
            {(Object.keys(TRIGGER_LABELS) as AlertTrigger[]).map((t) => (
              <option key={t} value={t}>
                {TRIGGER_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
        {field('name', 'Name (optional)', TRIGGER_LABELS[f.trigger])}
        {threshold && field('threshold', threshold.label, threshold.placeholder)}
        {field('environment', 'Environment (empty: any)', 'production')}
        {!endpoint && (
          <div className="alerts-field">
            <label htmlFor={`${id}-level`} className="field-label">
              Level at least
            </label>
            <select id={`${id}-level`} value={f.minLevel} onChange={set('minLevel')}>
              <option value="">any</option>
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </div>
        )}
        {endpoint && field('endpoint', 'Endpoint (empty: every one)', 'GET /checkout')}
        {endpoint && field('windowMinutes', 'Window (minutes)', '10')}
        {(endpoint || f.trigger === 'spike') && field('minEvents', 'At least this many events', '10')}
        {field('cooldownMinutes', 'Cooldown (minutes)', '60')}
        {channels.some((c) => c.type === 'email' && f.channelIds.includes(Number(c.id))) &&
          field('emailTo', 'Also email (optional)', 'lead@example.com')}
      </div>
      <fieldset className="alerts-channels-pick">
        <legend className="field-label">Send to</legend>
        {channels.length === 0 && <p className="muted">Add a channel first.</p>}
        {channels.map((c) => (
          <label key={c.id}>
            <input
              type="checkbox"
              checked={f.channelIds.includes(Number(c.id))}
              onChange={(e) =>
                setF({
                  ...f,
                  channelIds: e.target.checked
                    ? [...f.channelIds, Number(c.id)]
                    : f.channelIds.filter((x) => x !== Number(c.id)),
                })
              }
            />{' '}
            {c.name}
          </label>
        ))}
      </fieldset>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create rule'}
        </button>
        <button type="button" onClick={() => onDone(false)} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function describeRule(r: AlertRuleView): string {
  const parts: string[] = [];
  if (r.threshold !== null) parts.push(`threshold ${r.threshold}`);
  if (r.endpoint) parts.push(r.endpoint);
  if (r.window_minutes) parts.push(`${r.window_minutes} min window`);
  if (r.environment) parts.push(`env ${r.environment}`);
  if (r.min_level) parts.push(`${r.min_level}+`);
  parts.push(`cooldown ${r.cooldown_minutes} min`);
  return parts.join(' · ');
}

export function AlertRules({ channels }: { channels: AlertChannelView[] }) {
  const projects = useResource<ProjectList>('/api/v1/projects');
  const list = projects.data?.projects ?? [];
  const [picked, setPicked] = useState<string>();
  const slug = picked ?? list[0]?.slug;
  const rules = useResource<{ rules: AlertRuleView[] }>(slug ? rulesPath(slug) : null);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<string>();
  const id = useId();
  const names = new Map(channels.map((c) => [Number(c.id), c.name]));

  const patch = (r: AlertRuleView, body: object) =>
    api
      .patch(`/api/v1/alert-rules/${r.id}`, body)
      .then(rules.reload, (err: unknown) => setError(messageOf(err)));
  const remove = (r: AlertRuleView) =>
    api.delete(`/api/v1/alert-rules/${r.id}`).then(rules.reload, (err: unknown) => setError(messageOf(err)));

  return (
    <div className="alerts-rules">
      <div className="inline-form alerts-project-pick">
        <label htmlFor={`${id}-project`} className="field-label">
          Project
        </label>
        <select id={`${id}-project`} value={slug ?? ''} onChange={(e) => setPicked(e.target.value)}>
          {list.map((p) => (
            <option key={p.slug} value={p.slug}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <ul className="alerts-rule-list">
        {rules.data?.rules.length === 0 && <li className="muted">No rules for this project.</li>}
        {rules.data?.rules.map((r) => (
          <li key={r.id} className="alert-rule-row">
            <div>
              <strong>{r.name}</strong> <span className="alerts-chip">{TRIGGER_LABELS[r.trigger]}</span>
              {!r.enabled && <span className="alerts-chip">off</span>}
              <div className="muted">
                {describeRule(r)} → {r.channel_ids.map((c) => names.get(c) ?? `#${c}`).join(', ')}
              </div>
            </div>
            <div className="button-row">
              <button type="button" onClick={() => void patch(r, { enabled: !r.enabled })}>
                {r.enabled ? 'Turn off' : 'Turn on'}
              </button>
              <button type="button" className="danger" onClick={() => void remove(r)}>
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {slug &&
        (adding ? (
          <RuleEditor
            slug={slug}
            channels={channels}
            onDone={(saved) => {
              setAdding(false);
              if (saved) rules.reload();
            }}
          />
        ) : (
          <div className="button-row">
            <button type="button" onClick={() => setAdding(true)} disabled={channels.length === 0}>
              Add rule
            </button>
          </div>
        ))}
    </div>
  );
}
