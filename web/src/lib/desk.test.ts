import { describe, expect, it } from 'vitest';
import { deskReducer, emptyDesk, replyConflict, type DeskSnapshot, type DeskState } from './desk';

const contact = { id: 7, first_name: 'Carla', last_name: null, phone: null, email: null, map_key: 'cust-1' };
const ix = (id: number, extra: Record<string, unknown> = {}) => ({ id, channel: 'openchannel', account_id: 1, status: 'open', unread: true, queue_id: 3, created_at: '2026-12-03T10:00:00Z', contact, last_message: 'hi', ...extra });
const state = { agent_id: 5, logged_in: { openchannel: true }, paused: false, pause_reason: null, open_tabs: 0, open: {}, offers: 0 };
const snap = (over: Partial<DeskSnapshot> = {}): DeskSnapshot => ({ state, offers: [], interactions: [], ...over });
const event = (s: DeskState, type: string, data: unknown) => deskReducer(s, { kind: 'event', msg: { type, data } });

describe('deskReducer', () => {
  it('an offer appears, then the accept makes it a tab; a repeated event changes nothing', () => {
    let s = deskReducer(emptyDesk, { kind: 'snapshot', snapshot: snap() });
    s = event(s, 'interaction.offered', { ...ix(10), offer_queue_id: 3, auto_answer: false, offer_deadline: null });
    expect(s.offers.map((o) => o.id)).toEqual([10]);
    expect(s.notices).toHaveLength(1);
    s = event(s, 'interaction.offered', { ...ix(10), offer_queue_id: 3 });
    expect(s.offers).toHaveLength(1);
    expect(s.notices).toHaveLength(1);
    s = event(s, 'interaction.assigned', { ...ix(10), auto_answer: false });
    expect(s.offers).toEqual([]);
    expect(s.interactions.map((x) => x.id)).toEqual([10]);
    expect(s.lastAssigned).toBe(10);
    const again = event(s, 'interaction.assigned', ix(10));
    expect(again.interactions).toHaveLength(1);
    // An offer event for a tab we already hold (stale) does not bring the offer back.
    expect(event(s, 'interaction.offered', ix(10)).offers).toEqual([]);
  });

  it('an ended offer goes away with a notice saying why', () => {
    let s = deskReducer(emptyDesk, { kind: 'snapshot', snapshot: snap({ offers: [{ ...ix(11), offer_queue_id: 3, offer_deadline: null, auto_answer: false } as never] }) });
    s = event(s, 'interaction.offer_ended', { id: 11, reason: 'taken' });
    expect(s.offers).toEqual([]);
    expect(s.notices.at(-1)?.text).toMatch(/another agent/i);
    // Unknown offer: nothing happens.
    expect(event(s, 'interaction.offer_ended', { id: 99, reason: 'expired' })).toBe(s);
  });

  it('a snapshot after a reconnect replaces offers, keeps tab order and reloads threads', () => {
    let s = deskReducer(emptyDesk, { kind: 'snapshot', snapshot: snap({ interactions: [ix(2), ix(1)] as never }) });
    expect(s.interactions.map((x) => x.id)).toEqual([1, 2]); // oldest tab first
    const v1 = s.versions[1];
    // Meanwhile interaction 2 was closed elsewhere and 3 was auto-assigned; an offer was made.
    s = deskReducer(s, { kind: 'snapshot', snapshot: snap({ interactions: [ix(3), ix(1)] as never, offers: [{ ...ix(4), offer_queue_id: 3, offer_deadline: null, auto_answer: false } as never] }) });
    expect(s.interactions.map((x) => x.id)).toEqual([1, 3]);
    expect(s.offers.map((o) => o.id)).toEqual([4]);
    expect(s.versions[1]).toBe((v1 ?? 0) + 1);
  });

  it('messages bump the thread version of held interactions only; delivery updates are kept by id', () => {
    let s = deskReducer(emptyDesk, { kind: 'snapshot', snapshot: snap({ interactions: [ix(1)] as never }) });
    const v = s.versions[1] ?? 0;
    s = event(s, 'interaction.message', { id: 1 });
    expect(s.versions[1]).toBe(v + 1);
    expect(event(s, 'interaction.message', { id: 2 })).toBe(s);
    s = event(s, 'interaction.message_status', { interaction_id: 1, message_id: 40, delivery_status: 'sent' });
    expect(s.statuses[40]).toBe('sent');
    s = event(s, 'interaction.message_status', { interaction_id: 1, message_id: 41, delivery_status: 'failed' });
    expect(s.statuses[41]).toBe('failed');
    expect(s.notices.at(-1)?.tone).toBe('error');
    expect(event(s, 'interaction.message_status', { message_id: 42, delivery_status: 'bogus' })).toBe(s);
  });

  it('agent.state keeps the pause reason the event does not carry', () => {
    let s = deskReducer(emptyDesk, { kind: 'state', state: { ...state, paused: true, pause_reason: 'Lunch' } });
    s = event(s, 'agent.state', { ...state, paused: true, open_tabs: 2 });
    expect(s.state?.pause_reason).toBe('Lunch');
    expect(s.state?.open_tabs).toBe(2);
    s = event(s, 'agent.state', { ...state, paused: false });
    expect(s.state?.pause_reason).toBeNull();
    // Another agent's state (admins get every agent's) is not ours.
    expect(event(s, 'agent.state', { ...state, agent_id: 6 })).toBe(s);
  });

  it('a transfer that timed out comes back with a warning', () => {
    let s = deskReducer(emptyDesk, { kind: 'snapshot', snapshot: snap() });
    s = event(s, 'interaction.assigned', { ...ix(8), returned: true });
    expect(s.interactions.map((x) => x.id)).toEqual([8]);
    expect(s.notices.at(-1)?.tone).toBe('warning');
  });

  it('a summary event does not wipe the tags read with the whole record', () => {
    let s = deskReducer(emptyDesk, { kind: 'snapshot', snapshot: snap() });
    s = event(s, 'interaction.assigned', ix(9)); // summary: no tags
    s = deskReducer(s, { kind: 'updated', interaction: { ...(s.interactions[0] as object), tags: ['web'], partial: undefined } as never });
    expect(s.interactions[0]?.tags).toEqual(['web']);
    s = event(s, 'interaction.assigned', { ...ix(9), last_message: 'again' });
    expect(s.interactions[0]?.tags).toEqual(['web']);
    expect(s.interactions[0]?.last_message).toBe('again');
    s = deskReducer(s, { kind: 'patch', id: 9, patch: { unread: false } });
    expect(s.interactions[0]?.unread).toBe(false);
    expect(s.interactions[0]?.tags).toEqual(['web']);
  });

  it('tells a missing reply URL from a closed interaction', () => {
    expect(replyConflict('this account has no reply URL: agents cannot reply')).toBe('no_reply_url');
    expect(replyConflict('the interaction is closed')).toBe('closed');
    expect(replyConflict(null)).toBe('other');
  });
});
