import { useEffect, useRef, useState } from 'preact/hooks';
import { genericMessage, type FieldError, type Session } from '../lib/auth';
import { Link, navigate } from '../lib/router';
import { getObject, isRecord, num, send, str, type Json } from '../lib/staff';
import { Banner, Button, DataTable, Dialog, Pager, SelectField, TextField, type Column } from '../ui';
import { errorsOf, focusField, saveMessage } from './common';
import { DeleteSelected, deletedNotice } from './DeleteSelected';
import { useList } from './useList';

const FIELDS: { key: string; label: string; hint: string }[] = [
  { key: 'time_range', label: 'Time range', hint: '* or 09:00-18:00 (22:00-06:00 crosses midnight)' },
  { key: 'week_days', label: 'Week days', hint: '* or mon-fri, sat,sun' },
  { key: 'month_days', label: 'Month days', hint: '* or 1-15, 25-5' },
  { key: 'months', label: 'Months', hint: '* or jan-mar, dec' },
];

/** "Mon-Fri 09:00-18:00" style summary of one sub-interval. */
function describeSub(s: Json): string {
  if (s['type'] === 'always') return 'Always';
  return FIELDS.map((f) => str(s[f.key]) || '*')
    .filter((v) => v !== '*')
    .join(' · ') || 'Any time';
}

const INTERVAL_NOUN: [string, string] = ['interval', 'intervals'];

