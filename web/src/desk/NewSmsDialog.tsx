import { useEffect, useState } from 'preact/hooks';
import { genericMessage } from '../lib/auth';
import { deskApi, toE164, type AgentAccount, type Interaction } from '../lib/desk';
import { Banner, Button, Dialog, SelectField, TextField } from '../ui';

export interface NewSmsDialogProps {
  open: boolean;
  onCancel: () => void;
  /** The new conversation (assigned to the agent): the desk opens its tab. */
  onStarted: (ix: Interaction) => void;
}

const BODY_MAX = 16_384;

/** How an account reads in the select: its short key, then its name. */
const accountLabel = (a: AgentAccount) => (a.key ? `${a.key} — ${a.name}` : a.name);

/**
 * "New SMS": an SMS account the agent belongs to (chosen from GET /agent/accounts, read again at
 * every opening: an administrator may have changed the agents), the customer's phone in E.164
 * and the first message; POST /sms/accounts/{id}/interactions sends it through the outbox and
 * answers the new (or the already open) conversation, assigned to the agent.
 */
export function NewSmsDialog({ open, onCancel, onStarted }: NewSmsDialogProps) {
  /** null while loading; [] when the agent may start from no SMS account. */
  const [accounts, setAccounts] = useState<AgentAccount[] | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const [account, setAccount] = useState('');
  const [phone, setPhone] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<Partial<Record<'account' | 'phone' | 'body', string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    let live = true;
    setAccounts(null);
    setLoadFailed(false);
    void deskApi.accounts().then((r) => {
      if (!live) return;
      if (!r.ok) {
        setLoadFailed(true);
        return;
      }
      const sms = r.value.filter((a) => a.channel === 'sms' && a.canStart);
      setAccounts(sms);
      // Keep the choice made at the previous opening when it is still offered.
      setAccount((cur) => (sms.some((a) => String(a.id) === cur) ? cur : sms[0] ? String(sms[0].id) : ''));
    });
    return () => {
      live = false;
    };
  }, [open]);

  async function start(e: Event) {
    e.preventDefault();
    const errs: typeof errors = {};
    const acc = Number(account);
    if (!accounts?.some((a) => a.id === acc)) errs.account = 'Choose the SMS account to write from.';
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
        {loadFailed && (
          <Banner tone="error" role="alert">
            Your SMS accounts could not be read. Close this dialog and try again.
          </Banner>
        )}
        {!loadFailed && accounts === null && <p class="muted small">Loading your SMS accounts…</p>}
        {accounts !== null && accounts.length === 0 && (
          <Banner tone="info" role="status">
            You are not an agent of any SMS account: ask an administrator to add you to one.
          </Banner>
        )}
        {accounts !== null && accounts.length > 0 && (
          <>
            <SelectField
              label="SMS account"
              value={account}
              options={accounts.map((a) => ({ value: String(a.id), label: accountLabel(a) }))}
              onValueChange={setAccount}
              error={errors.account}
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
          </>
        )}
        <div class="row row--end">
          <Button variant="secondary" onClick={onCancel}>
            {accounts !== null && accounts.length === 0 ? 'Close' : 'Cancel'}
          </Button>
          {accounts !== null && accounts.length > 0 && (
            <Button type="submit" disabled={busy}>
              Send
            </Button>
          )}
        </div>
      </form>
    </Dialog>
  );
}
