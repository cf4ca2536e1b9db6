import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { genericMessage, type ApiResult, type FieldError } from '../lib/auth';
import { Link, navigate } from '../lib/router';
import { credentialsBody, draftCredentials, emptyCredentials, isSmsType, PHONE_REQUIRED, RECEIVE_HELP, secretPlaceholder, SKEBBY_METHODS, SMS_TYPE_LABELS, SMS_TYPES, sortAccounts, visibleFields, type SmsSortKey } from '../lib/sms';
import { getObject, getPage, isRecord, num, send, str, type Json, type Page } from '../lib/staff';
import { Banner, Button, CheckboxField, Dialog, Menu, SelectField, Tabs, TextAreaField, TextField, toast } from '../ui';
import { errorsOf, focusField, formatDate, saveMessage, useDebounced, useLoad } from './common';
import { FlowEditor } from './FlowEditor';
import { AgentPicker, CannedAnswers, CopyField, Dispositions } from './SmsSections';

const PAGE_SIZE = 25;
const typeOptions = SMS_TYPES.map((t) => ({ value: t, label: SMS_TYPE_LABELS[t] }));
const typeLabel = (t: unknown) => (isSmsType(t) ? SMS_TYPE_LABELS[t] : str(t));

/** Every SMS account matching the filter (all pages: at most 1,000 exist), by name. */
async function fetchAccounts(filter: string): Promise<ApiResult<Page<Json>>> {
  const items: Json[] = [];
  for (let offset = 0; offset < 10000; offset += 500) {
    const r = await getPage(`/sms/accounts?limit=500&offset=${offset}${filter ? `&${filter}` : ''}`);
    if (!r.ok) return r;
    items.push(...r.value.items);
    if (r.value.items.length < 500) break;
  }
  return { ok: true, value: { items, total: items.length } };
}

const COLUMNS: { key: SmsSortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'key', label: 'Key' },
  { key: 'type', label: 'Type' },
  { key: 'phone', label: 'Phone' },
  { key: 'created_at', label: 'Created' },
];

