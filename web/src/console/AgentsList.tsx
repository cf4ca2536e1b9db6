import { useState } from 'preact/hooks';
import type { Session } from '../lib/auth';
import { API_BASE } from '../lib/api';
import { Link } from '../lib/router';
import { can, str, TYPOLOGY_LABELS, type Json } from '../lib/staff';
import { Banner, Chip, DataTable, Pager, SelectField, TextField, type Column } from '../ui';
import { formatDate } from './common';
import { DeleteSelected, deletedNotice } from './DeleteSelected';
import { useList } from './useList';

const NOUN: [string, string] = ['agent', 'agents'];

/** The seed's client-log colours: black off, red error, orange warning, gray info, blue debug. */
export function clientLogTone(a: Json): { tone: string; label: string } {
  if (a['client_logs_enabled'] !== true) return { tone: 'off', label: 'Client logs off' };
  const level = str(a['client_log_level']) || 'error';
  return { tone: level, label: `Client logs: ${level}` };
}

const COLUMNS: Column<Json>[] = [
  {
    key: 'avatar',
    label: 'Avatar',
    hiddenLabel: true,
    cell: (a) => {
      const avatar = str(a['avatar_url']);
      return avatar ? (
        <img class="avatar" src={avatar} alt="" width={28} height={28} loading="lazy" />
      ) : (
        <span class="avatar avatar--initials" aria-hidden="true">
          {(str(a['full_name']) || str(a['username'])).slice(0, 1).toUpperCase()}
        </span>
      );
    },
  },
  { key: 'username', label: 'Username', sortable: true, cell: (a) => <Link href={`/admin/agents/${str(a['id'])}`}>{str(a['username'])}</Link> },
  { key: 'full_name', label: 'Full name', sortable: true, cell: (a) => str(a['full_name']) },
  { key: 'internal', label: 'Extension', sortable: true, class: 'mono', cell: (a) => str(a['internal']) },
  { key: 'created_at', label: 'Created', sortable: true, cell: (a) => formatDate(a['created_at']) },
  { key: 'typology', label: 'Typology', cell: (a) => TYPOLOGY_LABELS[str(a['typology'])] ?? str(a['typology']) },
  {
    key: 'status',
    label: 'Status',
    cell: (a) => {
      const log = clientLogTone(a);
      return (
        <span class="chips">
          <span class={`log-dot log-dot--${log.tone}`} title={log.label} role="img" aria-label={log.label} />
          {a['disabled'] === true && <Chip tone="neutral">Disabled</Chip>}
          {a['locked'] === true && <Chip tone="danger">Locked</Chip>}
        </span>
      );
    },
  },
];

export interface AgentsListProps {
  session: Session;
}

/** Agents: search, typology filter, sort, paging, multi-select with export and delete. */
export function AgentsList({ session }: AgentsListProps) {
  const list = useList({ path: '/agents', mode: 'server', initialSort: { key: 'username', desc: false } });
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const mayDelete = can(session, 'agents', 'delete');
  const selectedIds = [...list.selected].join(',');
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
        <TextField label="Search" type="search" value={list.q} onValueChange={list.setQ} />
        <SelectField
          label="Typology"
          value={list.filters['typology'] ?? ''}
          onValueChange={(v) => list.setFilter('typology', v)}
          options={[{ value: '', label: 'All typologies' }, ...Object.entries(TYPOLOGY_LABELS).map(([value, label]) => ({ value, label }))]}
        />
        <div class="toolbar__actions">
          <a
            class={`btn btn--secondary${list.selected.size ? '' : ' btn--disabled'}`}
            href={list.selected.size ? `${exportBase}?ids=${selectedIds}` : undefined}
            aria-disabled={list.selected.size ? undefined : 'true'}
            download="agents.csv"
          >
            Export selected
          </a>
          <a class="btn btn--secondary" href={`${exportBase}?${list.queryText}`} download="agents.csv">
            Export filter
          </a>
          {mayDelete && (
            <DeleteSelected
              selected={list.selected}
              noun={NOUN}
              path={(id) => `/agents/${id}`}
              bulkPath="/agents/delete"
              consequence="Their sessions end at once."
              onDone={(done, error) => {
                setNotice(deletedNotice(done.length, error, NOUN));
                list.setSelected(new Set());
                list.reload();
              }}
            />
          )}
        </div>
      </div>
      {list.error && (
        <Banner tone="error" role="alert">
          {list.error}
        </Banner>
      )}
      <DataTable
        labelledBy="agents-title"
        columns={COLUMNS}
        rows={list.rows}
        rowId={(a) => a['id'] as number}
        sort={list.sort}
        onSort={list.toggleSort}
        selection={{ selected: list.selected, onChange: list.setSelected, rowLabel: '', allLabel: 'Select every agent of this page' }}
        rowName={(a) => str(a['username'])}
        busy={list.busy}
        empty="No agent matches."
      />
      <Pager offset={list.offset} pageSize={list.pageSize} shown={list.rows.length} total={list.total} noun="agents" selected={list.selected.size} busy={list.busy} onOffset={list.setOffset} />
    </section>
  );
}
