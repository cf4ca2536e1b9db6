import { useEffect, useState } from 'preact/hooks';
import { call } from '../lib/auth';
import type { ServerMessage, SocketManager } from '../lib/socket';
import { CHANNEL_LABELS, fetchAllQueues, getPage, isRecord, num, str, type Json } from '../lib/staff';
import { useResync } from '../lib/useResync';
import { Chip } from '../ui';
import { useLoad } from './common';

interface QueueRow {
  queue_id: number;
  channel: string;
  waiting: number;
  offered: number;
  members: number;
  available: number;
}

interface AgentRow {
  agent_id: number;
  logged_in: string[];
  paused: boolean;
  open_tabs: number;
  offers: number;
}

interface Board {
  queues: QueueRow[];
  agents: AgentRow[];
}

const n = (v: unknown): number => num(v) ?? 0;

function parseQueue(v: Json): QueueRow {
  return { queue_id: n(v['queue_id']), channel: str(v['channel']), waiting: n(v['waiting']), offered: n(v['offered']), members: n(v['members']), available: n(v['available']) };
}

/** logged_in is a list in GET /realtime/queues and a {channel: bool} map in agent.state. */
function parseAgent(v: Json): AgentRow {
  const li = v['logged_in'];
  const logged = Array.isArray(li) ? li.filter((x): x is string => typeof x === 'string') : isRecord(li) ? Object.keys(li).filter((k) => li[k] === true) : [];
  return { agent_id: n(v['agent_id']), logged_in: logged.sort(), paused: v['paused'] === true, open_tabs: n(v['open_tabs']), offers: n(v['offers']) };
}

async function loadBoard(): Promise<Board | null> {
  const r = await call('GET', '/realtime/queues');
  if (!r.ok || !isRecord(r.value)) return null;
  const qs = Array.isArray(r.value['queues']) ? r.value['queues'].filter(isRecord).map(parseQueue) : [];
  const ags = Array.isArray(r.value['agents']) ? r.value['agents'].filter(isRecord).map(parseAgent) : [];
  return { queues: qs, agents: ags };
}

/** Applies realtime.queue and agent.state (admins get both) to the board. */
export function boardEvent(b: Board, m: ServerMessage): Board {
  if (!isRecord(m.data)) return b;
  if (m.type === 'realtime.queue') {
    const row = parseQueue(m.data);
    const old = b.queues.find((q) => q.queue_id === row.queue_id);
    if (!old) return b; // not in this board's scope, or a queue created since: the next sync adds it
    return { ...b, queues: b.queues.map((q) => (q.queue_id === row.queue_id ? { ...row, channel: old.channel } : q)) };
  }
  if (m.type === 'agent.state') {
    const row = parseAgent(m.data);
    const has = b.agents.some((a) => a.agent_id === row.agent_id);
    return { ...b, agents: has ? b.agents.map((a) => (a.agent_id === row.agent_id ? row : a)) : [...b.agents, row] };
  }
  return b;
}

/** The realtime queue board: per-queue counts and agents' states, live. */
export function RealtimeBoard({ socket }: { socket: SocketManager }) {
  const [board, setBoard] = useState<Board | null>(null);
  const [failed, setFailed] = useState(false);
  const [queues] = useLoad(() => fetchAllQueues(), []);
  const [agents] = useLoad(() => getPage('/agents?limit=500'), []);
  const resync = useResync(socket, {
    load: async () => {
      const b = await loadBoard();
      setFailed(b === null);
      return b;
    },
    applySnapshot: setBoard,
    applyEvent: (m) => {
      // Subscribed: events flow from now on; read the counts again so none is missed.
      if (m.type === 'realtime.subscribed') resync();
      else setBoard((b) => (b ? boardEvent(b, m) : b));
    },
    accepts: (m) => m.type === 'realtime.queue' || m.type === 'agent.state' || m.type === 'realtime.subscribed',
  });
  // Realtime events are opt-in per socket: ask on every (re)connection (routing.md "Realtime").
  useEffect(
    () =>
      socket.subscribe((st) => {
        if (st === 'open') socket.send({ type: 'realtime.subscribe' });
      }),
    [socket],
  );

  const qName = new Map((queues.kind === 'ready' ? queues.value : []).map((q) => [n(q['id']), str(q['name'])]));
  const aName = new Map((agents.kind === 'ready' ? agents.value.items : []).map((a) => [n(a['id']), `${str(a['full_name'])} (${str(a['username'])})`]));
  const totals = (board?.queues ?? []).reduce((t, q) => ({ waiting: t.waiting + q.waiting, available: t.available + q.available }), { waiting: 0, available: 0 });

  return (
    <section class="card" aria-labelledby="rt-title">
      <div class="card__header">
        <h1 class="card__title" id="rt-title">
          Realtime queues
        </h1>
        <span class="muted small" role="status">
          {board ? `${totals.waiting} waiting · ${totals.available} agents available` : 'Loading…'}
        </span>
      </div>
      {failed && <p class="muted">The board could not be loaded; retrying.</p>}
      <div class="table-wrap">
        <table class="table" aria-label="Queues">
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Channel</th>
              <th scope="col">Waiting</th>
              <th scope="col">Offered</th>
              <th scope="col">Available agents</th>
              <th scope="col">Members</th>
            </tr>
          </thead>
          <tbody>
            {(board?.queues ?? []).map((q) => (
              <tr key={q.queue_id} data-queue-id={q.queue_id}>
                <th scope="row">{qName.get(q.queue_id) ?? `#${q.queue_id}`}</th>
                <td>{CHANNEL_LABELS[q.channel] ?? q.channel}</td>
                <td>{q.waiting > 0 ? <Chip tone="warning">{q.waiting}</Chip> : 0}</td>
                <td>{q.offered}</td>
                <td>{q.available}</td>
                <td>{q.members}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {board && board.queues.length === 0 && <p class="muted">No queue.</p>}
      <h2 class="section-title">Agents</h2>
      <div class="table-wrap">
        <table class="table" aria-label="Agents">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Logged in to</th>
              <th scope="col">State</th>
              <th scope="col">Open tabs</th>
              <th scope="col">Offers</th>
            </tr>
          </thead>
          <tbody>
            {(board?.agents ?? [])
              .filter((a) => a.logged_in.length > 0 || a.open_tabs > 0)
              .map((a) => (
                <tr key={a.agent_id}>
                  <th scope="row">{aName.get(a.agent_id) ?? `#${a.agent_id}`}</th>
                  <td>{a.logged_in.map((c) => CHANNEL_LABELS[c] ?? c).join(', ') || '—'}</td>
                  <td>{a.paused ? <Chip tone="warning">Paused</Chip> : <Chip tone="ok">Ready</Chip>}</td>
                  <td>{a.open_tabs}</td>
                  <td>{a.offers}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      {board && !board.agents.some((a) => a.logged_in.length > 0 || a.open_tabs > 0) && <p class="muted">No agent logged in.</p>}
    </section>
  );
}
