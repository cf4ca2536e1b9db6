import { useEffect, useState } from 'preact/hooks';
import { genericMessage } from '../lib/auth';
import { Link } from '../lib/router';
import { CHANNEL_LABELS, fetchAllQueues, isRecord, str, type Json } from '../lib/staff';
import { Banner, Button, CheckboxField, DataTable, Pager, SelectField, TextField, type Column } from '../ui';
import { errorsOf } from './common';
import { EditorCard } from './EditorCard';
import { useEditor } from './useEditor';
import { DeleteSelected, deletedNotice } from './DeleteSelected';
import { useList } from './useList';

const PERMISSIONS = [
  { value: 'read', label: 'Read' },
  { value: 'read_edit', label: 'Read and edit' },
  { value: 'read_delete', label: 'Read and delete' },
  { value: 'read_edit_delete', label: 'Read, edit and delete' },
];
/** The console sections a profile can enable (src/staff/profiles.c). */
const SECTIONS: [string, string][] = [
  ['agents', 'Agents'],
  ['teams', 'Teams'],
  ['queues', 'Queues'],
  ['realtime', 'Realtime'],
  ['reports', 'Reports'],
  ['contacts', 'Contacts'],
  ['sms', 'SMS'],
  ['chat', 'Chat'],
  ['email', 'E-mail'],
  ['openchannel', 'Open Channel'],
  ['whatsapp', 'WhatsApp'],
  ['fax', 'Fax'],
  ['voice', 'Voice'],
  ['dispositions', 'Dispositions'],
  ['tags', 'Tags'],
  ['canned_answers', 'Canned answers'],
];

const PROFILE_NOUN: [string, string] = ['profile', 'profiles'];

