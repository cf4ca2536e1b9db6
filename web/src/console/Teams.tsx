import { useState } from 'preact/hooks';
import type { Session } from '../lib/auth';
import { Link } from '../lib/router';
import { can, str, type Json } from '../lib/staff';
import { Banner, Button, DataTable, Pager, Tabs, TextField, type Column } from '../ui';
import { AgentMembers } from './AgentMembers';
import { errorsOf, formatDate } from './common';
import { EditorCard } from './EditorCard';
import { useEditor } from './useEditor';
import { DeleteSelected, deletedNotice } from './DeleteSelected';
import { useList } from './useList';

const NOUN: [string, string] = ['team', 'teams'];

/** Staff → Teams: search, sort, paging, multi-select delete. */
export function TeamsList({ session }: { session: Session }) {
  const list = useList({ path: '/teams', mode: 'client', initialSort: { key: 'name', desc: false } });
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const mayEdit = can(session, 'teams', 'edit');
  const mayDelete = can(session, 'teams', 'delete');
  const columns: Column<Json>[] = [
    { key: 'name', label: 'Name', sortable: true, cell: (t) => <Link href={`/admin/teams/${str(t['id'])}`}>{str(t['name'])}</Link> },
    { key: 'description', label: 'Description', sortable: true, cell: (t) => str(t['description']) },
    { key: 'agents', label: 'Agents', sortable: true, cell: (t) => str(t['agents']) },
    { key: 'updated_at', label: 'Updated', sortable: true, cell: (t) => formatDate(t['updated_at']) },
  ];
  return (
    <section class="card" aria-labelledby="teams-title">
      <div class="card__header">
        <h1 class="card__title" id="teams-title">
          Teams
        </h1>
        {mayEdit && (
          <Link class="btn btn--primary" href="/admin/teams/new">
            New team
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
        {mayDelete && (
          <div class="toolbar__actions">
            <DeleteSelected
              selected={list.selected}
              noun={NOUN}
              path={(id) => `/teams/${id}`}
              consequence="Their agents stay, but leave the queues they joined through the team."
              onDone={(done, error) => {
                setNotice(deletedNotice(done.length, error, NOUN));
                list.setSelected(new Set());
                list.reload();
              }}
            />
          </div>
        )}
      </div>
      {list.error && (
        <Banner tone="error" role="alert">
          {list.error}
        </Banner>
      )}
      {list.truncated && (
        <Banner tone="info" role="status">
          Only the first teams are listed: search to narrow the list.
        </Banner>
      )}
      <DataTable
        labelledBy="teams-title"
        columns={columns}
        rows={list.rows}
        rowId={(t) => t['id'] as number}
        sort={list.sort}
        onSort={list.toggleSort}
        {...(mayDelete ? { selection: { selected: list.selected, onChange: list.setSelected, rowLabel: '', allLabel: 'Select every team of this page' } } : {})}
        rowName={(t) => str(t['name'])}
        busy={list.busy}
        empty={list.q ? 'No team matches.' : 'No team yet.'}
      />
      <Pager offset={list.offset} pageSize={list.pageSize} shown={list.rows.length} total={list.total} noun="teams" selected={list.selected.size} busy={list.busy} onOffset={list.setOffset} />
    </section>
  );
}

/** Create or edit a team; its agents on a second tab. */
export function TeamEditor({ session, id }: { session: Session; id: number | 'new' }) {
  const ed = useEditor({ api: '/teams', list: '/admin/teams', id, blank: { name: '', description: null }, noun: 'team' });
  const { creating, item: team, value, set, errors, message, form, save, remove } = ed;
  const [tab, setTab] = useState('settings');
  const mayEdit = can(session, 'teams', 'edit');
  const mayDelete = can(session, 'teams', 'delete');
  if (!team) return message ? <Banner tone="error">{message.text}</Banner> : <p class="muted">Loading…</p>;

  const settings = (
    <form ref={form} class="form-grid" onSubmit={(e) => void save(e)} noValidate>
      <TextField name="name" label="Name" maxLength={64} value={str(value('name'))} onValueChange={(v) => set('name', v)} error={errorsOf(errors, 'name')} disabled={!mayEdit} />
      <TextField name="description" label="Description" maxLength={1024} value={str(value('description'))} onValueChange={(v) => set('description', v || null)} error={errorsOf(errors, 'description')} disabled={!mayEdit} />
      {mayEdit && (
        <div class="row row--end form-grid__wide">
          <Button type="submit">{creating ? 'Create team' : 'Save'}</Button>
        </div>
      )}
    </form>
  );

  return (
    <EditorCard
      headingId="team-title"
      back={{ href: '/admin/teams', label: 'Teams' }}
      title={creating ? 'New team' : `Team ${str(team['name'])}`}
      message={message}
      remove={!creating && mayDelete ? { label: 'Delete team', confirm: <p>Delete the team {str(team['name'])}? Its agents stay, but leave the queues they joined through the team.</p>, run: remove } : undefined}
    >
      {creating ? (
        settings
      ) : (
        <Tabs
          label="Team"
          tabs={[
            { id: 'settings', label: 'Settings' },
            { id: 'members', label: 'Agents' },
          ]}
          active={tab}
          onChange={setTab}
        >
          {tab === 'settings' ? settings : <AgentMembers base={`/teams/${id}/agents`} what="team" mayEdit={mayEdit} />}
        </Tabs>
      )}
    </EditorCard>
  );
}
