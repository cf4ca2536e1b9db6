/**
 * The internal messenger (docs/messenger.md): recipients with presence, unread counts, direct
 * and group conversations. One pure reducer holds the panel's state; it is fed a snapshot
 * (GET /messenger/me, /recipients?status=all, /groups, /unread) at start and after every
 * reconnection, and the events messenger.message / read / presence / group. Message bodies are
 * plain text and are only ever rendered as text.
 */
import { call, type ApiResult } from './auth';
import type { ServerMessage } from './socket';

export interface Person {
  id: number;
  name: string;
  username: string | null;
  role: string;
  deleted: boolean;
}

export interface Recipient {
  id: number;
  name: string;
  username: string;
  role: string;
  online: boolean;
  unread: number;
  last_message_id: number;
}

export interface Group {
  id: number;
  name: string;
  writable: boolean;
  created_by: Person;
  member_count: number;
  last_message_id: number;
  unread: number;
  members?: Person[];
}

export interface ChatMessage {
  id: number;
  sender: Person;
  recipient_id: number | null;
  group_id: number | null;
  body: string;
  created_at: string;
}

export interface MessengerMe {
  user_id: number;
  enabled: boolean;
  sound_notification: boolean;
  can_create_groups: boolean;
  max_message_chars: number;
  unread_total: number;
}

export interface MessengerSnapshot {
  me: MessengerMe;
  recipients: Recipient[];
  groups: Group[];
}

/** A conversation: a peer (direct) or a group. */
export type ConvKey = `d${number}` | `g${number}`;

export interface MessengerState {
  me: MessengerMe | null;
  recipients: Recipient[];
  groups: Group[];
  /** Loaded histories, oldest first. */
  threads: Partial<Record<ConvKey, ChatMessage[]>>;
  /** Bumped on each incoming message not sent by me (to play the sound once). */
  incoming: number;
}

export const emptyMessenger: MessengerState = { me: null, recipients: [], groups: [], threads: {}, incoming: 0 };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function parsePerson(v: unknown): Person | null {
  if (!isRecord(v) || int(v['id']) === null) return null;
  return { id: v['id'] as number, name: str(v['name']) || 'unknown', username: typeof v['username'] === 'string' ? v['username'] : null, role: str(v['role']), deleted: v['deleted'] === true };
}

export function parseRecipient(v: unknown): Recipient | null {
  if (!isRecord(v) || int(v['id']) === null) return null;
  return {
    id: v['id'] as number,
    name: str(v['name']) || str(v['username']),
    username: str(v['username']),
    role: str(v['role']),
    online: v['online'] === true,
    unread: int(v['unread']) ?? 0,
    last_message_id: int(v['last_message_id']) ?? 0,
  };
}

export function parseGroup(v: unknown): Group | null {
  if (!isRecord(v) || int(v['id']) === null) return null;
  const creator = parsePerson(v['created_by']) ?? { id: 0, name: 'unknown', username: null, role: '', deleted: false };
  const g: Group = {
    id: v['id'] as number,
    name: str(v['name']),
    writable: v['writable'] !== false,
    created_by: creator,
    member_count: int(v['member_count']) ?? 0,
    last_message_id: int(v['last_message_id']) ?? 0,
    unread: int(v['unread']) ?? 0,
  };
  if (Array.isArray(v['members'])) g.members = v['members'].map(parsePerson).filter((p): p is Person => p !== null);
  return g;
}

export function parseChatMessage(v: unknown): ChatMessage | null {
  if (!isRecord(v) || int(v['id']) === null || typeof v['body'] !== 'string') return null;
  const sender = parsePerson(v['sender']);
  if (!sender) return null;
  return { id: v['id'] as number, sender, recipient_id: int(v['recipient_id']), group_id: int(v['group_id']), body: v['body'], created_at: str(v['created_at']) };
}

export function parseMe(v: unknown): MessengerMe | null {
  if (!isRecord(v) || int(v['user_id']) === null) return null;
  return {
    user_id: v['user_id'] as number,
    enabled: v['enabled'] === true,
    sound_notification: v['sound_notification'] === true,
    can_create_groups: v['can_create_groups'] === true,
    max_message_chars: int(v['max_message_chars']) ?? 4000,
    unread_total: int(v['unread_total']) ?? 0,
  };
}

/* ---- derived values -------------------------------------------------------------------------- */

/** The conversation a message belongs to, seen by `me`. */
export function convOf(m: ChatMessage, me: number): ConvKey {
  if (m.group_id !== null) return `g${m.group_id}`;
  return `d${m.sender.id === me ? (m.recipient_id ?? 0) : m.sender.id}`;
}

/** The header badge: unread messages from every sender and group. */
export function unreadTotal(s: MessengerState): number {
  return s.recipients.reduce((n, r) => n + r.unread, 0) + s.groups.reduce((n, g) => n + g.unread, 0);
}

/** Newest conversation on top (seed), then by name. */
export function sortRecipients(list: Recipient[]): Recipient[] {
  return list.slice().sort((a, b) => b.last_message_id - a.last_message_id || a.name.localeCompare(b.name));
}

