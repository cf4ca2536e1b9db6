import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { AppHeader } from './components/AppHeader';
import { LazyConsole } from './console/LazyConsole';
import { Desk } from './desk/Desk';
import { fetchMe, genericMessage, isStaffConsole, logout, type Session } from './lib/auth';
import { licenseText, loadBranding, useBranding } from './lib/branding';
import { useClientLogs } from './lib/clientLogs';
import { Link, navigate, useRoute } from './lib/router';
import type { SocketManager } from './lib/socket';
import { useSocketState } from './lib/useSocketState';
import { ChangePasswordPage } from './pages/ChangePasswordPage';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage';
import { HomePage } from './pages/HomePage';
import { LoginPage } from './pages/LoginPage';
import { ResetPasswordPage } from './pages/ResetPasswordPage';
import { Messenger } from './messenger/Messenger';
import { Banner, Button, parseToastPosition, Toaster } from './ui';

export interface AppProps {
  socket: SocketManager;
}

/** Pages anyone may open; every other path needs a session. */
const PUBLIC_PATHS = new Set(['/login', '/forgot-password', '/reset-password']);

type SessionState = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'anonymous' } | { kind: 'session'; session: Session };

export function App({ socket }: AppProps) {
  const connection = useSocketState(socket);
  // Bumped on every reconnection so views reload what they may have missed.
  const [reconnects, setReconnects] = useState(0);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (connection === 'open') {
      if (wasOpen.current) setReconnects((n) => n + 1);
      wasOpen.current = true;
    }
  }, [connection]);

  const route = useRoute();
  const { branding, license } = useBranding();
  const [state, setState] = useState<SessionState>({ kind: 'loading' });
  const [loggingOut, setLoggingOut] = useState(false);

  const loadSession = useCallback(async () => {
    const r = await fetchMe();
    if (!r.ok) setState({ kind: 'error', message: genericMessage(r.error) });
    else if (r.value === null) setState({ kind: 'anonymous' });
    else setState({ kind: 'session', session: r.value });
  }, []);

  useEffect(() => {
    void loadSession();
  }, [loadSession]);

  // The server learns who is on a WebSocket at its handshake: after a login or logout, open a
  // new one so per-user events (client_logs.*, session.revoked) reach this page.
  const signedIn = state.kind === 'session' ? state.session.user.id : state.kind === 'anonymous' ? 0 : undefined;
  const lastSignedIn = useRef<number | undefined>(undefined);
  // After a forced logout the browser still holds the revoked cookie: a new socket would be
  // refused (401) until the next login, so the socket stays stopped until then.
  const revoked = useRef(false);
  useEffect(() => {
    if (signedIn === undefined) return;
    if (lastSignedIn.current !== undefined && lastSignedIn.current !== signedIn) {
      socket.stop();
      if (!revoked.current) socket.start();
    }
    lastSignedIn.current = signedIn;
  }, [signedIn, socket]);

  useClientLogs(socket, state.kind === 'session' ? state.session : null);

  // Forced logout: this agent signed in somewhere else (security.md "Agents have one session").
  const [signedOutWhy, setSignedOutWhy] = useState<string | null>(null);
  useEffect(
    () =>
      socket.onMessage((m) => {
        if (m.type !== 'session.revoked') return;
        revoked.current = true;
        socket.stop();
        setSignedOutWhy('You were signed out because your account signed in somewhere else.');
        setState({ kind: 'anonymous' });
        navigate('/login', true);
      }),
    [socket],
  );

  // Another administrator page saved the customizations: apply them here too (the event
  // reaches administrators' sockets only; other pages take them at their next load).
  useEffect(
    () =>
      socket.onMessage((m) => {
        const keys = m.type === 'settings.changed' && typeof m.data === 'object' && m.data !== null ? (m.data as { keys?: unknown }).keys : null;
        if (Array.isArray(keys) && keys.some((k) => typeof k === 'string' && k.startsWith('customization.'))) void loadBranding();
      }),
    [socket],
  );

  // Redirects: anonymous users to /login, signed-in users away from the public pages.
  useEffect(() => {
    if (state.kind === 'anonymous' && !PUBLIC_PATHS.has(route.path)) navigate('/login', true);
    if (state.kind === 'session' && (route.path === '/login' || route.path === '/forgot-password')) navigate('/', true);
  }, [state.kind, route.path]);

  // Move focus to the new page's content, so keyboard and screen-reader users follow along.
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    main.current?.focus();
  }, [route.path]);

  async function doLogout() {
    setLoggingOut(true);
    await logout();
    setLoggingOut(false);
    setState({ kind: 'anonymous' });
    navigate('/login');
  }

  function onLoggedIn(session: Session) {
    setSignedOutWhy(null);
    if (revoked.current) {
      revoked.current = false;
      socket.start();
    }
    setState({ kind: 'session', session });
    navigate('/', true);
    // The login answer is the short form: /auth/me adds the role's settings (toast position).
    void loadSession();
  }

  function page() {
    if (state.kind === 'loading') {
      return (
        <p class="muted" role="status">
          Loading…
        </p>
      );
    }
    if (state.kind === 'error') {
      return (
        <div class="card card--narrow auth-card">
          <Banner tone="error" role="alert">
            {state.message}
          </Banner>
          <Button onClick={() => void loadSession()}>Try again</Button>
        </div>
      );
    }
    if (state.kind === 'anonymous') {
      if (route.path === '/forgot-password') return <ForgotPasswordPage />;
      if (route.path === '/reset-password') return <ResetPasswordPage token={route.query.get('token') ?? ''} />;
      return (
        <>
          {branding.loginLogo && (
            <div class="login-logo">
              <img src={branding.loginLogo} alt="" />
            </div>
          )}
          {signedOutWhy && (
            <Banner tone="warning" role="alert">
              {signedOutWhy}
            </Banner>
          )}
          <LoginPage onLoggedIn={onLoggedIn} />
        </>
      );
    }
    const { session } = state;
    const forced = session.password.must_change || session.password.expired;
    if (route.path === '/reset-password') return <ResetPasswordPage token={route.query.get('token') ?? ''} />;
    if (forced || route.path === '/change-password') {
      return (
        <ChangePasswordPage
          session={session}
          forced={forced}
          onLogout={() => void doLogout()}
          onChanged={() => {
            void loadSession();
            navigate('/', true);
          }}
        />
      );
    }
    if (isStaffConsole(session) && (route.path === '/' || route.path === '/admin' || route.path.startsWith('/admin/'))) {
      const days = session.password.expires_in_days;
      return (
        <>
          {days !== null && (
            <Banner tone="warning" role="status">
              Your password expires in {days} {days === 1 ? 'day' : 'days'}. <Link href="/change-password">Change it now</Link>
            </Banner>
          )}
          <LazyConsole
            session={session}
            route={route}
            socket={socket}
            footer={
              <>
                <span class="signed-in">
                  Signed in as <strong>{session.user.full_name}</strong> ({session.user.role})
                </span>
                <Link href="/change-password">Change password</Link>
                <Button variant="secondary" onClick={() => void doLogout()} disabled={loggingOut}>
                  Log out
                </Button>
              </>
            }
          />
        </>
      );
    }
    if (session.user.role === 'agent' && route.path === '/') {
      const days = session.password.expires_in_days;
      return (
        <>
          {days !== null && (
            <Banner tone="warning" role="status">
              Your password expires in {days} {days === 1 ? 'day' : 'days'}. <Link href="/change-password">Change it now</Link>
            </Banner>
          )}
          {session.mfaEnrollmentRequired && (
            <Banner tone="warning" role="status">
              Your role requires two-step verification. Set it up before using the rest of Switchboard.
            </Banner>
          )}
          <Desk
            session={session}
            socket={socket}
            footer={
              <>
                <span class="signed-in">
                  Signed in as <strong>{session.user.full_name}</strong> ({session.user.role})
                </span>
                <Link href="/change-password">Change password</Link>
                <Button variant="secondary" onClick={() => void doLogout()} disabled={loggingOut}>
                  Log out
                </Button>
              </>
            }
          />
        </>
      );
    }
    return <HomePage session={session} refreshKey={reconnects} onLogout={() => void doLogout()} busy={loggingOut} />;
  }

  const session = state.kind === 'session' ? state.session : null;
  const wide = route.path.startsWith('/admin') || (session?.user.role === 'agent' && route.path === '/') || (session !== null && isStaffConsole(session) && route.path === '/');

  return (
    <div class="app">
      <AppHeader connection={connection} actions={session && !session.password.must_change && !session.password.expired ? <Messenger key={session.user.id} session={session} socket={socket} /> : null} />
      <main class={`app-main${wide ? ' app-main--wide' : ''}`} id="main" tabIndex={-1} ref={main}>
        {connection === 'reconnecting' && (
          <Banner tone="warning" role="alert" title="Connection lost">
            The connection to the server was lost (network problem). Reconnecting… This message disappears when the connection is back.
          </Banner>
        )}
        {/* Seed 001: at login for everyone; afterwards for administrators, who can act on it. */}
        {license && (state.kind === 'anonymous' || (state.kind === 'session' && state.session.user.role === 'admin')) && (
          <Banner tone={license.expired ? 'error' : 'warning'} role="status" title={license.expired ? 'Licence expired' : 'Licence expiring'}>
            {licenseText(license)}
          </Banner>
        )}
        {page()}
      </main>
      <Toaster position={parseToastPosition(session?.notificationPosition)} />
    </div>
  );
}
