import { useState } from 'preact/hooks';
import { genericMessage } from '../lib/auth';
import { deskApi, type Interaction } from '../lib/desk';
import { Banner, Button, Dialog, TextField } from '../ui';

export interface CloseDialogProps {
  interaction: Interaction;
  open: boolean;
  onCancel: () => void;
  onClosed: (ix: Interaction) => void;
}

/** Close the interaction with a disposition (free text, optional). */
export function CloseDialog({ interaction, open, onCancel, onClosed }: CloseDialogProps) {
  const [disposition, setDisposition] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function close(e: Event) {
    e.preventDefault();
    setBusy(true);
    const r = await deskApi.close(interaction.id, disposition.trim());
    setBusy(false);
    if (!r.ok) return setError(r.error.errors[0]?.message ?? genericMessage(r.error));
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
        <TextField label="Disposition" value={disposition} onValueChange={setDisposition} maxLength={127} hint="How it ended, for reports (e.g. Solved)." />
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
