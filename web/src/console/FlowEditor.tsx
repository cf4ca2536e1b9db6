import { useEffect, useState } from 'preact/hooks';
import { genericMessage, type FieldError } from '../lib/auth';
import { fetchAllQueues, getObject, getPage, isRecord, num, str, type Json } from '../lib/staff';
import { Banner, Button, SelectField, TextField } from '../ui';
import { errorsOf, useLoad } from './common';

/** The applications of a flow and their fields (docs/flows.md). */
const APPS: { value: string; label: string }[] = [
  { value: 'queue', label: 'Queue' },
  { value: 'agent', label: 'Agent' },
  { value: 'auto_reply', label: 'Auto Reply' },
  { value: 'close', label: 'Close' },
  { value: 'tag', label: 'Tag' },
  { value: 'noop', label: 'Noop (log)' },
  { value: 'goto_if', label: 'GotoIf' },
  { value: 'goto_p', label: 'GotoP' },
];

const DEFAULTS: Record<string, Json> = {
  queue: { queue_id: null, timeout: 300 },
  agent: { agent_id: null, timeout: 60 },
  auto_reply: { text: '', mode: 'one_time' },
  close: { disposition: null },
  tag: { tag: '' },
  noop: { value: '' },
  goto_if: { condition: '', true_priority: 1, false_priority: null },
  goto_p: { priority: 1 },
};

const MAX_ACTIONS = 100;

export interface FlowEditorProps {
  channel: string;
  accountId: number;
}

