import { useRef, useState } from 'preact/hooks';
import { genericMessage, type ApiResult, type FieldError } from '../lib/auth';
import { buildTree, CANNED_VARIABLES, descendantCount, insertVariable, MAX_DISPOSITION_LEVEL, type TreeNode } from '../lib/sms';
import { getObject, getPage, num, send, str, type Json, type Page } from '../lib/staff';
import { Banner, Button, CheckboxField, Dialog, Menu, TextAreaField, TextField } from '../ui';
import { errorsOf, formatDate, useDebounced, useLoad } from './common';

/** A read-only value, wrapped so all of it shows, with a copy button (Receive URL, Delivery URL, proxy token). */
export function CopyField({ label, value }: { label: string; value: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'manual'>('idle');
  const wrap = useRef<HTMLDivElement>(null);
  async function copy() {
    const input = wrap.current?.querySelector('textarea');
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      // No clipboard permission: select the text so Ctrl+C copies it.
      input?.focus();
      input?.select();
      setState('manual');
    }
  }
  return (
    <div class="copy-field">
      <div class="copy-field__input" ref={wrap}>
        <TextAreaField label={label} value={value} onValueChange={() => undefined} readOnly rows={2} spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
      </div>
      <Button variant="secondary" onClick={() => void copy()} aria-label={`Copy the ${label.toLowerCase()}`}>
        {state === 'copied' ? 'Copied' : 'Copy'}
      </Button>
      <span class="sr-only" role="status">
        {state === 'copied' ? `${label} copied.` : state === 'manual' ? `${label} selected: press Ctrl+C to copy it.` : ''}
      </span>
    </div>
  );
}

/* ---- agents ------------------------------------------------------------------------------- */

export interface AgentPickerProps {
  accountId: number;
  ids: number[];
  onSaved: (ids: number[]) => void;
  /** Shown as a Cancel button (the list's "Add agent" dialog). */
  onCancel?: () => void;
}

