import { useEffect, useRef, useState } from 'preact/hooks';
import { genericMessage, type FieldError, type Session } from '../lib/auth';
import { Link, navigate } from '../lib/router';
import {
  can,
  CHANNEL_LABELS,
  CHANNELS,
  fetchAgentSchema,
  fetchAllQueues,
  getObject,
  getPage,
  isMissingRoute,
  send,
  str,
  TYPOLOGY_LABELS,
  type AgentSchema,
  type Json,
  type SettingField,
} from '../lib/staff';
import { Banner, Button, CheckboxField, Dialog, SelectField, Tabs, TextField } from '../ui';
import { errorsOf, focusField, formatDate, saveMessage } from './common';
import { SettingInput } from './SettingInput';

/** Identity fields (not in the settings schema) and the tab that shows each. */
const IDENTITY_TAB: Record<string, string> = {
  full_name: 'personal',
  username: 'personal',
  alias: 'personal',
  typology: 'personal',
  email: 'personal',
  internal: 'personal',
  description: 'personal',
  password: 'personal',
  disabled: 'security',
  ad_sso: 'security',
  locked: 'security',
  mfa_enabled: 'security',
};

const TYPOLOGY_ONLY: Record<string, string> = { phonebar: 'phonebar', webrtc: 'webrtc', mobile: 'mobile' };

export interface AgentEditorProps {
  session: Session;
  id: number | 'new';
}

