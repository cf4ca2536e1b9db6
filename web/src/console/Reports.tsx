import { useState } from 'preact/hooks';
import { API_BASE } from '../lib/api';
import { call, type ApiResult } from '../lib/auth';
import { hms, shortDuration, totalsBy } from '../lib/chart';
import { sortRows } from '../lib/list';
import { CHANNEL_LABELS, isRecord, num, str, type Json } from '../lib/staff';
import { Banner, BarChart, DataTable, Pager, SelectField, Tabs, TextField, type Column } from '../ui';
import { formatDate, useLoad } from './common';
import { useList } from './useList';

/** The digital channels with reports (docs/reports.md). */
const REPORT_CHANNELS = ['sms', 'openchannel', 'chat', 'email', 'whatsapp', 'fax'];
const DAY = 86400000;

/** YYYY-MM-DD of a UTC instant. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The API's half-open [from, to) for the inclusive days the user picked (UTC midnights), or
 * the message for the field that is wrong.
 */
export function dayRange(from: string, to: string): { ok: true; from: string; to: string } | { ok: false; field: 'from' | 'to'; message: string } {
  const re = /^\d{4}-\d{2}-\d{2}$/;
  const f = Date.parse(`${from}T00:00:00Z`);
  const t = Date.parse(`${to}T00:00:00Z`);
  if (!re.test(from) || Number.isNaN(f)) return { ok: false, field: 'from', message: 'Choose a day.' };
  if (!re.test(to) || Number.isNaN(t)) return { ok: false, field: 'to', message: 'Choose a day.' };
  if (t < f) return { ok: false, field: 'to', message: 'Must be on or after the first day.' };
  return { ok: true, from, to: isoDay(t + DAY) };
}

/** Every item of a report page (summary rows have no id). */
async function getItems(path: string): Promise<ApiResult<{ items: Json[]; total: number }>> {
  const r = await call('GET', path);
  if (!r.ok) return r;
  const v = r.value;
  if (!isRecord(v) || !Array.isArray(v['items'])) return { ok: false, error: { status: -1, code: null, detail: null, errors: [], retryAfter: null } };
  const items = v['items'].filter(isRecord);
  return { ok: true, value: { items, total: num(v['total']) ?? items.length } };
}

const agentLabel = (r: Json) => str(r['agent_name']) || str(r['agent_username']) || `#${str(r['agent_id'])}`;
const reasonLabel = (v: unknown) => (v === null ? 'waiting' : str(v));

/**
 * Reports (docs/reports.md): per channel, the queue summary as charts (interactions by outcome,
 * average wait) and tables of the queue attempts; agents' sessions and pauses with the time per
 * agent as a chart. Days are UTC, both ends included. Every table has its CSV export with the
 * same filters.
 */
export function Reports() {
  const today = isoDay(Date.now());
  const [from, setFrom] = useState(isoDay(Date.now() - 6 * DAY));
  const [to, setTo] = useState(today);
  const [channel, setChannel] = useState('sms');
  const [tab, setTab] = useState('queues');
  const range = dayRange(from, to);
  const rangeKey = range.ok ? `from=${range.from}&to=${range.to}` : null;
  return (
    <section class="card" aria-labelledby="reports-title">
      <div class="card__header">
        <h1 class="card__title" id="reports-title">
          Reports
        </h1>
      </div>
      <div class="toolbar">
        <SelectField label="Channel" value={channel} options={REPORT_CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] ?? c }))} onValueChange={setChannel} />
        <TextField label="From" type="date" value={from} max={to || today} onValueChange={setFrom} error={!range.ok && range.field === 'from' ? range.message : undefined} />
        <TextField label="To" type="date" value={to} min={from} onValueChange={setTo} error={!range.ok && range.field === 'to' ? range.message : undefined} />
      </div>
      <p class="muted">Days in UTC, both included. Times in the tables are shown in your browser's time zone.</p>
      <Tabs
        label="Report"
        tabs={[
          { id: 'queues', label: 'Queues' },
          { id: 'sessions', label: 'Agent sessions' },
          { id: 'pauses', label: 'Agent pauses' },
        ]}
        active={tab}
        onChange={setTab}
      >
        {rangeKey === null ? (
          <p class="muted">Choose the days to report on.</p>
        ) : tab === 'queues' ? (
          <QueueReport key={`${channel}?${rangeKey}`} channel={channel} range={rangeKey} />
        ) : (
          <AgentReport key={`${tab}/${channel}?${rangeKey}`} kind={tab === 'sessions' ? 'sessions' : 'pauses'} channel={channel} range={rangeKey} />
        )}
      </Tabs>
    </section>
  );
}

