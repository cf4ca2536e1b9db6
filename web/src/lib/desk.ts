/**
 * The agent desk (docs/openchannel.md "The agent desk API", docs/routing.md "The ACD
 * thread"): the agent's routing state, the offers it holds and the interactions it works on,
 * kept in one pure reducer fed by a snapshot (GET /agent/state, /agent/offers,
 * /agent/interactions) and by the WebSocket events interaction.offered / offer_ended /
 * assigned / message / message_status and agent.state. Answers are untrusted: shapes are
 * checked before use.
 */
import { call, type ApiResult } from './auth';
import type { ServerMessage } from './socket';
import { CHANNEL_LABELS } from './staff';

export interface Contact {
  id: number;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  email: string | null;
  map_key: string | null;
}

export interface Interaction {
  id: number;
  channel: string;
  account_id: number;
  status: 'open' | 'closed';
  unread: boolean;
  queue_id: number | null;
  tags: string[];
  disposition: string | null;
  created_at: string;
  contact: Contact;
  last_message: string | null;
  /** From a summary (offer/assignment events, accept): no tags or disposition in it. */
  partial?: true;
}

export interface Offer extends Interaction {
  offer_queue_id: number | null;
  offer_deadline: string | null;
  auto_answer: boolean;
}

export interface AgentState {
  agent_id: number;
  logged_in: Record<string, boolean>;
  paused: boolean;
  pause_reason: string | null;
  open_tabs: number;
  open: Record<string, number>;
  offers: number;
}

export type DeliveryStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'failed';

export interface Message {
  id: number;
  direction: 'in' | 'out';
  body: string;
  delivery_status: DeliveryStatus;
  sender_id: number | null;
  internal: boolean;
  created_at: string;
  attachments: number;
}

export interface DeskSnapshot {
  state: AgentState | null;
  offers: Offer[];
  interactions: Interaction[];
}

/** Something the agent should be told about (a toast). */
export interface DeskNotice {
  tone: 'info' | 'success' | 'warning' | 'error';
  text: string;
}

export interface DeskState {
  state: AgentState | null;
  offers: Offer[];
  /** Held interactions, in tab order (oldest tab first). */
  interactions: Interaction[];
  /** Bumped per interaction on interaction.message: its thread reloads. */
  versions: Record<number, number>;
  /** Delivery updates from interaction.message_status, by message id. */
  statuses: Record<number, DeliveryStatus>;
  /** Interactions just assigned (the view may switch to the newest). */
  lastAssigned: number | null;
  notices: DeskNotice[];
}

export const emptyDesk: DeskState = { state: null, offers: [], interactions: [], versions: {}, statuses: {}, lastAssigned: null, notices: [] };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const intOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

const STATUSES: readonly string[] = ['received', 'queued', 'sent', 'delivered', 'failed'];

export function parseContact(v: unknown): Contact {
  const c = isRecord(v) ? v : {};
  return {
    id: intOrNull(c['id']) ?? 0,
    first_name: strOrNull(c['first_name']),
    last_name: strOrNull(c['last_name']),
    phone: strOrNull(c['phone']),
    email: strOrNull(c['email']),
    map_key: strOrNull(c['map_key']),
  };
}

export function parseInteraction(v: unknown): Interaction | null {
  if (!isRecord(v) || intOrNull(v['id']) === null) return null;
  return {
    id: v['id'] as number,
    channel: strOrNull(v['channel']) ?? '',
    account_id: intOrNull(v['account_id']) ?? 0,
    status: v['status'] === 'closed' ? 'closed' : 'open',
    unread: v['unread'] === true,
    queue_id: intOrNull(v['queue_id']),
    tags: Array.isArray(v['tags']) ? v['tags'].filter((t): t is string => typeof t === 'string') : [],
    disposition: strOrNull(v['disposition']),
    created_at: strOrNull(v['created_at']) ?? '',
    contact: parseContact(v['contact']),
    last_message: strOrNull(v['last_message']),
    ...(Array.isArray(v['tags']) ? {} : { partial: true as const }),
  };
}

