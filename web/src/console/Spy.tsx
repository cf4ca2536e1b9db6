import { useEffect, useId, useState } from 'preact/hooks';
import { call, genericMessage, type ApiResult } from '../lib/auth';
import { contactName, deskApi, parseInteraction, type Interaction, type Message } from '../lib/desk';
import { fetchFile, interactionsApi, saveBlob, type ListChannel } from '../lib/interactions';
import { Link, navigate } from '../lib/router';
import { getPage, isRecord, num, str } from '../lib/staff';
import { MessageThread } from '../desk/MessageThread';
import { Banner, Button, Chip, Dialog, toast } from '../ui';
import { formatDate } from './common';
import { backToList, useAccountName } from './Interactions';

export interface SpyProps {
  channel: ListChannel;
  /** The list the view was opened from (null: the channel's). */
  accountId: number | null;
  id: number;
  mayDelete: boolean;
  admin: boolean;
  /** May list the agents (their names on messages); else "Staff #id". */
  readAgents: boolean;
  /** The signed-in staff member (its own notes carry its name). */
  me: { id: number; name: string };
}

const PAGE = 200;
const NOTE_MAX = 16_384;

/**
 * Spy (seed 004: the supervisor's three-dots menu): one interaction read-only — its messages
 * with delivery ticks and the internal notes set apart — plus a box to add an internal note
 * (staff only, never sent to the customer), the transcript download and delete.
 */