/** Intervals (Tools → Intervals): when flow actions apply, in the server's time zone. */
export function IntervalsList({ session }: { session: Session }) {
  const admin = session.user.role === 'admin';
  const list = useList({
    path: '/intervals',
    mode: 'client',
    initialSort: { key: 'name', desc: false },
    sortValue: (x, k) => (k === 'sub_intervals' ? (Array.isArray(x['sub_intervals']) ? x['sub_intervals'].length : 0) : x[k]),
  });
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const columns: Column<Json>[] = [
    { key: 'name', label: 'Name', sortable: true, cell: (x) => <Link href={`/admin/intervals/${str(x['id'])}`}>{str(x['name'])}</Link> },
    { key: 'description', label: 'Description', sortable: true, cell: (x) => str(x['description']) },
    {
      key: 'sub_intervals',
      label: 'Sub-intervals',
      sortable: true,
      cell: (x) => (Array.isArray(x['sub_intervals']) && x['sub_intervals'].length ? x['sub_intervals'].filter(isRecord).map(describeSub).join('; ') : <span class="muted">none: never matches</span>),
    },
    { key: 'flows', label: 'Used by', sortable: true, cell: (x) => `${num(x['flows']) ?? 0} actions` },
  ];
  return (
    <section class="card" aria-labelledby="intervals-title">
      <div class="card__header">
        <h1 class="card__title" id="intervals-title">
          Intervals
        </h1>
        {admin && (
          <Link class="btn btn--primary" href="/admin/intervals/new">
            New interval
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
        {admin && (
          <div class="toolbar__actions">
            <DeleteSelected
              selected={list.selected}
              noun={INTERVAL_NOUN}
              path={(id) => `/intervals/${id}`}
              consequence="An interval used by flow actions is refused."
              onDone={(done, error) => {
                setNotice(deletedNotice(done.length, error, INTERVAL_NOUN));
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
        labelledBy="intervals-title"
        columns={columns}
        rows={list.rows}
        rowId={(x) => x['id'] as number}
        sort={list.sort}
        onSort={list.toggleSort}
        {...(admin ? { selection: { selected: list.selected, onChange: list.setSelected, rowLabel: '', allLabel: 'Select every interval of this page' } } : {})}
        rowName={(x) => str(x['name'])}
        busy={list.busy}
        empty="No interval matches."
      />
      <Pager offset={list.offset} pageSize={list.pageSize} shown={list.rows.length} total={list.total} noun="intervals" selected={list.selected.size} busy={list.busy} onOffset={list.setOffset} />
    </section>
  );
}

/** Create or edit an interval and its sub-intervals (any of them matching is enough). */
export function IntervalEditor({ session, id }: { session: Session; id: number | 'new' }) {
  const creating = id === 'new';
  const mayEdit = session.user.role === 'admin';
  const [iv, setIv] = useState<Json | null>(creating ? { name: '', description: null, sub_intervals: [] } : null);
  const [subs, setSubs] = useState<Json[]>([]);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [msg, setMsg] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [confirm, setConfirm] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (creating) return;
    void getObject('GET', `/intervals/${id}`).then((r) => {
      if (!r.ok) return setMsg({ tone: 'error', text: genericMessage(r.error) });
      setIv(r.value);
      setSubs(Array.isArray(r.value['sub_intervals']) ? r.value['sub_intervals'].filter(isRecord) : []);
    });
  }, [id, creating]);
  if (!iv) return msg ? <Banner tone="error">{msg.text}</Banner> : <p class="muted">Loading…</p>;
  const current = iv;

  async function save(e: Event) {
    e.preventDefault();
    const body = {
      name: str(current['name']),
      description: str(current['description']) || null,
      sub_intervals: subs.map((s) => (s['type'] === 'always' ? { type: 'always' } : { type: 'custom', ...Object.fromEntries(FIELDS.map((f) => [f.key, str(s[f.key]) || '*'])) })),
    };
    const r = creating ? await getObject('POST', '/intervals', body) : await getObject('PATCH', `/intervals/${id}`, body);
    if (!r.ok) {
      setErrors(r.error.errors);
      setMsg({ tone: 'error', text: saveMessage(r.error, 'interval') });
      const first = r.error.errors[0];
      if (first) setTimeout(() => focusField(form.current, first.field), 0);
      return;
    }
    setErrors([]);
    if (creating) return navigate(`/admin/intervals/${str(r.value['id'])}`, true);
    setIv(r.value);
    setMsg({ tone: 'success', text: 'Saved.' });
  }
  async function remove() {
    setConfirm(false);
    const r = await send('DELETE', `/intervals/${id}`);
    if (r.ok) return navigate('/admin/intervals');
    setMsg({ tone: 'error', text: r.error.status === 409 ? 'This interval is used by flow actions: change them first.' : genericMessage(r.error) });
  }
  const setSub = (i: number, patch: Json) => setSubs((l) => l.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  return (
    <section class="card card--form" aria-labelledby="interval-title">
      <div class="card__header">
        <div>
          <Link href="/admin/intervals" class="back-link">
            ← Intervals
          </Link>
          <h1 class="card__title" id="interval-title">
            {creating ? 'New interval' : `Interval ${str(current['name'])}`}
          </h1>
        </div>
        {!creating && mayEdit && (
          <Button variant="danger" onClick={() => setConfirm(true)}>
            Delete interval
          </Button>
        )}
      </div>
      {msg && (
        <Banner tone={msg.tone} role={msg.tone === 'error' ? 'alert' : 'status'}>
          {msg.text}
        </Banner>
      )}
      <form ref={form} class="stack" onSubmit={(e) => void save(e)} noValidate>
        <div class="form-grid">
          <TextField name="name" label="Name" value={str(current['name'])} onValueChange={(v) => setIv({ ...current, name: v })} error={errorsOf(errors, 'name')} disabled={!mayEdit} />
          <TextField name="description" label="Description" value={str(current['description'])} onValueChange={(v) => setIv({ ...current, description: v })} error={errorsOf(errors, 'description')} disabled={!mayEdit} />
        </div>
        <h2 class="section-title">Sub-intervals</h2>
        <p class="muted small">The interval holds when any sub-interval does; in a custom one all four fields must hold at the same local time.</p>
        {subs.length === 0 && <p class="muted">No sub-interval: this interval never matches.</p>}
        <ol class="flow-list" aria-label="Sub-intervals">
          {subs.map((s, i) => (
            <li key={i} class="flow-action" aria-label={`Sub-interval ${i + 1}`}>
              <div class="flow-action__head">
                <span class="flow-action__num" aria-hidden="true">
                  {i + 1}
                </span>
                <SelectField
                  name={`sub_intervals[${i}].type`}
                  label="Type"
                  value={str(s['type']) || 'custom'}
                  options={[
                    { value: 'custom', label: 'Custom' },
                    { value: 'always', label: 'Always' },
                  ]}
                  onValueChange={(v) => setSub(i, { type: v })}
                  disabled={!mayEdit}
                />
                {mayEdit && (
                  <Button variant="ghost" onClick={() => setSubs((l) => l.filter((_, j) => j !== i))} aria-label={`Remove sub-interval ${i + 1}`}>
                    Remove
                  </Button>
                )}
              </div>
              {s['type'] !== 'always' && (
                <div class="flow-action__fields">
                  {FIELDS.map((f) => (
                    <TextField key={f.key} name={`sub_intervals[${i}].${f.key}`} label={f.label} hint={f.hint} value={str(s[f.key]) || '*'} onValueChange={(v) => setSub(i, { [f.key]: v })} error={errorsOf(errors, `sub_intervals[${i}].${f.key}`)} disabled={!mayEdit} />
                  ))}
                </div>
              )}
            </li>
          ))}
        </ol>
        {mayEdit && (
          <div class="row">
            <Button variant="secondary" onClick={() => setSubs((l) => [...l, { type: 'custom', time_range: '09:00-18:00', week_days: 'mon-fri', month_days: '*', months: '*' }])}>
              Add sub-interval
            </Button>
            <Button type="submit">{creating ? 'Create interval' : 'Save'}</Button>
          </div>
        )}
      </form>
      <Dialog
        title="Delete interval"
        open={confirm}
        onClose={() => setConfirm(false)}
        actions={
          <>
            <Button variant="secondary" onClick={() => setConfirm(false)}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => void remove()}>
              Delete
            </Button>
          </>
        }
      >
        <p>Delete the interval {str(current['name'])}?</p>
      </Dialog>
    </section>
  );
}
