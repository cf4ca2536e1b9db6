import { useEffect, useRef, useState } from 'preact/hooks';
import { genericMessage, type FieldError } from '../lib/auth';
import { Link, navigate } from '../lib/router';
import { getObject, getPage, num, send, str, type Json } from '../lib/staff';
import { Banner, Button, CheckboxField, DataTable, Dialog, Pager, SelectField, Tabs, TextField, type Column } from '../ui';
import { errorsOf, focusField, formatDate, saveMessage, useLoad } from './common';
import { DeleteSelected, deletedNotice } from './DeleteSelected';
import { useList } from './useList';
import { FlowEditor } from './FlowEditor';

const OC_NOUN: [string, string] = ['account', 'accounts'];

/** Open Channel accounts (admins): search, sort, paging, multi-select delete. */
export function OpenChannelList() {
  const list = useList({
    path: '/openchannel/accounts',
    mode: 'client',
    initialSort: { key: 'name', desc: false },
    sortValue: (a, k) => (k === 'agents' ? (Array.isArray(a['agents']) ? a['agents'].length : 0) : a[k]),
  });
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const columns: Column<Json>[] = [
    { key: 'name', label: 'Name', sortable: true, cell: (a) => <Link href={`/admin/openchannel/${str(a['id'])}`}>{str(a['name'])}</Link> },
    { key: 'reply_url', label: 'Reply URL', sortable: true, class: 'mono', cell: (a) => str(a['reply_url']) || <span class="muted">none: agents cannot reply</span> },
    { key: 'transfer_enabled', label: 'Transfers', sortable: true, cell: (a) => (a['transfer_enabled'] === true ? 'On' : 'Off') },
    { key: 'agents', label: 'Agents', sortable: true, cell: (a) => (Array.isArray(a['agents']) ? a['agents'].length : 0) },
    { key: 'created_at', label: 'Created', sortable: true, cell: (a) => formatDate(a['created_at']) },
    {
      key: 'interactions',
      label: 'Interactions',
      hiddenLabel: true,
      cell: (a) => (
        <Link href={`/admin/openchannel/${str(a['id'])}/interactions`} aria-label={`Interactions of ${str(a['name'])}`}>
          Interactions
        </Link>
      ),
    },
  ];
  return (
    <section class="card" aria-labelledby="oc-title">
      <div class="card__header">
        <h1 class="card__title" id="oc-title">
          Open Channel accounts
        </h1>
        <Link class="btn btn--primary" href="/admin/openchannel/new">
          New account
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
            noun={OC_NOUN}
            path={(id) => `/openchannel/accounts/${id}`}
            consequence="Their connectors' tokens stop working."
            onDone={(done, error) => {
              setNotice(deletedNotice(done.length, error, OC_NOUN));
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
        labelledBy="oc-title"
        columns={columns}
        rows={list.rows}
        rowId={(a) => a['id'] as number}
        sort={list.sort}
        onSort={list.toggleSort}
        selection={{ selected: list.selected, onChange: list.setSelected, rowLabel: '', allLabel: 'Select every account of this page' }}
        rowName={(a) => str(a['name'])}
        busy={list.busy}
        empty="No account matches."
      />
      <Pager offset={list.offset} pageSize={list.pageSize} shown={list.rows.length} total={list.total} noun="accounts" selected={list.selected.size} busy={list.busy} onOffset={list.setOffset} />
    </section>
  );
}

/** A value shown once with a copy button (the inbound token, the notify URL). */
export function CopyValue({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }
  return (
    <div class="copy-value">
      <span class="field__label">{label}</span>
      <div class="row">
        <code class="mono copy-value__text" data-testid={label}>
          {value}
        </code>
        <Button variant="secondary" onClick={() => void copy()} aria-label={`Copy ${label.toLowerCase()}`}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
    </div>
  );
}

function TokenCard({ token, notifyUrl, onDone }: { token: string; notifyUrl: string; onDone?: () => void }) {
  return (
    <div class="stack token-card" role="region" aria-label="Inbound token">
      <Banner tone="warning" role="status" title="Copy the token now">
        This is the only time the token is shown. The connector sends it as <span class="mono">Authorization: Bearer …</span>. If it is lost, create a new one.
      </Banner>
      <CopyValue label="Token" value={token} />
      <CopyValue label="Notify URL" value={notifyUrl} />
      {onDone && (
        <div class="row row--end">
          <Button onClick={onDone}>Done</Button>
        </div>
      )}
    </div>
  );
}

const NUMERIC = new Set(['wait_agent', 'wait_queue', 'transfer_timeout']);

/** Create or edit an account; agents, action flow and token on their own tabs. */
export function OpenChannelEditor({ id }: { id: number | 'new' }) {
  const creating = id === 'new';
  const [acc, setAcc] = useState<Json | null>(creating ? { name: '', description: null, key: null, reply_url: null, reply_method: 'POST', wait_agent: 10, wait_queue: 10, transfer_enabled: false, transfer_timeout: 60 } : null);
  const [patch, setPatch] = useState<Json>({});
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [token, setToken] = useState<string | null>(null);
  const [tab, setTab] = useState('settings');
  const [confirm, setConfirm] = useState<'delete' | 'token' | null>(null);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!creating) void getObject('GET', `/openchannel/accounts/${id}`).then((r) => (r.ok ? setAcc(r.value) : setMessage({ tone: 'error', text: genericMessage(r.error) })));
  }, [id, creating]);
  if (!acc) return message ? <Banner tone="error">{message.text}</Banner> : <p class="muted">Loading…</p>;

  const value = (k: string): unknown => (k in patch ? patch[k] : acc[k]);
  const set = (k: string, v: unknown) => setPatch((p) => ({ ...p, [k]: v }));
  const text = (k: string, v: string) => set(k, NUMERIC.has(k) && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v === '' && k !== 'name' ? null : v);
  const notifyUrl = `${location.origin}${str(acc['notify_path']) || `/api/openchannel/accounts/${str(acc['id'])}/notify`}`;

  async function save(e: Event) {
    e.preventDefault();
    const body = creating ? { ...acc, ...patch } : patch;
    const r = creating ? await getObject('POST', '/openchannel/accounts', body) : await getObject('PATCH', `/openchannel/accounts/${id}`, body);
    if (!r.ok) {
      setErrors(r.error.errors);
      setMessage({ tone: 'error', text: saveMessage(r.error, 'account') });
      const first = r.error.errors[0];
      if (first) setTimeout(() => focusField(form.current, first.field), 0);
      return;
    }
    setErrors([]);
    setPatch({});
    setAcc(r.value);
    if (creating) {
      setToken(str(r.value['token']));
      setMessage({ tone: 'success', text: 'Account created.' });
      return;
    }
    setMessage({ tone: 'success', text: 'Saved.' });
  }
  async function newToken() {
    setConfirm(null);
    const r = await getObject('POST', `/openchannel/accounts/${id}/token`);
    if (!r.ok) return setMessage({ tone: 'error', text: genericMessage(r.error) });
    setToken(str(r.value['token']));
  }
  async function remove() {
    setConfirm(null);
    const r = await send('DELETE', `/openchannel/accounts/${id}`);
    if (r.ok) return navigate('/admin/openchannel');
    setMessage({ tone: 'error', text: genericMessage(r.error) });
  }

  if (creating && token) {
    return (
      <section class="card card--form" aria-labelledby="oc-created-title">
        <h1 class="card__title" id="oc-created-title">
          Account {str(acc['name'])} created
        </h1>
        <TokenCard token={token} notifyUrl={`${location.origin}${str(acc['notify_path'])}`} onDone={() => navigate(`/admin/openchannel/${str(acc['id'])}`, true)} />
      </section>
    );
  }

  const settings = (
    <form ref={form} class="form-grid" onSubmit={(e) => void save(e)} noValidate>
      <TextField name="name" label="Name" value={str(value('name'))} onValueChange={(v) => text('name', v)} error={errorsOf(errors, 'name')} maxLength={128} />
      <TextField name="description" label="Description" value={str(value('description'))} onValueChange={(v) => text('description', v)} error={errorsOf(errors, 'description')} />
      <TextField name="reply_url" label="Reply URL" type="url" value={str(value('reply_url'))} onValueChange={(v) => text('reply_url', v)} error={errorsOf(errors, 'reply_url')} hint="http(s) address agents' replies are sent to. Empty: agents cannot reply." />
      <SelectField name="reply_method" label="Reply method" value={str(value('reply_method')) || 'POST'} options={['POST', 'PUT'].map((m) => ({ value: m, label: m }))} onValueChange={(v) => set('reply_method', v)} error={errorsOf(errors, 'reply_method')} />
      <TextField name="key" label="Connector key" value={str(value('key'))} onValueChange={(v) => text('key', v)} error={errorsOf(errors, 'key')} hint="The connector's own key (free text)." />
      <TextField name="wait_agent" label="Wait for the assigned agent (seconds)" type="number" min={1} value={str(value('wait_agent'))} onValueChange={(v) => text('wait_agent', v)} error={errorsOf(errors, 'wait_agent')} />
      <TextField name="wait_queue" label="Then wait in the last queue (seconds)" type="number" min={1} value={str(value('wait_queue'))} onValueChange={(v) => text('wait_queue', v)} error={errorsOf(errors, 'wait_queue')} />
      <CheckboxField name="transfer_enabled" label="Agents may transfer" checked={value('transfer_enabled') === true} onCheckedChange={(v) => set('transfer_enabled', v)} error={errorsOf(errors, 'transfer_enabled')} />
      <TextField name="transfer_timeout" label="Transfer timeout (seconds)" type="number" min={1} value={str(value('transfer_timeout'))} onValueChange={(v) => text('transfer_timeout', v)} error={errorsOf(errors, 'transfer_timeout')} disabled={value('transfer_enabled') !== true} />
      <div class="row row--end form-grid__wide">
        <Button type="submit">{creating ? 'Create account' : 'Save'}</Button>
      </div>
    </form>
  );

  return (
    <section class="card" aria-labelledby="oc-edit-title">
      <div class="card__header">
        <div>
          <Link href="/admin/openchannel" class="back-link">
            ← Open Channel accounts
          </Link>
          <h1 class="card__title" id="oc-edit-title">
            {creating ? 'New Open Channel account' : `Account ${str(acc['name'])}`}
          </h1>
        </div>
        {!creating && (
          <div class="row">
            <Link class="btn btn--secondary" href={`/admin/openchannel/${str(acc['id'])}/interactions`}>
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
        settings
      ) : (
        <Tabs
          label="Account"
          tabs={[
            { id: 'settings', label: 'Settings' },
            { id: 'agents', label: 'Agents' },
            { id: 'flow', label: 'Action flow' },
            { id: 'token', label: 'Inbound token' },
          ]}
          active={tab}
          onChange={setTab}
        >
          {tab === 'settings' && settings}
          {tab === 'agents' && <AccountAgents id={id as number} ids={Array.isArray(acc['agents']) ? acc['agents'].filter((x): x is number => typeof x === 'number') : []} onSaved={(ids) => setAcc({ ...acc, agents: ids })} />}
          {tab === 'flow' && <FlowEditor channel="openchannel" accountId={id as number} />}
          {tab === 'token' &&
            (token ? (
              <TokenCard token={token} notifyUrl={notifyUrl} />
            ) : (
              <div class="stack">
                <CopyValue label="Notify URL" value={notifyUrl} />
                <p class="muted">The token was shown once, when the account was created. A new one replaces it at once: the connector must be given the new one.</p>
                <div>
                  <Button variant="secondary" onClick={() => setConfirm('token')}>
                    Create a new token
                  </Button>
                </div>
              </div>
            ))}
        </Tabs>
      )}
      <Dialog
        title={confirm === 'token' ? 'Replace the token' : 'Delete account'}
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
        <p>{confirm === 'token' ? 'The current token stops working at once.' : `Delete ${str(acc['name'])} and its action flow? Its interactions stay readable.`}</p>
      </Dialog>
    </section>
  );
}

