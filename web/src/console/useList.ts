import { useEffect, useState } from 'preact/hooks';
import { CLIENT_LIST_MAX, filterRows, nextSort, pageOf, sortParam, sortRows, type SortState } from '../lib/list';
import type { ApiResult } from '../lib/auth';
import { getPage, type Json, type Page } from '../lib/staff';
import { useDebounced, useLoad, type Load } from './common';

export interface ListOptions {
  /** The API list, e.g. "/agents" (without query). */
  path: string;
  /**
   * 'server': the API sorts (sort=), pages (limit/offset) and searches (q=).
   * 'client': the API searches and filters; the rows (at most CLIENT_LIST_MAX) are sorted and
   * paged here. 'local': as client, and the search is done here too (texts of each row).
   */
  mode: 'server' | 'client' | 'local';
  pageSize?: number;
  initialSort?: SortState | null;
  /** Filters from the start (e.g. a report's days); the caller remounts the list to change them. */
  initialFilters?: Record<string, string>;
  /** Client sort: the value of a column; defaults to row[key]. */
  sortValue?: (row: Json, key: string) => unknown;
  /** Client sort: the order of rows whose sort values are equal (e.g. by name). */
  tieBreak?: (row: Json) => unknown;
  /** Local search: the texts of a row searched for q. */
  searchTexts?: (row: Json) => unknown[];
  /**
   * Client and local lists: how to fetch every row for the API query (q and filters), when
   * one page of CLIENT_LIST_MAX is not enough (e.g. all pages of a bounded resource).
   */
  fetchAll?: (queryText: string) => Promise<ApiResult<Page<Json>>>;
  /** Rows to skip entirely (not counted), e.g. a shape the view cannot show. */
  keep?: (row: Json) => boolean;
}

export interface ListState {
  q: string;
  setQ: (q: string) => void;
  filters: Record<string, string>;
  setFilter: (name: string, value: string) => void;
  sort: SortState | null;
  toggleSort: (key: string) => void;
  offset: number;
  setOffset: (offset: number) => void;
  pageSize: number;
  selected: Set<number>;
  setSelected: (s: Set<number>) => void;
  /** The query of the current search, filters and sort (for export links). */
  queryText: string;
  load: Load<unknown>;
  /** Every row loaded (client and local lists: before search and paging). */
  all: Json[];
  rows: Json[];
  total: number;
  /** The API had more rows than a client-sorted list fetches. */
  truncated: boolean;
  busy: boolean;
  error: string | null;
  reload: () => void;
}

/**
 * The state of one console list: search (debounced), filters, sort, page and selection, and
 * the rows of the page. A change of search, filter or sort goes back to the first page and
 * clears the selection (selected rows could vanish from view).
 */
export function useList(o: ListOptions): ListState {
  const pageSize = o.pageSize ?? 25;
  const [q, setQRaw] = useState('');
  const [filters, setFilters] = useState<Record<string, string>>(o.initialFilters ?? {});
  const [sort, setSort] = useState<SortState | null>(o.initialSort ?? null);
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const query = useDebounced(q.trim(), 250);

  const params = new URLSearchParams();
  if (query && o.mode !== 'local') params.set('q', query);
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  if (o.mode === 'server' && sort) params.set('sort', sortParam(sort));
  const queryText = params.toString();
  const sep = queryText ? '&' : '';
  const url = o.mode === 'server' ? `${o.path}?${queryText}${sep}limit=${pageSize}&offset=${offset}` : `${o.path}?${queryText}${sep}limit=${CLIENT_LIST_MAX}`;

  const [load, reload] = useLoad(() => (o.mode !== 'server' && o.fetchAll ? o.fetchAll(queryText) : getPage(url)), [url]);

  function reset() {
    setOffset(0);
    setSelected(new Set());
  }

  let rows: Json[] = [];
  let all: Json[] = [];
  let total = 0;
  let truncated = false;
  if (load.kind === 'ready') {
    all = o.keep ? load.value.items.filter(o.keep) : load.value.items;
    if (o.mode === 'server') {
      rows = all;
      total = load.value.total;
    } else {
      const found = o.mode === 'local' && o.searchTexts ? filterRows(all, query, o.searchTexts) : all;
      const value = o.sortValue ?? ((r: Json, k: string) => r[k]);
      const sorted = sort ? sortRows(found, (r) => value(r, sort.key), sort.desc, o.tieBreak) : found;
      total = sorted.length;
      rows = pageOf(sorted, offset, pageSize);
      truncated = load.value.total > load.value.items.length;
    }
  }

  // A deletion can leave the page past the end: go back to the last page.
  useEffect(() => {
    if (load.kind === 'ready' && offset > 0 && offset >= total) setOffset(Math.max(0, offset - pageSize));
  }, [load.kind, offset, total, pageSize]);

  return {
    q,
    setQ: (v) => {
      setQRaw(v);
      reset();
    },
    filters,
    setFilter: (name, value) => {
      setFilters((f) => ({ ...f, [name]: value }));
      reset();
    },
    sort,
    toggleSort: (key) => {
      setSort((s) => nextSort(s, key));
      reset();
    },
    offset,
    setOffset,
    pageSize,
    selected,
    setSelected,
    queryText,
    load,
    all,
    rows,
    total,
    truncated,
    busy: load.kind === 'loading',
    error: load.kind === 'error' ? load.message : null,
    reload,
  };
}