/** Create or edit an agent: the seed's tabs, rendered from GET /agents/schema. */
export function AgentEditor({ session, id }: AgentEditorProps) {
  const creating = id === 'new';
  const [schema, setSchema] = useState<AgentSchema | null>(null);
  const [agent, setAgent] = useState<Json | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [patch, setPatch] = useState<Json>({});
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [tab, setTab] = useState('personal');
  const [busy, setBusy] = useState(false);
  const [dialog, setDialog] = useState<'password' | 'queues' | 'teams' | null>(null);
  const [focusNext, setFocusNext] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const mayEdit = can(session, 'agents', 'edit') && (creating ? session.user.role === 'admin' : true);

  useEffect(() => {
    void (async () => {
      const s = await fetchAgentSchema();
      if (!s.ok) return setLoadError(genericMessage(s.error));
      setSchema(s.value);
      if (creating) return;
      const a = await getObject('GET', `/agents/${id}`);
      if (!a.ok) return setLoadError(a.error.status === 404 ? 'No such agent.' : genericMessage(a.error));
      setAgent(a.value);
    })();
  }, [id, creating]);

  // After a failed save the first bad field's tab is shown; then its control gets focus.
  useEffect(() => {
    if (focusNext && focusField(form.current, focusNext)) setFocusNext(null);
  }, [focusNext, tab]);

  if (loadError) {
    return (
      <Banner tone="error" role="alert">
        {loadError} <Link href="/admin/agents">Back to the agents</Link>
      </Banner>
    );
  }
  if (!schema || (!creating && !agent)) {
    return (
      <p class="muted" role="status">
        Loading…
      </p>
    );
  }

  const typology = str(patch['typology'] ?? agent?.['typology'] ?? 'phonebar');
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  const value = (k: string): unknown => {
    if (k in patch) return patch[k];
    if (agent && k in agent) return agent[k];
    const f = byName.get(k);
    if (f) return f.defaults[typology] ?? null;
    return k === 'typology' ? 'phonebar' : k === 'disabled' || k === 'ad_sso' ? false : '';
  };
  const set = (k: string, v: unknown) => {
    setPatch((p) => ({ ...p, [k]: v }));
    setMessage(null);
  };
  const dirty = Object.keys(patch).length > 0;

  // Tabs: the typology-only ones for their typology; a tab is shown when a field applies.
  const visible = schema.sections.filter((s) => {
    const only = TYPOLOGY_ONLY[s.id];
    if (only) return only === typology;
    return s.id === 'personal' || s.id === 'security' || schema.fields.some((f) => f.section === s.id && f.typologies.includes(typology));
  });
  const tabOf = (field: string): string | null => {
    const f = byName.get(field);
    const t = f ? f.section : (IDENTITY_TAB[field] ?? null);
    return t && visible.some((s) => s.id === t) ? t : null;
  };
  const badTabs = new Set(errors.map((e) => tabOf(e.field)).filter((t): t is string => t !== null));
  const orphanErrors = errors.filter((e) => tabOf(e.field) === null);

  async function save(e: Event) {
    e.preventDefault();
    if (busy || !mayEdit) return;
    setBusy(true);
    setMessage(null);
    const body: Json = { ...patch };
    if (creating) {
      // Identity fields are always sent; settings only when changed (typology defaults apply).
      for (const k of ['username', 'full_name', 'password', 'typology']) body[k] = value(k);
      for (const k of ['email', 'alias', 'description']) if (body[k] === '') delete body[k];
      if (body['internal'] === '' || body['internal'] === undefined) delete body['internal'];
    }
    const r = creating ? await getObject('POST', '/agents', body) : await getObject('PATCH', `/agents/${id}`, body);
    setBusy(false);
    if (!r.ok) {
      setErrors(r.error.errors);
      setMessage({ tone: 'error', text: saveMessage(r.error, 'agent') });
      const first = r.error.errors.find((x) => tabOf(x.field) !== null);
      if (first) {
        const t = tabOf(first.field);
        if (t) setTab(t);
        setFocusNext(first.field);
      }
      return;
    }
    setErrors([]);
    setPatch({});
    if (creating) {
      navigate(`/admin/agents/${str(r.value['id'])}`, true);
      return;
    }
    setAgent(r.value);
    setMessage({ tone: 'success', text: 'Saved.' });
  }

  function identity(t: string) {
    if (t === 'personal') {
      const typologies = schema ? schema.typologies : Object.keys(TYPOLOGY_LABELS);
      return (
        <>
          <TextField name="full_name" label="Full name" required value={str(value('full_name'))} onValueChange={(v) => set('full_name', v)} error={errorsOf(errors, 'full_name')} disabled={!mayEdit} />
          <TextField
            name="username"
            label="Username"
            required
            value={str(value('username'))}
            onValueChange={(v) => set('username', v)}
            error={errorsOf(errors, 'username')}
            readOnly={!creating}
            disabled={!mayEdit}
            {...(creating ? { hint: "Letters, digits, '.' and '_'; it cannot be changed later." } : {})}
          />
          {creating && (
            <TextField name="password" label="Password" type="password" autoComplete="new-password" required value={str(value('password'))} onValueChange={(v) => set('password', v)} error={errorsOf(errors, 'password')} />
          )}
          <SelectField
            name="typology"
            label="Typology"
            value={typology}
            options={typologies.map((v) => ({ value: v, label: TYPOLOGY_LABELS[v] ?? v }))}
            onValueChange={(v) => set('typology', v)}
            error={errorsOf(errors, 'typology')}
            disabled={!mayEdit}
          />
          <TextField name="alias" label="Alias" value={str(value('alias'))} onValueChange={(v) => set('alias', v === '' ? null : v)} error={errorsOf(errors, 'alias')} disabled={!mayEdit} />
          <TextField name="email" label="E-mail" type="email" value={str(value('email'))} onValueChange={(v) => set('email', v === '' ? null : v)} error={errorsOf(errors, 'email')} disabled={!mayEdit} />
          <TextField
            name="internal"
            label="Internal extension"
            inputMode="numeric"
            value={str(value('internal'))}
            onValueChange={(v) => set('internal', v.trim() === '' ? (creating ? '' : null) : /^\d+$/.test(v.trim()) ? Number(v.trim()) : v)}
            error={errorsOf(errors, 'internal')}
            disabled={!mayEdit}
            {...(creating ? { hint: 'Leave empty to get the next free extension.' } : {})}
          />
          <TextField name="description" label="Description" value={str(value('description'))} onValueChange={(v) => set('description', v === '' ? null : v)} error={errorsOf(errors, 'description')} disabled={!mayEdit} />
        </>
      );
    }
    if (t === 'security') {
      return (
        <>
          {!creating && (
            <p class="muted">Last password reset: {formatDate(agent?.['last_password_reset_at']) || 'never'}</p>
          )}
          <CheckboxField name="disabled" label="Disabled" checked={value('disabled') === true} onCheckedChange={(v) => set('disabled', v)} error={errorsOf(errors, 'disabled')} disabled={!mayEdit} />
          <CheckboxField name="ad_sso" label="Active Directory single sign-on" checked={value('ad_sso') === true} onCheckedChange={(v) => set('ad_sso', v)} error={errorsOf(errors, 'ad_sso')} disabled={!mayEdit} />
          {agent?.['locked'] === true && (
            <CheckboxField name="locked" label="Locked (clear to unlock)" checked={value('locked') === true} onCheckedChange={(v) => (v ? setPatch(({ locked: _l, ...p }) => p) : set('locked', false))} error={errorsOf(errors, 'locked')} disabled={!mayEdit} />
          )}
          {agent?.['mfa_enabled'] === true && (
            <CheckboxField name="mfa_enabled" label="Two-step verification (clear to disable)" checked={value('mfa_enabled') === true} onCheckedChange={(v) => (v ? setPatch(({ mfa_enabled: _m, ...p }) => p) : set('mfa_enabled', false))} error={errorsOf(errors, 'mfa_enabled')} disabled={!mayEdit} />
          )}
        </>
      );
    }
    return null;
  }

  const fieldsOf = (section: string): SettingField[] => schema.fields.filter((f) => f.section === section && f.typologies.includes(typology));
  const active = visible.some((s) => s.id === tab) ? tab : 'personal';
  const title = creating ? 'New agent' : `Agent ${str(agent?.['username'])}`;

  return (
    <section class="card" aria-labelledby="agent-title">
      <div class="card__header">
        <div>
          <Link href="/admin/agents" class="back-link">
            ← Agents
          </Link>
          <h1 class="card__title" id="agent-title">
            {title}
          </h1>
        </div>
        {!creating && mayEdit && typeof id === 'number' && (
          <div class="row">
            <Button variant="secondary" onClick={() => setDialog('queues')}>
              Channels
            </Button>
            <TeamsButton agentId={id} onOpen={() => setDialog('teams')} />
            <Button variant="secondary" onClick={() => setDialog('password')}>
              Change password
            </Button>
          </div>
        )}
      </div>
      {message && (
        <Banner tone={message.tone} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
          {orphanErrors.length > 0 && (
            <ul class="field__error-list">
              {orphanErrors.map((x) => (
                <li key={x.field + x.message}>
                  {x.field}: {x.message}
                </li>
              ))}
            </ul>
          )}
        </Banner>
      )}
      <form ref={form} class="stack" onSubmit={(e) => void save(e)} noValidate>
        <Tabs label="Agent settings" tabs={visible.map((s) => ({ id: s.id, label: s.label, invalid: badTabs.has(s.id) }))} active={active} onChange={setTab}>
          <div class="form-grid">
            {identity(active)}
            {fieldsOf(active).map((f) => (
              <div key={f.name} class={f.type === 'enum_list' || f.type === 'bool_map' ? 'form-grid__wide' : ''}>
                <SettingInput field={f} value={value(f.name)} onChange={(v) => set(f.name, v)} error={errorsOf(errors, f.name)} disabled={!mayEdit} />
              </div>
            ))}
          </div>
        </Tabs>
        {mayEdit && (
          <div class="row row--end">
            {dirty && <span class="muted">Unsaved changes</span>}
            <Button variant="secondary" disabled={!dirty || busy} onClick={() => { setPatch({}); setErrors([]); setMessage(null); }}>
              Discard changes
            </Button>
            <Button type="submit" disabled={busy || (!creating && !dirty)}>
              {creating ? 'Create agent' : 'Save'}
            </Button>
          </div>
        )}
      </form>
      {typeof id === 'number' && (
        <>
          <PasswordDialog agentId={id} open={dialog === 'password'} onClose={() => setDialog(null)} />
          <QueuesDialog agentId={id} open={dialog === 'queues'} onClose={() => setDialog(null)} />
          <TeamsDialog agentId={id} open={dialog === 'teams'} onClose={() => setDialog(null)} />
        </>
      )}
    </section>
  );
}