/** SMS accounts (admins): search, type filter, sort, paging, multi-select delete, row menu. */
export function SmsAccountsList() {
  const [q, setQ] = useState('');
  const [type, setType] = useState('');
  const [sort, setSort] = useState<{ key: SmsSortKey; desc: boolean }>({ key: 'name', desc: false });
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [confirm, setConfirm] = useState<Json[] | null>(null);
  const [agentsOf, setAgentsOf] = useState<Json | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const query = useDebounced(q.trim(), 250);
  const filter = new URLSearchParams();
  if (query) filter.set('q', query);
  if (type) filter.set('type', type);
  const filterText = filter.toString();
  const [list, reload] = useLoad(() => fetchAccounts(filterText), [filterText]);

  const all = list.kind === 'ready' ? sortAccounts(list.value.items, sort.key, sort.desc) : [];
  const total = all.length;
  const items = all.slice(offset, offset + PAGE_SIZE);
  const pageIds = items.map((a) => num(a['id']) ?? 0);
  const allOnPage = pageIds.length > 0 && pageIds.every((id) => selected.has(id));

  function changeFilter(fn: () => void) {
    fn();
    setOffset(0);
    setSelected(new Set());
  }
  function toggle(id: number, on: boolean) {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  }

  async function remove(accounts: Json[]) {
    setBusy(true);
    let done = 0;
    let error: string | null = null;
    for (const a of accounts) {
      const r = await send('DELETE', `/sms/accounts/${str(a['id'])}`);
      if (!r.ok && r.error.status !== 404) {
        error = `${str(a['name'])}: ${genericMessage(r.error)}`;
        break;
      }
      done++;
    }
    setBusy(false);
    setConfirm(null);
    setSelected(new Set());
    setNotice(error ? { tone: 'error', text: `${done} deleted; then ${error}` } : { tone: 'success', text: `${done} SMS ${done === 1 ? 'account' : 'accounts'} deleted.` });
    reload();
  }

  return (
    <section class="card" aria-labelledby="sms-title">
      <div class="card__header">
        <h1 class="card__title" id="sms-title">
          SMS accounts
        </h1>
        <Link class="btn btn--primary" href="/admin/sms/new">
          New SMS account
        </Link>
      </div>
      {notice && (
        <Banner tone={notice.tone} role={notice.tone === 'error' ? 'alert' : 'status'}>
          {notice.text}
        </Banner>
      )}
      <div class="toolbar">
        <TextField label="Search" type="search" value={q} maxLength={64} hint="Name or key" onValueChange={(v) => changeFilter(() => setQ(v))} />
        <SelectField label="Type" value={type} options={[{ value: '', label: 'All types' }, ...typeOptions]} onValueChange={(v) => changeFilter(() => setType(v))} />
        <div class="toolbar__actions">
          <Button variant="danger" disabled={!selected.size} onClick={() => setConfirm(all.filter((a) => selected.has(num(a['id']) ?? 0)))}>
            Delete selected
          </Button>
        </div>
      </div>
      {list.kind === 'error' && (
        <Banner tone="error" role="alert">
          {list.message}
        </Banner>
      )}
      <div class="table-wrap table-wrap--menus">
        <table class="table" aria-labelledby="sms-title" aria-busy={list.kind === 'loading' ? 'true' : 'false'}>
          <thead>
            <tr>
              <th scope="col" class="table__check">
                <input
                  type="checkbox"
                  aria-label="Select every account of this page"
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
                <th scope="col" key={c.key} aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
                  <button type="button" class="sort-btn" onClick={() => changeFilter(() => setSort((s) => ({ key: c.key, desc: s.key === c.key ? !s.desc : false })))}>
                    {c.label}
                    <span aria-hidden="true" class="sort-btn__arrow">
                      {sort.key === c.key ? (sort.desc ? '▼' : '▲') : ''}
                    </span>
                  </button>
                </th>
              ))}
              <th scope="col">Agents</th>
              <th scope="col" class="table__actions">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => {
              const id = num(a['id']) ?? 0;
              const name = str(a['name']);
              return (
                <tr key={id}>
                  <td class="table__check">
                    <input type="checkbox" aria-label={`Select ${name}`} checked={selected.has(id)} onChange={(e) => toggle(id, e.currentTarget.checked)} />
                  </td>
                  <td>
                    <Link href={`/admin/sms/${id}`}>{name}</Link>
                  </td>
                  <td class="mono">{str(a['key'])}</td>
                  <td>{typeLabel(a['type'])}</td>
                  <td class="mono">{str(a['phone'])}</td>
                  <td>{formatDate(a['created_at'])}</td>
                  <td>{Array.isArray(a['agents']) ? a['agents'].length : 0}</td>
                  <td class="table__actions">
                    <Menu
                      label={`Actions for ${name}`}
                      items={[
                        { label: 'Edit', onSelect: () => navigate(`/admin/sms/${id}`) },
                        { label: 'Interactions', onSelect: () => navigate(`/admin/sms/${id}/interactions`) },
                        { label: 'Add agent', onSelect: () => setAgentsOf(a) },
                        { label: 'Delete', danger: true, onSelect: () => setConfirm([a]) },
                      ]}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {list.kind === 'ready' && total === 0 && <p class="muted">{filterText ? 'No SMS account matches.' : 'No SMS account yet.'}</p>}
      <div class="pager">
        <span class="muted" role="status">
          {list.kind === 'loading' ? 'Loading…' : total === 0 ? '0 accounts' : `${offset + 1}–${offset + items.length} of ${total}${selected.size ? ` · ${selected.size} selected` : ''}`}
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
        title={confirm && confirm.length === 1 ? 'Delete SMS account' : 'Delete SMS accounts'}
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        actions={
          <>
            <Button variant="secondary" onClick={() => setConfirm(null)} disabled={busy}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => confirm && void remove(confirm)} disabled={busy}>
              Delete
            </Button>
          </>
        }
      >
        <p>
          {confirm && confirm.length === 1 ? `Delete ${str(confirm[0]?.['name'])}` : `Delete the ${confirm?.length ?? 0} selected accounts`} with {confirm && confirm.length === 1 ? 'its' : 'their'} agents, action flow,
          dispositions and canned answers? The interactions stay. This cannot be undone.
        </p>
      </Dialog>
      <Dialog title={agentsOf ? `Add agents to ${str(agentsOf['name'])}` : 'Add agents'} open={agentsOf !== null} onClose={() => setAgentsOf(null)}>
        {agentsOf && (
          <AgentPicker
            accountId={num(agentsOf['id']) ?? 0}
            ids={Array.isArray(agentsOf['agents']) ? agentsOf['agents'].filter((x): x is number => typeof x === 'number') : []}
            onSaved={() => {
              setAgentsOf(null);
              toast('success', 'Agents saved.');
              reload();
            }}
            onCancel={() => setAgentsOf(null)}
          />
        )}
      </Dialog>
    </section>
  );
}

