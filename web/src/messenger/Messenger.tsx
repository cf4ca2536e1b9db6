import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { genericMessage, type Session } from '../lib/auth';
import { emptyMessenger, loadMessenger, MESSENGER_EVENTS, messengerApi, messengerReducer, unreadTotal, type ConvKey, type Group } from '../lib/messenger';
import type { SocketManager } from '../lib/socket';
import { useResync } from '../lib/useResync';
import { Button, Dialog, Tabs } from '../ui';
import { Conversation } from './Conversation';
import { GroupForm } from './GroupForm';
import { GroupList } from './GroupList';
import { RecipientList } from './RecipientList';
import { playChime } from './sound';

export interface MessengerProps {
  session: Session;
  socket: SocketManager;
}

type View = { kind: 'list' } | { kind: 'conv'; conv: ConvKey } | { kind: 'group-form'; group: Group | null };

/** The header's messenger button (with the unread badge) and its panel. */
export function Messenger({ session, socket }: MessengerProps) {
  const [s, dispatch] = useReducer(messengerReducer, emptyMessenger);
  const [open, setOpen] = useState(false);
  const [tab, setTab] = useState<'people' | 'groups'>('people');
  const [view, setView] = useState<View>({ kind: 'list' });
  const [deleting, setDeleting] = useState<Group | null>(null);
  // The panel's own confirmations (a toast would sit under the open panel).
  const [status, setStatus] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const enabled = s.me?.enabled === true;

  useResync(socket, {
    load: loadMessenger,
    applySnapshot: (snapshot) => dispatch({ kind: 'snapshot', snapshot }),
    applyEvent: (msg) => dispatch({ kind: 'event', msg }),
    accepts: (m) => MESSENGER_EVENTS.has(m.type),
  });

  // Presence is opt-in per socket: ask on every (re)connection.
  useEffect(
    () =>
      socket.subscribe((st) => {
        if (st === 'open') socket.send({ type: 'messenger.subscribe' });
      }),
    [socket],
  );

  // Opening the panel reads the people again: staff created (or deleted) since the page loaded
  // are listed without a reload. A failed read keeps the list shown.
  useEffect(() => {
    if (!open) return undefined;
    let live = true;
    void messengerApi.recipients().then((r) => {
      if (live && r.ok) dispatch({ kind: 'recipients', recipients: r.value });
    });
    return () => {
      live = false;
    };
  }, [open]);

  // The sound, when the account has it on (perm_messenger_sound).
  const heard = useRef(0);
  useEffect(() => {
    if (s.incoming > heard.current && s.me?.sound_notification) playChime();
    heard.current = s.incoming;
  }, [s.incoming]);

  // Focus follows the panel's view; Escape closes it from anywhere (but not over a dialog).
  useEffect(() => {
    if (open) panel.current?.querySelector<HTMLElement>('.messenger__body input, .messenger__body textarea, .messenger__body button')?.focus();
  }, [open, view]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('dialog[open]')) close();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  // A group that went away (deleted, or I was removed) cannot stay open.
  const goneGroup = view.kind === 'conv' && view.conv.startsWith('g') && !s.groups.some((g) => `g${g.id}` === view.conv);
  useEffect(() => {
    if (goneGroup) setView({ kind: 'list' });
  }, [goneGroup]);

  if (!s.me || !enabled) return null; // not loaded yet, or the messenger is off for this account
  const me = s.me.user_id;
  const total = unreadTotal(s);
  const isAdmin = session.user.role === 'admin';

  function close() {
    setOpen(false);
    setStatus(null);
    setView({ kind: 'list' });
    button.current?.focus();
  }

  async function remove(g: Group) {
    const r = await messengerApi.deleteGroup(g.id);
    setDeleting(null);
    if (!r.ok) return setStatus({ tone: 'error', text: genericMessage(r.error) });
    dispatch({ kind: 'group-gone', id: g.id });
    setStatus({ tone: 'success', text: `Group ${g.name} deleted.` });
  }

  function body() {
    if (view.kind === 'conv' && !goneGroup) {
      const gid = view.conv.startsWith('g') ? Number(view.conv.slice(1)) : null;
      const group = gid !== null ? s.groups.find((g) => g.id === gid) : undefined;
      const peer = gid === null ? s.recipients.find((r) => r.id === Number(view.conv.slice(1))) : undefined;
      const title = group?.name ?? peer?.name ?? 'Conversation';
      const readOnly = !!group && !group.writable && !isAdmin && group.created_by.id !== me;
      return (
        <Conversation
          key={view.conv}
          conv={view.conv}
          title={title}
          me={me}
          maxChars={s.me?.max_message_chars ?? 4000}
          messages={s.threads[view.conv]}
          readOnly={readOnly}
          dispatch={dispatch}
          onBack={() => setView({ kind: 'list' })}
        />
      );
    }
    if (view.kind === 'group-form') {
      return (
        <GroupForm
          group={view.group}
          me={me}
          onCancel={() => setView({ kind: 'list' })}
          onSaved={(g) => {
            dispatch({ kind: 'group', group: g });
            setStatus({ tone: 'success', text: view.group ? `Group ${g.name} saved.` : `Group ${g.name} created.` });
            setView({ kind: 'list' });
          }}
        />
      );
    }
    return (
      <Tabs
        label="Messenger"
        tabs={[
          { id: 'people', label: `People${s.recipients.some((r) => r.unread) ? ' •' : ''}` },
          { id: 'groups', label: `Groups${s.groups.some((g) => g.unread) ? ' •' : ''}` },
        ]}
        active={tab}
        onChange={(t) => setTab(t === 'groups' ? 'groups' : 'people')}
      >
        {tab === 'people' ? (
          <RecipientList recipients={s.recipients} onOpen={(r) => setView({ kind: 'conv', conv: `d${r.id}` })} />
        ) : (
          <GroupList
            groups={s.groups}
            me={me}
            isAdmin={isAdmin}
            canCreate={s.me?.can_create_groups === true}
            onOpen={(g) => setView({ kind: 'conv', conv: `g${g.id}` })}
            onNew={() => setView({ kind: 'group-form', group: null })}
            onEdit={(g) => setView({ kind: 'group-form', group: g })}
            onDelete={setDeleting}
          />
        )}
      </Tabs>
    );
  }

  return (
    <>
      <button
        ref={button}
        type="button"
        class="messenger-btn"
        aria-expanded={open ? 'true' : 'false'}
        aria-controls="messenger-panel"
        aria-label={`Messenger${total ? `, ${total} unread` : ''}`}
        onClick={() => (open ? close() : setOpen(true))}
      >
        <svg class="messenger-btn__icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
          <path d="M4 4h16a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H9l-5 4v-4H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
        </svg>
        <span class="messenger-btn__label">Messenger</span>
        {total > 0 && (
          <span class="count-badge count-badge--alert" data-testid="messenger-badge" aria-hidden="true">
            {total}
          </span>
        )}
      </button>
      {open && (
        <div
          ref={panel}
          id="messenger-panel"
          class="messenger"
          role="dialog"
          aria-label="Messenger"
        >
          <div class="messenger__head">
            <h2 class="messenger__title">Messenger</h2>
            <Button variant="ghost" onClick={close} aria-label="Close messenger">
              ×
            </Button>
          </div>
          {status && (
            <p class={`messenger__status small ${status.tone === 'error' ? 'field__error' : 'muted'}`} role={status.tone === 'error' ? 'alert' : 'status'}>
              {status.text}
            </p>
          )}
          <div class="messenger__body">{body()}</div>
        </div>
      )}
      <Dialog
        title="Delete group"
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        actions={
          <>
            <Button variant="secondary" onClick={() => setDeleting(null)}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => deleting && void remove(deleting)}>
              Delete
            </Button>
          </>
        }
      >
        <p>Delete the group {deleting?.name}? Its members stop receiving its messages.</p>
      </Dialog>
    </>
  );
}
