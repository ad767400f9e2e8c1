/**
 * Login in the shell (issue 7): the signed-in person's email with a sign-out button, or a sign-in
 * link, in the header; and the open-mode banner when Snag listens on the network without login.
 * Both read GET /api/v1/session once per page load (api/client.ts `loadSession`).
 */
import { useEffect, useState } from 'react';
import { api, loadSession, signInPath, type SessionInfo } from '../api/client';
import './account-control.css';

export function useSessionInfo(): SessionInfo | undefined {
  const [info, setInfo] = useState<SessionInfo>();
  useEffect(() => {
    let live = true;
    void loadSession().then((s) => live && setInfo(s));
    return () => {
      live = false;
    };
  }, []);
  return info;
}

/** Ends the session here and, where the provider supports it, there too (it answers where to go). */
export async function signOut(): Promise<void> {
  const { redirect_url } = await api.post<{ redirect_url: string }>('/auth/logout', {});
  location.assign(redirect_url);
}

/** Disabled while the logout request is out; enabled again if it fails. */
export function SignOutButton() {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        signOut().catch(() => setBusy(false));
      }}
    >
      Sign out
    </button>
  );
}

export function AccountControl({ session }: { session: SessionInfo | undefined }) {
  if (!session || session.mode === 'open' || session.mode === 'misconfigured') return null;
  if (!session.user) {
    return (
      <a className="button account-sign-in" href={signInPath()}>
        Sign in
      </a>
    );
  }
  return (
    <div className="account-control">
      <span className="account-email" title={session.user.name ?? undefined}>
        {session.user.email}
      </span>
      <SignOutButton />
    </div>
  );
}

export function OpenModeBanner({ session }: { session: SessionInfo | undefined }) {
  if (!session?.banner) return null;
  return (
    <div className="open-mode-banner" role="alert">
      <strong>No login.</strong> {session.banner}
    </div>
  );
}