export function sortGroups(list: Group[]): Group[] {
  return list.slice().sort((a, b) => b.last_message_id - a.last_message_id || a.name.localeCompare(b.name));
}

/** Recipients matching a name search and a status filter. */
export function filterRecipients(list: Recipient[], q: string, status: 'all' | 'online' | 'offline'): Recipient[] {
  const needle = q.trim().toLowerCase();
  return sortRecipients(list).filter(
    (r) => (status === 'all' || r.online === (status === 'online')) && (!needle || r.name.toLowerCase().includes(needle) || r.username.toLowerCase().includes(needle)),
  );
}

/* ---- the reducer ----------------------------------------------------------------------------- */

export type MessengerAction =
  | { kind: 'snapshot'; snapshot: MessengerSnapshot }
  | { kind: 'event'; msg: ServerMessage }
  | { kind: 'history'; conv: ConvKey; messages: ChatMessage[] }
  /** My own message, from the 201 (the event may come first or after: merged by id). */
  | { kind: 'sent'; message: ChatMessage }
  | { kind: 'read'; conv: ConvKey }
  | { kind: 'group'; group: Group }
  | { kind: 'group-gone'; id: number }
  /** A fresh recipient list (the panel opened): staff created or deleted since the snapshot. */
  | { kind: 'recipients'; recipients: Recipient[] };

export const MESSENGER_EVENTS: ReadonlySet<string> = new Set(['messenger.message', 'messenger.read', 'messenger.presence', 'messenger.group']);

const MAX_THREAD = 500;

function addToThread(list: ChatMessage[] | undefined, m: ChatMessage): ChatMessage[] {
  const cur = list ?? [];
  if (cur.some((x) => x.id === m.id)) return cur;
  const next = [...cur, m].sort((a, b) => a.id - b.id);
  return next.length > MAX_THREAD ? next.slice(-MAX_THREAD) : next;
}

function withMessage(s: MessengerState, m: ChatMessage, own: boolean): MessengerState {
  const me = s.me?.user_id ?? 0;
  const conv = convOf(m, me);
  const known = s.threads[conv];
  if (known?.some((x) => x.id === m.id)) return s; // seen already (event after the 201, or replay)
  const threads = known ? { ...s.threads, [conv]: addToThread(known, m) } : s.threads;
  const mine = own || m.sender.id === me;
  if (m.group_id !== null) {
    const groups = s.groups.map((g) => (g.id === m.group_id ? { ...g, last_message_id: Math.max(g.last_message_id, m.id), unread: mine ? g.unread : g.unread + 1 } : g));
    return { ...s, groups, threads, incoming: mine ? s.incoming : s.incoming + 1 };
  }
  const peer = Number(conv.slice(1));
  let recipients = s.recipients.map((r) => (r.id === peer ? { ...r, last_message_id: Math.max(r.last_message_id, m.id), unread: mine ? r.unread : r.unread + 1 } : r));
  if (!recipients.some((r) => r.id === peer) && !mine && !m.sender.deleted) {
    recipients = [...recipients, { id: peer, name: m.sender.name, username: m.sender.username ?? '', role: m.sender.role, online: true, unread: 1, last_message_id: m.id }];
  }
  return { ...s, recipients, threads, incoming: mine ? s.incoming : s.incoming + 1 };
}

function onEvent(s: MessengerState, msg: ServerMessage): MessengerState {
  const d = msg.data;
  if (!isRecord(d)) return s;
  switch (msg.type) {
    case 'messenger.message': {
      const m = parseChatMessage(d);
      return m ? withMessage(s, m, false) : s;
    }
    case 'messenger.read': {
      // The reader is me (another device or this one): that conversation is read.
      const peer = int(d['peer_id']);
      const group = int(d['group_id']);
      if (peer !== null) return { ...s, recipients: s.recipients.map((r) => (r.id === peer ? { ...r, unread: 0 } : r)) };
      if (group !== null) return { ...s, groups: s.groups.map((g) => (g.id === group ? { ...g, unread: 0 } : g)) };
      return s;
    }
    case 'messenger.presence': {
      const id = int(d['user_id']);
      if (id === null || typeof d['online'] !== 'boolean') return s;
      const online = d['online'];
      return { ...s, recipients: s.recipients.map((r) => (r.id === id ? { ...r, online } : r)) };
    }
    case 'messenger.group': {
      const action = str(d['action']);
      if (action === 'removed' || action === 'deleted') {
        const g = d['group'];
        const id = isRecord(g) ? int(g['id']) : null;
        if (id === null) return s;
        const threads = { ...s.threads };
        delete threads[`g${id}`];
        return { ...s, groups: s.groups.filter((x) => x.id !== id), threads };
      }
      const g = parseGroup(d['group']);
      if (!g) return s;
      const old = s.groups.find((x) => x.id === g.id);
      const merged = old ? { ...g, unread: old.unread, last_message_id: Math.max(old.last_message_id, g.last_message_id) } : g;
      return { ...s, groups: old ? s.groups.map((x) => (x.id === g.id ? merged : x)) : [...s.groups, merged] };
    }
    default:
      return s;
  }
}