export function SpyView({ channel, accountId, id, me, mayDelete, admin, readAgents }: SpyProps) {
  const formId = useId();
  const account = useAccountName(channel, accountId, admin);
  const [ix, setIx] = useState<Interaction | null>(null);
  const [ownerId, setOwnerId] = useState<number | null>(null);
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [names, setNames] = useState<Map<number, string>>(new Map());
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const [confirm, setConfirm] = useState(false);

  useEffect(() => {
    if (!readAgents) return;
    void getPage('/agents?limit=500&sort=username').then((r) => {
      if (r.ok) setNames(new Map(r.value.items.map((a) => [num(a['id']) ?? 0, str(a['full_name']) || str(a['username'])])));
    });
  }, [readAgents]);

  useEffect(() => {
    let live = true;
    void Promise.all([fetchInteraction(id), deskApi.messages(id, PAGE)]).then(([a, m]) => {
      if (!live) return;
      if (!a.ok) return setError(genericMessage(a.error));
      setIx(a.value.ix);
      setOwnerId(a.value.owner);
      if (!m.ok) return setError(genericMessage(m.error));
      setMessages(m.value.slice().reverse());
      setMore(m.value.length === PAGE);
      setError(null);
    });
    return () => {
      live = false;
    };
  }, [id, tick]);

  async function older() {
    const first = messages?.[0];
    if (!first) return;
    const r = await deskApi.messages(id, PAGE, first.id);
    if (!r.ok) return toast('error', genericMessage(r.error));
    setMessages((m) => [...r.value.slice().reverse(), ...(m ?? [])]);
    setMore(r.value.length === PAGE);
  }

  async function addNote(e: Event) {
    e.preventDefault();
    const body = note.trim();
    if (!body) return setNoteError('Write the note first.');
    if (new TextEncoder().encode(body).length > NOTE_MAX) return setNoteError('The note is too long (16 KB at most).');
    setBusy(true);
    const r = await interactionsApi.note(id, body);
    setBusy(false);
    if (!r.ok) {
      const f = r.error.errors.find((x) => x.field === 'body');
      return setNoteError(f ? `${f.message.charAt(0).toUpperCase()}${f.message.slice(1)}.` : genericMessage(r.error));
    }
    setNote('');
    setNoteError(null);
    toast('success', 'Internal note added.');
    setTick((n) => n + 1);
  }

  async function transcript() {
    const r = await fetchFile(`/interactions/${id}/transcript.zip`);
    if (!r.ok) return toast('error', `The transcript could not be downloaded: ${genericMessage(r.error)}`);
    saveBlob(r.value, `interaction-${id}-transcript.zip`);
  }

  async function remove() {
    setBusy(true);
    const r = await interactionsApi.remove(id);
    setBusy(false);
    setConfirm(false);
    if (!r.ok) return toast('error', genericMessage(r.error));
    toast('success', `Interaction ${id} deleted.`);
    navigate(backToList(channel, accountId));
  }

  const back = (
    <Link href={backToList(channel, accountId)} class="back-link">
      ← {accountId === null ? `${channel === 'sms' ? 'SMS' : 'Open Channel'} interactions` : `Interactions of ${account}`}
    </Link>
  );
  if (!ix) {
    return (
      <section class="card">
        {back}
        {error ? (
          <Banner tone="error" role="alert">
            {error}
          </Banner>
        ) : (
          <p class="muted">Loading…</p>
        )}
      </section>
    );
  }
  const name = contactName(ix.contact);
  const author = (m: Message) => (m.sender_id === null ? 'Auto reply' : m.sender_id === me.id ? me.name : (names.get(m.sender_id) ?? `Staff #${m.sender_id}`));

  return (
    <section class="card spy" aria-labelledby="spy-title">
      <div class="card__header">
        <div>
          {back}
          <h1 class="card__title" id="spy-title">
            Interaction {ix.id} with {name}
          </h1>
          <div class="chips">
            <Chip tone={ix.status === 'open' ? 'ok' : 'neutral'}>{ix.status === 'open' ? 'Open' : 'Closed'}</Chip>
            <Chip tone="info">Read only</Chip>
            {ix.contact.phone && <span class="muted small">{ix.contact.phone}</span>}
            {ix.contact.email && <span class="muted small">{ix.contact.email}</span>}
          </div>
        </div>
        <div class="row">
          <Button variant="secondary" onClick={() => setTick((n) => n + 1)}>
            Refresh
          </Button>
          <Button variant="secondary" onClick={() => void transcript()}>
            Download transcript
          </Button>
          {mayDelete && (
            <Button variant="danger" onClick={() => setConfirm(true)}>
              Delete
            </Button>
          )}
        </div>
      </div>
      <dl class="kv spy__facts">
        <dt>Agent</dt>
        <dd>{ownerId !== null ? (names.get(ownerId) ?? `#${ownerId}`) : 'none'}</dd>
        <dt>Started</dt>
        <dd>{formatDate(ix.created_at)}</dd>
        <dt>Tags</dt>
        <dd>{ix.tags.length ? ix.tags.join(', ') : 'none'}</dd>
        <dt>Disposition</dt>
        <dd>{ix.disposition ?? 'none'}</dd>
      </dl>
      {error && (
        <Banner tone="error" role="alert">
          {error}
        </Banner>
      )}
      {more && (
        <div>
          <Button variant="ghost" onClick={() => void older()}>
            Load older messages
          </Button>
        </div>
      )}
      {messages === null ? <p class="muted">Loading messages…</p> : <MessageThread messages={messages} statuses={{}} customer={name} author={author} />}
      <form class="composer" onSubmit={(e) => void addNote(e)} noValidate>
        <label class="field__label" for={`${formId}-note`}>
          Internal note (only staff see it; never sent to the customer)
        </label>
        <textarea
          id={`${formId}-note`}
          class="field__input composer__text composer__text--note"
          rows={3}
          value={note}
          aria-invalid={noteError ? 'true' : undefined}
          aria-describedby={noteError ? `${formId}-err` : undefined}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
        {noteError && (
          <div class="field__error" id={`${formId}-err`} role="alert">
            {noteError}
          </div>
        )}
        <div class="row row--end">
          <Button type="submit" variant="secondary" disabled={busy}>
            Add note
          </Button>
        </div>
      </form>
      <Dialog
        title="Delete interaction"
        open={confirm}
        onClose={() => setConfirm(false)}
        actions={
          <>
            <Button variant="secondary" onClick={() => setConfirm(false)} disabled={busy}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => void remove()} disabled={busy}>
              Delete interaction
            </Button>
          </>
        }
      >
        <p>Delete interaction {ix.id} with its messages? This cannot be undone.</p>
      </Dialog>
    </section>
  );
}

/** The interaction and its owner (the desk's parser has no owner_id). */
async function fetchInteraction(id: number): Promise<ApiResult<{ ix: Interaction; owner: number | null }>> {
  const r = await call('GET', `/interactions/${id}`);
  if (!r.ok) return r;
  const ix = parseInteraction(r.value);
  if (!ix || !isRecord(r.value)) return { ok: false, error: { status: -1, code: null, detail: null, errors: [], retryAfter: null } };
  return { ok: true, value: { ix, owner: num(r.value['owner_id']) } };
}
