import { describe, expect, it } from 'vitest';
import { compareValues, filterRows, lastOffset, nextSort, pageLabel, pageOf, pageSelection, selectPage, sortParam, sortRows } from './list';

describe('sorting', () => {
  const rows = [
    { id: 1, name: 'queue 10', n: 3, at: null as string | null },
    { id: 2, name: 'Queue 2', n: null as number | null, at: '2026-11-22T08:00:00Z' },
    { id: 3, name: 'alpha', n: 1, at: '' },
    { id: 4, name: 'beta', n: 20, at: '2026-11-21T08:00:00Z' },
  ];

  it('orders text case-insensitively with numbers in names by value', () => {
    expect(sortRows(rows, (r) => r.name, false).map((r) => r.id)).toEqual([3, 4, 2, 1]);
    expect(sortRows(rows, (r) => r.name, true).map((r) => r.id)).toEqual([1, 2, 4, 3]);
  });

  it('orders numbers by value, not as text', () => {
    expect(sortRows(rows, (r) => r.n, false).map((r) => r.n)).toEqual([1, 3, 20, null]);
  });

  it('keeps empty values last in both directions, like the API', () => {
    expect(sortRows(rows, (r) => r.at, false).map((r) => r.id)).toEqual([4, 2, 1, 3]);
    expect(sortRows(rows, (r) => r.at, true).map((r) => r.id)).toEqual([2, 4, 1, 3]);
  });

  it('is stable and does not change its input', () => {
    const same = [
      { id: 1, v: 'x' },
      { id: 2, v: 'X' },
      { id: 3, v: 'x' },
    ];
    expect(sortRows(same, (r) => r.v, true).map((r) => r.id)).toEqual([1, 2, 3]);
    expect(same.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('orders equal values by a tie-breaker (the SMS accounts list: then by name)', () => {
    const items = [
      { name: 'b', key: 'K2', type: 'twilio', phone: '' },
      { name: 'A', key: 'k10', type: 'plivo', phone: '+391' },
      { name: 'c', key: 'K1', type: 'plivo', phone: '+390' },
    ];
    const by = (k: 'name' | 'key' | 'type' | 'phone', desc: boolean) => sortRows(items, (r) => r[k], desc, (r) => r.name);
    expect(by('name', false).map((x) => x.name)).toEqual(['A', 'b', 'c']);
    expect(by('name', true).map((x) => x.name)).toEqual(['c', 'b', 'A']);
    expect(by('key', false).map((x) => x.key)).toEqual(['K1', 'K2', 'k10']);
    expect(by('type', false).map((x) => x.name)).toEqual(['A', 'c', 'b']);
    expect(by('type', true).map((x) => x.name)).toEqual(['b', 'A', 'c']);
    expect(by('phone', true).map((x) => x.name)).toEqual(['A', 'c', 'b']);
  });

  it('puts false before true', () => {
    expect(compareValues(false, true)).toBeLessThan(0);
    expect(compareValues(true, true)).toBe(0);
  });

  it('flips the same column and starts another ascending', () => {
    expect(nextSort(null, 'name')).toEqual({ key: 'name', desc: false });
    expect(nextSort({ key: 'name', desc: false }, 'name')).toEqual({ key: 'name', desc: true });
    expect(nextSort({ key: 'name', desc: true }, 'created_at')).toEqual({ key: 'created_at', desc: false });
    expect(sortParam({ key: 'created_at', desc: true })).toBe('-created_at');
  });
});

describe('paging', () => {
  const rows = Array.from({ length: 60 }, (_, i) => i + 1);
  it('cuts pages that add up to the whole list', () => {
    const pages = [0, 25, 50].map((o) => pageOf(rows, o, 25));
    expect(pages.map((p) => p.length)).toEqual([25, 25, 10]);
    expect(pages.flat()).toEqual(rows);
  });
  it('knows the last page', () => {
    expect(lastOffset(60, 25)).toBe(50);
    expect(lastOffset(50, 25)).toBe(25);
    expect(lastOffset(0, 25)).toBe(0);
  });
  it('labels the page', () => {
    expect(pageLabel(25, 25, 60, 'teams')).toBe('26–50 of 60');
    expect(pageLabel(0, 3, 3, 'teams', 2)).toBe('1–3 of 3 · 2 selected');
    expect(pageLabel(0, 0, 0, 'teams')).toBe('0 teams');
  });
});

describe('selection', () => {
  it('selects and clears a page without touching other pages', () => {
    const other = new Set([100]);
    const on = selectPage(other, [1, 2, 3], true);
    expect([...on].sort((a, b) => a - b)).toEqual([1, 2, 3, 100]);
    expect(pageSelection(on, [1, 2, 3])).toBe('all');
    const off = selectPage(on, [1, 2, 3], false);
    expect([...off]).toEqual([100]);
    expect(pageSelection(off, [1, 2, 3])).toBe('none');
    expect(pageSelection(new Set([2]), [1, 2, 3])).toBe('some');
  });
});

describe('local search', () => {
  it('matches any text of a row, case-insensitively', () => {
    const rows = [
      { name: 'Sales', d: 'Floor 2' },
      { name: 'Support', d: null },
    ];
    expect(filterRows(rows, 'FLOOR', (r) => [r.name, r.d])).toEqual([rows[0]]);
    expect(filterRows(rows, '  ', (r) => [r.name, r.d])).toEqual(rows);
  });
});