/**
 * A fresh list merged into the one shown: people new to the list are added with the server's
 * presence and counts; those already shown keep their local presence, unread count and last
 * message (events since the list was read have updated them, and may be newer than it); those
 * the server no longer lists are dropped unless they have unread messages (a message event can
 * add a sender the list, read just before, did not have yet).
 */
export function mergeRecipients(shown: Recipient[], fresh: Recipient[]): Recipient[] {
  const old = new Map(shown.map((r) => [r.id, r]));
  const ids = new Set(fresh.map((r) => r.id));
  const merged = fresh.map((r) => {
    const o = old.get(r.id);
    return o ? { ...r, online: o.online, unread: o.unread, last_message_id: Math.max(o.last_message_id, r.last_message_id) } : r;
  });
  return [...merged, ...shown.filter((r) => !ids.has(r.id) && r.unread > 0)];
}

export function messengerReducer(s: MessengerState, a: MessengerAction): MessengerState {
  switch (a.kind) {
    case 'snapshot':
      // Histories may have missed messages while disconnected: forget them, they reload.
      return { ...s, me: a.snapshot.me, recipients: a.snapshot.recipients, groups: a.snapshot.groups, threads: {} };
    case 'event':
      return onEvent(s, a.msg);
    case 'history': {
      let list = s.threads[a.conv] ?? [];
      for (const m of a.messages) list = addToThread(list, m);
      return { ...s, threads: { ...s.threads, [a.conv]: list } };
    }
    case 'sent':
      return withMessage(s, a.message, true);
    case 'read': {
      const id = Number(a.conv.slice(1));
      if (a.conv.startsWith('g')) return { ...s, groups: s.groups.map((g) => (g.id === id ? { ...g, unread: 0 } : g)) };
      return { ...s, recipients: s.recipients.map((r) => (r.id === id ? { ...r, unread: 0 } : r)) };
    }
    case 'group': {
      const exists = s.groups.some((g) => g.id === a.group.id);
      return { ...s, groups: exists ? s.groups.map((g) => (g.id === a.group.id ? { ...g, ...a.group, unread: g.unread } : g)) : [...s.groups, a.group] };
    }
    case 'group-gone':
      return { ...s, groups: s.groups.filter((g) => g.id !== a.id) };
    case 'recipients':
      return { ...s, recipients: mergeRecipients(s.recipients, a.recipients) };
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

function list<T>(parse: (x: unknown) => T | null) {
  return (v: unknown): T[] | null => (isRecord(v) && Array.isArray(v['items']) ? v['items'].map(parse).filter((x): x is T => x !== null) : null);
}

const DISABLED: MessengerMe = { user_id: 0, enabled: false, sound_notification: false, can_create_groups: false, max_message_chars: 0, unread_total: 0 };

/** Every person I may write to (the People tab), with presence and unread counts. */
const readRecipients = () => parsed('GET', '/messenger/recipients?status=all&limit=500', list(parseRecipient));

/** Everything the panel shows, or null when a part failed (Resync retries). */
export async function loadMessenger(): Promise<MessengerSnapshot | null> {
  const me = await parsed('GET', '/messenger/me', parseMe);
  // 403: this account may not use the messenger (agent permission off): nothing to show.
  if (!me.ok && me.error.status === 403) return { me: { ...DISABLED }, recipients: [], groups: [] };
  if (!me.ok) return null;
  const [rec, groups] = await Promise.all([
    readRecipients(),
    parsed('GET', '/messenger/groups', list(parseGroup)),
  ]);
  if (!rec.ok || !groups.ok) return null;
  return { me: me.value, recipients: rec.value, groups: groups.value };
}

export const messengerApi = {
  me: () => parsed('GET', '/messenger/me', parseMe),
  recipients: readRecipients,
  history: (conv: ConvKey, limit = 50) =>
    parsed('GET', `/messenger/${conv.startsWith('g') ? 'groups' : 'direct'}/${conv.slice(1)}/messages?limit=${limit}`, list(parseChatMessage)),
  send: (conv: ConvKey, body: string) => parsed('POST', `/messenger/${conv.startsWith('g') ? 'groups' : 'direct'}/${conv.slice(1)}/messages`, parseChatMessage, { body }),
  read: (conv: ConvKey) => call('POST', `/messenger/${conv.startsWith('g') ? 'groups' : 'direct'}/${conv.slice(1)}/read`, {}),
  group: (id: number) => parsed('GET', `/messenger/groups/${id}`, parseGroup),
  createGroup: (body: { name: string; member_ids: number[]; writable: boolean }) => parsed('POST', '/messenger/groups', parseGroup, body),
  updateGroup: (id: number, body: { name: string; member_ids: number[]; writable: boolean }) => parsed('PATCH', `/messenger/groups/${id}`, parseGroup, body),
  deleteGroup: (id: number) => call('DELETE', `/messenger/groups/${id}`),
  memberSearch: (q: string) => parsed('GET', `/messenger/member-search?q=${encodeURIComponent(q)}`, list(parsePerson)),
};
