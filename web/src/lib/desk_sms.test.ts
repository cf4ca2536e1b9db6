import { describe, expect, it } from 'vitest';
import { deskReducer, emptyDesk, insertAt, parseCanned, toE164 } from './desk';

describe('toE164', () => {
  it('accepts international numbers with spaces, dashes, dots, brackets or a 00 prefix', () => {
    expect(toE164('+39 333 123-4567')).toBe('+393331234567');
    expect(toE164('0039 (333) 123.4567')).toBe('+393331234567');
    expect(toE164(' +14155550100 ')).toBe('+14155550100');
  });
  it('refuses national numbers, letters, a zero country code and wrong lengths', () => {
    expect(toE164('3331234567')).toBeNull();
    expect(toE164('+39 333 CALL')).toBeNull();
    expect(toE164('+0391234567')).toBeNull();
    expect(toE164('+123456')).toBeNull();
    expect(toE164('+1234567890123456')).toBeNull();
    expect(toE164('')).toBeNull();
  });
});

describe('canned answers', () => {
  it('keeps the rendered text (else the body) and drops malformed items', () => {
    expect(parseCanned({ id: 3, name: 'Hello', body: 'Hi {{contact.first_name}}', text: 'Hi Carla' })).toEqual({ id: 3, name: 'Hello', text: 'Hi Carla' });
    expect(parseCanned({ id: 4, name: 'Bye', body: 'Bye' })).toEqual({ id: 4, name: 'Bye', text: 'Bye' });
    expect(parseCanned({ id: 5, name: 'x' })).toBeNull();
    expect(parseCanned({ name: 'x', text: 'y' })).toBeNull();
  });
  it('inserts at the caret or over the selection', () => {
    expect(insertAt('Dear , thanks', 'Carla', 5, 5)).toEqual({ value: 'Dear Carla, thanks', caret: 10 });
    expect(insertAt('Dear XX, thanks', 'Carla', 5, 7)).toEqual({ value: 'Dear Carla, thanks', caret: 10 });
    expect(insertAt('abc', 'Z', 99, 99)).toEqual({ value: 'abcZ', caret: 4 });
  });
});

describe('interaction.note (a supervisor spying adds a note)', () => {
  it('reloads the thread of a held interaction without marking it unread; others are ignored', () => {
    const ix = { id: 8, channel: 'sms', account_id: 1, status: 'open', unread: false, queue_id: null, tags: [], created_at: '', contact: { id: 1 }, last_message: null };
    let s = deskReducer(emptyDesk, { kind: 'snapshot', snapshot: { state: null, offers: [], interactions: [ix as never] } });
    const v = s.versions[8] ?? 0;
    s = deskReducer(s, { kind: 'event', msg: { type: 'interaction.note', data: { interaction_id: 8, message: { id: 3, body: 'n', internal: true } } } });
    expect(s.versions[8]).toBe(v + 1);
    expect(s.interactions[0]?.unread).toBe(false);
    expect(deskReducer(s, { kind: 'event', msg: { type: 'interaction.note', data: { interaction_id: 99 } } })).toBe(s);
  });
});