function PasswordDialog({ agentId, open, onClose }: { agentId: number; open: boolean; onClose: () => void }) {
  const [pw, setPw] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) {
      setPw('');
      setConfirm('');
      setErrors([]);
      setError(null);
      setDone(false);
    }
  }, [open]);
  async function submit(e: Event) {
    e.preventDefault();
    if (pw !== confirm) return setErrors([{ field: 'confirm', message: 'the two passwords do not match' }]);
    setBusy(true);
    const r = await send('POST', `/agents/${agentId}/password`, { password: pw });
    setBusy(false);
    if (r.ok) return setDone(true);
    setErrors(r.error.errors);
    setError(r.error.errors.length ? null : genericMessage(r.error));
  }
  return (
    <Dialog title="Change password" open={open} onClose={onClose}>
      {done ? (
        <>
          <Banner tone="success" role="status">
            Password set. The agent's sessions ended; the agent chooses a new password at the next login.
          </Banner>
          <div class="row row--end">
            <Button onClick={onClose}>Close</Button>
          </div>
        </>
      ) : (
        <form class="stack" onSubmit={(e) => void submit(e)} noValidate>
          {error && (
            <Banner tone="error" role="alert">
              {error}
            </Banner>
          )}
          <TextField name="password" label="New password" type="password" autoComplete="new-password" value={pw} onValueChange={setPw} error={errorsOf(errors, 'password')} />
          <TextField name="confirm" label="Confirm new password" type="password" autoComplete="new-password" value={confirm} onValueChange={setConfirm} error={errorsOf(errors, 'confirm')} />
          <div class="row row--end">
            <Button variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={busy || !pw}>
              Set password
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** Add the agent to queues of any channel: one, several, or all at once. */
function QueuesDialog({ agentId, open, onClose }: { agentId: number; open: boolean; onClose: () => void }) {
  const [queues, setQueues] = useState<Json[] | null>(null);
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [status, setStatus] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!open) return;
    setChosen(new Set());
    setStatus(null);
    void fetchAllQueues().then((r) => {
      if (r.ok) setQueues(r.value);
      else setStatus({ tone: 'error', text: genericMessage(r.error) });
    });
  }, [open]);
  const all = queues ?? [];
  async function add() {
    const ids = [...chosen];
    setBusy(true);
    let r = await send('POST', `/agents/${agentId}/queues`, { queue_ids: ids });
    if (!r.ok && isMissingRoute(r.error)) {
      for (const q of ids) {
        r = await send('POST', `/queues/${q}/agents`, { agent_ids: [agentId] });
        if (!r.ok) break;
      }
    }
    setBusy(false);
    setStatus(r.ok ? { tone: 'success', text: `Added to ${ids.length} ${ids.length === 1 ? 'queue' : 'queues'}.` } : { tone: 'error', text: genericMessage(r.error) });
    if (r.ok) setChosen(new Set());
  }
  return (
    <Dialog
      title="Add to queues"
      open={open}
      onClose={onClose}
      actions={
        <>
          <Button variant="secondary" onClick={onClose}>
            Close
          </Button>
          <Button onClick={() => void add()} disabled={busy || chosen.size === 0}>
            Add to {chosen.size} {chosen.size === 1 ? 'queue' : 'queues'}
          </Button>
        </>
      }
    >
      {status && (
        <Banner tone={status.tone} role={status.tone === 'error' ? 'alert' : 'status'}>
          {status.text}
        </Banner>
      )}
      {queues === null ? (
        <p class="muted">Loading…</p>
      ) : all.length === 0 ? (
        <p class="muted">There are no queues yet.</p>
      ) : (
        <div class="stack dialog__scroll">
          <CheckboxField label="All queues of every channel" checked={chosen.size === all.length} onCheckedChange={(v) => setChosen(v ? new Set(all.map((q) => q['id'] as number)) : new Set())} />
          {CHANNELS.filter((c) => all.some((q) => q['channel'] === c)).map((c) => (
            <fieldset key={c} class="fieldset">
              <legend class="field__label">{CHANNEL_LABELS[c]}</legend>
              {all
                .filter((q) => q['channel'] === c)
                .map((q) => {
                  const qid = q['id'] as number;
                  return (
                    <CheckboxField
                      key={qid}
                      label={str(q['name'])}
                      checked={chosen.has(qid)}
                      onCheckedChange={(v) => {
                        const next = new Set(chosen);
                        if (v) next.add(qid);
                        else next.delete(qid);
                        setChosen(next);
                      }}
                    />
                  );
                })}
            </fieldset>
          ))}
        </div>
      )}
    </Dialog>
  );
}

