import { useState } from 'preact/hooks';
import { completePasswordReset, fieldMessages, genericMessage, type FieldError } from '../lib/auth';
import { Link } from '../lib/router';
import { Banner, Button } from '../ui';
import { NewPasswordFields } from './NewPasswordFields';

/** /reset-password?token=…: the target of the e-mailed link. */
export function ResetPasswordPage({ token }: { token: string }) {
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const local: FieldError[] = [];
    if (!next) local.push({ field: 'new_password', message: 'enter a new password' });
    if (next && confirm !== next) local.push({ field: 'confirm', message: 'the two passwords do not match' });
    setErrors(local);
    setError(null);
    if (local.length) return;
    setBusy(true);
    const r = await completePasswordReset(token, next);
    setBusy(false);
    if (r.ok) {
      setDone(true);
      return;
    }
    if (r.error.status === 422 && r.error.errors.length) {
      setErrors(r.error.errors);
      const tokenMsgs = fieldMessages(r.error.errors, 'token');
      setError(
        tokenMsgs.length
          ? `This link cannot be used: ${tokenMsgs.join(' ').replace(/^./, (c) => c.toLowerCase())}`
          : 'The password was not changed: see the messages under the fields.',
      );
    } else {
      setError(genericMessage(r.error));
    }
  }

  const tokenBad = !/^[A-Za-z0-9_-]{43}$/.test(token);

  return (
    <section class="card card--narrow auth-card" aria-labelledby="reset-title">
      <h1 class="card__title" id="reset-title">
        Choose a new password
      </h1>
      {done ? (
        <Banner tone="success" role="status">
          Your password has been changed. <Link href="/login">Log in</Link> with the new password.
        </Banner>
      ) : tokenBad ? (
        <Banner tone="error" role="alert">
          This link is incomplete or damaged. Open the link from the e-mail again, or{' '}
          <Link href="/forgot-password">ask for a new one</Link>.
        </Banner>
      ) : (
        <form class="stack" noValidate onSubmit={submit}>
          <NewPasswordFields
            rulesId="reset-rules"
            errors={errors}
            next={next}
            confirm={confirm}
            onNext={setNext}
            onConfirm={setConfirm}
          />
          {error && (
            <Banner tone="error" role="alert">
              {error}{' '}
              {fieldMessages(errors, 'token').length > 0 && <Link href="/forgot-password">Ask for a new link</Link>}
            </Banner>
          )}
          <Button type="submit" block disabled={busy}>
            {busy ? 'Saving…' : 'Set the new password'}
          </Button>
        </form>
      )}
      {!done && (
        <p class="auth-card__footer">
          <Link href="/login">Back to log in</Link>
        </p>
      )}
    </section>
  );
}
