import { describe as group, expect, it } from 'vitest';
import {
  activeCount,
  addCondition,
  arity,
  changeField,
  checkDraft,
  clearConditions,
  DEFAULT_FIELDS,
  describe,
  emptySearch,
  fieldOf,
  fromQuery,
  localToIso,
  MAX_CONDITIONS,
  newDraft,
  parseFields,
  removeCondition,
  serverErrorPlace,
  setMatch,
  toggleCondition,
  toQuery,
  updateCondition,
  type Draft,
  type Search,
} from './model';

const fields = DEFAULT_FIELDS;
const draft = (field: string, op: Draft['op'], value = '', value2 = ''): Draft => ({ field, op, value, value2 });

function build(...ds: Draft[]): Search {
  return ds.reduce((s, d) => addCondition(s, d), emptySearch);
}

group('parseFields (GET /interactions/search-fields)', () => {
  it('reads items with their type, operators and enum values', () => {
    const got = parseFields({
      items: [
        { name: 'status', type: 'enum', ops: ['equals', 'not_equals'], values: ['open', 'closed'] },
        { name: 'message', type: 'text', ops: ['contains', 'equals'] },
        { name: 'created_at', type: 'datetime', ops: ['gt', 'lt', 'between'], label: 'Start date' },
      ],
    });
    expect(got?.map((x) => [x.name, x.type, x.ops, x.label])).toEqual([
      ['status', 'enum', ['equals', 'not_equals'], 'Status'],
      ['message', 'text', ['equals', 'contains'], 'Message text'],
      ['created_at', 'datetime', ['gt', 'lt', 'between'], 'Start date'],
    ]);
    expect(got?.[0]?.values).toEqual(['open', 'closed']);
  });

  it('drops unknown types, operators the type does not allow, duplicates and enums without values', () => {
    const got = parseFields([
      { name: 'id', type: 'integer', ops: ['equals', 'contains', 'drop_table'] },
      { name: 'id', type: 'text' },
      { name: 'x', type: 'blob' },
      { name: 'status', type: 'enum' },
      { field: 'read', type: 'boolean' },
      'junk',
    ]);
    expect(got?.map((x) => [x.name, x.ops])).toEqual([
      ['id', ['equals']],
      ['read', ['equals', 'not_equals']],
    ]);
  });

  it('an answer without a usable field is null (the builder falls back to the contract list)', () => {
    expect(parseFields({ items: [] })).toBeNull();
    expect(parseFields({ detail: 'nope' })).toBeNull();
    expect(parseFields(null)).toBeNull();
  });
});

group('the operator and value inputs follow the field type', () => {
  it('text, number, date, enum and boolean fields offer their operators', () => {
    expect(fieldOf(fields, 'contact.last_name')?.ops).toEqual(['equals', 'not_equals', 'contains', 'starts_with', 'ends_with', 'empty', 'not_empty']);
    expect(fieldOf(fields, 'id')?.ops).toEqual(['equals', 'not_equals', 'gt', 'lt', 'between', 'empty', 'not_empty']);
    expect(fieldOf(fields, 'status')?.ops).toEqual(['equals', 'not_equals']);
    expect(fieldOf(fields, 'read')?.ops).toEqual(['equals', 'not_equals']);
    expect(fieldOf(fields, 'created_at')?.ops).toContain('between');
  });

  it('between takes two values, empty and not_empty none', () => {
    expect(arity('between')).toBe(2);
    expect(arity('empty')).toBe(0);
    expect(arity('not_empty')).toBe(0);
    expect(arity('contains')).toBe(1);
  });

  it('a new draft starts on the first operator and enum value', () => {
    expect(newDraft(fieldOf(fields, 'status')!)).toEqual({ field: 'status', op: 'equals', value: 'open', value2: '' });
    expect(newDraft(fieldOf(fields, 'read')!).value).toBe('true');
  });

  it('changing the field keeps what still applies and resets the rest', () => {
    const d = draft('contact.last_name', 'contains', 'ross');
    expect(changeField(d, fieldOf(fields, 'contact.first_name')!, fields)).toEqual({ ...d, field: 'contact.first_name' });
    expect(changeField(d, fieldOf(fields, 'status')!, fields)).toEqual({ field: 'status', op: 'equals', value: 'open', value2: '' });
    expect(changeField(draft('id', 'between', '1', '9'), fieldOf(fields, 'contact.phone')!, fields)).toEqual({ field: 'contact.phone', op: 'equals', value: '', value2: '' });
  });
});

