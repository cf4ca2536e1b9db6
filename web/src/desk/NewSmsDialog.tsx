import { useEffect, useState } from 'preact/hooks';
import { genericMessage } from '../lib/auth';
import { deskApi, toE164, type Interaction } from '../lib/desk';
import { Banner, Button, Dialog, TextField } from '../ui';

export interface NewSmsDialogProps {
  open: boolean;
  onCancel: () => void;
  /** The new conversation (assigned to the agent): the desk opens its tab. */
  onStarted: (ix: Interaction) => void;
  /** SMS account ids the agent is known to work on (from its tabs), when no list is readable. */
  knownAccounts: number[];
}

const BODY_MAX = 16_384;

/**
 * "New SMS": an SMS account the agent belongs to, the customer's phone in E.164 and the first
 * message; POST /sms/accounts/{id}/interactions sends it through the outbox and answers the new
 * (or the already open) conversation, assigned to the agent.
 */
export function NewSmsDialog({ open, onCancel, onStarted, knownAccounts }: NewSmsDialogProps) {
  const [account, setAccount] = useState('');
  const [phone, setPhone] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<Partial<Record<'account' | 'phone' | 'body', string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Agents cannot list SMS accounts (GET /sms/accounts is for administrators): the account is
  // typed, prefilled when the agent's SMS tabs are all on one account.
  useEffect(() => {
    if (open && !account && knownAccounts.length === 1) setAccount(String(knownAccounts[0]));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  async function start(e: Event) {
    e.preventDefault();
    const errs: typeof errors = {};
    const acc = Number(account.trim());
    if (!/^\d{1,15}$/.test(account.trim()) || acc < 1) errs.account = 'Choose the SMS account to write from.';
    const e164 = toE164(phone);
    if (!e164) errs.phone = 'Enter the number in international format, e.g. +39 333 1234567.';
    const text = body.trim();
    if (!text) errs.body = 'Write the first message.';
    else if (new TextEncoder().encode(text).length > BODY_MAX) errs.body = 'The message is too long (16 KB at most).';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    const r = await deskApi.newSms(acc, e164 as string, text);
    setBusy(false);
    if (!r.ok) {
      const f: typeof errors = {};
      for (const x of r.error.errors) {
        const k = x.field === 'phone' || x.field === 'body' ? x.field : null;
        if (k) f[k] = `${x.message.charAt(0).toUpperCase()}${x.message.slice(1)}.`;
      }
      setErrors(f);
      if (r.error.status === 404 || r.error.status === 403) setError('You cannot write from this SMS account: ask an administrator to add you to its agents.');
      else if (r.error.status === 409) setError(genericMessage(r.error));
      else setError(Object.keys(f).length ? 'The message was not sent: correct the fields marked below.' : genericMessage(r.error));
      return;
    }
    setError(null);
    setPhone('');
    setBody('');
    onStarted(r.value);
  }

  return (
    <Dialog title="New SMS" open={open} onClose={onCancel}>
      <form class="stack" onSubmit={(e) => void start(e)} noValidate>
        {error && (
          <Banner tone="error" role="alert">
            {error}
          </Banner>
        )}
        <TextField
          label="SMS account number"
          inputMode="numeric"
          value={account}
          onValueChange={setAccount}
          error={errors.account}
          hint={knownAccounts.length ? `Your SMS tabs are on account ${knownAccounts.join(', ')}.` : 'The number of an SMS account you are an agent of (your administrator knows it).'}
          maxLength={15}
        />
        <TextField label="Phone number" type="tel" autoComplete="off" value={phone} onValueChange={setPhone} error={errors.phone} hint="International format: + and the country code." maxLength={32} />
        <div class="field">
          <label class="field__label" for="new-sms-body">
            First message
          </label>
          <textarea
            id="new-sms-body"
            class="field__input composer__text"
            rows={4}
            value={body}
            aria-invalid={errors.body ? 'true' : undefined}
            aria-describedby={errors.body ? 'new-sms-body-err' : undefined}
            onInput={(e) => setBody(e.currentTarget.value)}
          />
          {errors.body && (
            <div class="field__error" id="new-sms-body-err" role="alert">
              {errors.body}
            </div>
          )}
        </div>
        <div class="row row--end">
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" disabled={busy}>
            Send
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
