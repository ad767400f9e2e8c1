/**
 * Debian's python3-sentry-sdk 1.9.10 (run by test/helpers/python-sdk-sender.py under
 * /usr/bin/python3) against a real Snag.
 *
 * What 1.9.10 sends, read from /usr/lib/python3/dist-packages/sentry_sdk/transport.py and
 * client.py: a plain error goes to /api/<id>/store/ as gzip JSON with X-Sentry-Auth; an error with
 * an attachment, and any transaction, goes to /api/<id>/envelope/ as a gzip envelope with
 * `length` on every item. gzip is hard-coded: there is no brotli, no compression option and no
 * envelope-only switch in this version (`consts.py` _experiments has none either), so the store
 * path and the envelope path are exercised through those two triggers instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { runPythonSdk } from '../helpers/sdk-senders.js';
import { snagApi, type SnagApi } from '../helpers/snag-api.js';
import { startSnag, waitFor, waitForDigest, type RunningSnag } from '../helpers/snag.js';

type Frame = { function?: string; module?: string; in_app?: boolean; context_line?: string; lineno?: number };
type ExceptionValue = { type?: string; value?: string; stacktrace?: { frames: Frame[] } };

// errors: ratio-1, ratio-2, keyerror, chained, message; attachment: one more chained error.
const EVENTS = 6;

describe('python3-sentry-sdk 1.9.10 → Snag', () => {
  let snag: RunningSnag;
  let api: SnagApi;
  let ids: Record<string, string>;
  let attachmentIds: Record<string, string>;
  const issueIdOf = async (eventId: string) => (await api.getEvent(eventId)).issue_id;
  const exceptionsOf = async (eventId: string) =>
    ((await api.getEvent(eventId)).payload['exception'] as { values: ExceptionValue[] }).values;

  beforeAll(async () => {
    snag = await startSnag();
    api = snagApi(snag);
    ids = await runPythonSdk(snag.dsn, 'errors', { release: 'billing@2.0.0' });
    attachmentIds = await runPythonSdk(snag.dsn, 'attachment', { release: 'billing@2.0.1' });
    await runPythonSdk(snag.dsn, 'transaction', { release: 'billing@2.0.1' });
    await waitForDigest(snag, EVENTS);
  });

  afterAll(() => stopAndRemove(snag));

  it('groups a ZeroDivisionError raised twice from the same line into one issue', async () => {
    const issueId = await issueIdOf(ids['ratio-1']!);
    expect(await issueIdOf(ids['ratio-2']!)).toBe(issueId);
    expect(await api.getIssue(issueId)).toMatchObject({
      title: 'ZeroDivisionError: division by zero',
      type: 'ZeroDivisionError',
      value: 'division by zero',
      culprit: '__main__ in compute_ratio',
      level: 'error',
      platform: 'python',
      status: 'open',
      count: 2,
      user_count: 1,
      first_release: 'billing@2.0.0',
      last_event_id: ids['ratio-2'],
    });
  });

  it('stores the Python frames, in-app, innermost last', async () => {
    const [exception] = await exceptionsOf(ids['ratio-1']!);
    expect(exception!.type).toBe('ZeroDivisionError');
    const frames = exception!.stacktrace!.frames;
    expect(frames.map((f) => [f.module, f.function, f.in_app])).toEqual([
      ['__main__', 'capture', true],
      ['__main__', 'build_report', true],
      ['__main__', 'compute_ratio', true],
    ]);
    expect(frames.at(-1)!.context_line).toBe('    return total / parts');
  });

  it('labels a KeyError by its type and value, with the innermost in-app frame as culprit', async () => {
    const issue = await api.getIssue(await issueIdOf(ids['keyerror']!));
    expect(issue).toMatchObject({
      title: "KeyError: 'database_url'",
      culprit: '__main__ in read_setting',
      count: 1,
    });
  });

  it('keeps `raise … from …` as a chain, primary exception last', async () => {
    const exceptions = await exceptionsOf(ids['chained']!);
    expect(exceptions.map((e) => [e.type, e.value])).toEqual([
      ['ValueError', "invalid literal for int() with base 10: 'eighty'"],
      ['RuntimeError', 'invalid port in config'],
    ]);
    expect(await api.getIssue(await issueIdOf(ids['chained']!))).toMatchObject({
      title: 'RuntimeError: invalid port in config',
      culprit: '__main__ in parse_port',
      type: 'RuntimeError',
    });
  });

  it('stores capture_message with its level, user and tags', async () => {
    const event = await api.getEvent(ids['message']!);
    expect(event).toMatchObject({
      title: 'Nightly export skipped',
      level: 'warning',
      environment: 'production',
      release: 'billing@2.0.0',
      platform: 'python',
      user: { id: 'py-user-1', email: 'ada@example.com' },
      sdk: 'sentry.python/1.9.10',
    });
    expect(event.payload['tags']).toEqual([['component', 'billing']]);
    expect(await api.getIssue(event.issue_id)).toMatchObject({
      title: 'Nightly export skipped',
      type: '',
      culprit: '',
      level: 'warning',
    });
  });

  it('accepts the envelope with an attachment: the event is stored, the attachment dropped', async () => {
    const eventId = attachmentIds['attachment']!;
    const event = await api.getEvent(eventId);
    expect(event.release).toBe('billing@2.0.1');
    // The same `raise … from …` as the chained scenario: same issue, second event.
    expect(event.issue_id).toBe(await issueIdOf(ids['chained']!));
    expect(await api.getIssue(event.issue_id)).toMatchObject({
      count: 2,
      first_release: 'billing@2.0.0',
      last_release: 'billing@2.0.1',
    });
    const health = await api.health();
    expect(health.items_accepted['attachment']).toBe(1);
    expect(health.items_dropped['attachment']).toBe(1);
  });

  it('counts the transaction envelope in /_health', async () => {
    const health = await waitFor(async () => {
      const h = await api.health();
      return h.items_accepted['transaction'] === 1 ? h : null;
    });
    expect(health.transactions_per_minute).toBe(1);
    expect(health.event_count).toBe(EVENTS);
    expect(health.issue_count).toBe(4);
  });
});