/** The Teams header button, shown only when the server has teams (GET /teams answers). */
function TeamsButton({ agentId, onOpen }: { agentId: number; onOpen: () => void }) {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    void getPage('/teams?limit=1').then((r) => setAvailable(r.ok));
  }, [agentId]);
  if (!available) return null;
  return (
    <Button variant="secondary" onClick={onOpen}>
      Teams
    </Button>
  );
}

function TeamsDialog({ agentId, open, onClose }: { agentId: number; open: boolean; onClose: () => void }) {
  const [teams, setTeams] = useState<Json[] | null>(null);
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [status, setStatus] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  useEffect(() => {
    if (!open) return;
    setStatus(null);
    setChosen(new Set());
    void getPage('/teams?limit=500').then((r) => (r.ok ? setTeams(r.value.items) : setStatus({ tone: 'error', text: genericMessage(r.error) })));
  }, [open]);
  async function add() {
    const r = await send('POST', `/agents/${agentId}/teams`, { team_ids: [...chosen] });
    setStatus(r.ok ? { tone: 'success', text: 'Added to the teams.' } : { tone: 'error', text: genericMessage(r.error) });
  }
  return (
    <Dialog
      title="Add to teams"
      open={open}
      onClose={onClose}
      actions={
        <>
          <Button variant="secondary" onClick={onClose}>
            Close
          </Button>
          <Button onClick={() => void add()} disabled={chosen.size === 0}>
            Add
          </Button>
        </>
      }
    >
      {status && <Banner tone={status.tone}>{status.text}</Banner>}
      {(teams ?? []).map((t) => {
        const tid = t['id'] as number;
        return (
          <CheckboxField
            key={tid}
            label={str(t['name'])}
            checked={chosen.has(tid)}
            onCheckedChange={(v) => {
              const next = new Set(chosen);
              if (v) next.add(tid);
              else next.delete(tid);
              setChosen(next);
            }}
          />
        );
      })}
    </Dialog>
  );
}