function QueueReport({ channel, range }: { channel: string; range: string }) {
  const base = `/reports/${channel}/queue`;
  const [summary] = useLoad(() => getItems(`${base}/summary?${range}&limit=500`), [base, range]);
  const [summarySort, setSummarySort] = useState<{ key: string; desc: boolean } | null>(null);
  // The range is one of the list's filters (key= remounts this on every change).
  const rows = useList({ path: base, mode: 'server', initialSort: { key: 'joined_at', desc: true }, initialFilters: Object.fromEntries(new URLSearchParams(range)) });
  const items = summary.kind === 'ready' ? summary.value.items : [];
  const byJoined = sortRows(items, (r) => r['joined'], true);
  const summaryRows = summarySort ? sortRows(items, (r) => r[summarySort.key], summarySort.desc) : items;
  const summaryColumns: Column<Json>[] = [
    { key: 'queue_name', label: 'Queue', sortable: true, cell: (r) => str(r['queue_name']) || <span class="muted">deleted queue</span> },
    { key: 'joined', label: 'Joined', sortable: true, cell: (r) => str(r['joined']) },
    { key: 'accepted', label: 'Accepted', sortable: true, cell: (r) => str(r['accepted']) },
    { key: 'timeout', label: 'Timeout', sortable: true, cell: (r) => str(r['timeout']) },
    { key: 'abandoned', label: 'Abandoned', sortable: true, cell: (r) => str(r['abandoned']) },
    { key: 'waiting', label: 'Waiting', sortable: true, cell: (r) => str(r['waiting']) },
    { key: 'avg_wait_ms', label: 'Average wait', sortable: true, class: 'mono', cell: (r) => hms(num(r['avg_wait_ms'])) },
  ];
  const rowColumns: Column<Json>[] = [
    { key: 'joined_at', label: 'Joined', sortable: true, cell: (r) => formatDate(r['joined_at']) },
    { key: 'interaction_id', label: 'Interaction', sortable: true, class: 'mono', cell: (r) => str(r['interaction_id']) },
    { key: 'queue_id', label: 'Queue', sortable: true, cell: (r) => str(r['queue_name']) },
    { key: 'reason', label: 'Outcome', sortable: true, cell: (r) => reasonLabel(r['reason']) },
    { key: 'agent_id', label: 'Agent', sortable: true, cell: (r) => (r['agent_id'] === null ? '' : agentLabel(r)) },
    { key: 'wait', label: 'Wait', sortable: true, class: 'mono', cell: (r) => hms(num(r['wait_ms'])) },
  ];
  const exportUrl = (path: string, q: string) => `${API_BASE}${path}/export.csv?${q}`;
  return (
    <div class="stack">
      {summary.kind === 'error' && (
        <Banner tone="error" role="alert">
          {summary.message}
        </Banner>
      )}
      <div class="chart-grid">
        <BarChart
          title="Interactions per queue"
          integer
          series={[
            { label: 'Accepted', tone: 'accepted' },
            { label: 'Timeout', tone: 'timeout' },
            { label: 'Abandoned', tone: 'abandoned' },
            { label: 'Waiting', tone: 'waiting' },
          ]}
          rows={byJoined.map((r) => ({ label: str(r['queue_name']) || 'deleted queue', values: ['accepted', 'timeout', 'abandoned', 'waiting'].map((k) => num(r[k]) ?? 0) }))}
        />
        <BarChart
          title="Average wait before an agent accepted"
          series={[{ label: 'Average wait', tone: 'primary' }]}
          format={shortDuration}
          rows={sortRows(items.filter((r) => num(r['avg_wait_ms']) !== null), (r) => r['avg_wait_ms'], true).map((r) => ({ label: str(r['queue_name']) || 'deleted queue', values: [num(r['avg_wait_ms']) ?? 0] }))}
        />
      </div>
      <div class="section-head">
        <h2 class="section-title" id="summary-title">
          Summary per queue
        </h2>
        <a class="btn btn--secondary" href={exportUrl(`${base}/summary`, range)} download>
          Export summary CSV
        </a>
      </div>
      <DataTable
        labelledBy="summary-title"
        compact
        columns={summaryColumns}
        rows={summaryRows}
        rowId={(r) => str(r['queue_id']) || 'none'}
        sort={summarySort}
        onSort={(k) => setSummarySort((s) => ({ key: k, desc: s?.key === k ? !s.desc : false }))}
        busy={summary.kind === 'loading'}
        empty="No interaction joined a queue of this channel in this period."
      />
      <div class="section-head">
        <h2 class="section-title" id="attempts-title">
          Queue attempts
        </h2>
        <a class="btn btn--secondary" href={exportUrl(base, rows.queryText)} download>
          Export CSV
        </a>
      </div>
      {rows.error && (
        <Banner tone="error" role="alert">
          {rows.error}
        </Banner>
      )}
      <DataTable labelledBy="attempts-title" compact columns={rowColumns} rows={rows.rows} rowId={(r) => r['id'] as number} sort={rows.sort} onSort={rows.toggleSort} busy={rows.busy} empty="No attempt in this period." />
      <Pager offset={rows.offset} pageSize={rows.pageSize} shown={rows.rows.length} total={rows.total} noun="attempts" busy={rows.busy} onOffset={rows.setOffset} />
    </div>
  );
}

