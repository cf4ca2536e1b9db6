import { useEffect, useRef, useState } from 'preact/hooks';
import { call, genericMessage, type ApiError } from '../lib/auth';
import {
  checkFilters,
  deleteRefusal,
  deleteBody,
  exportCsv,
  exportName,
  fetchFile,
  formatBytes,
  interactionsApi,
  listQuery,
  nextSort,
  PAGE_SIZES,
  saveBlob,
  type Filters,
  type ListChannel,
  type ListItem,
  type ListParams,
  type Progress,
  type Sort,
  type SortField,
  viewFromQuery,
  viewToQuery,
} from '../lib/interactions';
import { Link, navigate } from '../lib/router';
import { getPage, isRecord, str, CHANNEL_LABELS } from '../lib/staff';
import { SearchBuilder } from '../search/SearchBuilder';
import { DEFAULT_FIELDS, fromQuery, parseFields, serverErrorPlace, toQuery, type ConditionError, type Q, type Search, type SearchField } from '../search/model';
import { Banner, Button, Chip, Dialog, Menu, SelectField, TextField, toast } from '../ui';
import { useDebounced } from './common';

export interface InteractionsProps {
  channel: ListChannel;
  /** null: every account of the channel the caller may see (the console's Interactions section). */
  accountId: number | null;
  /** May delete (admins; supervisors whose profile allows delete in Queues). */
  mayDelete: boolean;
  /** Only admins may read the accounts (for their names). */
  admin: boolean;
  /** May list the agents (for the Agent filter and names); else the agent's number is typed. */
  readAgents: boolean;
}

/**
 * The console path of an interaction list and of one interaction's spy view: an account's
 * (/admin/sms/5/interactions[/9]) or the channel's (/admin/interactions/sms[/9]).
 */
export function interactionsPath(channel: string, accountId: number | null, id?: number): string {
  const tail = id === undefined ? '' : `/${id}`;
  return accountId === null ? `/admin/interactions/${channel}${tail}` : `/admin/${channel}/${accountId}/interactions${tail}`;
}

/** The list last shown, with its view (the spy view's back link returns to it). */
let lastListUrl: string | null = null;

/** Where "back to the list" goes: the last list shown when it is this one, else the list's path. */
export function backToList(channel: string, accountId: number | null): string {
  const base = interactionsPath(channel, accountId);
  return lastListUrl && (lastListUrl === base || lastListUrl.startsWith(`${base}?`)) ? lastListUrl : base;
}

/** The account's name for the title (admins read it; others see its number). */
export function useAccountName(channel: ListChannel, accountId: number | null, admin: boolean): string {
  const [name, setName] = useState(accountId === null ? 'all accounts' : `account #${accountId}`);
  useEffect(() => {
    if (accountId === null || !admin) return;
    const path = channel === 'sms' ? `/sms/accounts/${accountId}` : `/openchannel/accounts/${accountId}`;
    void call('GET', path).then((r) => {
      if (r.ok && isRecord(r.value) && typeof r.value['name'] === 'string') setName(r.value['name']);
    });
  }, [channel, accountId, admin]);
  return name;
}

const COLUMNS: { key: SortField | null; label: string }[] = [
  { key: 'id', label: 'ID' },
  { key: null, label: 'Contact, tags' },
  { key: 'status', label: 'Status' },
  { key: null, label: 'Agent' },
  { key: null, label: 'Last message' },
  { key: 'created_at', label: 'Started' },
  { key: 'last_message_at', label: 'Last activity' },
  { key: 'closed_at', label: 'Closed' },
];

/** "12/3/26, 6:21 PM" in the browser's locale (the full date is the cell's title elsewhere). */
function shortDate(v: string | null): string {
  if (!v) return '';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  const thisYear = d.getFullYear() === new Date().getFullYear();
  return d.toLocaleString(undefined, thisYear ? { month: 'numeric', day: 'numeric', hour: 'numeric', minute: '2-digit' } : { dateStyle: 'short', timeStyle: 'short' });
}

/** The full date and time, for a cell's title. */
function fullDate(v: string | null): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'medium' });
}

function contactName(c: ListItem['contact']): string {
  return [c.first_name, c.last_name].filter(Boolean).join(' ') || c.phone || c.email || `Contact #${c.id}`;
}

type ExportState = { kind: 'running'; progress: Progress; what: string } | { kind: 'done'; progress: Progress; name: string } | null;

