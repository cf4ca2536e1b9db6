import { useEffect, useState } from 'preact/hooks';
import { call, genericMessage } from '../lib/auth';
import { deskApi, type AgentState, type Interaction } from '../lib/desk';
import { isRecord, num, str } from '../lib/staff';
import { Banner, Button, Dialog, SelectField } from '../ui';

export interface CloseDialogProps {
  interaction: Interaction;
  open: boolean;
  onCancel: () => void;
  onClosed: (ix: Interaction) => void;
  /** The agent's state after disposing started (the account's disposition pause, if any). */
  onState: (s: AgentState) => void;
}

interface Disposition {
  id: number;
  name: string;
  path: string;
}

/** The dispositions that apply to this interaction (global, its account's, queue's, list's). */
async function applicable(ix: Interaction): Promise<Disposition[] | null> {
  const q = new URLSearchParams({ applicable: 'true', channel: ix.channel, account_id: String(ix.account_id), limit: '500' });
  if (ix.queue_id !== null) q.set('queue_id', String(ix.queue_id));
  const r = await call('GET', `/dispositions?${q.toString()}`);
  if (!r.ok || !isRecord(r.value) || !Array.isArray(r.value['items'])) return null;
  return r.value['items'].filter(isRecord).map((d) => ({ id: num(d['id']) ?? 0, name: str(d['name']), path: str(d['path']) || str(d['name']) }));
}

/**
 * Close the interaction with a disposition from the list that applies to it. Opening the
 * dialog starts disposing (POST …/dispose): on an account with a disposition pause the agent
 * is paused until the close, and the dialog says so. Where the account makes the disposition
 * mandatory, the server's 422 on `disposition` turns "No disposition" off and marks the field.
 */
export function CloseDialog({ interaction, open, onCancel, onClosed, onState }: CloseDialogProps) {
  const [list, setList] = useState<Disposition[] | null>(null);
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const [required, setRequired] = useState(false);
  const [busy, setBusy] = useState(false);
  const [pause, setPause] = useState<{ reason: string | null } | null>(null);
  useEffect(() => {
    if (!open) return;
    let live = true;
    void applicable(interaction).then((l) => live && setList(l));
    // Disposing starts now: the account's disposition pause (if any) applies until the close.
    void deskApi.dispose(interaction.id).then(async (r) => {
      if (!r.ok || !live) return;
      const st = await deskApi.state();
      if (!st.ok || !live) return;
      onState(st.value);
      setPause(st.value.paused ? { reason: st.value.pause_reason } : null);
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, interaction.id]);
  async function close(e: Event) {
    e.preventDefault();
    if (required && !chosen) {
      setFieldError('Choose a disposition: this account requires one.');
      return;
    }
    setBusy(true);
    const name = list?.find((d) => String(d.id) === chosen)?.name ?? '';
    const r = await deskApi.close(interaction.id, name);
    setBusy(false);
    if (!r.ok) {
      const field = r.error.errors.find((x) => x.field === 'disposition');
      if (field) {
        if (!chosen) setRequired(true);
        setFieldError(`${field.message.charAt(0).toUpperCase()}${field.message.slice(1)}.`);
        setError(null);
        return;
      }
      return setError(genericMessage(r.error));
    }
    setError(null);
    setFieldError(undefined);
    onClosed(r.value);
  }
  const none = required ? 'Choose a disposition' : 'No disposition';
  return (
    <Dialog title="Close interaction" open={open} onClose={onCancel}>
      <form class="stack" onSubmit={(e) => void close(e)} noValidate>
        {pause && (
          <Banner tone="warning" role="status">
            You are paused{pause.reason ? ` (${pause.reason})` : ''} while you dispose: no new interaction is offered to you until you close this one.
          </Banner>
        )}
        {error && (
          <Banner tone="error" role="alert">
            {error}
          </Banner>
        )}
        <SelectField
          label="Disposition"
          name="disposition"
          value={chosen}
          required={required}
          options={[{ value: '', label: list === null ? 'Loading…' : none }, ...(list ?? []).map((d) => ({ value: String(d.id), label: d.path }))]}
          onValueChange={(v) => {
            setChosen(v);
            setFieldError(undefined);
          }}
          hint={required ? 'This account requires a disposition.' : 'How it ended, for reports. Some accounts require one.'}
          error={fieldError}
        />
        <div class="row row--end">
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" disabled={busy}>
            Close interaction
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