/** The account's agents (PUT replaces the list). */
function AccountAgents({ id, ids, onSaved }: { id: number; ids: number[]; onSaved: (ids: number[]) => void }) {
  const [all] = useLoad(() => getPage('/agents?limit=500&sort=username'), []);
  const [chosen, setChosen] = useState<number[]>(ids);
  const [q, setQ] = useState('');
  const [msg, setMsg] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const agents = all.kind === 'ready' ? all.value.items : [];
  const needle = q.trim().toLowerCase();
  async function save() {
    const r = await getObject('PUT', `/openchannel/accounts/${id}/agents`, { agent_ids: chosen });
    if (!r.ok) return setMsg({ tone: 'error', text: genericMessage(r.error) });
    setMsg({ tone: 'success', text: 'Agents saved.' });
    onSaved(chosen);
  }
  return (
    <div class="stack">
      {msg && (
        <Banner tone={msg.tone} role={msg.tone === 'error' ? 'alert' : 'status'}>
          {msg.text}
        </Banner>
      )}
      <TextField label="Filter agents" type="search" value={q} onValueChange={setQ} />
      <div class="check-grid" role="group" aria-label="Agents of the account">
        {agents
          .filter((a) => !needle || str(a['username']).toLowerCase().includes(needle) || str(a['full_name']).toLowerCase().includes(needle))
          .map((a) => {
            const aid = num(a['id']) ?? 0;
            return (
              <CheckboxField
                key={aid}
                label={`${str(a['full_name'])} (${str(a['username'])})`}
                checked={chosen.includes(aid)}
                onCheckedChange={(on) => setChosen((c) => (on ? [...c, aid] : c.filter((x) => x !== aid)))}
              />
            );
          })}
      </div>
      <div class="row row--end">
        <Button onClick={() => void save()}>Save agents</Button>
      </div>
    </div>
  );
}
