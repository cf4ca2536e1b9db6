import { useState } from 'preact/hooks';
import type { Session } from '../lib/auth';
import { Link } from '../lib/router';
import { can, CHANNEL_LABELS, CHANNELS, str, type Json } from '../lib/staff';
import { Banner, Button, DataTable, Pager, SelectField, Tabs, TextField, type Column } from '../ui';
import { AgentMembers } from './AgentMembers';
import { errorsOf } from './common';
import { EditorCard } from './EditorCard';
import { useEditor } from './useEditor';
import { DeleteSelected, deletedNotice } from './DeleteSelected';
import { useList } from './useList';

const DIGITAL_STRATEGIES = ['beepall', 'rrmemory', 'leastrecent'];
const VOICE_STRATEGIES = ['ringall', 'rrmemory', 'leastrecent', 'fewestcalls', 'random', 'linear', 'wrandom'];
const channelOptions = CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] ?? c }));

const QUEUE_NOUN: [string, string] = ['queue', 'queues'];

/** Queues of every channel: channel filter, search, sort, paging, multi-select delete. */
export function QueuesList({ session }: { session: Session }) {
  const list = useList({ path: '/queues', mode: 'client', initialSort: { key: 'name', desc: false } });
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const mayDelete = can(session, 'queues', 'delete');
  const columns: Column<Json>[] = [
    { key: 'name', label: 'Name', sortable: true, cell: (x) => <Link href={`/admin/queues/${str(x['id'])}`}>{str(x['name'])}</Link> },
    { key: 'channel', label: 'Channel', sortable: true, cell: (x) => CHANNEL_LABELS[str(x['channel'])] ?? str(x['channel']) },
    { key: 'strategy', label: 'Strategy', sortable: true, cell: (x) => str(x['strategy']) },
    { key: 'agent_timeout', label: 'Agent timeout', sortable: true, cell: (x) => `${str(x['agent_timeout'])} s` },
    { key: 'weight', label: 'Weight', sortable: true, cell: (x) => str(x['weight']) },
    { key: 'agents', label: 'Agents', sortable: true, cell: (x) => str(x['agents']) },
  ];
  return (
    <section class="card" aria-labelledby="queues-title">
      <div class="card__header">
        <h1 class="card__title" id="queues-title">
          Queues
        </h1>
        {session.user.role === 'admin' && (
          <Link class="btn btn--primary" href="/admin/queues/new">
            New queue
          </Link>
        )}
      </div>
      {notice && (
        <Banner tone={notice.tone} role={notice.tone === 'error' ? 'alert' : 'status'}>
          {notice.text}
        </Banner>
      )}
      <div class="toolbar">
        <SelectField label="Channel" value={list.filters['channel'] ?? ''} options={[{ value: '', label: 'All channels' }, ...channelOptions]} onValueChange={(v) => list.setFilter('channel', v)} />
        <TextField label="Search" type="search" value={list.q} onValueChange={list.setQ} />
        {mayDelete && (
          <div class="toolbar__actions">
            <DeleteSelected
              selected={list.selected}
              noun={QUEUE_NOUN}
              path={(id) => `/queues/${id}`}
              consequence="Their agents stop receiving their interactions."
              onDone={(done, error) => {
                setNotice(deletedNotice(done.length, error, QUEUE_NOUN));
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
      <DataTable
        labelledBy="queues-title"
        columns={columns}
        rows={list.rows}
        rowId={(x) => x['id'] as number}
        sort={list.sort}
        onSort={list.toggleSort}
        {...(mayDelete ? { selection: { selected: list.selected, onChange: list.setSelected, rowLabel: '', allLabel: 'Select every queue of this page' } } : {})}
        rowName={(x) => str(x['name'])}
        busy={list.busy}
        empty="No queue matches."
      />
      <Pager offset={list.offset} pageSize={list.pageSize} shown={list.rows.length} total={list.total} noun="queues" selected={list.selected.size} busy={list.busy} onOffset={list.setOffset} />
    </section>
  );
}

/** Create or edit a queue; its members on a second tab. */
export function QueueEditor({ session, id }: { session: Session; id: number | 'new' }) {
  const ed = useEditor({
    api: '/queues',
    list: '/admin/queues',
    id,
    blank: { channel: 'sms', name: '', description: null, strategy: 'beepall', agent_timeout: 15, weight: 0 },
    noun: 'queue',
  });
  const { creating, item: queue, value, set, setMany, errors, message, form, save, remove } = ed;
  const [tab, setTab] = useState('settings');
  const mayEdit = can(session, 'queues', 'edit') && (!creating || session.user.role === 'admin');
  const mayDelete = can(session, 'queues', 'delete');
  if (!queue) return message ? <Banner tone="error">{message.text}</Banner> : <p class="muted">Loading…</p>;
  const channel = str(value('channel'));
  const strategies = channel === 'voice' ? VOICE_STRATEGIES : DIGITAL_STRATEGIES;
  const int = (v: string): unknown => (/^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v);

  const settings = (
    <form ref={form} class="form-grid" onSubmit={(e) => void save(e)} noValidate>
      <SelectField
        name="channel"
        label="Channel"
        value={channel}
        options={channelOptions}
        disabled={!creating}
        onValueChange={(v) => setMany({ channel: v, strategy: v === 'voice' ? 'ringall' : 'beepall' })}
        error={errorsOf(errors, 'channel')}
        {...(creating ? {} : { hint: 'The channel cannot be changed.' })}
      />
      <TextField name="name" label="Name" value={str(value('name'))} onValueChange={(v) => set('name', v)} error={errorsOf(errors, 'name')} disabled={!mayEdit} />
      <TextField name="description" label="Description" value={str(value('description'))} onValueChange={(v) => set('description', v || null)} error={errorsOf(errors, 'description')} disabled={!mayEdit} />
      <SelectField name="strategy" label="Strategy" value={str(value('strategy'))} options={strategies.map((s) => ({ value: s, label: s }))} onValueChange={(v) => set('strategy', v)} error={errorsOf(errors, 'strategy')} disabled={!mayEdit} />
      <TextField name="agent_timeout" label="Agent timeout (seconds)" type="number" min={1} max={3600} value={str(value('agent_timeout'))} onValueChange={(v) => set('agent_timeout', int(v))} error={errorsOf(errors, 'agent_timeout')} disabled={!mayEdit} />
      <TextField name="weight" label="Weight" type="number" min={0} max={10} hint="0–10" value={str(value('weight'))} onValueChange={(v) => set('weight', int(v))} error={errorsOf(errors, 'weight')} disabled={!mayEdit} />
      {mayEdit && (
        <div class="row row--end form-grid__wide">
          <Button type="submit">{creating ? 'Create queue' : 'Save'}</Button>
        </div>
      )}
    </form>
  );

  return (
    <EditorCard
      headingId="queue-title"
      back={{ href: '/admin/queues', label: 'Queues' }}
      title={creating ? 'New queue' : `Queue ${str(queue['name'])}`}
      message={message}
      remove={!creating && mayDelete ? { label: 'Delete queue', confirm: <p>Delete the queue {str(queue['name'])}? Its agents stop receiving its interactions.</p>, run: remove } : undefined}
    >
      {creating ? (
        settings
      ) : (
        <Tabs
          label="Queue"
          tabs={[
            { id: 'settings', label: 'Settings' },
            { id: 'members', label: 'Agents' },
          ]}
          active={tab}
          onChange={setTab}
        >
          {tab === 'settings' ? settings : <AgentMembers base={`/queues/${id}/agents`} what="queue" mayEdit={mayEdit} />}
        </Tabs>
      )}
    </EditorCard>
  );
}
