/**
 * Settings → Account (issue 7): who is signed in, through which provider, until when, with a
 * sign-out button; in open mode, how to turn login on.
 */
import { RelativeTime } from '../components/relative-time';
import { SignOutButton, useSessionInfo } from '../components/account-control';

export function AccountSection() {
  const session = useSessionInfo();
  if (!session) return null;
  return (
    <section className="card settings-page-section" aria-labelledby="account-title">
      <h2 id="account-title">Account</h2>
      {session.user ? (
        <>
          <p>
            Signed in as <strong className="settings-account-email">{session.user.email}</strong>
            {session.user.name ? ` (${session.user.name})` : ''} with {session.provider_name}.
          </p>
          <p className="muted">
            This session ends{' '}
            {session.expires_at ? <RelativeTime iso={session.expires_at} /> : 'when you sign out'} unless you
            keep using Snag (idle timeout), and at the latest after its maximum age.
          </p>
          <div className="button-row">
            <SignOutButton />
          </div>
        </>
      ) : (
        <p className="muted">
          Login is off: anyone who can reach this Snag can use it. Set up OpenID Connect or GitHub login with
          an allowlist (docs/auth.md) before exposing it beyond this machine.
        </p>
      )}
    </section>
  );
}
