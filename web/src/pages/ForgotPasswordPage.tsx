import { useState } from 'preact/hooks';
import { requestPasswordReset } from '../lib/auth';
import { Link } from '../lib/router';
import { Banner, Button, TextField } from '../ui';

export const RESET_SENT_TEXT =
  'If an account uses this address, we have sent it a link to choose a new password. The link expires in one hour: if you cannot use it in time, start again.';

/** /forgot-password: always the same confirmation, whether or not an account matches. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) {
      setFieldError('Enter the e-mail address of your account.');
      return;
    }
    setFieldError(undefined);
    setError(null);
    setBusy(true);
    const r = await requestPasswordReset(email.trim());
    setBusy(false);
    if (r.ok || r.error.status === 422) setSent(true);
    else if (r.error.status === 503) setError('Password reset by e-mail is unavailable. Ask an administrator to reset your password.');
    else if (r.error.status === 0) setError('The server cannot be reached. Check your network connection and try again.');
    else setSent(true);
  }

  return (
    <section class="card card--narrow auth-card" aria-labelledby="forgot-title">
      <h1 class="card__title" id="forgot-title">
        Forgot password
      </h1>
      {sent ? (
        <Banner tone="success" role="status">
          {RESET_SENT_TEXT}
        </Banner>
      ) : (
        <form class="stack" noValidate onSubmit={submit}>
          <p class="muted">Enter the e-mail address of your account and we will send you a link to choose a new password.</p>
          <TextField
            label="E-mail address"
            name="email"
            type="email"
            autoComplete="email"
            required
            error={fieldError}
            value={email}
            onValueChange={setEmail}
          />
          {error && (
            <Banner tone="error" role="alert">
              {error}
            </Banner>
          )}
          <Button type="submit" block disabled={busy}>
            {busy ? 'Sending…' : 'Send the link'}
          </Button>
        </form>
      )}
      <p class="auth-card__footer">
        <Link href="/login">Back to log in</Link>
      </p>
    </section>
  );
}
