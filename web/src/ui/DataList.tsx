import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { lastOffset, pageLabel, pageSelection, selectPage, type SortState } from '../lib/list';
import { Button } from './Button';

export interface Column<T> {
  /** The sort key (sent to the API or used by the client sort) and the React key. */
  key: string;
  label: string;
  /** Offer sorting on this column (a button in the header with aria-sort). */
  sortable?: boolean;
  /** The label is for screen readers only (an avatar or actions column). */
  hiddenLabel?: boolean;
  cell: (row: T) => ComponentChildren;
  /** Extra class of the cells (mono, table__actions…). */
  class?: string;
}

export interface Selection<K> {
  selected: ReadonlySet<K>;
  onChange: (next: Set<K>) => void;
  /** "Select erin.e2e": the accessible name of a row's checkbox. */
  rowLabel: string | ((id: K) => string);
  /** "Select every agent of this page". */
  allLabel: string;
}

export interface DataTableProps<T, K extends string | number> {
  /** Id of the heading naming the table, or `label` for a table without one. */
  labelledBy?: string;
  label?: string;
  columns: Column<T>[];
  rows: readonly T[];
  rowId: (row: T) => K;
  sort?: SortState | null;
  onSort?: (key: string) => void;
  selection?: Selection<K>;
  /** Per-row checkbox label text (for `selection.rowLabel` as a function of the row). */
  rowName?: (row: T) => string;
  busy?: boolean;
  /** Shown under the table when there are no rows and it is not loading. */
  empty?: string;
  compact?: boolean;
  /** Extra class of the scrolling wrapper (table-wrap--menus lets row menus overflow). */
  wrapClass?: string;
}

/**
 * The console's table: sortable headers (buttons with aria-sort), an optional checkbox column
 * with a page-wide header checkbox (mixed when part of the page is selected), and an empty
 * message. It renders rows it is given: loading, sorting and paging are the caller's (see
 * console/useList.ts), so the same table serves server-paged and client-sorted lists.
 */
export function DataTable<T, K extends string | number>({
  labelledBy,
  label,
  columns,
  rows,
  rowId,
  sort,
  onSort,
  selection,
  rowName,
  busy,
  empty,
  compact,
  wrapClass,
}: DataTableProps<T, K>) {
  const pageIds = rows.map(rowId);
  const state = selection ? pageSelection(selection.selected, pageIds) : 'none';
  const all = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (all.current) all.current.indeterminate = state === 'some';
  }, [state]);
  function name(row: T, id: K): string {
    if (!selection) return '';
    if (rowName) return `Select ${rowName(row)}`;
    return typeof selection.rowLabel === 'function' ? selection.rowLabel(id) : selection.rowLabel;
  }
  return (
    <>
      <div class={`table-wrap${wrapClass ? ` ${wrapClass}` : ''}`}>
        <table class={`table${compact ? ' table--compact' : ''}`} aria-labelledby={labelledBy} aria-label={labelledBy ? undefined : label} aria-busy={busy ? 'true' : 'false'}>
          <thead>
            <tr>
              {selection && (
                <th scope="col" class="table__check">
                  <input
                    ref={all}
                    type="checkbox"
                    aria-label={selection.allLabel}
                    checked={state === 'all'}
                    disabled={pageIds.length === 0}
                    onChange={(e) => selection.onChange(selectPage(selection.selected, pageIds, e.currentTarget.checked))}
                  />
                </th>
              )}
              {columns.map((c) => {
                const active = sort?.key === c.key;
                return (
                  <th scope="col" key={c.key} aria-sort={c.sortable ? (active ? (sort?.desc ? 'descending' : 'ascending') : 'none') : undefined}>
                    {c.hiddenLabel ? (
                      <span class="sr-only">{c.label}</span>
                    ) : c.sortable && onSort ? (
                      <button type="button" class="sort-btn" onClick={() => onSort(c.key)}>
                        {c.label}
                        <span aria-hidden="true" class="sort-btn__arrow">
                          {active ? (sort?.desc ? '▼' : '▲') : ''}
                        </span>
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const id = rowId(row);
              return (
                <tr key={id} class={selection?.selected.has(id) ? 'table__row--selected' : undefined}>
                  {selection && (
                    <td class="table__check">
                      <input
                        type="checkbox"
                        aria-label={name(row, id)}
                        checked={selection.selected.has(id)}
                        onChange={(e) => {
                          const next = new Set(selection.selected);
                          if (e.currentTarget.checked) next.add(id);
                          else next.delete(id);
                          selection.onChange(next);
                        }}
                      />
                    </td>
                  )}
                  {columns.map((c) => (
                    <td key={c.key} class={c.class}>
                      {c.cell(row)}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {!busy && rows.length === 0 && empty && <p class="muted">{empty}</p>}
    </>
  );
}

export interface PagerProps {
  offset: number;
  pageSize: number;
  /** Rows on this page. */
  shown: number;
  total: number;
  /** Plural noun for "0 agents". */
  noun: string;
  selected?: number;
  busy?: boolean;
  onOffset: (offset: number) => void;
}

/** "1–25 of 60 · 2 selected" (announced) with previous/next page buttons. */
export function Pager({ offset, pageSize, shown, total, noun, selected = 0, busy, onOffset }: PagerProps) {
  return (
    <div class="pager">
      <span class="muted" role="status">
        {busy ? 'Loading…' : pageLabel(offset, shown, total, noun, selected)}
      </span>
      {total > pageSize && (
        <div class="row">
          <Button variant="secondary" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - pageSize))}>
            Previous page
          </Button>
          <Button variant="secondary" disabled={offset >= lastOffset(total, pageSize)} onClick={() => onOffset(offset + pageSize)}>
            Next page
          </Button>
        </div>
      )}
    </div>
  );
}
