import { useState } from 'preact/hooks';
import { genericMessage, type Session } from '../lib/auth';
import { API_BASE } from '../lib/api';
import { Link } from '../lib/router';
import { can, getPage, isMissingRoute, send, str, TYPOLOGY_LABELS, type Json } from '../lib/staff';
import { Banner, Button, Chip, Dialog, SelectField, TextField } from '../ui';
import { formatDate, useDebounced, useLoad } from './common';

const PAGE_SIZE = 25;

type SortKey = 'username' | 'full_name' | 'internal' | 'created_at';
const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'username', label: 'Username' },
  { key: 'full_name', label: 'Full name' },
  { key: 'internal', label: 'Extension' },
  { key: 'created_at', label: 'Created' },
];

/** The seed's client-log colours: black off, red error, orange warning, gray info, blue debug. */
export function clientLogTone(a: Json): { tone: string; label: string } {
  if (a['client_logs_enabled'] !== true) return { tone: 'off', label: 'Client logs off' };
  const level = str(a['client_log_level']) || 'error';
  return { tone: level, label: `Client logs: ${level}` };
}

export interface AgentsListProps {
  session: Session;
}

/** Agents: search, typology filter, sort, paging, multi-select with export and delete. */
export function AgentsList({ session }: AgentsListProps) {
  const [q, setQ] = useState('');
  const [typology, setTypology] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'username', desc: false });
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const query = useDebounced(q.trim(), 250);

  const filter = new URLSearchParams();
  if (query) filter.set('q', query);
  if (typology) filter.set('typology', typology);
  filter.set('sort', `${sort.desc ? '-' : ''}${sort.key}`);
  const filterText = filter.toString();

  const [list, reload] = useLoad(
    () => getPage(`/agents?${filterText}&limit=${PAGE_SIZE}&offset=${offset}`),
    [filterText, offset],
  );
  const mayDelete = can(session, 'agents', 'delete');

  function changeFilter(fn: () => void) {
    fn();
    setOffset(0);
    setSelected(new Set());
  }

  function toggleSort(key: SortKey) {
    changeFilter(() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : false })));
  }

  const items = list.kind === 'ready' ? list.value.items : [];
  const total = list.kind === 'ready' ? list.value.total : 0;
  const pageIds = items.map((a) => a['id'] as number);
  const allOnPage = pageIds.length > 0 && pageIds.every((id) => selected.has(id));

  function toggle(id: number, on: boolean) {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  }

  async function deleteSelected() {
    setBusy(true);
    const ids = [...selected];
    let r = await send('POST', '/agents/delete', { ids });
    if (!r.ok && isMissingRoute(r.error)) {
      // A server without bulk delete: one at a time.
      for (const id of ids) {
        r = await send('DELETE', `/agents/${id}`);
        if (!r.ok) break;
      }
    }
    setBusy(false);
    setConfirming(false);
    if (r.ok) {
      setNotice({ tone: 'success', text: `${ids.length} ${ids.length === 1 ? 'agent' : 'agents'} deleted.` });
      setSelected(new Set());
    } else {
      setNotice({ tone: 'error', text: genericMessage(r.error) });
    }
    reload();
  }

  const selectedIds = [...selected].join(',');
  const exportBase = `${API_BASE}/agents/export.csv`;

  return (
    <section class="card" aria-labelledby="agents-title">
      <div class="card__header">
        <h1 class="card__title" id="agents-title">
          Agents
        </h1>
        {session.user.role === 'admin' && (
          <Link class="btn btn--primary" href="/admin/agents/new">
            New agent
          </Link>
        )}
      </div>
      {notice && (
        <Banner tone={notice.tone} role={notice.tone === 'error' ? 'alert' : 'status'}>
          {notice.text}
        </Banner>
      )}
      <div class="toolbar">
        <TextField label="Search" type="search" value={q} onValueChange={(v) => changeFilter(() => setQ(v))} />
        <SelectField
          label="Typology"
          value={typology}
          onValueChange={(v) => changeFilter(() => setTypology(v))}
          options={[{ value: '', label: 'All typologies' }, ...Object.entries(TYPOLOGY_LABELS).map(([value, label]) => ({ value, label }))]}
        />
        <div class="toolbar__actions">
          <a
            class={`btn btn--secondary${selected.size ? '' : ' btn--disabled'}`}
            href={selected.size ? `${exportBase}?ids=${selectedIds}` : undefined}
            aria-disabled={selected.size ? undefined : 'true'}
            download="agents.csv"
          >
            Export selected
          </a>
          <a class="btn btn--secondary" href={`${exportBase}?${filterText}`} download="agents.csv">
            Export filter
          </a>
          {mayDelete && (
            <Button variant="danger" disabled={!selected.size} onClick={() => setConfirming(true)}>
              Delete selected
            </Button>
          )}
        </div>
      </div>
      {list.kind === 'error' && (
        <Banner tone="error" role="alert">
          {list.message}
        </Banner>
      )}
      <div class="table-wrap">
        <table class="table" aria-labelledby="agents-title" aria-busy={list.kind === 'loading' ? 'true' : 'false'}>
          <thead>
            <tr>
              <th scope="col" class="table__check">
                <input
                  type="checkbox"
                  aria-label="Select every agent of this page"
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
              <th scope="col">
                <span class="sr-only">Avatar</span>
              </th>
              {COLUMNS.map((c) => (
                <th
                  scope="col"
                  key={c.key}
                  aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                >
                  <button type="button" class="sort-btn" onClick={() => toggleSort(c.key)}>
                    {c.label}
                    <span aria-hidden="true" class="sort-btn__arrow">
                      {sort.key === c.key ? (sort.desc ? '▼' : '▲') : ''}
                    </span>
                  </button>
                </th>
              ))}
              <th scope="col">Typology</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => {
              const id = a['id'] as number;
              const username = str(a['username']);
              const log = clientLogTone(a);
              const avatar = str(a['avatar_url']);
              return (
                <tr key={id}>
                  <td class="table__check">
                    <input type="checkbox" aria-label={`Select ${username}`} checked={selected.has(id)} onChange={(e) => toggle(id, e.currentTarget.checked)} />
                  </td>
                  <td>
                    {avatar ? (
                      <img class="avatar" src={avatar} alt="" width={28} height={28} loading="lazy" />
                    ) : (
                      <span class="avatar avatar--initials" aria-hidden="true">
                        {(str(a['full_name']) || username).slice(0, 1).toUpperCase()}
                      </span>
                    )}
                  </td>
                  <td>
                    <Link href={`/admin/agents/${id}`}>{username}</Link>
                  </td>
                  <td>{str(a['full_name'])}</td>
                  <td class="mono">{str(a['internal'])}</td>
                  <td>{formatDate(a['created_at'])}</td>
                  <td>{TYPOLOGY_LABELS[str(a['typology'])] ?? str(a['typology'])}</td>
                  <td>
                    <span class="chips">
                      <span class={`log-dot log-dot--${log.tone}`} title={log.label} role="img" aria-label={log.label} />
                      {a['disabled'] === true && <Chip tone="neutral">Disabled</Chip>}
                      {a['locked'] === true && <Chip tone="danger">Locked</Chip>}
                    </span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {list.kind === 'ready' && items.length === 0 && <p class="muted">No agent matches.</p>}
      <div class="pager">
        <span class="muted" role="status">
          {list.kind === 'loading'
            ? 'Loading…'
            : total === 0
              ? '0 agents'
              : `${offset + 1}–${offset + items.length} of ${total}${selected.size ? ` · ${selected.size} selected` : ''}`}
        </span>
        <div class="row">
          <Button variant="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
            Previous page
          </Button>
          <Button variant="secondary" disabled={offset + PAGE_SIZE >= total} onClick={() => setOffset(offset + PAGE_SIZE)}>
            Next page
          </Button>
        </div>
      </div>
      <Dialog
        title="Delete agents"
        open={confirming}
        onClose={() => setConfirming(false)}
        actions={
          <>
            <Button variant="secondary" onClick={() => setConfirming(false)} disabled={busy}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => void deleteSelected()} disabled={busy}>
              Delete {selected.size} {selected.size === 1 ? 'agent' : 'agents'}
            </Button>
          </>
        }
      >
        <p>
          Delete the {selected.size} selected {selected.size === 1 ? 'agent' : 'agents'}? Their sessions end at once. This cannot be
          undone.
        </p>
      </Dialog>
    </section>
  );
}
