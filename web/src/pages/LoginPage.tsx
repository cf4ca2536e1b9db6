import { useEffect, useRef, useState } from 'preact/hooks';
import {
  fetchOptions,
  formatWait,
  genericMessage,
  login,
  loginMfa,
  type ApiError,
  type LoginOptions,
  type MfaChallenge,
  type Session,
} from '../lib/auth';
import { Link } from '../lib/router';
import { Banner, Button, TextField } from '../ui';

export interface LoginPageProps {
  onLoggedIn: (s: Session) => void;
}

/** The message for a failed login; never says which of username or password was wrong. */
export function loginErrorMessage(e: ApiError): string {
  if (e.status === 401 || e.status === 422) return 'Invalid username or password.';
  if (e.status === 403 && e.code === 'account_disabled') return 'Your account is disabled: contact the administrator.';
  if (e.status === 403) return 'Your account is locked: contact the administrator.';
  if (e.status === 429) {
    if (e.retryAfter === null) return 'Too many failed attempts. Try again later.';
    const at = new Date(Date.now() + e.retryAfter * 1000).toLocaleTimeString();
    return `Too many failed attempts. Try again in ${formatWait(e.retryAfter)} (after ${at}).`;
  }
  return genericMessage(e);
}

function mfaErrorMessage(e: ApiError): string {
  if (e.status === 401 && e.code === 'mfa_expired') return 'This sign-in step expired or had too many wrong codes. Log in again.';
  if (e.status === 401 || e.status === 422) return 'That code is not valid. Check it and try again.';
  return genericMessage(e);
}

/** /login: username and password, then the second factor when the account has one. */
export function LoginPage({ onLoggedIn }: LoginPageProps) {
  const [options, setOptions] = useState<LoginOptions | null>(null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [challenge, setChallenge] = useState<MfaChallenge | null>(null);

  useEffect(() => {
    let live = true;
    fetchOptions().then((o) => live && setOptions(o));
    return () => {
      live = false;
    };
  }, []);

  if (challenge) {
    return (
      <MfaStep
        challenge={challenge}
        onLoggedIn={onLoggedIn}
        onRestart={(msg) => {
          setChallenge(null);
          setPassword('');
          setError(msg);
        }}
      />
    );
  }

  const cookiesBlocked = typeof navigator !== 'undefined' && !navigator.cookieEnabled;

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    if (!username.trim() || !password) {
      setError('Enter your username and password.');
      return;
    }
    setBusy(true);
    setError(null);
    const r = await login(username.trim(), password);
    setBusy(false);
    if (!r.ok) {
      setError(loginErrorMessage(r.error));
      return;
    }
    setPassword('');
    if (r.value.kind === 'mfa') setChallenge(r.value.challenge);
    else onLoggedIn(r.value.session);
  }

  return (
    <section class="card card--narrow auth-card" aria-labelledby="login-title">
      <h1 class="card__title" id="login-title">
        Log in
      </h1>
      {cookiesBlocked && (
        <Banner tone="error" role="alert" title="Cookies are blocked">
          Switchboard needs cookies to keep you signed in. Allow cookies for this site in your
          browser settings, then reload the page.
        </Banner>
      )}
      <form class="stack" noValidate onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellcheck={false}
          required
          value={username}
          onValueChange={setUsername}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValueChange={setPassword}
        />
        {error && (
          <div id="login-error">
            <Banner tone="error" role="alert">
              {error}
            </Banner>
          </div>
        )}
        <Button type="submit" block disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </Button>
        {options?.activeDirectory && (
          <div class="stack stack--tight">
            <Button type="submit" variant="secondary" block disabled={busy}>
              Log in with Active Directory
            </Button>
            <p class="muted small">
              Directory accounts use the same form: enter your directory username and password.
            </p>
          </div>
        )}
      </form>
      {options?.passwordReset && (
        <p class="auth-card__footer">
          <Link href="/forgot-password">Forgot password?</Link>
        </p>
      )}
    </section>
  );
}

interface MfaStepProps {
  challenge: MfaChallenge;
  onLoggedIn: (s: Session) => void;
  onRestart: (message: string | null) => void;
}

function MfaStep({ challenge, onLoggedIn, onRestart }: MfaStepProps) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    inputRef.current?.querySelector('input')?.focus();
  }, []);

  const byEmail = challenge.methods.includes('email');
  const how = byEmail
    ? 'We sent a 6-digit code to your e-mail address. Enter it below.'
    : 'Enter the 6-digit code shown in your authenticator app.';
  const recovery = challenge.methods.includes('recovery_code')
    ? ' If you cannot get a code, enter one of your recovery codes (xxxxx-xxxxx).'
    : '';

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const c = code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(c) && !/^[A-Za-z0-9]{5}-?[A-Za-z0-9]{5}$/.test(c)) {
      setError('Enter the 6-digit code or a recovery code like abcde-12345.');
      return;
    }
    setBusy(true);
    setError(null);
    const r = await loginMfa(challenge.mfaToken, c);
    setBusy(false);
    if (r.ok) {
      onLoggedIn(r.value);
      return;
    }
    if (r.error.code === 'mfa_expired') onRestart(mfaErrorMessage(r.error));
    else setError(mfaErrorMessage(r.error));
  }

  return (
    <section class="card card--narrow auth-card" aria-labelledby="mfa-title">
      <h1 class="card__title" id="mfa-title">
        Two-step verification
      </h1>
      <p class="muted" id="mfa-method">
        {byEmail ? 'Method: e-mail code. ' : 'Method: authenticator app. '}
        {how}
        {recovery}
      </p>
      <form class="stack" noValidate onSubmit={submit}>
        <div ref={inputRef}>
          <TextField
            label="Verification code"
            name="code"
            autoComplete="one-time-code"
            autoCapitalize="none"
            spellcheck={false}
            maxLength={20}
            describedBy="mfa-method"
            error={error ?? undefined}
            value={code}
            onValueChange={setCode}
          />
        </div>
        <Button type="submit" block disabled={busy}>
          {busy ? 'Verifying…' : 'Verify'}
        </Button>
        <Button variant="ghost" block onClick={() => onRestart(null)}>
          Back to log in
        </Button>
      </form>
    </section>
  );
}