/** The section of the console: the list, an account, or its interactions. */
export function SmsSection({ id, sub }: { id: number | 'new' | null; sub: string | undefined }) {
  if (id === null) return <SmsAccountsList />;
  if (sub === 'interactions' && id !== 'new') return <SmsInteractionsPlaceholder id={id} />;
  if (sub !== undefined)
    return (
      <Banner tone="error" role="alert">
        This page does not exist.
      </Banner>
    );
  return <SmsAccountEditor key={String(id)} id={id} />;
}

/** Until the interactions screen of the account exists: where it will be. */
function SmsInteractionsPlaceholder({ id }: { id: number }) {
  const [acc] = useLoad(() => getObject('GET', `/sms/accounts/${id}`), [id]);
  return (
    <section class="card" aria-labelledby="sms-int-title">
      <div>
        <Link href="/admin/sms" class="back-link">
          ← SMS accounts
        </Link>
        <h1 class="card__title" id="sms-int-title">
          Interactions{acc.kind === 'ready' ? ` of ${str(acc.value['name'])}` : ''}
        </h1>
      </div>
      <Banner tone="info" role="status">
        The interactions list of an SMS account is not available in this version of the console yet.
      </Banner>
    </section>
  );
}

/** The account fields a save sends (credentials apart), and which tab shows each. */
const FIELD_TAB: Record<string, string> = {
  name: 'settings',
  key: 'settings',
  list_id: 'settings',
  phone: 'settings',
  description: 'settings',
  type: 'settings',
  wait_agent: 'settings',
  wait_queue: 'settings',
  transfer_enabled: 'transfer',
  transfer_timeout: 'transfer',
  domain: 'proxy',
  mandatory_disposition: 'disposition',
  disposition_pause: 'disposition',
};
const INTEGER_FIELDS = new Set(['wait_agent', 'wait_queue', 'transfer_timeout', 'list_id']);
const NEW_ACCOUNT: Json = {
  name: '',
  key: '',
  domain: null,
  list_id: null,
  phone: null,
  description: null,
  type: 'twilio',
  credentials: {},
  wait_agent: 10,
  wait_queue: 10,
  transfer_enabled: false,
  transfer_timeout: 60,
  mandatory_disposition: false,
  disposition_pause: null,
};

function tabOf(field: string, creating: boolean): string {
  if (creating) return 'settings';
  if (field.startsWith('credentials')) return 'settings';
  return FIELD_TAB[field] ?? 'settings';
}

/** The body of a save: every account field of the draft, numbers as numbers, empty = null. */
function accountBody(draft: Json, creds: Record<string, unknown>, fresh: boolean): Json {
  const body: Json = {};
  for (const k of Object.keys(FIELD_TAB)) {
    const v = draft[k];
    if (typeof v === 'string') {
      const t = v.trim();
      if (INTEGER_FIELDS.has(k)) body[k] = t === '' ? (k === 'list_id' ? null : v) : /^\d+$/.test(t) ? Number(t) : v;
      else body[k] = t === '' && k !== 'name' && k !== 'key' ? null : k === 'name' || k === 'key' ? v : t;
    } else {
      body[k] = v ?? null;
    }
  }
  body['credentials'] = credentialsBody(str(draft['type']), creds, fresh);
  return body;
}