function AgentReport({ kind, channel, range }: { kind: 'sessions' | 'pauses'; channel: string; range: string }) {
  const path = kind === 'sessions' ? '/reports/agent-sessions' : '/reports/agent-pauses';
  const start = kind === 'sessions' ? 'login_at' : 'paused_at';
  const end = kind === 'sessions' ? 'logout_at' : 'unpaused_at';
  const filter = `${range}&channel=${encodeURIComponent(channel)}`;
  // The chart sums the durations of up to 500 rows; the table pages through all of them.
  const [all] = useLoad(() => getItems(`${path}?${filter}&limit=500`), [path, filter]);
  const rows = useList({ path, mode: 'server', initialSort: { key: start, desc: true }, initialFilters: Object.fromEntries(new URLSearchParams(filter)) });
  const items = all.kind === 'ready' ? all.value.items : [];
  const totals = totalsBy(items, (r) => num(r['agent_id']), agentLabel, (r) => num(r['duration_ms']) ?? 0);
  const columns: Column<Json>[] = [
    { key: start, label: kind === 'sessions' ? 'Login' : 'Paused', sortable: true, cell: (r) => formatDate(r[start]) },
    { key: end, label: kind === 'sessions' ? 'Logout' : 'Unpaused', sortable: true, cell: (r) => formatDate(r[end]) || <span class="muted">{kind === 'sessions' ? 'still logged in' : 'still paused'}</span> },
    { key: 'agent_id', label: 'Agent', sortable: true, cell: agentLabel },
    kind === 'sessions' ? { key: 'channel', label: 'Channel', sortable: true, cell: (r) => CHANNEL_LABELS[str(r['channel'])] ?? str(r['channel']) } : { key: 'reason', label: 'Reason', cell: (r) => str(r['reason']) },
    { key: 'duration', label: 'Duration', sortable: true, class: 'mono', cell: (r) => hms(num(r['duration_ms'])) },
  ];
  const noun = kind === 'sessions' ? 'sessions' : 'pauses';
  return (
    <div class="stack">
      {all.kind === 'error' && (
        <Banner tone="error" role="alert">
          {all.message}
        </Banner>
      )}
      <BarChart
        title={kind === 'sessions' ? 'Time logged in per agent' : 'Time paused per agent'}
        series={[{ label: kind === 'sessions' ? 'Logged in' : 'Paused', tone: kind === 'sessions' ? 'accepted' : 'timeout' }]}
        format={shortDuration}
        rows={totals.map((t) => ({ label: t.label, values: [t.total] }))}
      />
      {all.kind === 'ready' && all.value.total > items.length && (
        <p class="muted">
          The chart adds up the first {items.length} of {all.value.total} {noun}: narrow the days for a complete picture.
        </p>
      )}
      <div class="section-head">
        <h2 class="section-title" id={`${kind}-title`}>
          {kind === 'sessions' ? 'Sessions' : 'Pauses'}
        </h2>
        <a class="btn btn--secondary" href={`${API_BASE}${path}/export.csv?${rows.queryText}`} download>
          Export CSV
        </a>
      </div>
      {rows.error && (
        <Banner tone="error" role="alert">
          {rows.error}
        </Banner>
      )}
      <DataTable labelledBy={`${kind}-title`} compact columns={columns} rows={rows.rows} rowId={(r) => r['id'] as number} sort={rows.sort} onSort={rows.toggleSort} busy={rows.busy} empty={`No ${kind === 'sessions' ? 'session' : 'pause'} in this period.`} />
      <Pager offset={rows.offset} pageSize={rows.pageSize} shown={rows.rows.length} total={rows.total} noun={noun} busy={rows.busy} onOffset={rows.setOffset} />
    </div>
  );
}