/** The ordered actions of an account's flow; the position is the priority. Saved whole. */
export function FlowEditor({ channel, accountId }: FlowEditorProps) {
  const [actions, setActions] = useState<Json[] | null>(null);
  const [version, setVersion] = useState(0);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [msg, setMsg] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [queues] = useLoad(() => fetchAllQueues(), []);
  const [agents] = useLoad(() => getPage('/agents?limit=500&sort=username'), []);
  const [intervals] = useLoad(() => getPage('/intervals?limit=500'), []);

  useEffect(() => {
    void getObject('GET', `/flows/${channel}/${accountId}/actions`).then((r) => {
      if (!r.ok) return setMsg({ tone: 'error', text: genericMessage(r.error) });
      setActions(Array.isArray(r.value['actions']) ? r.value['actions'].filter(isRecord) : []);
      setVersion(num(r.value['version']) ?? 0);
    });
  }, [channel, accountId]);
  if (!actions) return msg ? <Banner tone="error">{msg.text}</Banner> : <p class="muted">Loading…</p>;

  const queueOpts = [{ value: '', label: 'Choose a queue…' }, ...(queues.kind === 'ready' ? queues.value : []).filter((q) => q['channel'] === channel).map((q) => ({ value: str(q['id']), label: str(q['name']) }))];
  const agentOpts = [{ value: '', label: 'Choose an agent…' }, ...(agents.kind === 'ready' ? agents.value.items : []).map((a) => ({ value: str(a['id']), label: `${str(a['full_name'])} (${str(a['username'])})` }))];
  const intervalOpts = [{ value: '', label: 'Always' }, ...(intervals.kind === 'ready' ? intervals.value.items : []).map((i) => ({ value: str(i['id']), label: str(i['name']) }))];

  const update = (i: number, patch: Json) => setActions((l) => (l ?? []).map((a, j) => (j === i ? { ...a, ...patch } : a)));
  const move = (i: number, d: number) =>
    setActions((l) => {
      const c = (l ?? []).slice();
      const [x] = c.splice(i, 1);
      if (x) c.splice(i + d, 0, x);
      return c;
    });
  const idOrNull = (v: string) => (/^\d+$/.test(v) ? Number(v) : null);
  const intOr = (v: string): unknown => (/^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v);

  async function save() {
    const r = await getObject('PUT', `/flows/${channel}/${accountId}/actions`, { actions });
    if (!r.ok) {
      setErrors(r.error.errors);
      return setMsg({ tone: 'error', text: r.error.status === 422 ? 'The flow was not saved: correct the actions marked below.' : genericMessage(r.error) });
    }
    setErrors([]);
    setVersion(num(r.value['version']) ?? version + 1);
    setMsg({ tone: 'success', text: 'Flow saved.' });
  }

  function fields(a: Json, i: number) {
    const err = (f: string) => errorsOf(errors, `actions[${i}].${f}`);
    const t = (f: string, label: string, extra: Json = {}) => (
      <TextField label={label} value={str(a[f])} onValueChange={(v) => update(i, { [f]: extra['int'] ? intOr(v) : extra['nullable'] && v === '' ? null : v })} error={err(f)} {...(extra['int'] ? { type: 'number' } : {})} />
    );
    switch (str(a['application'])) {
      case 'queue':
        return (
          <>
            <SelectField label="Queue" value={str(a['queue_id'])} options={queueOpts} onValueChange={(v) => update(i, { queue_id: idOrNull(v) })} error={err('queue_id')} />
            {t('timeout', 'Timeout (seconds)', { int: true })}
          </>
        );
      case 'agent':
        return (
          <>
            <SelectField label="Agent" value={str(a['agent_id'])} options={agentOpts} onValueChange={(v) => update(i, { agent_id: idOrNull(v) })} error={err('agent_id')} />
            {t('timeout', 'Timeout (seconds)', { int: true })}
          </>
        );
      case 'auto_reply':
        return (
          <>
            {t('text', 'Reply text')}
            <SelectField
              label="Mode"
              value={str(a['mode'])}
              options={[
                { value: 'one_time', label: 'One time' },
                { value: 'always', label: 'Always' },
                { value: 'first_message', label: 'First message' },
              ]}
              onValueChange={(v) => update(i, { mode: v })}
              error={err('mode')}
            />
          </>
        );
      case 'close':
        return t('disposition', 'Disposition', { nullable: true });
      case 'tag':
        return t('tag', 'Tag');
      case 'noop':
        return t('value', 'Value (${variables} allowed)', { nullable: true });
      case 'goto_if':
        return (
          <>
            {t('condition', 'Condition')}
            {t('true_priority', 'If true, go to', { int: true })}
            <TextField label="If false, go to" type="number" value={str(a['false_priority'])} onValueChange={(v) => update(i, { false_priority: v === '' ? null : intOr(v) })} error={err('false_priority')} hint="Empty: the next action." />
          </>
        );
      case 'goto_p':
        return t('priority', 'Go to', { int: true });
      default:
        return null;
    }
  }

  return (
    <div class="stack">
      {msg && (
        <Banner tone={msg.tone} role={msg.tone === 'error' ? 'alert' : 'status'}>
          {msg.text}
        </Banner>
      )}
      <p class="muted small">
        Actions run in order; the number is the priority GotoIf and GotoP jump to. An action outside its interval is skipped. Version {version}.
      </p>
      {actions.length === 0 && <p class="muted">No action: interactions stay open and unassigned.</p>}
      <ol class="flow-list" aria-label="Actions">
        {actions.map((a, i) => (
          <li key={i} class="flow-action" aria-label={`Action ${i + 1}`}>
            <div class="flow-action__head">
              <span class="flow-action__num" aria-hidden="true">
                {i + 1}
              </span>
              <SelectField label="Application" value={str(a['application'])} options={APPS} onValueChange={(v) => setActions((l) => (l ?? []).map((x, j) => (j === i ? { application: v, interval_id: x['interval_id'] ?? null, ...DEFAULTS[v] } : x)))} error={errorsOf(errors, `actions[${i}].application`)} />
              <SelectField label="Interval" value={str(a['interval_id'])} options={intervalOpts} onValueChange={(v) => update(i, { interval_id: idOrNull(v) })} error={errorsOf(errors, `actions[${i}].interval_id`)} />
              <div class="row flow-action__tools">
                <Button variant="ghost" onClick={() => move(i, -1)} disabled={i === 0} aria-label={`Move action ${i + 1} up`}>
                  ↑
                </Button>
                <Button variant="ghost" onClick={() => move(i, 1)} disabled={i === actions.length - 1} aria-label={`Move action ${i + 1} down`}>
                  ↓
                </Button>
                <Button variant="ghost" onClick={() => setActions((l) => (l ?? []).filter((_, j) => j !== i))} aria-label={`Remove action ${i + 1}`}>
                  Remove
                </Button>
              </div>
            </div>
            <div class="flow-action__fields">{fields(a, i)}</div>
          </li>
        ))}
      </ol>
      <div class="row">
        <Button variant="secondary" onClick={() => setActions((l) => [...(l ?? []), { application: 'queue', interval_id: null, ...DEFAULTS['queue'] }])} disabled={actions.length >= MAX_ACTIONS}>
          Add action
        </Button>
        <Button onClick={() => void save()}>Save flow</Button>
      </div>
    </div>
  );
}