export function parseOffer(v: unknown): Offer | null {
  const ix = parseInteraction(v);
  if (!ix || !isRecord(v)) return null;
  return { ...ix, offer_queue_id: intOrNull(v['offer_queue_id']), offer_deadline: strOrNull(v['offer_deadline']), auto_answer: v['auto_answer'] === true };
}

function boolMap(v: unknown): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'boolean') out[k] = x;
  return out;
}

function intMap(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'number') out[k] = x;
  return out;
}

export function parseAgentState(v: unknown): AgentState | null {
  if (!isRecord(v) || intOrNull(v['agent_id']) === null || !isRecord(v['logged_in'])) return null;
  return {
    agent_id: v['agent_id'] as number,
    logged_in: boolMap(v['logged_in']),
    paused: v['paused'] === true,
    pause_reason: strOrNull(v['pause_reason']),
    open_tabs: intOrNull(v['open_tabs']) ?? 0,
    open: intMap(v['open']),
    offers: intOrNull(v['offers']) ?? 0,
  };
}

export function parseMessage(v: unknown): Message | null {
  if (!isRecord(v) || intOrNull(v['id']) === null || typeof v['body'] !== 'string') return null;
  const st = strOrNull(v['delivery_status']);
  return {
    id: v['id'] as number,
    direction: v['direction'] === 'out' ? 'out' : 'in',
    body: v['body'],
    delivery_status: st && STATUSES.includes(st) ? (st as DeliveryStatus) : 'received',
    sender_id: intOrNull(v['sender_id']),
    internal: v['internal'] === true,
    created_at: strOrNull(v['created_at']) ?? '',
    attachments: Array.isArray(v['attachments']) ? v['attachments'].length : 0,
  };
}

function items<T>(v: unknown, parse: (x: unknown) => T | null): T[] | null {
  if (!isRecord(v) || !Array.isArray(v['items'])) return null;
  return v['items'].map(parse).filter((x): x is T => x !== null);
}

/* ---- the reducer ----------------------------------------------------------------------------- */

export type DeskAction =
  | { kind: 'snapshot'; snapshot: DeskSnapshot }
  | { kind: 'event'; msg: ServerMessage }
  /** An answer of the agent's own request (accept, state change, close…). */
  | { kind: 'state'; state: AgentState }
  | { kind: 'assigned'; interaction: Interaction }
  | { kind: 'updated'; interaction: Interaction }
  | { kind: 'patch'; id: number; patch: Partial<Pick<Interaction, 'unread' | 'tags'>> }
  | { kind: 'removed'; id: number }
  | { kind: 'offer-gone'; id: number }
  | { kind: 'status'; messageId: number; status: DeliveryStatus }
  /** The thread of `id` changed by the agent's own request (e.g. the first SMS): reload it. */
  | { kind: 'reload'; id: number }
  | { kind: 'notices-shown' };

/** The events this reducer understands (for Resync's `accepts`). */
export const DESK_EVENTS: ReadonlySet<string> = new Set([
  'interaction.offered',
  'interaction.offer_ended',
  'interaction.assigned',
  'interaction.message',
  'interaction.message_status',
  'interaction.note',
  'agent.state',
]);

const ENDED_TEXT: Record<string, string> = {
  expired: 'The offer expired and passed to another agent.',
  taken: 'Another agent took the interaction.',
  left: 'The customer left before it was accepted.',
  unavailable: 'The offer was withdrawn: you are not available.',
  agent_gone: 'The offer was withdrawn.',
  queue_gone: 'The offer was withdrawn: its queue was removed.',
};

/** "Carla Rossi", else the phone, e-mail or key, else "Contact #7". */
export function contactName(c: Contact): string {
  const name = [c.first_name, c.last_name].filter(Boolean).join(' ');
  return name || c.phone || c.email || c.map_key || `Contact #${c.id}`;
}

/** Adds or replaces `ix`; a summary keeps the tags and disposition already known. */
function upsert(list: Interaction[], ix: Interaction): Interaction[] {
  const i = list.findIndex((x) => x.id === ix.id);
  if (i < 0) return [...list, ix];
  const old = list[i] as Interaction;
  const copy = list.slice();
  if (ix.partial && !old.partial) {
    const { partial: _p, ...rest } = ix;
    copy[i] = { ...rest, tags: old.tags, disposition: old.disposition, last_message: ix.last_message ?? old.last_message };
  } else copy[i] = ix;
  return copy;
}

