import type { ComponentChildren } from 'preact';
import { useEffect, useReducer, useState } from 'preact/hooks';
import { genericMessage, type Session } from '../lib/auth';
import { contactName, deskApi, deskReducer, DESK_EVENTS, emptyDesk, loadDesk, type Offer } from '../lib/desk';
import type { SocketManager } from '../lib/socket';
import { useResync } from '../lib/useResync';
import { Banner, Button, toast } from '../ui';
import { DeskBar } from './DeskBar';
import { InteractionPane } from './InteractionPane';
import { NewSmsDialog } from './NewSmsDialog';
import { OfferList } from './OfferList';

export interface DeskProps {
  session: Session;
  socket: SocketManager;
  /** Account links (change password, log out). */
  footer?: ComponentChildren;
}

const replyKey = (channel: string, accountId: number) => `${channel}:${accountId}`;

/** The agent desktop: state bar, incoming offers, interaction tabs and the open interaction. */
export function Desk({ socket, footer }: DeskProps) {
  const [s, dispatch] = useReducer(deskReducer, emptyDesk);
  const [loaded, setLoaded] = useState<boolean | null>(null);
  const [active, setActive] = useState<number | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  // Accounts that cannot reply, as "channel:id" (account ids repeat across channels): read
  // from GET /agent/accounts at each (re)load, and learnt from a 409 in between.
  const [noReply, setNoReply] = useState<Set<string>>(new Set());
  const [newSms, setNewSms] = useState(false);

  useResync(socket, {
    load: async () => {
      void deskApi.accounts().then((r) => {
        if (r.ok) setNoReply(new Set(r.value.filter((a) => !a.canReply).map((a) => replyKey(a.channel, a.id))));
      });
      const snap = await loadDesk();
      if (!snap) setLoaded((l) => l ?? false);
      return snap;
    },
    applySnapshot: (snapshot) => {
      dispatch({ kind: 'snapshot', snapshot });
      setLoaded(true);
    },
    applyEvent: (msg) => dispatch({ kind: 'event', msg }),
    accepts: (m) => DESK_EVENTS.has(m.type),
  });

  useEffect(() => {
    if (!s.notices.length) return;
    for (const n of s.notices) toast(n.tone, n.text);
    dispatch({ kind: 'notices-shown' });
  }, [s.notices]);

  useEffect(() => {
    if (s.lastAssigned !== null) setActive(s.lastAssigned);
  }, [s.lastAssigned]);

  const shown = s.interactions.find((x) => x.id === active) ?? s.interactions[0] ?? null;

  async function accept(o: Offer) {
    setBusy(o.id);
    const r = await deskApi.accept(o.id);
    setBusy(null);
    if (r.ok) {
      dispatch({ kind: 'assigned', interaction: r.value });
      setActive(r.value.id);
      return;
    }
    toast('error', genericMessage(r.error));
    if (r.error.status === 409 || r.error.status === 404) dispatch({ kind: 'offer-gone', id: o.id });
  }
  async function reject(o: Offer) {
    setBusy(o.id);
    const r = await deskApi.reject(o.id);
    setBusy(null);
    dispatch({ kind: 'offer-gone', id: o.id });
    if (!r.ok && r.error.status !== 409) toast('error', genericMessage(r.error));
  }

  function onTabKey(e: KeyboardEvent) {
    const i = s.interactions.findIndex((x) => x.id === shown?.id);
    const n = s.interactions.length;
    let next = -1;
    if (e.key === 'ArrowDown' || e.key === 'ArrowRight') next = (i + 1) % n;
    else if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') next = (i - 1 + n) % n;
    if (next < 0) return;
    e.preventDefault();
    const t = s.interactions[next];
    if (!t) return;
    setActive(t.id);
    document.getElementById(`desk-tab-${t.id}`)?.focus();
  }

  return (
    <div class="desk">
      <h1 class="sr-only">Agent desktop</h1>
      {loaded === false && (
        <Banner tone="error" role="alert">
          Your desk could not be loaded. Retrying…
        </Banner>
      )}
      <DeskBar state={s.state} offered={s.offers.length} onState={(state) => dispatch({ kind: 'state', state })} />
      <div class="desk__body">
        <aside class="desk__side">
          <OfferList offers={s.offers} busy={busy} onAccept={(o) => void accept(o)} onReject={(o) => void reject(o)} />
          <div>
            <Button variant="secondary" block onClick={() => setNewSms(true)}>
              New SMS…
            </Button>
          </div>
          <section aria-labelledby="desk-tabs-title">
            <h2 class="desk-side__title" id="desk-tabs-title">
              My interactions {s.interactions.length > 0 && <span class="count-badge">{s.interactions.length}</span>}
            </h2>
            {s.interactions.length === 0 && <p class="muted small">None open.</p>}
            <div class="ix-tabs" role="tablist" aria-label="Open interactions" aria-orientation="vertical" onKeyDown={onTabKey}>
              {s.interactions.map((x) => (
                <button
                  key={x.id}
                  id={`desk-tab-${x.id}`}
                  type="button"
                  role="tab"
                  class="ix-tab"
                  aria-selected={shown?.id === x.id ? 'true' : 'false'}
                  aria-controls="desk-pane"
                  tabIndex={shown?.id === x.id ? 0 : -1}
                  onClick={() => setActive(x.id)}
                >
                  <span class="ix-tab__name">{contactName(x.contact)}</span>
                  {x.unread && shown?.id !== x.id && (
                    <span class="dot dot--unread" title="Unread">
                      <span class="sr-only"> (unread)</span>
                    </span>
                  )}
                </button>
              ))}
            </div>
          </section>
          {footer && <div class="desk__footer">{footer}</div>}
          <NewSmsDialog
            open={newSms}
            onCancel={() => setNewSms(false)}
            onStarted={(interaction) => {
              setNewSms(false);
              dispatch({ kind: 'assigned', interaction });
              // interaction.assigned may have opened the tab before the message was stored.
              dispatch({ kind: 'reload', id: interaction.id });
              setActive(interaction.id);
              toast('success', `SMS sent to ${contactName(interaction.contact)}.`);
            }}
          />
        </aside>
        <section class="desk__main" id="desk-pane" role="tabpanel" aria-label="Interaction">
          {shown ? (
            <InteractionPane
              key={shown.id}
              interaction={shown}
              version={s.versions[shown.id] ?? 0}
              statuses={s.statuses}
              cannotReply={noReply.has(replyKey(shown.channel, shown.account_id))}
              onCannotReply={() => setNoReply((set) => new Set(set).add(replyKey(shown.channel, shown.account_id)))}
              onUpdated={(interaction) => dispatch({ kind: 'updated', interaction })}
              onRead={() => dispatch({ kind: 'patch', id: shown.id, patch: { unread: false } })}
              onGone={() => dispatch({ kind: 'removed', id: shown.id })}
              onState={(state) => dispatch({ kind: 'state', state })}
            />
          ) : (
            <p class="muted desk__empty">
              {s.offers.length
                ? 'No interaction open. Accept an incoming one.'
                : s.state && Object.values(s.state.logged_in).some(Boolean)
                  ? 'No interaction open. New ones appear under Incoming.'
                  : 'No interaction open. Log in to a channel to receive offers.'}
            </p>
          )}
        </section>
      </div>
    </div>
  );
}
