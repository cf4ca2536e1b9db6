import { useEffect, useState } from 'preact/hooks';
import { call, genericMessage } from '../lib/auth';
import { deskApi, type Interaction } from '../lib/desk';
import { isRecord, num, str } from '../lib/staff';
import { Banner, Button, Dialog, SelectField } from '../ui';

export interface CloseDialogProps {
  interaction: Interaction;
  open: boolean;
  onCancel: () => void;
  onClosed: (ix: Interaction) => void;
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

/** Close the interaction with a disposition from the list that applies to it. */
export function CloseDialog({ interaction, open, onCancel, onClosed }: CloseDialogProps) {
  const [list, setList] = useState<Disposition[] | null>(null);
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) void applicable(interaction).then(setList);
  }, [open, interaction.id]);
  async function close(e: Event) {
    e.preventDefault();
    setBusy(true);
    const name = list?.find((d) => String(d.id) === chosen)?.name ?? '';
    const r = await deskApi.close(interaction.id, name);
    setBusy(false);
    if (!r.ok) {
      const field = r.error.errors.find((x) => x.field === 'disposition');
      return setError(field ? `Disposition: ${field.message}.` : genericMessage(r.error));
    }
    setError(null);
    onClosed(r.value);
  }
  return (
    <Dialog title="Close interaction" open={open} onClose={onCancel}>
      <form class="stack" onSubmit={(e) => void close(e)}>
        {error && (
          <Banner tone="error" role="alert">
            {error}
          </Banner>
        )}
        <SelectField
          label="Disposition"
          value={chosen}
          options={[{ value: '', label: list === null ? 'Loading…' : 'No disposition' }, ...(list ?? []).map((d) => ({ value: String(d.id), label: d.path }))]}
          onValueChange={setChosen}
          hint="How it ended, for reports. Some accounts require one."
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