/** Profiles (admins): search, sort, paging, multi-select delete. */
export function ProfilesList() {
  const list = useList({
    path: '/profiles',
    mode: 'local',
    initialSort: { key: 'name', desc: false },
    searchTexts: (p) => [p['name'], p['description']],
    sortValue: (p, k) => (k === 'sections' ? (isRecord(p['sections']) ? Object.keys(p['sections']).length : 0) : k === 'queue_ids' ? (Array.isArray(p['queue_ids']) ? p['queue_ids'].length : 0) : p[k]),
  });
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const columns: Column<Json>[] = [
    { key: 'name', label: 'Name', sortable: true, cell: (p) => <Link href={`/admin/profiles/${str(p['id'])}`}>{str(p['name'])}</Link> },
    { key: 'default_permission', label: 'Default permission', sortable: true, cell: (p) => PERMISSIONS.find((x) => x.value === p['default_permission'])?.label ?? str(p['default_permission']) },
    { key: 'sections', label: 'Sections', sortable: true, cell: (p) => (isRecord(p['sections']) ? Object.keys(p['sections']).join(', ') : '') },
    { key: 'queue_ids', label: 'Queues', sortable: true, cell: (p) => (Array.isArray(p['queue_ids']) ? p['queue_ids'].length : 0) },
    { key: 'users', label: 'Supervisors', sortable: true, cell: (p) => str(p['users']) },
  ];
  return (
    <section class="card" aria-labelledby="profiles-title">
      <div class="card__header">
        <h1 class="card__title" id="profiles-title">
          Profiles
        </h1>
        <Link class="btn btn--primary" href="/admin/profiles/new">
          New profile
        </Link>
      </div>
      {notice && (
        <Banner tone={notice.tone} role={notice.tone === 'error' ? 'alert' : 'status'}>
          {notice.text}
        </Banner>
      )}
      <div class="toolbar">
        <TextField label="Search" type="search" value={list.q} onValueChange={list.setQ} />
        <div class="toolbar__actions">
          <DeleteSelected
            selected={list.selected}
            noun={PROFILE_NOUN}
            path={(id) => `/profiles/${id}`}
            consequence="A profile in use by supervisors is refused."
            onDone={(done, error) => {
              setNotice(deletedNotice(done.length, error, PROFILE_NOUN));
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
        labelledBy="profiles-title"
        columns={columns}
        rows={list.rows}
        rowId={(p) => p['id'] as number}
        sort={list.sort}
        onSort={list.toggleSort}
        selection={{ selected: list.selected, onChange: list.setSelected, rowLabel: '', allLabel: 'Select every profile of this page' }}
        rowName={(p) => str(p['name'])}
        busy={list.busy}
        empty="No profile matches."
      />
      <Pager offset={list.offset} pageSize={list.pageSize} shown={list.rows.length} total={list.total} noun="profiles" selected={list.selected.size} busy={list.busy} onOffset={list.setOffset} />
    </section>
  );
}

export function ProfileEditor({ id }: { id: number | 'new' }) {
  const [queues, setQueues] = useState<Json[]>([]);
  const ed = useEditor({
    api: '/profiles',
    list: '/admin/profiles',
    id,
    blank: { name: '', description: null, default_permission: 'read', sections: {}, queue_ids: [], mask_sensitive: false },
    noun: 'profile',
    focusName: (field) => field.split('.')[0] ?? field,
    deleteMessage: (e) => (e.status === 409 ? 'This profile is in use by supervisors: it cannot be deleted.' : genericMessage(e)),
  });
  const { creating, item: profile, value, set, errors, message, form, save, remove } = ed;
  useEffect(() => {
    void fetchAllQueues().then((r) => r.ok && setQueues(r.value));
  }, []);
  if (!profile) return message ? <Banner tone="error">{message.text}</Banner> : <p class="muted">Loading…</p>;
  const sections: Record<string, unknown> = isRecord(value('sections')) ? (value('sections') as Json) : {};
  const queueIds = Array.isArray(value('queue_ids')) ? (value('queue_ids') as number[]) : [];
  const sectionErrors = errors.filter((e) => e.field.startsWith('sections'));

  return (
    <EditorCard
      headingId="profile-title"
      back={{ href: '/admin/profiles', label: 'Profiles' }}
      title={creating ? 'New profile' : `Profile ${str(profile['name'])}`} narrow
      message={message}
      remove={!creating ? { label: 'Delete profile', confirm: <p>Delete the profile {str(profile['name'])}?</p>, run: remove } : undefined}
    >
      <form ref={form} class="stack" onSubmit={(e) => void save(e)} noValidate>
        <div class="form-grid">
          <TextField name="name" label="Name" value={str(value('name'))} onValueChange={(v) => set('name', v)} error={errorsOf(errors, 'name')} />
          <TextField name="description" label="Description" value={str(value('description'))} onValueChange={(v) => set('description', v || null)} error={errorsOf(errors, 'description')} />
          <SelectField name="default_permission" label="Default permission type" value={str(value('default_permission'))} options={PERMISSIONS} onValueChange={(v) => set('default_permission', v)} error={errorsOf(errors, 'default_permission')} />
          <CheckboxField name="mask_sensitive" label="Mask sensitive data" checked={value('mask_sensitive') === true} onCheckedChange={(v) => set('mask_sensitive', v)} error={errorsOf(errors, 'mask_sensitive')} />
        </div>
        <fieldset class="fieldset" data-field="sections">
          <legend class="field__label">Sections</legend>
          {sectionErrors.length > 0 && (
            <div class="field__error" role="alert">
              {sectionErrors.map((e) => `${e.field}: ${e.message}`).join(' ')}
            </div>
          )}
          <table class="table table--compact">
            <thead>
              <tr>
                <th scope="col">Section</th>
                <th scope="col">Enabled</th>
                <th scope="col">Permission</th>
              </tr>
            </thead>
            <tbody>
              {SECTIONS.map(([sid, label]) => {
                const v = sections[sid];
                const on = typeof v === 'string';
                return (
                  <tr key={sid}>
                    <th scope="row">{label}</th>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Enable ${label}`}
                        checked={on}
                        onChange={(e) => {
                          const next = { ...sections };
                          if (e.currentTarget.checked) next[sid] = 'default';
                          else delete next[sid];
                          set('sections', next);
                        }}
                      />
                    </td>
                    <td>
                      <select
                        class="field__input field__input--compact"
                        aria-label={`${label} permission`}
                        disabled={!on}
                        value={on ? (v as string) : 'default'}
                        onChange={(e) => set('sections', { ...sections, [sid]: e.currentTarget.value })}
                      >
                        <option value="default">Default</option>
                        {PERMISSIONS.map((p) => (
                          <option key={p.value} value={p.value}>
                            {p.label}
                          </option>
                        ))}
                      </select>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </fieldset>
        <fieldset class="fieldset" data-field="queue_ids">
          <legend class="field__label">Queues</legend>
          {errorsOf(errors, 'queue_ids') && (
            <div class="field__error" role="alert">
              {errorsOf(errors, 'queue_ids')?.join(' ')}
            </div>
          )}
          {queues.length === 0 && <p class="muted">There are no queues yet.</p>}
          <div class="check-grid">
            {queues.map((q) => {
              const qid = q['id'] as number;
              return (
                <CheckboxField
                  key={qid}
                  label={`${str(q['name'])} (${CHANNEL_LABELS[str(q['channel'])] ?? str(q['channel'])})`}
                  checked={queueIds.includes(qid)}
                  onCheckedChange={(on) => set('queue_ids', on ? [...queueIds, qid] : queueIds.filter((x) => x !== qid))}
                />
              );
            })}
          </div>
        </fieldset>
        <div class="row row--end">
          <Button type="submit">{creating ? 'Create profile' : 'Save'}</Button>
        </div>
      </form>
    </EditorCard>
  );
}
