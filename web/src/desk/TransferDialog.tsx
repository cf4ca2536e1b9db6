import { useEffect, useState } from 'preact/hooks';
import { call, genericMessage } from '../lib/auth';
import { deskApi, type Interaction } from '../lib/desk';
import { messengerApi, type Recipient } from '../lib/messenger';
import { Banner, Button, Dialog, SelectField, TextField } from '../ui';

export interface TransferDialogProps {
  interaction: Interaction;
  open: boolean;
  onCancel: () => void;
  onDone: () => void;
}

/** Online agents, from the messenger's recipients (the one list an agent may read). */
async function onlineAgents(): Promise<Recipient[] | null> {
  const r = await call('GET', '/messenger/recipients?status=online&limit=500');
  if (!r.ok || typeof r.value !== 'object' || r.value === null) return null;
  const items = (r.value as { items?: unknown }).items;
  if (!Array.isArray(items)) return null;
  return items
    .map((x) => x as Recipient)
    .filter((x) => typeof x.id === 'number' && x.role === 'agent');
}

/** Transfer to an online agent or to a queue (when the account allows transfers). */
export function TransferDialog({ interaction, open, onCancel, onDone }: TransferDialogProps) {
  const [to, setTo] = useState<'agent' | 'queue'>('agent');
  const [agents, setAgents] = useState<Recipient[] | null>(null);
  const [agentId, setAgentId] = useState('');
  const [queueId, setQueueId] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    void messengerApi.me().then((me) => (me.ok && me.value.enabled ? onlineAgents().then(setAgents) : setAgents(null)));
  }, [open]);
  async function submit(e: Event) {
    e.preventDefault();
    const n = Number(to === 'agent' ? agentId : queueId);
    if (!Number.isInteger(n) || n <= 0) return setError(to === 'agent' ? 'Choose an agent.' : 'Enter the queue number.');
    const r = await deskApi.transfer(interaction.id, to === 'agent' ? { agent_id: n } : { queue_id: n });
    if (!r.ok) return setError(r.error.errors[0]?.message ?? genericMessage(r.error));
    setError(null);
    onDone();
  }
  return (
    <Dialog title="Transfer interaction" open={open} onClose={onCancel}>
      <form class="stack" onSubmit={(e) => void submit(e)}>
        {error && (
          <Banner tone="error" role="alert">
            {error}
          </Banner>
        )}
        <SelectField
          label="Transfer to"
          value={to}
          options={[
            { value: 'agent', label: 'An online agent' },
            { value: 'queue', label: 'A queue' },
          ]}
          onValueChange={(v) => setTo(v === 'queue' ? 'queue' : 'agent')}
        />
        {to === 'agent' && agents && (
          <SelectField
            label="Agent"
            value={agentId}
            options={[{ value: '', label: agents.length ? 'Choose…' : 'No agent online' }, ...agents.map((a) => ({ value: String(a.id), label: `${a.name} (${a.username})` }))]}
            onValueChange={setAgentId}
          />
        )}
        {to === 'agent' && !agents && <TextField label="Agent number" type="number" min={1} value={agentId} onValueChange={setAgentId} />}
        {to === 'queue' && <TextField label="Queue number" type="number" min={1} value={queueId} onValueChange={setQueueId} {...(interaction.queue_id ? { hint: `This interaction came from queue #${interaction.queue_id}.` } : {})} />}
        <p class="muted small">If nobody takes it in time, it comes back to you, unread.</p>
        <div class="row row--end">
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit">Transfer</Button>
        </div>
      </form>
    </Dialog>
  );
}