function notice(s: DeskState, n: DeskNotice): DeskNotice[] {
  return [...s.notices, n].slice(-20);
}

function onEvent(s: DeskState, msg: ServerMessage): DeskState {
  const d = msg.data;
  switch (msg.type) {
    case 'interaction.offered': {
      const o = parseOffer(d);
      if (!o) return s;
      if (s.interactions.some((x) => x.id === o.id)) return s; // already ours (stale event)
      const fresh = !s.offers.some((x) => x.id === o.id);
      const offers = fresh ? [...s.offers, o] : s.offers.map((x) => (x.id === o.id ? o : x));
      const ch = CHANNEL_LABELS[o.channel] ?? o.channel;
      const text = `New ${ch} interaction from ${contactName(o.contact)}${o.auto_answer ? ' (auto answer)' : ''}.`;
      return { ...s, offers, notices: fresh ? notice(s, { tone: 'info', text }) : s.notices };
    }
    case 'interaction.offer_ended': {
      if (!isRecord(d)) return s;
      const id = intOrNull(d['id']);
      if (id === null || !s.offers.some((x) => x.id === id)) return s;
      const reason = strOrNull(d['reason']) ?? '';
      return { ...s, offers: s.offers.filter((x) => x.id !== id), notices: notice(s, { tone: 'warning', text: ENDED_TEXT[reason] ?? 'The offer ended.' }) };
    }
    case 'interaction.assigned': {
      const ix = parseInteraction(d);
      if (!ix) return s;
      const had = s.interactions.some((x) => x.id === ix.id);
      const returned = isRecord(d) && d['returned'] === true;
      const auto = isRecord(d) && d['auto_answer'] === true;
      let notices = s.notices;
      if (returned) notices = notice(s, { tone: 'warning', text: `Nobody took the transfer: the interaction with ${contactName(ix.contact)} is back.` });
      else if (auto && !had) notices = notice(s, { tone: 'info', text: `Interaction with ${contactName(ix.contact)} assigned (auto answer).` });
      return { ...s, offers: s.offers.filter((x) => x.id !== ix.id), interactions: upsert(s.interactions, ix), lastAssigned: had ? s.lastAssigned : ix.id, notices };
    }
    case 'interaction.message': {
      if (!isRecord(d)) return s;
      const id = intOrNull(d['id']);
      if (id === null || !s.interactions.some((x) => x.id === id)) return s;
      return {
        ...s,
        versions: { ...s.versions, [id]: (s.versions[id] ?? 0) + 1 },
        interactions: s.interactions.map((x) => (x.id === id ? { ...x, unread: true } : x)),
      };
    }
    case 'interaction.note': {
      // A supervisor's note (spy) on a held interaction: its thread reloads; it is not unread.
      if (!isRecord(d)) return s;
      const id = intOrNull(d['interaction_id']);
      if (id === null || !s.interactions.some((x) => x.id === id)) return s;
      return { ...s, versions: { ...s.versions, [id]: (s.versions[id] ?? 0) + 1 } };
    }
    case 'interaction.message_status': {
      if (!isRecord(d)) return s;
      const mid = intOrNull(d['message_id']);
      const st = strOrNull(d['delivery_status']);
      if (mid === null || !st || !STATUSES.includes(st)) return s;
      if (st === 'failed' && s.statuses[mid] !== 'failed') {
        return { ...s, statuses: { ...s.statuses, [mid]: 'failed' }, notices: notice(s, { tone: 'error', text: 'A reply could not be delivered.' }) };
      }
      return { ...s, statuses: { ...s.statuses, [mid]: st as DeliveryStatus } };
    }
    case 'agent.state': {
      const st = parseAgentState(d);
      if (!st || (s.state && s.state.agent_id !== st.agent_id)) return s;
      // The event carries no reason: keep the one we know while still paused.
      const reason = st.paused ? (s.state?.pause_reason ?? null) : null;
      return { ...s, state: { ...st, pause_reason: reason } };
    }
    default:
      return s;
  }
}

