import { useEffect, useState } from 'preact/hooks';
import { genericMessage, type Session } from '../lib/auth';
import { Link } from '../lib/router';
import { getPage, send, str, type Json } from '../lib/staff';
import { Banner, Button, CheckboxField, DataTable, Dialog, Pager, SelectField, TextField, type Column } from '../ui';
import { errorsOf } from './common';
import { EditorCard } from './EditorCard';
import { useEditor } from './useEditor';
import { DeleteSelected, deletedNotice } from './DeleteSelected';
import { useList } from './useList';

const ROLE_LABELS: Record<string, string> = { admin: 'Administrator', user: 'Supervisor' };

const NOUN: [string, string] = ['user', 'users'];

/** Users (administrators and supervisors): admin only. */
export function UsersList({ session }: { session: Session }) {
  const list = useList({ path: '/users', mode: 'client', initialSort: { key: 'username', desc: false }, sortValue: (u, k) => (k === 'role' ? ROLE_LABELS[str(u['role'])] : u[k]) });
  const [deleting, setDeleting] = useState<Json | null>(null);
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  async function remove() {
    if (!deleting) return;
    const r = await send('DELETE', `/users/${str(deleting['id'])}`);
    setNotice(r.ok ? { tone: 'success', text: `${str(deleting['username'])} deleted.` } : { tone: 'error', text: genericMessage(r.error) });
    setDeleting(null);
    list.reload();
  }
  const columns: Column<Json>[] = [
    { key: 'username', label: 'Username', sortable: true, cell: (u) => <Link href={`/admin/users/${str(u['id'])}`}>{str(u['username'])}</Link> },
    { key: 'full_name', label: 'Full name', sortable: true, cell: (u) => str(u['full_name']) },
    { key: 'role', label: 'Role', sortable: true, cell: (u) => ROLE_LABELS[str(u['role'])] ?? str(u['role']) },
    { key: 'profile_name', label: 'Profile', sortable: true, cell: (u) => str(u['profile_name']) },
    {
      key: 'actions',
      label: 'Actions',
      hiddenLabel: true,
      class: 'table__actions',
      // Offered for everyone: the server refuses yourself and the last admin, and says so.
      cell: (u) => (
        <Button variant="ghost" onClick={() => setDeleting(u)} aria-label={`Delete ${str(u['username'])}`}>
          Delete
        </Button>
      ),
    },
  ];
  return (
    <section class="card" aria-labelledby="users-title">
      <div class="card__header">
        <h1 class="card__title" id="users-title">
          Users
        </h1>
        <Link class="btn btn--primary" href="/admin/users/new">
          New user
        </Link>
      </div>
      {notice && (
        <Banner tone={notice.tone} role={notice.tone === 'error' ? 'alert' : 'status'}>
          {notice.text}
        </Banner>
      )}
      <div class="toolbar">
        <TextField label="Search" type="search" value={list.q} onValueChange={list.setQ} />
        <SelectField
          label="Role"
          value={list.filters['role'] ?? ''}
          onValueChange={(v) => list.setFilter('role', v)}
          options={[{ value: '', label: 'All roles' }, ...Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }))]}
        />
        <div class="toolbar__actions">
          <DeleteSelected
            selected={list.selected}
            noun={NOUN}
            path={(id) => `/users/${id}`}
            consequence="Their sessions end at once."
            onDone={(done, error) => {
              setNotice(deletedNotice(done.length, error, NOUN));
              list.setSelected(new Set());
              list.reload();
            }}
          />
        </div>
      </div>
      {list.error && (
        <Banner tone="error" role="alert">
          {list.error}
        </Banner>
      )}
      <DataTable
        labelledBy="users-title"
        columns={columns}
        rows={list.rows}
        rowId={(u) => u['id'] as number}
        sort={list.sort}
        onSort={list.toggleSort}
        selection={{ selected: list.selected, onChange: list.setSelected, rowLabel: '', allLabel: 'Select every user of this page' }}
        rowName={(u) => str(u['username'])}
        busy={list.busy}
        empty="No user matches."
      />
      <Pager offset={list.offset} pageSize={list.pageSize} shown={list.rows.length} total={list.total} noun="users" selected={list.selected.size} busy={list.busy} onOffset={list.setOffset} />
      <Dialog
        title="Delete user"
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        actions={
          <>
            <Button variant="secondary" onClick={() => setDeleting(null)}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => void remove()}>
              Delete
            </Button>
          </>
        }
      >
        <p>
          Delete {str(deleting?.['username'])}
          {deleting?.['id'] === session.user.id ? ' (your own account)' : ''}? Their sessions end at once.
        </p>
      </Dialog>
    </section>
  );
}