/** The agents of the account: only they see its interactions. Saving replaces the list. */
export function AgentPicker({ accountId, ids, onSaved, onCancel }: AgentPickerProps) {
  const [all] = useLoad(() => getPage('/agents?limit=500&sort=username'), []);
  const [chosen, setChosen] = useState<number[]>(ids);
  const [q, setQ] = useState('');
  const [msg, setMsg] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const agents = all.kind === 'ready' ? all.value.items : [];
  const needle = q.trim().toLowerCase();
  const shown = agents.filter((a) => !needle || str(a['username']).toLowerCase().includes(needle) || str(a['full_name']).toLowerCase().includes(needle));
  async function save() {
    setBusy(true);
    const r = await getObject('PUT', `/sms/accounts/${accountId}/agents`, { agent_ids: chosen });
    setBusy(false);
    if (!r.ok) return setMsg({ tone: 'error', text: genericMessage(r.error) });
    const saved = Array.isArray(r.value['agents']) ? r.value['agents'].filter((x): x is number => typeof x === 'number') : chosen;
    setMsg({ tone: 'success', text: 'Agents saved.' });
    onSaved(saved);
  }
  return (
    <div class="stack">
      {msg && (
        <Banner tone={msg.tone} role={msg.tone === 'error' ? 'alert' : 'status'}>
          {msg.text}
        </Banner>
      )}
      <p class="muted small">Only the agents of the account see its interactions. {chosen.length} selected.</p>
      <TextField label="Filter agents" type="search" value={q} onValueChange={setQ} />
      {all.kind === 'error' && <Banner tone="error">{all.message}</Banner>}
      <div class="check-grid dialog__scroll" role="group" aria-label="Agents of the account">
        {shown.map((a) => {
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
      {all.kind === 'ready' && shown.length === 0 && <p class="muted">{agents.length ? 'No agent matches.' : 'No agent yet.'}</p>}
      <div class="row row--end">
        {onCancel && (
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        )}
        <Button onClick={() => void save()} disabled={busy}>
          Save agents
        </Button>
      </div>
    </div>
  );
}

/* ---- dispositions ------------------------------------------------------------------------- */

interface Disposition {
  id: number;
  parent_id: number | null;
  name: string;
  description: string;
  level: number;
}

async function fetchDispositions(accountId: number): Promise<ApiResult<Disposition[]>> {
  const out: Disposition[] = [];
  for (let offset = 0; offset < 20000; offset += 500) {
    const r = await getPage(`/dispositions?scope=account&channel=sms&account_id=${accountId}&limit=500&offset=${offset}`);
    if (!r.ok) return r;
    for (const d of r.value.items) out.push({ id: num(d['id']) ?? 0, parent_id: num(d['parent_id']), name: str(d['name']), description: str(d['description']), level: num(d['level']) ?? 1 });
    if (r.value.items.length < 500) break;
  }
  return { ok: true, value: out };
}

type DispoEdit = { mode: 'add'; parent: Disposition | null } | { mode: 'edit'; item: Disposition };

/** The account's dispositions: a three-level tree; deleting one deletes its children. */
export function Dispositions({ accountId }: { accountId: number }) {
  const [list, reload] = useLoad(() => fetchDispositions(accountId), [accountId]);
  const [edit, setEdit] = useState<DispoEdit | null>(null);
  const [removing, setRemoving] = useState<TreeNode<Disposition> | null>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [msg, setMsg] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const tree = list.kind === 'ready' ? buildTree(list.value) : [];

  function open(e: DispoEdit) {
    setEdit(e);
    setErrors([]);
    setName(e.mode === 'edit' ? e.item.name : '');
    setDescription(e.mode === 'edit' ? e.item.description : '');
  }
  async function save(ev: Event) {
    ev.preventDefault();
    if (!edit) return;
    setBusy(true);
    const fields = { name, description: description.trim() ? description : null };
    const r =
      edit.mode === 'edit'
        ? await getObject('PATCH', `/dispositions/${edit.item.id}`, fields)
        : await getObject('POST', '/dispositions', edit.parent ? { ...fields, parent_id: edit.parent.id } : { ...fields, scope: 'account', channel: 'sms', account_id: accountId });
    setBusy(false);
    if (!r.ok) {
      setErrors(r.error.errors);
      if (!r.error.errors.some((e) => e.field === 'name' || e.field === 'description')) setErrors([{ field: 'name', message: genericMessage(r.error) }]);
      return;
    }
    setMsg({ tone: 'success', text: edit.mode === 'edit' ? `Disposition ${str(r.value['name'])} saved.` : `Disposition ${str(r.value['path']) || str(r.value['name'])} added.` });
    setEdit(null);
    reload();
  }
  async function remove(node: TreeNode<Disposition>) {
    setBusy(true);
    const r = await send('DELETE', `/dispositions/${node.item.id}`);
    setBusy(false);
    setRemoving(null);
    setMsg(r.ok || r.error.status === 404 ? { tone: 'success', text: `Disposition ${node.item.name} deleted.` } : { tone: 'error', text: genericMessage(r.error) });
    reload();
  }

  function nodes(ns: TreeNode<Disposition>[], level: number) {
    return (
      <ul class="tree" role={level === 1 ? 'list' : undefined} aria-label={level === 1 ? 'Dispositions' : undefined}>
        {ns.map((n) => (
          <li key={n.item.id} class="tree__item">
            <div class="tree__row">
              <span class="tree__name">{n.item.name}</span>
              {n.item.description && <span class="muted small">{n.item.description}</span>}
              <span class="tree__tools">
                {n.level < MAX_DISPOSITION_LEVEL && (
                  <Button variant="ghost" onClick={() => open({ mode: 'add', parent: n.item })} aria-label={`Add a child to ${n.item.name}`}>
                    Add child
                  </Button>
                )}
                <Button variant="ghost" onClick={() => open({ mode: 'edit', item: n.item })} aria-label={`Edit ${n.item.name}`}>
                  Edit
                </Button>
                <Button variant="ghost" onClick={() => setRemoving(n)} aria-label={`Delete ${n.item.name}`}>
                  Delete
                </Button>
              </span>
            </div>
            {n.children.length > 0 && nodes(n.children, level + 1)}
          </li>
        ))}
      </ul>
    );
  }

  const dialogTitle = !edit ? '' : edit.mode === 'edit' ? `Edit ${edit.item.name}` : edit.parent ? `New disposition under ${edit.parent.name}` : 'New disposition';
  const removeCount = removing ? descendantCount(removing) : 0;
  return (
    <div class="stack">
      {msg && (
        <Banner tone={msg.tone} role={msg.tone === 'error' ? 'alert' : 'status'}>
          {msg.text}
        </Banner>
      )}
      <p class="muted small">The dispositions agents choose from when they close an interaction of this account (with the global ones), up to three levels.</p>
      {list.kind === 'error' && <Banner tone="error">{list.message}</Banner>}
      {list.kind === 'ready' && tree.length === 0 && <p class="muted">No disposition of this account yet.</p>}
      {tree.length > 0 && nodes(tree, 1)}
      <div>
        <Button variant="secondary" onClick={() => open({ mode: 'add', parent: null })}>
          Add disposition
        </Button>
      </div>
      <Dialog title={dialogTitle} open={edit !== null} onClose={() => setEdit(null)}>
        <form class="stack" onSubmit={(e) => void save(e)} noValidate>
          <TextField name="name" label="Name" value={name} onValueChange={setName} error={errorsOf(errors, 'name')} maxLength={127} required />
          <TextField name="description" label="Description" value={description} onValueChange={setDescription} error={errorsOf(errors, 'description')} maxLength={1024} />
          <div class="row row--end">
            <Button variant="secondary" onClick={() => setEdit(null)}>
              Cancel
            </Button>
            <Button type="submit" disabled={busy}>
              {edit?.mode === 'edit' ? 'Save' : 'Add'}
            </Button>
          </div>
        </form>
      </Dialog>
      <Dialog
        title="Delete disposition"
        open={removing !== null}
        onClose={() => setRemoving(null)}
        actions={
          <>
            <Button variant="secondary" onClick={() => setRemoving(null)} disabled={busy}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => removing && void remove(removing)} disabled={busy}>
              Delete
            </Button>
          </>
        }
      >
        <p>
          Delete {removing?.item.name}?{' '}
          {removeCount > 0 ? `It deletes its children too: ${removeCount} ${removeCount === 1 ? 'disposition' : 'dispositions'} below it.` : 'It has no children.'} Closed interactions keep the
          disposition they were given.
        </p>
      </Dialog>
    </div>
  );
}

/* ---- canned answers ----------------------------------------------------------------------- */

type CannedEdit = { mode: 'add' } | { mode: 'edit'; item: Json };

/** The account's canned answers: search, add, edit, delete; the body's variables explained. */
export function CannedAnswers({ accountId }: { accountId: number }) {
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim(), 250);
  const [list, reload] = useLoad((): Promise<ApiResult<Page<Json>>> => getPage(`/canned-answers?scope=account&channel=sms&account_id=${accountId}&limit=500${query ? `&q=${encodeURIComponent(query)}` : ''}`), [accountId, query]);
  const [edit, setEdit] = useState<CannedEdit | null>(null);
  const [removing, setRemoving] = useState<Json | null>(null);
  const [name, setName] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [msg, setMsg] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const items = list.kind === 'ready' ? list.value.items : [];

  function open(e: CannedEdit) {
    setEdit(e);
    setErrors([]);
    setName(e.mode === 'edit' ? str(e.item['name']) : '');
    setBody(e.mode === 'edit' ? str(e.item['body']) : '');
  }
  function insert(v: string) {
    const el = area.current;
    const start = el ? el.selectionStart : body.length;
    const end = el ? el.selectionEnd : body.length;
    const next = insertVariable(body, v, start, end);
    setBody(next.text);
    setTimeout(() => {
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    }, 0);
  }
  async function save(ev: Event) {
    ev.preventDefault();
    if (!edit) return;
    setBusy(true);
    const r = edit.mode === 'edit' ? await getObject('PATCH', `/canned-answers/${str(edit.item['id'])}`, { name, body }) : await getObject('POST', '/canned-answers', { name, body, scope: 'account', channel: 'sms', account_id: accountId });
    setBusy(false);
    if (!r.ok) {
      setErrors(r.error.errors.length ? r.error.errors : [{ field: 'name', message: genericMessage(r.error) }]);
      return;
    }
    setMsg({ tone: 'success', text: `Canned answer ${str(r.value['name'])} saved.` });
    setEdit(null);
    reload();
  }
  async function remove(item: Json) {
    setBusy(true);
    const r = await send('DELETE', `/canned-answers/${str(item['id'])}`);
    setBusy(false);
    setRemoving(null);
    setMsg(r.ok || r.error.status === 404 ? { tone: 'success', text: `Canned answer ${str(item['name'])} deleted.` } : { tone: 'error', text: genericMessage(r.error) });
    reload();
  }

  return (
    <div class="stack">
      {msg && (
        <Banner tone={msg.tone} role={msg.tone === 'error' ? 'alert' : 'status'}>
          {msg.text}
        </Banner>
      )}
      <p class="muted small">Answers available to agents only on interactions of this account (global ones are offered too).</p>
      <div class="toolbar">
        <TextField label="Search canned answers" type="search" value={q} onValueChange={setQ} maxLength={64} />
        <div class="toolbar__actions">
          <Button onClick={() => open({ mode: 'add' })}>Add canned answer</Button>
        </div>
      </div>
      {list.kind === 'error' && <Banner tone="error">{list.message}</Banner>}
      <div class="table-wrap table-wrap--menus">
        <table class="table" aria-label="Canned answers">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Text</th>
              <th scope="col">Changed</th>
              <th scope="col" class="table__actions">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={str(c['id'])}>
                <td>{str(c['name'])}</td>
                <td class="canned-body">{str(c['body'])}</td>
                <td>{formatDate(c['updated_at'])}</td>
                <td class="table__actions">
                  <Menu
                    label={`Actions for ${str(c['name'])}`}
                    items={[
                      { label: 'Edit', onSelect: () => open({ mode: 'edit', item: c }) },
                      { label: 'Delete', danger: true, onSelect: () => setRemoving(c) },
                    ]}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.kind === 'ready' && items.length === 0 && <p class="muted">{query ? 'No canned answer matches.' : 'No canned answer of this account yet.'}</p>}
      <Dialog title={edit?.mode === 'edit' ? `Edit ${str(edit.item['name'])}` : 'New canned answer'} open={edit !== null} onClose={() => setEdit(null)}>
        <form class="stack" onSubmit={(e) => void save(e)} noValidate>
          <TextField name="name" label="Name" value={name} onValueChange={setName} error={errorsOf(errors, 'name')} maxLength={128} required />
          <TextAreaField name="body" label="Text" value={body} onValueChange={setBody} error={errorsOf(errors, 'body')} maxLength={4096} rows={5} inputRef={area} hint="Variables like {{agent.alias}} are replaced when the agent uses the answer." />
          <details class="variables">
            <summary>Variables</summary>
            <ul class="variables__list">
              {CANNED_VARIABLES.map((v) => (
                <li key={v.name}>
                  <Button variant="ghost" onClick={() => insert(v.name)} aria-label={`Insert {{${v.name}}}`}>
                    <code>{`{{${v.name}}}`}</code>
                  </Button>
                  <span class="muted small">{v.meaning}</span>
                </li>
              ))}
            </ul>
          </details>
          <div class="row row--end">
            <Button variant="secondary" onClick={() => setEdit(null)}>
              Cancel
            </Button>
            <Button type="submit" disabled={busy}>
              {edit?.mode === 'edit' ? 'Save' : 'Add'}
            </Button>
          </div>
        </form>
      </Dialog>
      <Dialog
        title="Delete canned answer"
        open={removing !== null}
        onClose={() => setRemoving(null)}
        actions={
          <>
            <Button variant="secondary" onClick={() => setRemoving(null)} disabled={busy}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => removing && void remove(removing)} disabled={busy}>
              Delete
            </Button>
          </>
        }
      >
        <p>Delete the canned answer {str(removing?.['name'])}?</p>
      </Dialog>
    </div>
  );
}
