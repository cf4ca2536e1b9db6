import { useEffect, useState } from 'preact/hooks';
import { genericMessage } from '../lib/auth';
import { getPage, send, str, type Json } from '../lib/staff';
import { Banner, Button, DataTable, Pager, TextField, type Column } from '../ui';
import { useDebounced } from './common';
import { useList } from './useList';

export interface AgentMembersProps {
  /** The members route: /teams/{id}/agents or /queues/{id}/agents (GET list, POST {agent_ids}, DELETE …/{agent_id}). */
  base: string;
  /** "team" or "queue", for the messages. */
  what: string;
  mayEdit: boolean;
}

/**
 * The agents of a team or a queue: find one by username, name or extension and add it; the
 * members table with its own search, sort and paging, a Remove button per row and "Remove
 * selected".
 */
export function AgentMembers({ base, what, mayEdit }: AgentMembersProps) {
  const list = useList({ path: base, mode: 'local', initialSort: { key: 'username', desc: false }, searchTexts: (m) => [m['username'], m['full_name'], m['internal']] });
  const [find, setFind] = useState('');
  const query = useDebounced(find.trim(), 250);
  const [found, setFound] = useState<Json[]>([]);
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  useEffect(() => {
    if (!query) return setFound([]);
    void getPage(`/agents?q=${encodeURIComponent(query)}&limit=10`).then((r) => r.ok && setFound(r.value.items));
  }, [query]);
  const memberIds = new Set<unknown>(list.all.map((m) => m['id']));

  async function add(agent: Json) {
    const r = await send('POST', base, { agent_ids: [agent['id']] });
    setNotice(r.ok ? { tone: 'success', text: `${str(agent['username'])} added to the ${what}.` } : { tone: 'error', text: genericMessage(r.error) });
    list.reload();
  }
  async function remove(ids: number[]) {
    let error: string | null = null;
    let done = 0;
    for (const a of ids) {
      const r = await send('DELETE', `${base}/${a}`);
      if (!r.ok) {
        error = genericMessage(r.error);
        break;
      }
      done++;
    }
    setNotice(error ? { tone: 'error', text: error } : { tone: 'success', text: `${done} ${done === 1 ? 'agent' : 'agents'} removed from the ${what}.` });
    list.setSelected(new Set());
    list.reload();
  }

  const columns: Column<Json>[] = [
    { key: 'username', label: 'Username', sortable: true, cell: (m) => str(m['username']) },
    { key: 'full_name', label: 'Full name', sortable: true, cell: (m) => str(m['full_name']) },
    { key: 'internal', label: 'Extension', sortable: true, class: 'mono', cell: (m) => str(m['internal']) },
  ];
  if (mayEdit) {
    columns.push({
      key: 'actions',
      label: 'Actions',
      hiddenLabel: true,
      class: 'table__actions',
      cell: (m) => (
        <Button variant="ghost" onClick={() => void remove([m['id'] as number])} aria-label={`Remove ${str(m['username'])}`}>
          Remove
        </Button>
      ),
    });
  }

  return (
    <div class="stack">
      {notice && (
        <Banner tone={notice.tone} role={notice.tone === 'error' ? 'alert' : 'status'}>
          {notice.text}
        </Banner>
      )}
      {list.error && (
        <Banner tone="error" role="alert">
          {list.error}
        </Banner>
      )}
      {mayEdit && (
        <div class="stack">
          <TextField label="Find an agent to add" type="search" value={find} onValueChange={setFind} hint="Username, name or extension" />
          {found.length > 0 && (
            <ul class="pick-list" aria-label="Matching agents">
              {found.map((a) => (
                <li key={str(a['id'])}>
                  <span>
                    {str(a['username'])} — {str(a['full_name'])}
                  </span>
                  {memberIds.has(a['id']) ? (
                    <span class="muted">Member</span>
                  ) : (
                    <Button variant="secondary" onClick={() => void add(a)} aria-label={`Add ${str(a['username'])}`}>
                      Add
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div class="toolbar">
        <TextField label="Search members" type="search" value={list.q} onValueChange={list.setQ} />
        {mayEdit && (
          <div class="toolbar__actions">
            <Button variant="secondary" disabled={list.selected.size === 0} onClick={() => void remove([...list.selected])}>
              Remove selected
            </Button>
          </div>
        )}
      </div>
      <DataTable
        label="Members"
        columns={columns}
        rows={list.rows}
        rowId={(m) => m['id'] as number}
        sort={list.sort}
        onSort={list.toggleSort}
        {...(mayEdit ? { selection: { selected: list.selected, onChange: list.setSelected, rowLabel: '', allLabel: 'Select every member of this page' } } : {})}
        rowName={(m) => str(m['username'])}
        busy={list.busy}
        empty={list.q ? 'No member matches.' : `No agent in this ${what} yet.`}
      />
      <Pager offset={list.offset} pageSize={list.pageSize} shown={list.rows.length} total={list.total} noun="members" selected={list.selected.size} busy={list.busy} onOffset={list.setOffset} />
    </div>
  );
}
