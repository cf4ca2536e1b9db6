import { describe, expect, it } from 'vitest';
import { CsvRowCounter, checkFilters, deleteRefusal, viewFromQuery, viewToQuery, defaultSort, dayToIso, deleteBody, emptyFilters, formatBytes, listQuery, nextSort, parseListPage, tagList, type ListParams } from './interactions';

const base: ListParams = { channel: 'sms', accountId: 3, filters: emptyFilters, q: null };

describe('listQuery', () => {
  it('channel and account always; nothing else when no filter is set', () => {
    expect(listQuery(base)).toBe('channel=sms&account_id=3');
  });

  it('simple filters, q, sort and paging; the end day is included whole', () => {
    const q = { match: 'any' as const, conditions: [{ field: 'id', op: 'gt' as const, value: 4, disabled: false }] };
    const u = new URLSearchParams(
      listQuery({ ...base, filters: { from: '2026-12-01', to: '2026-12-02', read: 'false', status: 'open', agentId: ' 7 ', tags: ' vip, ,late,vip' }, q }, { sort: { field: 'id', desc: false }, limit: 25, offset: 50 }),
    );
    expect(u.get('from')).toBe(new Date(2026, 11, 1).toISOString());
    expect(u.get('to')).toBe(new Date(2026, 11, 3).toISOString());
    expect(u.get('read')).toBe('false');
    expect(u.get('status')).toBe('open');
    expect(u.get('agent_id')).toBe('7');
    expect(u.get('tags')).toBe('vip,late');
    expect(JSON.parse(u.get('q')!)).toEqual(q);
    expect(u.get('sort')).toBe('id');
    expect(u.get('limit')).toBe('25');
    expect(u.get('offset')).toBe('50');
  });

  it('an export of a selection carries the ids; a descending sort has its minus', () => {
    const u = new URLSearchParams(listQuery(base, { ids: [4, 9], sort: { field: 'created_at', desc: true } }));
    expect(u.get('ids')).toBe('4,9');
    expect(u.get('sort')).toBe('-created_at');
  });
});

describe('deleteBody', () => {
  it('by ids, or by the whole search with its filters', () => {
    expect(deleteBody(base, [1, 2])).toEqual({ channel: 'sms', account_id: 3, ids: [1, 2] });
    const q = { match: 'all' as const, conditions: [] };
    expect(deleteBody({ ...base, filters: { ...emptyFilters, status: 'closed', agentId: '5', read: 'true' }, q }, null)).toEqual({ channel: 'sms', account_id: 3, status: 'closed', agent_id: 5, read: true, q });
  });
});

describe('filters', () => {
  it('dates, a reversed range and an agent that is not an id are refused', () => {
    expect(checkFilters(emptyFilters)).toEqual({});
    expect(checkFilters({ ...emptyFilters, from: '2026-12-05', to: '2026-12-01' })).toEqual({ to: 'The end date must not be before the start date.' });
    expect(checkFilters({ ...emptyFilters, from: 'soon', agentId: 'bob' })).toEqual({ from: 'Enter a date.', agentId: 'Choose an agent.' });
    expect(dayToIso('2026-13-45')).toBeNull();
    expect(dayToIso('2026-02-30')).toBeNull();
    expect(dayToIso('2026-12-31', true)).toBe(new Date(2027, 0, 1).toISOString());
    expect(tagList(' a,b , a,,')).toEqual(['a', 'b']);
    expect(checkFilters({ ...emptyFilters, tags: 'x'.repeat(65) })).toEqual({ tags: 'At most 20 tags of at most 64 characters.' });
    expect(checkFilters({ ...emptyFilters, tags: Array.from({ length: 21 }, (_, i) => `t${i}`).join(',') })).toHaveProperty('tags');
  });

  it('sorting: the same column flips, another starts descending (status ascending)', () => {
    expect(nextSort({ field: 'created_at', desc: true }, 'created_at')).toEqual({ field: 'created_at', desc: false });
    expect(nextSort({ field: 'created_at', desc: true }, 'id')).toEqual({ field: 'id', desc: true });
    expect(nextSort({ field: 'id', desc: true }, 'status')).toEqual({ field: 'status', desc: false });
  });
});

describe('parseListPage', () => {
  it('keeps well-formed rows, defaults the rest', () => {
    const p = parseListPage({ items: [{ id: 1, status: 'closed', unread: true, tags: ['a', 3], contact: { first_name: 'Ana' }, owner_name: 'Dana' }, { id: 'x' }, null], total: 9 });
    expect(p?.total).toBe(9);
    expect(p?.items).toHaveLength(1);
    expect(p?.items[0]).toMatchObject({ id: 1, status: 'closed', unread: true, tags: ['a'], owner_name: 'Dana', contact: { first_name: 'Ana', phone: null } });
    expect(parseListPage({})).toBeNull();
  });
});

describe('CsvRowCounter', () => {
  it('counts records after the header across chunks, quoted line breaks and quotes included', () => {
    const csv = 'id,contact,last_message\r\n1,"Rossi, Ana","line one\nline ""two"""\r\n2,Bob,\'=1+1\r\n3,"x",y';
    for (const size of [1, 2, 5, 7, csv.length]) {
      const c = new CsvRowCounter();
      for (let i = 0; i < csv.length; i += size) c.push(csv.slice(i, i + size));
      expect(c.rows).toBe(3);
    }
    const done = new CsvRowCounter();
    done.push('h\r\na\r\nb\r\n');
    expect(done.rows).toBe(2);
    const header = new CsvRowCounter();
    header.push('id,status\r\n');
    expect(header.rows).toBe(0);
  });

  it('formats sizes', () => {
    expect(formatBytes(530)).toBe('530 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
  });
});

describe('deleteRefusal', () => {
  it('names the refused interactions by id (nothing was deleted)', () => {
    const e = { status: 422, code: null, detail: 'nothing was deleted', errors: [{ field: 'ids[1]', message: 'is open: close it first' }], retryAfter: null };
    expect(deleteRefusal(e, [7, 9])).toBe('Nothing was deleted: interaction 9 is open: close it first.');
    expect(deleteRefusal({ ...e, errors: [] }, [7])).toBe('Nothing was deleted.');
  });
});

describe('the list view in the address', () => {
  it('keeps only what differs from the defaults and reads it back', () => {
    const q = { match: 'any' as const, conditions: [{ field: 'id', op: 'gt' as const, value: 4, disabled: true }] };
    const v = { filters: { ...emptyFilters, from: '2026-12-01', status: 'closed' as const, agentId: '7', tags: 'vip' }, q, sort: { field: 'id' as const, desc: false }, limit: 50, offset: 100 };
    const text = viewToQuery(v);
    const back = viewFromQuery(text);
    expect(back.filters).toEqual(v.filters);
    expect(back.rawQ).toEqual(q);
    expect([back.sort, back.limit, back.offset]).toEqual([v.sort, 50, 100]);
    expect(viewToQuery({ filters: emptyFilters, q: null, sort: defaultSort, limit: 25, offset: 0 })).toBe('');
  });
  it('drops what is malformed', () => {
    const back = viewFromQuery('from=soon&read=maybe&status=x&agent=bob&sort=-password&limit=7&offset=-3&q=%7Bbad');
    expect(back.filters).toEqual(emptyFilters);
    expect(back.sort).toEqual(defaultSort);
    expect([back.limit, back.offset, back.rawQ]).toEqual([25, 0, null]);
  });
});
