import { useEffect, useId, useState } from 'preact/hooks';
import { API_BASE } from '../lib/api';
import { str, type Json } from '../lib/staff';
import { Banner, Button, DataTable, Pager, TextField, type Column } from '../ui';
import { formatDate, useDebounced } from './common';
import { useList } from './useList';

/** The actions the server records (src/**: audit_record), offered as suggestions. */
const ACTIONS = [
  'login.success', 'login.failure', 'login.refused', 'login.mfa_challenge', 'login.mfa_failure', 'logout',
  'account.create', 'account.lock', 'account.unlock', 'password.change', 'password.reset', 'password.reset_request',
  'session.revoke', 'mfa.enable', 'mfa.disable', 'mfa.recovery_code_used', 'apikey.create', 'apikey.revoke',
  'settings.change', 'user.create', 'user.update', 'user.delete', 'agent.create', 'agent.update', 'agent.delete',
  'team.create', 'team.update', 'team.delete', 'team.agents_add', 'team.agents_remove',
  'queue.create', 'queue.update', 'queue.delete', 'queue.agents_add', 'queue.agents_remove', 'queue.teams_add', 'queue.teams_remove',
  'profile.delete', 'interval.delete', 'flow.update', 'report.export', 'audit.export',
];

/** A short one-line view of an entry's detail (JSON). */
export function detailText(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 159)}…` : s;
}

/**
 * The audit log (admins): newest first, filters by action, actor and target (a click on an
 * actor or target filters by it), paging, and the CSV export of the same filter.
 */
export function AuditLog() {
  const list = useList({ path: '/audit', mode: 'server', pageSize: 50 });
  const listId = useId();
  // What is typed; the list follows 300 ms after the last key (one request, not one per key).
  const [typed, setTyped] = useState<Record<string, string>>({});
  const settled = useDebounced(typed, 300);
  useEffect(() => {
    for (const [k, v] of Object.entries(settled)) if ((list.filters[k] ?? '') !== v) list.setFilter(k, v);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [settled]);
  const f = list.filters;
  const type = (name: string, v: string) => setTyped((t) => ({ ...t, [name]: v.trim() }));
  const shownValue = (name: string) => typed[name] ?? f[name] ?? '';
  const idFilter = (name: string, label: string) => (
    <TextField label={label} type="number" min={1} inputMode="numeric" value={shownValue(name)} onValueChange={(v) => type(name, v)} />
  );
  const setNow = (name: string, v: string) => {
    setTyped((t) => ({ ...t, [name]: v }));
    list.setFilter(name, v);
  };
  const filterBy = (name: string, v: unknown, text: string, what: string) =>
    typeof v === 'number' ? (
      <button type="button" class="link-btn" onClick={() => setNow(name, String(v))} title={`Show only this ${what}`}>
        {text}
      </button>
    ) : (
      <span class="muted">{text || '—'}</span>
    );
  const columns: Column<Json>[] = [
    { key: 'at', label: 'Time', class: 'nowrap', cell: (e) => formatDate(e['at']) },
    { key: 'actor', label: 'Actor', cell: (e) => filterBy('actor_id', e['actor_id'], str(e['actor_username']) || (e['actor_id'] === null ? 'system' : `#${str(e['actor_id'])}`), 'actor') },
    { key: 'action', label: 'Action', class: 'mono', cell: (e) => str(e['action']) },
    { key: 'target', label: 'Target', class: 'nowrap', cell: (e) => (e['target_id'] === null ? <span class="muted">—</span> : filterBy('target_id', e['target_id'], `${str(e['target_type'])} #${str(e['target_id'])}`, 'target')) },
    { key: 'ip', label: 'Address', class: 'mono', cell: (e) => str(e['ip']) },
    { key: 'detail', label: 'Detail', class: 'mono audit-detail', cell: (e) => detailText(e['detail']) },
  ];
  const filtered = Object.values(f).some(Boolean);
  return (
    <section class="card" aria-labelledby="audit-title">
      <div class="card__header">
        <h1 class="card__title" id="audit-title">
          Audit log
        </h1>
        <a class="btn btn--secondary" href={`${API_BASE}/audit/export.csv${list.queryText ? `?${list.queryText}` : ''}`} download="audit.csv">
          Export CSV
        </a>
      </div>
      <div class="toolbar">
        <TextField label="Action" list={listId} value={shownValue('action')} onValueChange={(v) => type('action', v)} hint="Exact name, e.g. login.failure" />
        <datalist id={listId}>
          {ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        {idFilter('actor_id', 'Actor id')}
        {idFilter('target_id', 'Target id')}
        {filtered && (
          <div class="toolbar__actions">
            <Button variant="secondary" onClick={() => ['action', 'actor_id', 'target_id'].forEach((k) => setNow(k, ''))}>
              Clear filters
            </Button>
          </div>
        )}
      </div>
      {list.error && (
        <Banner tone="error" role="alert">
          {list.error}
        </Banner>
      )}
      <DataTable labelledBy="audit-title" columns={columns} rows={list.rows} rowId={(e) => e['id'] as number} busy={list.busy} empty={filtered ? 'No entry matches the filters.' : 'The log is empty.'} />
      <Pager offset={list.offset} pageSize={list.pageSize} shown={list.rows.length} total={list.total} noun="entries" busy={list.busy} onOffset={list.setOffset} />
    </section>
  );
}