/** The desk's state after `a`. Pure; applying the same event twice is harmless. */
export function deskReducer(s: DeskState, a: DeskAction): DeskState {
  switch (a.kind) {
    case 'snapshot': {
      // Keep the tab order the agent knows; new ones go to the end.
      const known = new Map(a.snapshot.interactions.map((x) => [x.id, x]));
      const kept = s.interactions.filter((x) => known.has(x.id)).map((x) => known.get(x.id) as Interaction);
      const added = a.snapshot.interactions.filter((x) => !s.interactions.some((y) => y.id === x.id)).reverse();
      const versions = { ...s.versions };
      for (const x of a.snapshot.interactions) versions[x.id] = (versions[x.id] ?? 0) + 1; // reload threads
      return { ...s, state: a.snapshot.state ?? s.state, offers: a.snapshot.offers, interactions: [...kept, ...added], versions };
    }
    case 'event':
      return onEvent(s, a.msg);
    case 'state':
      return { ...s, state: a.state };
    case 'assigned':
      return { ...s, offers: s.offers.filter((x) => x.id !== a.interaction.id), interactions: upsert(s.interactions, a.interaction), lastAssigned: a.interaction.id };
    case 'updated':
      return s.interactions.some((x) => x.id === a.interaction.id) ? { ...s, interactions: upsert(s.interactions, a.interaction) } : s;
    case 'patch':
      return { ...s, interactions: s.interactions.map((x) => (x.id === a.id ? { ...x, ...a.patch } : x)) };
    case 'removed':
      return { ...s, interactions: s.interactions.filter((x) => x.id !== a.id) };
    case 'offer-gone':
      return { ...s, offers: s.offers.filter((x) => x.id !== a.id) };
    case 'status':
      return { ...s, statuses: { ...s.statuses, [a.messageId]: a.status } };
    case 'reload':
      return { ...s, versions: { ...s.versions, [a.id]: (s.versions[a.id] ?? 0) + 1 } };
    case 'notices-shown':
      return s.notices.length ? { ...s, notices: [] } : s;
    default:
      return s;
  }
}

/* ---- the API ------------------------------------------------------------------------------------ */

function bad(): ApiResult<never> {
  return { ok: false, error: { status: -1, code: null, detail: null, errors: [], retryAfter: null } };
}

async function parsed<T>(method: string, path: string, parse: (v: unknown) => T | null, body?: unknown): Promise<ApiResult<T>> {
  const r = await call(method, path, body);
  if (!r.ok) return r;
  const v = parse(r.value);
  return v === null ? bad() : { ok: true, value: v };
}

/** The whole desk, for the first render and every reconnection; null when a part failed. */
export async function loadDesk(): Promise<DeskSnapshot | null> {
  const [state, offers, ixs] = await Promise.all([
    parsed('GET', '/agent/state', parseAgentState),
    parsed('GET', '/agent/offers', (v) => items(v, parseOffer)),
    parsed('GET', '/agent/interactions', (v) => items(v, parseInteraction)),
  ]);
  if (!state.ok || !offers.ok || !ixs.ok) return null;
  return { state: state.value, offers: offers.value, interactions: ixs.value };
}