/** Create or edit an SMS account; the seed's sections as tabs. */
export function SmsAccountEditor({ id }: { id: number | 'new' }) {
  const creating = id === 'new';
  const [acc, setAcc] = useState<Json | null>(creating ? NEW_ACCOUNT : null);
  const [draft, setDraft] = useState<Json>(creating ? NEW_ACCOUNT : {});
  const [creds, setCreds] = useState<Record<string, unknown>>(creating ? emptyCredentials('twilio') : {});
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [tab, setTab] = useState('settings');
  const [confirm, setConfirm] = useState<'delete' | 'token' | null>(null);
  const [saving, setSaving] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  function load(v: Json) {
    setAcc(v);
    setDraft(v);
    setCreds(draftCredentials(str(v['type']), v['credentials']));
  }
  useEffect(() => {
    if (!creating) void getObject('GET', `/sms/accounts/${id}`).then((r) => (r.ok ? load(r.value) : setMessage({ tone: 'error', text: genericMessage(r.error) })));
  }, [id, creating]);
  if (!acc) return message ? <Banner tone="error">{message.text}</Banner> : <p class="muted">Loading…</p>;

  const type = str(draft['type']);
  const typeChanged = !creating && type !== str(acc['type']);
  const fresh = creating || typeChanged;
  const answered = isRecord(acc['credentials']) ? acc['credentials'] : {};
  const set = (k: string, v: unknown) => setDraft((d) => ({ ...d, [k]: v }));
  const text = (k: string) => str(draft[k]);
  const err = (f: string) => errorsOf(errors, f);
  const tabHasError = (t: string) => errors.some((e) => tabOf(e.field, creating) === t);

  async function save(e?: Event) {
    e?.preventDefault();
    if (saving) return;
    setSaving(true);
    const body = accountBody(draft, creds, fresh);
    const r = creating ? await getObject('POST', '/sms/accounts', body) : await getObject('PATCH', `/sms/accounts/${id}`, body);
    setSaving(false);
    if (!r.ok) {
      setErrors(r.error.errors);
      setMessage({ tone: 'error', text: saveMessage(r.error, 'account') });
      const first = r.error.errors[0];
      if (first) {
        setTab(tabOf(first.field, creating));
        setTimeout(() => focusField(form.current, first.field), 0);
      }
      return;
    }
    setErrors([]);
    if (creating) {
      toast('success', `SMS account ${str(r.value['name'])} created: copy its Receive URL into the provider.`);
      navigate(`/admin/sms/${str(r.value['id'])}`, true);
      return;
    }
    load(r.value);
    setMessage({ tone: 'success', text: 'Saved.' });
  }

  async function newToken() {
    setConfirm(null);
    const r = await getObject('POST', `/sms/accounts/${id}/token`);
    if (!r.ok) return setMessage({ tone: 'error', text: genericMessage(r.error) });
    // The answer is the account with its new token and URLs; the unsaved draft stays.
    setAcc(r.value);
    setMessage({ tone: 'success', text: 'A new proxy token replaces the old one: paste the new Receive URL into the provider.' });
  }
  async function remove() {
    setConfirm(null);
    const r = await send('DELETE', `/sms/accounts/${id}`);
    if (r.ok) return navigate('/admin/sms');
    setMessage({ tone: 'error', text: genericMessage(r.error) });
  }

  function changeType(t: string) {
    set('type', t);
    // Back to the stored type: its stored values; another type: its empty fields.
    setCreds(!creating && t === str(acc?.['type']) ? draftCredentials(t, acc?.['credentials']) : emptyCredentials(t));
    setErrors((es) => es.filter((e) => !e.field.startsWith('credentials')));
  }

  const saveRow = (label: string) => (
    <div class="row row--end form-grid__wide">
      <Button type="submit" disabled={saving}>
        {label}
      </Button>
    </div>
  );

  const domainField = (
    <TextField
      name="domain"
      label="Proxy or Motion domain"
      value={text('domain')}
      onValueChange={(v) => set('domain', v)}
      error={err('domain')}
      placeholder={creating ? 'the server’s public URL' : ''}
      hint={creating ? 'Leave empty: the server fills in its public URL (http.public_url). The Receive URL is built on it.' : 'The Receive URL is built on it. Empty: the server’s public URL.'}
      maxLength={255}
    />
  );

  const providerFields = (
    <fieldset class="fieldset form-grid__wide" aria-label={`${typeLabel(type)} credentials`}>
      <legend class="field__label">{typeLabel(type)}</legend>
      <div class="form-grid">
        {visibleFields(type, creds).map((f) => {
          const name = `credentials.${f.name}`;
          if (f.kind === 'bool')
            return <CheckboxField key={name} name={name} label={f.label} checked={creds[f.name] === true} onCheckedChange={(v) => setCreds((c) => ({ ...c, [f.name]: v }))} error={err(name)} {...(f.hint ? { hint: f.hint } : {})} />;
          if (f.kind === 'method')
            return <SelectField key={name} name={name} label={f.label} value={str(creds[f.name]) || 'basic'} options={SKEBBY_METHODS} onValueChange={(v) => setCreds((c) => ({ ...c, [f.name]: v }))} error={err(name)} />;
          const secret = f.kind === 'secret';
          return (
            <TextField
              key={name}
              name={name}
              label={f.label}
              type={secret ? 'password' : 'text'}
              autoComplete={secret ? 'new-password' : 'off'}
              value={str(creds[f.name])}
              onValueChange={(v) => setCreds((c) => ({ ...c, [f.name]: v }))}
              error={err(name)}
              placeholder={secret ? secretPlaceholder(answered[f.name], fresh) : ''}
              hint={[secret && !fresh ? 'Write-only: leave empty to keep the stored value.' : '', f.hint ?? ''].filter(Boolean).join(' ')}
              maxLength={256}
            />
          );
        })}
      </div>
      {err('credentials') && <div class="field__error" role="alert">{err('credentials')?.join(' ')}</div>}
    </fieldset>
  );

  const receive = !creating && (
    <div class="stack form-grid__wide" role="group" aria-label="Provider setup">
      <h2 class="section-title">Provider setup</h2>
      {typeChanged && (
        <Banner tone="warning" role="status">
          Save the account to see the URLs of the new type.
        </Banner>
      )}
      <p class="muted small">{isSmsType(str(acc['type'])) ? RECEIVE_HELP[str(acc['type']) as keyof typeof RECEIVE_HELP] : ''}</p>
      <CopyField label="Receive URL" value={str(acc['receive_url'])} />
      {str(acc['status_url']) ? <CopyField label="Delivery URL" value={str(acc['status_url'])} /> : <p class="muted small">No Delivery URL for this account: {str(acc['type']) === 'skebby' || str(acc['type']) === 'connectel' || str(acc['type']) === 'clicksend' ? 'enable the delivery report to get one.' : 'delivery reports come with each message.'}</p>}
    </div>
  );

  const general = (
    <>
      <h2 class="section-title form-grid__wide">General</h2>
      <TextField name="name" label="Name" value={text('name')} onValueChange={(v) => set('name', v)} error={err('name')} maxLength={128} required />
      <TextField name="key" label="Key" value={text('key')} onValueChange={(v) => set('key', v)} error={err('key')} hint="1 to 5 letters or digits, unique; shown on the agents' tabs." maxLength={5} required />
      {creating && domainField}
      <TextField name="list_id" label="List" inputMode="numeric" value={text('list_id')} onValueChange={(v) => set('list_id', v)} error={err('list_id')} hint="Id of the Contacts Manager list new senders are saved in. Empty: the Default list." />
      <TextField name="phone" label="Phone" type="tel" value={text('phone')} onValueChange={(v) => set('phone', v)} error={err('phone')} hint={`The provider number: E.164 (+…) or a short code like 1-12345.${PHONE_REQUIRED.has(type) ? ' Required for this type.' : ''}`} maxLength={32} />
      <div class="form-grid__wide">
        <TextAreaField name="description" label="Description" value={text('description')} onValueChange={(v) => set('description', v)} error={err('description')} maxLength={1024} rows={2} />
      </div>
      <SelectField name="type" label="Type" value={type} options={typeOptions} onValueChange={changeType} error={err('type')} {...(typeChanged ? { hint: 'A new type starts from empty credentials: fill every field.' } : {})} />
      <div />
      {providerFields}
      {receive}
      <h2 class="section-title form-grid__wide">Waits</h2>
      <TextField name="wait_agent" label="Wait for the assigned agent (seconds)" type="number" min={1} max={2147483} value={text('wait_agent')} onValueChange={(v) => set('wait_agent', v)} error={err('wait_agent')} hint="How long a new message waits for the agent holding the interaction (1–2147483, default 10)." />
      <TextField name="wait_queue" label="Wait for the assigned queue (seconds)" type="number" min={1} max={2147483} value={text('wait_queue')} onValueChange={(v) => set('wait_queue', v)} error={err('wait_queue')} hint="Then how long it waits in that agent's queue before the actions go on (1–2147483, default 10)." />
    </>
  );

  const transfer = (
    <>
      <CheckboxField name="transfer_enabled" label="Agents may transfer" checked={draft['transfer_enabled'] === true} onCheckedChange={(v) => set('transfer_enabled', v)} error={err('transfer_enabled')} hint="To a queue or to another online agent." />
      <TextField name="transfer_timeout" label="Transfer timeout (seconds)" type="number" min={1} max={2147483} value={text('transfer_timeout')} onValueChange={(v) => set('transfer_timeout', v)} error={err('transfer_timeout')} disabled={draft['transfer_enabled'] !== true} hint="How long a transferred message waits to be accepted before it comes back unread." />
    </>
  );

  const proxy = (
    <>
      {domainField}
      <div class="form-grid__wide stack">
        {acc['proxy_token'] ? (
          <CopyField label="Proxy token" value={str(acc['proxy_token'])} />
        ) : (
          <Banner tone="warning" role="status">
            The proxy token cannot be read (the server's key changed): create a new one.
          </Banner>
        )}
        <p class="muted small">Generated by the server and read-only. A new one replaces it at once: the provider must then be given the new Receive URL.</p>
        <div>
          <Button variant="secondary" onClick={() => setConfirm('token')}>
            Create a new proxy token
          </Button>
        </div>
      </div>
    </>
  );

  const disposition = (
    <>
      <CheckboxField name="mandatory_disposition" label="Mandatory disposition" checked={draft['mandatory_disposition'] === true} onCheckedChange={(v) => set('mandatory_disposition', v)} error={err('mandatory_disposition')} hint="Agents must dispose the interactions they close." />
      <TextField name="disposition_pause" label="Pause while disposing" value={text('disposition_pause')} onValueChange={(v) => set('disposition_pause', v)} error={err('disposition_pause')} maxLength={63} disabled={draft['mandatory_disposition'] !== true} hint="The pause reason applied to the agent while disposing. Empty: no pause." />
    </>
  );

  const formFor = (content: ComponentChildren, label: string) => (
    <form ref={form} class="form-grid" onSubmit={(e) => void save(e)} noValidate>
      {content}
      {saveRow(label)}
    </form>
  );

  const accountId = id as number;
  return (
    <section class="card" aria-labelledby="sms-edit-title">
      <div class="card__header">
        <div>
          <Link href="/admin/sms" class="back-link">
            ← SMS accounts
          </Link>
          <h1 class="card__title" id="sms-edit-title">
            {creating ? 'New SMS account' : `SMS account ${str(acc['name'])}`}
          </h1>
        </div>
        {!creating && (
          <div class="row">
            <Link class="btn btn--secondary" href={`/admin/sms/${accountId}/interactions`}>
              Interactions
            </Link>
            <Button variant="danger" onClick={() => setConfirm('delete')}>
              Delete account
            </Button>
          </div>
        )}
      </div>
      {message && (
        <Banner tone={message.tone} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </Banner>
      )}
      {creating ? (
        formFor(general, 'Add SMS account')
      ) : (
        <Tabs
          label="SMS account"
          tabs={[
            { id: 'settings', label: 'Settings', invalid: tabHasError('settings') },
            { id: 'transfer', label: 'Transfer', invalid: tabHasError('transfer') },
            { id: 'proxy', label: 'Proxy', invalid: tabHasError('proxy') },
            { id: 'disposition', label: 'Disposition', invalid: tabHasError('disposition') },
            { id: 'dispositions', label: 'Dispositions' },
            { id: 'canned', label: 'Canned answers' },
            { id: 'actions', label: 'Actions' },
            { id: 'agents', label: 'Agents' },
          ]}
          active={tab}
          onChange={setTab}
        >
          {tab === 'settings' && formFor(general, 'Save')}
          {tab === 'transfer' && formFor(transfer, 'Save')}
          {tab === 'proxy' && formFor(proxy, 'Save')}
          {tab === 'disposition' && formFor(disposition, 'Save')}
          {tab === 'dispositions' && <Dispositions accountId={accountId} />}
          {tab === 'canned' && <CannedAnswers accountId={accountId} />}
          {tab === 'actions' && <FlowEditor channel="sms" accountId={accountId} />}
          {tab === 'agents' && <AgentPicker accountId={accountId} ids={Array.isArray(acc['agents']) ? acc['agents'].filter((x): x is number => typeof x === 'number') : []} onSaved={(ids) => setAcc({ ...acc, agents: ids })} />}
        </Tabs>
      )}
      <Dialog
        title={confirm === 'token' ? 'Replace the proxy token' : 'Delete SMS account'}
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        actions={
          <>
            <Button variant="secondary" onClick={() => setConfirm(null)}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => void (confirm === 'token' ? newToken() : remove())}>
              {confirm === 'token' ? 'Replace token' : 'Delete'}
            </Button>
          </>
        }
      >
        <p>{confirm === 'token' ? 'The current token stops working at once: webhooks sent with it are refused until the provider has the new Receive URL.' : `Delete ${str(acc['name'])} with its agents, action flow, dispositions and canned answers? Its interactions stay.`}</p>
      </Dialog>
    </section>
  );
}
