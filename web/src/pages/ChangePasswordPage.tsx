import { useState } from 'preact/hooks';
import { changePassword, fieldMessages, genericMessage, type FieldError, type Session } from '../lib/auth';
import { Link } from '../lib/router';
import { Banner, Button, TextField } from '../ui';
import { NewPasswordFields } from './NewPasswordFields';

export interface ChangePasswordPageProps {
  session: Session;
  /** True when the server requires the change before anything else. */
  forced: boolean;
  onChanged: () => void;
  onLogout: () => void;
}

function forcedReason(s: Session): string {
  if (s.password.expired) return 'Your password has expired. Choose a new one to continue.';
  return 'You must choose a new password before you continue (first login or a password reset by an administrator).';
}

/** Change my password: forced (first login, expired, admin reset) or voluntary. */
export function ChangePasswordPage({ session, forced, onChanged, onLogout }: ChangePasswordPageProps) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const local: FieldError[] = [];
    if (!current) local.push({ field: 'current_password', message: 'enter your current password' });
    if (!next) local.push({ field: 'new_password', message: 'enter a new password' });
    if (next && confirm !== next) local.push({ field: 'confirm', message: 'the two passwords do not match' });
    setError(null);
    setErrors(local);
    if (local.length) return;
    setBusy(true);
    const r = await changePassword(current, next);
    setBusy(false);
    if (r.ok) {
      onChanged();
      return;
    }
    if (r.error.status === 422 && r.error.errors.length) {
      setErrors(r.error.errors);
      setError('The password was not changed: see the messages under the fields.');
    } else {
      setError(genericMessage(r.error));
    }
  }

  return (
    <section class="card card--narrow auth-card" aria-labelledby="pw-title">
      <h1 class="card__title" id="pw-title">
        Change password
      </h1>
      {forced ? (
        <Banner tone="warning" role="status">
          {forcedReason(session)}
        </Banner>
      ) : (
        <p class="muted">Signed in as {session.user.full_name}.</p>
      )}
      <form class="stack" noValidate onSubmit={submit}>
        <input type="text" name="username" autoComplete="username" value={session.user.username} hidden readOnly />
        <TextField
          label="Current password"
          name="current_password"
          type="password"
          autoComplete="current-password"
          required
          error={fieldMessages(errors, 'current_password')}
          value={current}
          onValueChange={setCurrent}
        />
        <NewPasswordFields
          rulesId="pw-rules"
          errors={errors}
          next={next}
          confirm={confirm}
          onNext={setNext}
          onConfirm={setConfirm}
        />
        {error && (
          <Banner tone="error" role="alert">
            {error}
          </Banner>
        )}
        <Button type="submit" block disabled={busy}>
          {busy ? 'Saving…' : 'Change password'}
        </Button>
        {forced ? (
          <Button variant="ghost" block onClick={onLogout}>
            Log out
          </Button>
        ) : (
          <p class="auth-card__footer">
            <Link href="/">Cancel</Link>
          </p>
        )}
      </form>
    </section>
  );
}
