import { describe, expect, it } from 'vitest';
import { emptyMessenger, filterRecipients, messengerReducer, unreadTotal, type MessengerState } from './messenger';

const me = { user_id: 1, enabled: true, sound_notification: true, can_create_groups: true, max_message_chars: 4000, unread_total: 0 };
const rec = (id: number, name: string, extra = {}) => ({ id, name, username: name.toLowerCase(), role: 'agent', online: false, unread: 0, last_message_id: 0, ...extra });
const person = (id: number) => ({ id, name: `P${id}`, username: `p${id}`, role: 'agent', deleted: false });
const msg = (id: number, from: number, to: number | null, group: number | null = null) => ({ id, sender: person(from), recipient_id: to, group_id: group, body: `m${id}`, created_at: '' });
const base = (): MessengerState =>
  messengerReducer(emptyMessenger, { kind: 'snapshot', snapshot: { me, recipients: [rec(2, 'Bea'), rec(3, 'Al', { online: true })], groups: [{ id: 9, name: 'Team', writable: true, created_by: person(1), member_count: 3, last_message_id: 0, unread: 0 }] } });
const ev = (s: MessengerState, type: string, data: unknown) => messengerReducer(s, { kind: 'event', msg: { type, data } });

describe('messengerReducer', () => {
  it('counts unread per sender and in total; the newest conversation goes on top', () => {
    let s = base();
    s = ev(s, 'messenger.message', msg(10, 2, 1));
    s = ev(s, 'messenger.message', msg(11, 2, 1));
    s = ev(s, 'messenger.message', msg(12, 3, 1, 9));
    expect(s.recipients.find((r) => r.id === 2)?.unread).toBe(2);
    expect(s.groups[0]?.unread).toBe(1);
    expect(unreadTotal(s)).toBe(3);
    expect(filterRecipients(s.recipients, '', 'all').map((r) => r.id)).toEqual([2, 3]);
    expect(s.incoming).toBe(3);
  });

  it('my own messages (201 and event, in any order) count once and are not unread', () => {
    let s = base();
    s = messengerReducer(s, { kind: 'history', conv: 'd3', messages: [] });
    s = messengerReducer(s, { kind: 'sent', message: msg(20, 1, 3) });
    s = ev(s, 'messenger.message', msg(20, 1, 3));
    expect(s.threads['d3']?.map((m) => m.id)).toEqual([20]);
    expect(unreadTotal(s)).toBe(0);
    expect(s.incoming).toBe(0);
    expect(s.recipients.find((r) => r.id === 3)?.last_message_id).toBe(20);
  });

  it('read events and presence update the lists; search and status filter', () => {
    let s = ev(base(), 'messenger.message', msg(10, 2, 1));
    s = ev(s, 'messenger.read', { peer_id: 2, last_read_id: 10, unread_total: 0 });
    expect(unreadTotal(s)).toBe(0);
    s = ev(s, 'messenger.presence', { user_id: 2, online: true });
    expect(filterRecipients(s.recipients, '', 'online').map((r) => r.id)).toEqual([2, 3]);
    expect(filterRecipients(s.recipients, '', 'offline')).toEqual([]);
    expect(filterRecipients(s.recipients, 'be', 'all').map((r) => r.name)).toEqual(['Bea']);
  });

  it('group events add, change and remove groups; a reconnect snapshot forgets histories', () => {
    let s = ev(base(), 'messenger.group', { action: 'created', group: { id: 10, name: 'New', writable: false, created_by: person(2), member_count: 2, last_message_id: 0, unread: 0 } });
    expect(s.groups.map((g) => g.name)).toEqual(['Team', 'New']);
    s = ev(s, 'messenger.group', { action: 'updated', group: { id: 10, name: 'Renamed', writable: true, created_by: person(2), member_count: 2, last_message_id: 0, unread: 0 } });
    expect(s.groups.find((g) => g.id === 10)?.name).toBe('Renamed');
    s = ev(s, 'messenger.group', { action: 'removed', group: { id: 10 } });
    expect(s.groups.map((g) => g.id)).toEqual([9]);
    s = messengerReducer(s, { kind: 'history', conv: 'd2', messages: [msg(5, 2, 1)] });
    s = messengerReducer(s, { kind: 'snapshot', snapshot: { me, recipients: [], groups: [] } });
    expect(s.threads).toEqual({});
  });

  it('a fresh recipient list adds new people and drops gone ones, keeping what events changed', () => {
    let s = ev(base(), 'messenger.message', msg(10, 2, 1)); // Bea: 1 unread
    s = ev(s, 'messenger.presence', { user_id: 2, online: true });
    // Read before those events: Bea offline with nothing unread; Al is gone; Cy is new.
    s = messengerReducer(s, { kind: 'recipients', recipients: [rec(2, 'Bea'), rec(4, 'Cy', { online: true, unread: 2, last_message_id: 7 })] });
    expect(s.recipients.map((r) => [r.id, r.online, r.unread])).toEqual([
      [2, true, 1],
      [4, true, 2],
    ]);
    expect(s.recipients.find((r) => r.id === 2)?.last_message_id).toBe(10);
    expect(unreadTotal(s)).toBe(3);
    // Presence of someone new to the list now reaches it.
    s = ev(s, 'messenger.presence', { user_id: 4, online: false });
    expect(filterRecipients(s.recipients, '', 'online').map((r) => r.id)).toEqual([2]);
    // A sender with unread messages the list did not have yet stays.
    s = ev(s, 'messenger.message', msg(11, 5, 1));
    s = messengerReducer(s, { kind: 'recipients', recipients: [rec(2, 'Bea'), rec(4, 'Cy')] });
    expect(s.recipients.map((r) => r.id).sort()).toEqual([2, 4, 5]);
  });
});
