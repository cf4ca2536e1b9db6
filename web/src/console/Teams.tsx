import { useEffect, useRef, useState } from 'preact/hooks';
import { genericMessage, type FieldError, type Session } from '../lib/auth';
import { Link, navigate } from '../lib/router';
import { can, getObject, send, str, type Json } from '../lib/staff';
import { Banner, Button, DataTable, Pager, Tabs, TextField, type Column } from '../ui';
import { AgentMembers } from './AgentMembers';
import { errorsOf, focusField, formatDate, saveMessage } from './common';
import { EditorCard } from './EditorCard';
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
  const creating = id === 'new';
  const [team, setTeam] = useState<Json | null>(creating ? { name: '', description: null } : null);
  const [patch, setPatch] = useState<Json>({});
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [tab, setTab] = useState('settings');
  const form = useRef<HTMLFormElement>(null);
  const mayEdit = can(session, 'teams', 'edit');
  const mayDelete = can(session, 'teams', 'delete');
  useEffect(() => {
    if (!creating) void getObject('GET', `/teams/${id}`).then((r) => (r.ok ? setTeam(r.value) : setMessage({ tone: 'error', text: genericMessage(r.error) })));
  }, [id, creating]);
  if (!team) return message ? <Banner tone="error">{message.text}</Banner> : <p class="muted">Loading…</p>;

  const value = (k: string): unknown => (k in patch ? patch[k] : team[k]);
  const set = (k: string, v: unknown) => setPatch((p) => ({ ...p, [k]: v }));

  async function save(e: Event) {
    e.preventDefault();
    const body = creating ? { name: value('name'), description: value('description') } : patch;
    const r = creating ? await getObject('POST', '/teams', body) : await getObject('PATCH', `/teams/${id}`, body);
    if (!r.ok) {
      setErrors(r.error.errors);
      setMessage({ tone: 'error', text: saveMessage(r.error, 'team') });
      const first = r.error.errors[0];
      if (first) setTimeout(() => focusField(form.current, first.field), 0);
      return;
    }
    setErrors([]);
    setPatch({});
    if (creating) return navigate(`/admin/teams/${str(r.value['id'])}`, true);
    setTeam(r.value);
    setMessage({ tone: 'success', text: 'Saved.' });
  }
  async function remove() {
    const r = await send('DELETE', `/teams/${id}`);
    if (r.ok) return navigate('/admin/teams');
    setMessage({ tone: 'error', text: genericMessage(r.error) });
  }

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