/** Create or edit a user; role and username are fixed after creation. */
export function UserEditor({ id }: { id: number | 'new' }) {
  const [password, setPassword] = useState('');
  const [profiles, setProfiles] = useState<Json[]>([]);
  const ed = useEditor({
    api: '/users',
    list: '/admin/users',
    id,
    blank: { role: 'user', username: '', full_name: '', email: null, description: null, profile_id: null, disabled: false },
    noun: 'user',
    // A new user: its username, name, role, first password and (supervisors) profile.
    createBody: (value, patch) => {
      const body: Json = { ...patch, username: value('username'), full_name: value('full_name'), role: value('role'), password };
      if (value('role') === 'user') body['profile_id'] = value('profile_id');
      else delete body['profile_id'];
      return body;
    },
  });
  const { creating, item: user, value, set, errors, message, busy, form, save, remove } = ed;
  useEffect(() => {
    void getPage('/profiles').then((r) => r.ok && setProfiles(r.value.items));
  }, []);
  if (!user) return message ? <Banner tone="error">{message.text}</Banner> : <p class="muted">Loading…</p>;
  const role = str(value('role'));

  const profileOptions = [{ value: '', label: 'Choose a profile' }, ...profiles.map((p) => ({ value: str(p['id']), label: str(p['name']) }))];
  return (
    <EditorCard
      headingId="user-title"
      back={{ href: '/admin/users', label: 'Users' }}
      title={creating ? 'New user' : `User ${str(user['username'])}`} narrow
      message={message}
      remove={!creating ? { label: 'Delete user', confirm: <p>Delete {str(user['username'])}? Their sessions end at once.</p>, run: remove } : undefined}
    >
      <form ref={form} class="form-grid" onSubmit={(e) => void save(e)} noValidate>
        <TextField name="username" label="Username" value={str(value('username'))} onValueChange={(v) => set('username', v)} readOnly={!creating} error={errorsOf(errors, 'username')} />
        <TextField name="full_name" label="Full name" value={str(value('full_name'))} onValueChange={(v) => set('full_name', v)} error={errorsOf(errors, 'full_name')} />
        <SelectField
          name="role"
          label="Role"
          value={role}
          disabled={!creating}
          options={[
            { value: 'user', label: 'Supervisor' },
            { value: 'admin', label: 'Administrator' },
          ]}
          onValueChange={(v) => set('role', v)}
          error={errorsOf(errors, 'role')}
          {...(creating ? {} : { hint: 'The role cannot be changed after creation.' })}
        />
        {role === 'user' && (
          <SelectField name="profile_id" label="Profile" value={str(value('profile_id'))} options={profileOptions} onValueChange={(v) => set('profile_id', v ? Number(v) : null)} error={errorsOf(errors, 'profile_id')} />
        )}
        {creating && <TextField name="password" label="Password" type="password" autoComplete="new-password" value={password} onValueChange={setPassword} error={errorsOf(errors, 'password')} hint="The user chooses a new one at the first login." />}
        <TextField name="email" label="E-mail" type="email" value={str(value('email'))} onValueChange={(v) => set('email', v || null)} error={errorsOf(errors, 'email')} />
        <TextField name="description" label="Description" value={str(value('description'))} onValueChange={(v) => set('description', v || null)} error={errorsOf(errors, 'description')} />
        {!creating && <CheckboxField name="disabled" label="Disabled" checked={value('disabled') === true} onCheckedChange={(v) => set('disabled', v)} error={errorsOf(errors, 'disabled')} />}
        <div class="row row--end form-grid__wide">
          <Button type="submit" disabled={busy}>
            {creating ? 'Create user' : 'Save'}
          </Button>
        </div>
      </form>
    </EditorCard>
  );
}