export const deskApi = {
  login: (channel: string) => parsed('POST', '/agent/login', parseAgentState, { channel }),
  logout: (channel: string) => parsed('POST', '/agent/logout', parseAgentState, { channel }),
  pause: (reason: string) => parsed('POST', '/agent/pause', parseAgentState, reason ? { reason } : {}),
  unpause: () => parsed('POST', '/agent/unpause', parseAgentState),
  state: () => parsed('GET', '/agent/state', parseAgentState),
  accept: (id: number) => parsed('POST', `/interactions/${id}/accept`, parseInteraction),
  reject: (id: number) => call('POST', `/interactions/${id}/reject`),
  release: (id: number) => call('POST', `/interactions/${id}/release`),
  close: (id: number, disposition: string) => parsed('POST', `/interactions/${id}/close`, parseInteraction, { disposition: disposition || null }),
  transfer: (id: number, target: { agent_id: number } | { queue_id: number }) => call('POST', `/interactions/${id}/transfer`, target),
  read: (id: number) => call('POST', `/interactions/${id}/read`),
  get: (id: number) => parsed('GET', `/interactions/${id}`, parseInteraction),
  messages: (id: number, limit = 100, before?: number) => parsed('GET', `/interactions/${id}/messages?limit=${limit}${before ? `&before=${before}` : ''}`, (v) => items(v, parseMessage)),
  reply: (id: number, body: string) => call('POST', `/interactions/${id}/messages`, { body }),
  note: (id: number, body: string) => call('POST', `/interactions/${id}/notes`, { body }),
  tags: (id: number, tags: string[]) => parsed('PUT', `/interactions/${id}/tags`, parseInteraction, { tags }),
  /** Starts disposing: the account's disposition pause (if any) holds until the close. */
  dispose: (id: number) => call('POST', `/interactions/${id}/dispose`),
  canned: (id: number, q: string) => parsed('GET', `/interactions/${id}/canned-answers?limit=100${q ? `&q=${encodeURIComponent(q)}` : ''}`, (v) => items(v, parseCanned)),
  /** A new outbound SMS conversation on an account the agent belongs to (201: the interaction, assigned to the caller). */
  newSms: (accountId: number, phone: string, body: string) => parsed('POST', `/sms/accounts/${accountId}/interactions`, parseInteraction, { phone, body }),
  /** The SMS and Open Channel accounts the agent is an agent of (no secrets). */
  accounts: () => parsed('GET', '/agent/accounts', (v) => items(v, parseAgentAccount)),
};

/** An account the agent works on (GET /agent/accounts). */
export interface AgentAccount {
  channel: 'sms' | 'openchannel';
  id: number;
  name: string;
  key: string | null;
  canReply: boolean;
  canStart: boolean;
}

export function parseAgentAccount(v: unknown): AgentAccount | null {
  if (!isRecord(v) || intOrNull(v['id']) === null || typeof v['name'] !== 'string') return null;
  const channel = v['channel'];
  if (channel !== 'sms' && channel !== 'openchannel') return null;
  return {
    channel,
    id: v['id'] as number,
    name: v['name'],
    key: typeof v['key'] === 'string' ? v['key'] : null,
    canReply: v['can_reply'] === true,
    canStart: v['can_start'] === true,
  };
}

/** A canned answer offered in the composer, with `text` rendered for this agent and contact. */
export interface CannedAnswer {
  id: number;
  name: string;
  text: string;
}

export function parseCanned(v: unknown): CannedAnswer | null {
  if (!isRecord(v) || intOrNull(v['id']) === null || typeof v['name'] !== 'string') return null;
  const text = typeof v['text'] === 'string' ? v['text'] : typeof v['body'] === 'string' ? v['body'] : null;
  return text === null ? null : { id: v['id'] as number, name: v['name'], text };
}

/**
 * A phone number as typed ("+39 333 123-4567", "0039 (333) 1234567") → E.164 ("+393331234567"),
 * or null when it is not one: a +, a country code not starting with 0, 7 to 15 digits in all.
 * The server normalises and checks again (422 naming `phone`).
 */
export function toE164(typed: string): string | null {
  let v = typed.trim().replace(/[\s().-]/g, '');
  if (v.startsWith('00')) v = `+${v.slice(2)}`;
  return /^\+[1-9]\d{6,14}$/.test(v) ? v : null;
}

/** Inserts `text` into `value` in place of the selection [start, end), with the caret after it. */
export function insertAt(value: string, text: string, start: number, end: number): { value: string; caret: number } {
  const a = Math.max(0, Math.min(start, value.length));
  const b = Math.max(a, Math.min(end, value.length));
  return { value: value.slice(0, a) + text + value.slice(b), caret: a + text.length };
}

/** What a 409 of the reply box means: the account cannot reply, or the interaction closed. */
export function replyConflict(detail: string | null): 'no_reply_url' | 'closed' | 'other' {
  if (detail && /reply url/i.test(detail)) return 'no_reply_url';
  if (detail && /closed/i.test(detail)) return 'closed';
  return 'other';
}