/**
 * An account's interactions (seed 004 "Interactions"): simple filters (start dates, read,
 * status, agent, tags), the advanced search, a sortable paged table with multi-select, CSV
 * export of the selection or of the whole search with progress, bulk delete, and each row's
 * menu (Spy, Download transcript, Delete).
 */
export function InteractionsList({ channel, accountId, mayDelete, admin, readAgents }: InteractionsProps) {
  const account = useAccountName(channel, accountId, admin);
  const [fields, setFields] = useState<SearchField[]>(DEFAULT_FIELDS);
  const [agents, setAgents] = useState<{ value: string; label: string }[] | null>(null);
  // The view starts from the address (a reload or Back keeps the filters, search, sort, page).
  const [initial] = useState(() => {
    const v = viewFromQuery(location.search);
    const s = fromQuery(v.rawQ, DEFAULT_FIELDS);
    const r = toQuery(s, DEFAULT_FIELDS);
    return { ...v, search: s, q: r.ok ? r.q : null };
  });
  const [filters, setFilters] = useState<Filters>(initial.filters);
  const tags = useDebounced(filters.tags, 300);
  const [showSearch, setShowSearch] = useState(initial.q !== null);
  const [search, setSearch] = useState<Search>(initial.search);
  const [q, setQ] = useState<Q | null>(initial.q);
  const [condErrors, setCondErrors] = useState<ConditionError[]>([]);
  const [sort, setSort] = useState<Sort>(initial.sort);
  const [limit, setLimit] = useState<number>(initial.limit);
  const [offset, setOffset] = useState(initial.offset);
  const [list, setList] = useState<{ items: ListItem[]; total: number } | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [tick, setTick] = useState(0);
  const [exporting, setExporting] = useState<ExportState>(null);
  const abort = useRef<AbortController | null>(null);
  const [confirm, setConfirm] = useState<number[] | null>(null);
  const [busy, setBusy] = useState(false);
  const seq = useRef(0);

  // The search fields (the contract's list when the server does not offer them) and the agents.
  useEffect(() => {
    void interactionsApi.searchFields().then((r) => {
      const parsed = r.ok ? parseFields(r.value) : null;
      if (parsed) setFields(parsed);
    });
    if (!readAgents) return;
    void getPage('/agents?limit=500&sort=username').then((r) => {
      if (r.ok) setAgents(r.value.items.map((a) => ({ value: str(a['id']), label: `${str(a['full_name']) || str(a['username'])} (${str(a['username'])})` })));
    });
  }, []);

  const applied: Filters = { ...filters, tags };
  const filterErrors = checkFilters(applied);
  const params: ListParams = { channel, accountId, filters: applied, q };
  const query = listQuery(params, { sort, limit, offset });

  useEffect(() => {
    if (Object.keys(filterErrors).length) return;
    const mine = ++seq.current;
    setLoading(true);
    void interactionsApi.list(query).then((r) => {
      if (mine !== seq.current) return;
      setLoading(false);
      if (r.ok) {
        setList(r.value);
        setError(null);
        // A page past the end (after a delete): go back to the last page.
        if (r.value.items.length === 0 && offset > 0 && r.value.total > 0) setOffset(Math.max(0, Math.floor((r.value.total - 1) / limit) * limit));
        return;
      }
      showError(r.error);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, tick]);

  // The address follows the view (replaced, not pushed: Back leaves the list).
  const viewText = viewToQuery({ filters: applied, q, sort, limit, offset });
  useEffect(() => {
    const to = location.pathname + (viewText ? `?${viewText}` : '');
    lastListUrl = to;
    if (to !== location.pathname + location.search) navigate(to, true);
  }, [viewText]);

  // A new query starts from the first page with nothing selected.
  const filterKey = listQuery({ ...params, q }, { sort });
  const lastKey = useRef(filterKey);
  useEffect(() => {
    if (lastKey.current === filterKey) return;
    lastKey.current = filterKey;
    setOffset(0);
    setSelected(new Set());
  }, [filterKey]);

  function showError(e: ApiError) {
    const places = e.errors.map((x) => ({ ...x, place: serverErrorPlace(x.field) }));
    const cond = places.filter((x) => x.place).map((x) => ({ index: x.place!.index, part: x.place!.part, message: x.message.charAt(0).toUpperCase() + x.message.slice(1) + '.' }));
    if (cond.length) {
      setCondErrors(cond);
      setShowSearch(true);
      setError('The search was not run: correct the conditions marked below.');
      return;
    }
    const other = e.errors[0];
    setError(e.status === 422 && other ? `The list was not loaded: ${other.field} ${other.message}.` : genericMessage(e));
  }

  function runSearch() {
    const r = toQuery(search, fields);
    if (!r.ok) {
      setCondErrors(r.errors);
      setError('The search was not run: correct the conditions marked below.');
      return;
    }
    setCondErrors([]);
    setError(null);
    setQ(r.q);
    setTick((n) => n + 1);
  }

  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setFilters((f) => ({ ...f, [k]: v }));
  const items = list?.items ?? [];
  const total = list?.total ?? 0;
  const pageIds = items.map((x) => x.id);
  const allOnPage = pageIds.length > 0 && pageIds.every((x) => selected.has(x));

  function toggle(id: number, on: boolean) {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  }

  async function runExport(ids: number[] | null) {
    abort.current?.abort();
    const ctl = new AbortController();
    abort.current = ctl;
    const what = ids ? `${ids.length} selected` : 'the whole search';
    setExporting({ kind: 'running', progress: { bytes: 0, rows: 0 }, what });
    try {
      const qs = listQuery(params, ids ? { sort, ids } : { sort });
      const r = await exportCsv(qs, (progress) => setExporting({ kind: 'running', progress, what }), ctl.signal);
      if (!r.ok) {
        setExporting(null);
        toast('error', `The export failed: ${genericMessage(r.error)}`);
        return;
      }
      const name = exportName(channel, accountId);
      saveBlob(r.value, name);
      setExporting((s) => ({ kind: 'done', progress: s?.progress ?? { bytes: r.value.size, rows: 0 }, name }));
    } catch {
      setExporting(null);
      toast('info', 'Export cancelled.');
    } finally {
      if (abort.current === ctl) abort.current = null;
    }
  }

  async function transcript(id: number) {
    const r = await fetchFile(`/interactions/${id}/transcript.zip`);
    if (!r.ok) return toast('error', `The transcript could not be downloaded: ${genericMessage(r.error)}`);
    saveBlob(r.value, `interaction-${id}-transcript.zip`);
  }

  async function doDelete(ids: number[]) {
    setBusy(true);
    const r = ids.length === 1 ? await interactionsApi.remove(ids[0] as number) : await interactionsApi.bulkDelete(deleteBody(params, ids));
    setBusy(false);
    setConfirm(null);
    if (!r.ok) return toast('error', deleteRefusal(r.error, ids));
    const n = typeof r.value === 'number' ? r.value : 1;
    toast('success', `${n} ${n === 1 ? 'interaction' : 'interactions'} deleted.`);
    setSelected((s) => new Set([...s].filter((x) => !ids.includes(x))));
    setTick((t) => t + 1);
  }

  const chLabel = CHANNEL_LABELS[channel] ?? channel;
  const backHref = accountId === null ? null : channel === 'sms' ? '/admin/sms' : `/admin/openchannel/${accountId}`;
  // The builder differs from the search the list shows (Search not pressed yet).
  const draftQ = toQuery(search, fields);
  const pending = draftQ.ok && JSON.stringify(draftQ.q) !== JSON.stringify(q);

  return (
    <section class="card" aria-labelledby="ix-title">
      <div class="card__header">
        <div>
          {backHref && admin && (
            <Link href={backHref} class="back-link">
              ← {channel === 'sms' ? 'SMS accounts' : `Account ${account}`}
            </Link>
          )}
          <h1 class="card__title" id="ix-title">
            {accountId === null ? `${chLabel} interactions` : `Interactions of ${chLabel} ${account}`}
          </h1>
        </div>
        {accountId === null && (
          <nav class="row" aria-label="Channel">
            {(['sms', 'openchannel'] as const).map((ch) => (
              <Link key={ch} class={`btn ${ch === channel ? 'btn--primary' : 'btn--secondary'}`} href={interactionsPath(ch, null)} aria-current={ch === channel ? 'page' : undefined}>
                {CHANNEL_LABELS[ch]}
              </Link>
            ))}
          </nav>
        )}
      </div>

      <form class="toolbar" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <TextField label="Started from" type="date" value={filters.from} onValueChange={(v) => set('from', v)} error={filterErrors.from} />
        <TextField label="Started until" type="date" value={filters.to} onValueChange={(v) => set('to', v)} error={filterErrors.to} />
        <SelectField
          label="Read"
          value={filters.read}
          onValueChange={(v) => set('read', v as Filters['read'])}
          options={[
            { value: '', label: 'Read and unread' },
            { value: 'true', label: 'Read' },
            { value: 'false', label: 'Unread' },
          ]}
        />
        <SelectField
          label="Status"
          value={filters.status}
          onValueChange={(v) => set('status', v as Filters['status'])}
          options={[
            { value: '', label: 'Open and closed' },
            { value: 'open', label: 'Open' },
            { value: 'closed', label: 'Closed' },
          ]}
        />
        {agents ? (
          <SelectField label="Agent" value={filters.agentId} onValueChange={(v) => set('agentId', v)} options={[{ value: '', label: 'Any agent' }, ...agents]} error={filterErrors.agentId} />
        ) : (
          <TextField label="Agent id" inputMode="numeric" value={filters.agentId} onValueChange={(v) => set('agentId', v)} error={filterErrors.agentId} />
        )}
        <TextField label="Tags" value={filters.tags} onValueChange={(v) => set('tags', v)} placeholder="vip, late (any of them)" maxLength={1400} error={filterErrors.tags} />
        <div class="toolbar__actions">
          <Button variant={showSearch ? 'primary' : 'secondary'} aria-expanded={showSearch ? 'true' : 'false'} aria-controls="ix-search" onClick={() => setShowSearch(!showSearch)}>
            Advanced search{q ? ` (${q.conditions.filter((c) => !c.disabled).length})` : ''}
          </Button>
        </div>
      </form>

      <div id="ix-search" hidden={!showSearch}>
        {showSearch && (
          <SearchBuilder
            fields={fields}
            value={search}
            onChange={(s) => {
              setSearch(s);
              setCondErrors([]);
            }}
            onSearch={runSearch}
            errors={condErrors}
            choices={agents ? { agent: agents } : {}}
            busy={loading}
          />
        )}
        {showSearch && pending && (
          <p class="muted small" role="status">
            The conditions changed: press Search to run them.
          </p>
        )}
      </div>

      {error && (
        <Banner tone="error" role="alert">
          {error}
        </Banner>
      )}

      <div class="toolbar toolbar--actions">
        <span class="muted" role="status">
          {loading && !list ? 'Loading…' : `${total} ${total === 1 ? 'interaction' : 'interactions'}${q ? ' match the search' : ''}${selected.size ? ` · ${selected.size} selected` : ''}`}
        </span>
        <div class="toolbar__actions">
          <Button variant="secondary" disabled={!selected.size || exporting?.kind === 'running'} onClick={() => void runExport([...selected])}>
            Export selected (CSV)
          </Button>
          <Button variant="secondary" disabled={total === 0 || exporting?.kind === 'running'} onClick={() => void runExport(null)}>
            Export all (CSV)
          </Button>
          {mayDelete && (
            <Button variant="danger" disabled={!selected.size} onClick={() => setConfirm([...selected])}>
              Delete selected
            </Button>
          )}
        </div>
      </div>

      {exporting && (
        <div class="export-progress" role="status" aria-live="polite" data-testid="export-progress">
          {exporting.kind === 'running' ? (
            <>
              <progress aria-label="Export progress" />
              <span>
                Exporting {exporting.what}: {exporting.progress.rows} rows, {formatBytes(exporting.progress.bytes)} received…
              </span>
              <Button variant="ghost" onClick={() => abort.current?.abort()}>
                Cancel export
              </Button>
            </>
          ) : (
            <>
              <span>
                Export ready: {exporting.progress.rows} rows, {formatBytes(exporting.progress.bytes)} saved as <span class="mono">{exporting.name}</span>.
              </span>
              <Button variant="ghost" onClick={() => setExporting(null)}>
                Dismiss
              </Button>
            </>
          )}
        </div>
      )}

      <div class="table-wrap table-wrap--menus">
        <table class="table table--compact" aria-labelledby="ix-title" aria-busy={loading ? 'true' : 'false'}>
          <thead>
            <tr>
              <th scope="col" class="table__check">
                <input
                  type="checkbox"
                  aria-label="Select every interaction of this page"
                  checked={allOnPage}
                  onChange={(e) => {
                    const next = new Set(selected);
                    for (const id of pageIds) {
                      if (e.currentTarget.checked) next.add(id);
                      else next.delete(id);
                    }
                    setSelected(next);
                  }}
                />
              </th>
              {COLUMNS.map((c) => (
                <th scope="col" key={c.label} aria-sort={c.key && sort.field === c.key ? (sort.desc ? 'descending' : 'ascending') : undefined}>
                  {c.key ? (
                    <button type="button" class="sort-btn" onClick={() => setSort(nextSort(sort, c.key as SortField))}>
                      {c.label}
                      <span aria-hidden="true" class="sort-btn__arrow">
                        {sort.field === c.key ? (sort.desc ? '▼' : '▲') : ''}
                      </span>
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              ))}
              <th scope="col" class="table__actions" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {items.map((x) => {
              const who = contactName(x.contact);
              return (
                <tr key={x.id} data-id={x.id}>
                  <td class="table__check">
                    <input type="checkbox" aria-label={`Select interaction ${x.id}`} checked={selected.has(x.id)} onChange={(e) => toggle(x.id, e.currentTarget.checked)} />
                  </td>
                  <td class="mono">
                    <Link href={interactionsPath(channel, accountId, x.id)}>{x.id}</Link>
                    {accountId === null && <div class="muted small">account {x.account_id}</div>}
                  </td>
                  <td>
                    <div>{who}</div>
                    {x.contact.phone && who !== x.contact.phone && <div class="muted small">{x.contact.phone}</div>}
                    {x.tags.length > 0 && <div class="muted small">{x.tags.join(', ')}</div>}
                  </td>
                  <td>
                    <span class="chips">
                      <Chip tone={x.status === 'open' ? 'ok' : 'neutral'}>{x.status === 'open' ? 'Open' : 'Closed'}</Chip>
                      {x.unread && (
                        <span class="dot dot--unread" title="Unread">
                          <span class="sr-only">Unread</span>
                        </span>
                      )}
                    </span>
                  </td>
                  <td>{x.owner_name ?? (x.owner_id !== null ? `#${x.owner_id}` : <span class="muted">none</span>)}</td>
                  <td class="ix-preview" title={x.last_message ?? ''}>
                    {x.last_message}
                  </td>
                  <td class="nowrap" title={fullDate(x.created_at)}>{shortDate(x.created_at)}</td>
                  <td class="nowrap" title={fullDate(x.last_message_at)}>{shortDate(x.last_message_at)}</td>
                  <td class="nowrap" title={fullDate(x.closed_at)}>{shortDate(x.closed_at)}</td>
                  <td class="table__actions">
                    <Menu
                      label={`Actions of interaction ${x.id}`}
                      items={[
                        { label: 'Spy', onSelect: () => navigate(interactionsPath(channel, accountId, x.id)) },
                        { label: 'Download transcript', onSelect: () => void transcript(x.id) },
                        ...(mayDelete ? [{ label: 'Delete', onSelect: () => setConfirm([x.id]), danger: true }] : []),
                      ]}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {list && items.length === 0 && !loading && <p class="muted">{q || Object.values(applied).some(Boolean) ? 'No interaction matches.' : 'No interaction yet.'}</p>}
      <div class="pager">
        <span class="muted">{total === 0 ? '' : `${offset + 1}–${offset + items.length} of ${total}`}</span>
        <div class="row">
          <SelectField
            label="Rows per page"
            value={String(limit)}
            options={PAGE_SIZES.map((n) => ({ value: String(n), label: String(n) }))}
            onValueChange={(v) => {
              setLimit(Number(v));
              setOffset(0);
            }}
          />
          <Button variant="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - limit))}>
            Previous page
          </Button>
          <Button variant="secondary" disabled={offset + limit >= total} onClick={() => setOffset(offset + limit)}>
            Next page
          </Button>
        </div>
      </div>

      <Dialog
        title={confirm && confirm.length === 1 ? 'Delete interaction' : 'Delete interactions'}
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        actions={
          <>
            <Button variant="secondary" onClick={() => setConfirm(null)} disabled={busy}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => confirm && void doDelete(confirm)} disabled={busy}>
              Delete {confirm?.length ?? 0} {confirm?.length === 1 ? 'interaction' : 'interactions'}
            </Button>
          </>
        }
      >
        <p>
          {confirm && confirm.length === 1 ? `Delete interaction ${confirm[0]} with its messages?` : `Delete the ${confirm?.length ?? 0} selected interactions with their messages?`} This cannot be undone.
        </p>
      </Dialog>
    </section>
  );
}

/** For the tests and the spy view: a number from a route part, or null. */
export function routeId(v: string | undefined): number | null {
  if (v === undefined || !/^\d{1,15}$/.test(v)) return null;
  const n = Number(v);
  return n > 0 ? n : null;
}
