import { useEffect, useState } from 'preact/hooks';
import { genericMessage } from '../lib/auth';
import { contactName, deskApi, type AgentState, type DeliveryStatus, type Interaction, type Message } from '../lib/desk';
import { CHANNEL_LABELS } from '../lib/staff';
import { Banner, Button, Chip, toast } from '../ui';
import { CloseDialog } from './CloseDialog';
import { Composer } from './Composer';
import { MessageThread } from './MessageThread';
import { TagEditor } from './TagEditor';
import { TransferDialog } from './TransferDialog';

export interface InteractionPaneProps {
  interaction: Interaction;
  /** Changes when the server says the thread has news (and after a re-sync). */
  version: number;
  statuses: Record<number, DeliveryStatus>;
  cannotReply: boolean;
  onCannotReply: () => void;
  onUpdated: (ix: Interaction) => void;
  onRead: () => void;
  /** The tab goes away (closed, released or transferred). */
  onGone: () => void;
  /** The agent's state changed (disposing may pause the agent). */
  onState: (s: AgentState) => void;
}

/** One interaction: its thread, the reply box, tags, and close / transfer / close tab. */
export function InteractionPane(p: InteractionPaneProps) {
  const ix = p.interaction;
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [local, setLocal] = useState(0);
  const [dialog, setDialog] = useState<'close' | 'transfer' | null>(null);
  const name = contactName(ix.contact);

  useEffect(() => {
    let live = true;
    void deskApi.messages(ix.id).then((r) => {
      if (!live) return;
      if (r.ok) {
        setMessages(r.value.slice().reverse());
        setError(null);
      } else setError(genericMessage(r.error));
    });
    return () => {
      live = false;
    };
  }, [ix.id, p.version, local]);

  // Offer and assignment events carry a summary without the tags: read the whole record.
  useEffect(() => {
    let live = true;
    void deskApi.get(ix.id).then((r) => live && r.ok && p.onUpdated({ ...r.value, last_message: ix.last_message }));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ix.id, p.version]);

  // Opening the tab reads it.
  useEffect(() => {
    if (!ix.unread) return;
    void deskApi.read(ix.id).then((r) => r.ok && p.onRead());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ix.id, ix.unread]);

  async function release() {
    const r = await deskApi.release(ix.id);
    if (!r.ok) return toast('error', genericMessage(r.error));
    p.onGone();
  }

  return (
    <article class="pane" aria-labelledby={`pane-${ix.id}-title`}>
      <header class="pane__head">
        <div>
          <h2 class="pane__title" id={`pane-${ix.id}-title`}>
            {name}
          </h2>
          <div class="chips">
            <Chip tone="info">{CHANNEL_LABELS[ix.channel] ?? ix.channel}</Chip>
            <span class="muted small">#{ix.id}</span>
            {ix.contact.phone && <span class="muted small">{ix.contact.phone}</span>}
            {ix.contact.email && <span class="muted small">{ix.contact.email}</span>}
          </div>
        </div>
        <div class="row">
          <Button variant="secondary" onClick={() => setDialog('transfer')}>
            Transfer
          </Button>
          <Button variant="danger" onClick={() => setDialog('close')}>
            Close…
          </Button>
          <Button variant="ghost" onClick={() => void release()} title="The interaction stays open; the customer's next message comes back to you first.">
            Close tab
          </Button>
        </div>
      </header>
      {error && (
        <Banner tone="error" role="alert">
          {error}
        </Banner>
      )}
      {messages === null ? <p class="muted">Loading messages…</p> : <MessageThread messages={messages} statuses={p.statuses} customer={name} />}
      <Composer interactionId={ix.id} cannotReply={p.cannotReply} onCannotReply={p.onCannotReply} onClosed={p.onGone} onSent={() => setLocal((n) => n + 1)} />
      <TagEditor interaction={ix} onChange={p.onUpdated} />
      <CloseDialog
        interaction={ix}
        onState={p.onState}
        open={dialog === 'close'}
        onCancel={() => setDialog(null)}
        onClosed={() => {
          setDialog(null);
          toast('success', `Interaction with ${name} closed.`);
          p.onGone();
        }}
      />
      <TransferDialog
        interaction={ix}
        open={dialog === 'transfer'}
        onCancel={() => setDialog(null)}
        onDone={() => {
          setDialog(null);
          toast('info', `Interaction with ${name} transferred.`);
          p.onGone();
        }}
      />
    </article>
  );
}
