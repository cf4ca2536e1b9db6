/**
 * The pure part of the console's lists (console/DataList.tsx): sorting, paging and selection.
 * Lists whose API sorts and pages (agents, reports, audit) send these as query parameters;
 * lists whose API only searches (queues, users, teams…) are fetched whole, up to
 * CLIENT_LIST_MAX rows, and sorted and paged here with the same rules as the server's
 * (docs/reports.md "empty values last in both directions").
 */

export interface SortState {
  key: string;
  desc: boolean;
}

/** The most rows a client-sorted list fetches (the API's largest page). */
export const CLIENT_LIST_MAX = 500;

/** The next sort after a click on column `key`: the same column flips, another starts ascending. */
export function nextSort(sort: SortState | null, key: string): SortState {
  return { key, desc: sort !== null && sort.key === key ? !sort.desc : false };
}

/** The API's `sort` parameter: "name" or "-name". */
export function sortParam(sort: SortState): string {
  return `${sort.desc ? '-' : ''}${sort.key}`;
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Compares two cell values for an ascending sort: numbers by value, booleans false first,
 * everything else as text (case-insensitive, digits by number: "q2" < "q10"). Empty values
 * (null, undefined, "") are not compared here: see sortRows.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return collator.compare(String(a), String(b));
}

/**
 * A sorted copy of `rows` by `value(row)`; `desc` reverses the order of the non-empty values
 * while empty ones stay last either way. Equal values are ordered by `tie(row)` ascending when
 * given (e.g. the name), else keep their order (stable).
 */
export function sortRows<T>(rows: readonly T[], value: (row: T) => unknown, desc: boolean, tie?: (row: T) => unknown): T[] {
  const keyed = rows.map((row, i) => ({ row, i, v: value(row), t: tie ? tie(row) : null }));
  const tieBreak = (x: (typeof keyed)[number], y: (typeof keyed)[number]) => (tie ? compareValues(x.t ?? '', y.t ?? '') : 0) || x.i - y.i;
  keyed.sort((x, y) => {
    const ex = isEmpty(x.v);
    const ey = isEmpty(y.v);
    if (ex || ey) return ex === ey ? tieBreak(x, y) : ex ? 1 : -1;
    const c = compareValues(x.v, y.v);
    return (desc ? -c : c) || tieBreak(x, y);
  });
  return keyed.map((k) => k.row);
}

/** Rows [offset, offset + size) of `rows`. */
export function pageOf<T>(rows: readonly T[], offset: number, size: number): T[] {
  return rows.slice(offset, offset + size);
}

/** The last valid offset for `total` rows in pages of `size` (0 when empty). */
export function lastOffset(total: number, size: number): number {
  return total <= 0 ? 0 : Math.floor((total - 1) / size) * size;
}

/** "1–25 of 60", "0 teams", with " · 3 selected" when some are. */
export function pageLabel(offset: number, shown: number, total: number, noun: string, selected = 0): string {
  if (total === 0 || shown === 0) return `0 ${noun}`;
  return `${offset + 1}–${offset + shown} of ${total}${selected ? ` · ${selected} selected` : ''}`;
}

/** The selection after the header checkbox: every id of the page added (on) or removed. */
export function selectPage<K>(selected: ReadonlySet<K>, pageIds: readonly K[], on: boolean): Set<K> {
  const next = new Set(selected);
  for (const id of pageIds) {
    if (on) next.add(id);
    else next.delete(id);
  }
  return next;
}

/** The header checkbox: all (every id of the page selected), some, or none. */
export function pageSelection<K>(selected: ReadonlySet<K>, pageIds: readonly K[]): 'all' | 'some' | 'none' {
  const n = pageIds.filter((id) => selected.has(id)).length;
  return n === 0 ? 'none' : n === pageIds.length ? 'all' : 'some';
}

/** Keeps only the case-insensitive matches of `q` in any of the texts of a row. */
export function filterRows<T>(rows: readonly T[], q: string, texts: (row: T) => unknown[]): T[] {
  const needle = q.trim().toLocaleLowerCase();
  if (!needle) return [...rows];
  return rows.filter((r) => texts(r).some((t) => (typeof t === 'string' || typeof t === 'number') && String(t).toLocaleLowerCase().includes(needle)));
}