group('conditions → q', () => {
  it('two conditions, all by default; values typed per field', () => {
    const s = build(draft('contact.last_name', 'contains', '  Rossi '), draft('id', 'gt', '41'));
    expect(toQuery(s, fields)).toEqual({
      ok: true,
      q: {
        match: 'all',
        conditions: [
          { field: 'contact.last_name', op: 'contains', value: 'Rossi', disabled: false },
          { field: 'id', op: 'gt', value: 41, disabled: false },
        ],
      },
    });
  });

  it('any, enum, boolean, between of numbers and of dates, empty without value', () => {
    const s = setMatch(
      build(draft('status', 'equals', 'closed'), draft('read', 'equals', 'false'), draft('id', 'between', '3', '7'), draft('created_at', 'between', '2026-12-01T08:00', '2026-12-02T08:00'), draft('tags', 'empty')),
      'any',
    );
    const r = toQuery(s, fields);
    expect(r.ok && r.q?.match).toBe('any');
    expect(r.ok && r.q?.conditions.map((c) => c.value)).toEqual([
      'closed',
      false,
      [3, 7],
      [new Date('2026-12-01T08:00').toISOString(), new Date('2026-12-02T08:00').toISOString()],
      undefined,
    ]);
    expect(r.ok && 'value' in r.q!.conditions[4]!).toBe(false);
  });

  it('a disabled condition is sent with disabled: true and does not count; enabling it again restores it', () => {
    let s = build(draft('contact.last_name', 'contains', 'Rossi'), draft('message', 'contains', 'refund'));
    const second = s.conditions[1]!.key;
    s = toggleCondition(s, second);
    expect(activeCount(s)).toBe(1);
    let r = toQuery(s, fields);
    expect(r.ok && r.q?.conditions.map((c) => c.disabled)).toEqual([false, true]);
    s = toggleCondition(s, second);
    r = toQuery(s, fields);
    expect(activeCount(s)).toBe(2);
    expect(r.ok && r.q?.conditions.map((c) => c.disabled)).toEqual([false, false]);
  });

  it('edit replaces one condition in place; delete one; delete all gives no q', () => {
    let s = build(draft('contact.last_name', 'contains', 'Rossi'), draft('id', 'lt', '100'), draft('status', 'equals', 'open'));
    const [a, b, c] = s.conditions.map((x) => x.key);
    s = toggleCondition(s, b!);
    s = updateCondition(s, b!, draft('id', 'gt', '5'));
    expect(s.conditions.map((x) => [x.field, x.op, x.value, x.disabled])).toEqual([
      ['contact.last_name', 'contains', 'Rossi', false],
      ['id', 'gt', '5', true],
      ['status', 'equals', 'open', false],
    ]);
    s = removeCondition(s, a!);
    expect(s.conditions.map((x) => x.key)).toEqual([b, c]);
    s = clearConditions(s);
    expect(toQuery(s, fields)).toEqual({ ok: true, q: null });
  });

  it('bad values are named per condition and part, nothing is sent', () => {
    const s = build(
      draft('id', 'equals', '4.5'),
      draft('contact.email', 'contains', '   '),
      draft('created_at', 'between', '2026-12-05T00:00', '2026-12-01T00:00'),
      draft('status', 'equals', 'pending'),
      draft('status', 'contains', 'open'),
      draft('nope', 'equals', 'x'),
      draft('id', 'between', '9', ''),
    );
    const r = toQuery(s, fields);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.index, e.part])).toEqual([
      [0, 'value'],
      [1, 'value'],
      [2, 'value'],
      [3, 'value'],
      [4, 'op'],
      [5, 'field'],
      [6, 'value'],
    ]);
    expect(r.errors[0]!.message).toBe('Enter a whole number.');
    expect(r.errors[2]!.message).toMatch(/first bound/);
  });

  it('at most 20 conditions: the 21st draft is refused, an edit still passes', () => {
    let s = emptySearch;
    for (let i = 0; i < MAX_CONDITIONS; i++) s = addCondition(s, draft('id', 'equals', String(i)));
    expect(checkDraft(draft('id', 'equals', '99'), fields, s, null)).toEqual([{ part: 'field', message: 'At most 20 conditions.' }]);
    expect(checkDraft(draft('id', 'equals', '99'), fields, s, s.conditions[0]!.key)).toEqual([]);
  });

  it('datetime-local values are read in the browser zone; nonsense is refused', () => {
    expect(localToIso('2026-12-01T10:00')).toBe(new Date(2026, 11, 1, 10, 0).toISOString());
    expect(localToIso('yesterday')).toBeNull();
    expect(localToIso('2026-12-01')).toBeNull();
  });
});

group('words and places', () => {
  it('describes a condition for its chip', () => {
    expect(describe(draft('contact.last_name', 'contains', 'Rossi'), fields)).toBe('Contact last name contains “Rossi”');
    expect(describe(draft('read', 'equals', 'false'), fields)).toBe('Read equals unread');
    expect(describe(draft('id', 'between', '3', '7'), fields)).toBe('ID is between 3 and 7');
    expect(describe(draft('tags', 'empty'), fields)).toBe('Tags is empty');
    expect(describe(draft('created_at', 'gt', 'bad'), fields)).toBe('Created is after bad');
  });

  it('maps the server error places back to conditions', () => {
    expect(serverErrorPlace('q.conditions[2].value')).toEqual({ index: 2, part: 'value' });
    expect(serverErrorPlace('q.conditions[0].op')).toEqual({ index: 0, part: 'op' });
    expect(serverErrorPlace('q.conditions[1].value[1]')).toEqual({ index: 1, part: 'value' });
    expect(serverErrorPlace('q.conditions[4]')).toEqual({ index: 4, part: 'value' });
    expect(serverErrorPlace('q')).toBeNull();
    expect(serverErrorPlace('agent_id')).toBeNull();
  });

  it('a q read back (the address bar) gives the same q; unknown fields are dropped', () => {
    const s = setMatch(toggleCondition(build(draft('contact.phone', 'starts_with', '+39'), draft('created_at', 'between', '2026-12-01T08:00', '2026-12-02T09:30')), 0), 'any');
    const first = toQuery(toggleCondition(s, s.conditions[1]!.key), fields);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const back = fromQuery({ ...first.q, conditions: [...first.q!.conditions, { field: 'evil', op: 'equals', value: 1 }] }, fields);
    expect(toQuery(back, fields)).toEqual(first);
    expect(fromQuery('junk', fields)).toEqual(emptySearch);
  });
});
