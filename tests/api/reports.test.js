'use strict';
// Reports of the digital channels (docs/reports.md): the queue report report_<channel>_queue
// with the seed's scenarios ("About reports": QueueA timeout then QueueB accepted gives two
// rows; a request nobody could take because of the tab limit ends as timeout; abandoned), its
// per-queue summary, agents' sessions and pauses with durations and open rows; filters, sort,
// paging; CSV read back by Python's csv module in strict mode with formulas defused and the
// row cap; the role matrix (admin, supervisor in scope, out of scope, profile without the
// section, agent, anonymous); bad filters refused naming each field. Rows are written through
// the router's own functions by the test hook POST /api/v1/_test/reports/event.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { startServer, adminClient, accountClient, login, STRONG } = require('./lib/server');

let srv, admin;
const ids = {};
const clients = {};
const PW = 'Agent!Passw0rd1';
const T0 = Date.parse('2026-11-02T09:00:00.000Z');
const iso = (ms) => new Date(ms).toISOString();
const S = 1000, MIN = 60 * S, H = 60 * MIN;
const fieldsOf = (r) => r.json.errors.map((e) => e.field).sort();
// The operator's token needs no database to authenticate: the report itself meets the fault.
const TOKEN = 'reports-admin-token-0123456789abcdef0123456789';

async function event(body, expect = 201) {
  const r = await srv.request('POST', '/api/v1/_test/reports/event', { body });
  assert.equal(r.status, expect, `${JSON.stringify(body)}: ${r.text}`);
  return r.json;
}
const interaction = async (channel, phone) => (await event({ type: 'interaction', channel, phone })).interaction_id;
const joined = (channel, i, q, at) => event({ type: 'joined', channel, interaction_id: i, queue_id: q, at: iso(at) });
const left = (i, q, at, reason, agent) => event({ type: 'left', interaction_id: i, queue_id: q, at: iso(at), reason, agent_id: agent });

async function created(method, path, body) {
  const r = await admin.request(method, path, { body });
  assert.ok([200, 201].includes(r.status), `${path}: ${r.status} ${r.text}`);
  return r.json;
}

async function supervisor(username, profileId) {
  await created('POST', '/api/v1/users', { username, full_name: `Sup ${username}`, role: 'user', profile_id: profileId, password: PW });
  const c = await login(srv, username, PW);
  const ch = await c.request('POST', '/api/v1/auth/password', { body: { current_password: PW, new_password: STRONG } });
  assert.equal(ch.status, 204, ch.text);
  return c;
}

// Runs Python's csv reader in strict mode (a malformed quote is an error) and returns rows.
function parseCsv(text) {
  const py = 'import csv,sys,json; print(json.dumps(list(csv.reader(sys.stdin, strict=True))))';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', py], { input: text, encoding: 'utf8' }));
}

before(async () => {
  srv = await startServer({ env: { SWITCHBOARD_SERVER_ADMIN_TOKEN: TOKEN } });
  admin = await adminClient(srv);
  ids.qA = (await created('POST', '/api/v1/queues', { name: 'rep-a', channel: 'sms' })).id;
  ids.qB = (await created('POST', '/api/v1/queues', { name: 'rep-b', channel: 'sms' })).id;
  ids.qC = (await created('POST', '/api/v1/queues', { name: 'rep-c', channel: 'sms' })).id;
  ids.qChat = (await created('POST', '/api/v1/queues', { name: 'rep-chat', channel: 'chat' })).id;
  ids.a1 = (await created('POST', '/api/v1/agents', { username: 'rep.one', full_name: '@SUM(1+1) One', password: PW })).id;
  ids.a2 = (await created('POST', '/api/v1/agents', { username: 'rep.two', full_name: 'Rep Two', password: PW })).id;
  await created('POST', `/api/v1/queues/${ids.qA}/agents`, { agent_ids: [ids.a1] });
  await created('POST', `/api/v1/queues/${ids.qB}/agents`, { agent_ids: [ids.a1] });
  await created('POST', `/api/v1/queues/${ids.qC}/agents`, { agent_ids: [ids.a2] });
  const pIn = (await created('POST', '/api/v1/profiles', { name: 'reports in', sections: { reports: 'read' }, queue_ids: [ids.qA, ids.qB] })).id;
  const pOut = (await created('POST', '/api/v1/profiles', { name: 'reports out', sections: { reports: 'read' }, queue_ids: [ids.qC] })).id;
  const pNone = (await created('POST', '/api/v1/profiles', { name: 'no reports', default_permission: 'read', sections: { agents: 'default' }, queue_ids: [ids.qA] })).id;
  clients.sup = await supervisor('rep.sup', pIn);
  clients.out = await supervisor('rep.out', pOut);
  clients.none = await supervisor('rep.none', pNone);
  clients.agent = await accountClient(srv, 'rep.agent', 'agent');
  clients.anon = { request: (m, p, o) => srv.request(m, p, o) };

  // Seed scenario: QueueA times out, QueueB answers (two rows, the second with the agent).
  ids.i1 = await interaction('sms', '+15550100');
  await joined('sms', ids.i1, ids.qA, T0);
  await left(ids.i1, ids.qA, T0 + 30 * S, 'timeout');
  await joined('sms', ids.i1, ids.qB, T0 + 30 * S);
  await left(ids.i1, ids.qB, T0 + 35 * S, 'accepted', ids.a1);
  // Seed scenario: every member at the Max Tab Limit, nobody is offered the request; the
  // flow's Queue action times out and the row ends as timeout, without an agent.
  ids.i2 = await interaction('sms', '+15550101');
  await joined('sms', ids.i2, ids.qA, T0 + 1 * MIN);
  await left(ids.i2, ids.qA, T0 + 2 * MIN, 'timeout');
  // The customer goes away before anyone answers.
  ids.i3 = await interaction('sms', '+15550102');
  await joined('sms', ids.i3, ids.qC, T0 + 1 * H);
  await left(ids.i3, ids.qC, T0 + 1 * H + 10 * S, 'abandoned');
  // Still waiting.
  ids.i4 = await interaction('sms', '+15550103');
  await joined('sms', ids.i4, ids.qA, T0 + 2 * H);
  // A second accepted attempt on QueueB (for the average wait).
  ids.i6 = await interaction('sms', '+15550104');
  await joined('sms', ids.i6, ids.qB, T0 + 3 * H);
  await left(ids.i6, ids.qB, T0 + 3 * H + 8001, 'accepted', ids.a1);
  // Another channel.
  ids.i5 = await interaction('chat', '+15550105');
  await joined('chat', ids.i5, ids.qChat, T0 + 30 * MIN);
  await left(ids.i5, ids.qChat, T0 + 31 * MIN, 'accepted', ids.a2);

  // Sessions and pauses.
  await event({ type: 'login', agent_id: ids.a1, channel: 'sms', at: iso(T0) });
  await event({ type: 'logout', agent_id: ids.a1, channel: 'sms', at: iso(T0 + 8 * H) });
  await event({ type: 'login', agent_id: ids.a1, channel: 'chat', at: iso(T0 + 1 * H) });
  await event({ type: 'login', agent_id: ids.a2, channel: 'sms', at: iso(T0 + 10 * MIN) });
  await event({ type: 'pause', agent_id: ids.a1, reason: 'lunch', at: iso(T0 + 4 * H) });
  await event({ type: 'unpause', agent_id: ids.a1, at: iso(T0 + 4 * H + 30 * MIN) });
  await event({ type: 'pause', agent_id: ids.a2, reason: '=cmd|" /C calc"!A0', at: iso(T0 + 5 * H) });
});
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

test('QueueA timeout then QueueB accepted: two rows, the second with the accepting agent', async () => {
  const r = await admin.request('GET', `/api/v1/reports/sms/queue?interaction_id=${ids.i1}&sort=joined_at`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, 2);
  const [a, b] = r.json.items;
  assert.deepEqual({ ...a, id: undefined }, {
    id: undefined, interaction_id: ids.i1, queue_id: ids.qA, queue_name: 'rep-a',
    joined_at: iso(T0), accepted_at: null, left_at: iso(T0 + 30 * S), reason: 'timeout',
    agent_id: null, agent_name: null, agent_username: null, wait_ms: 30000,
  });
  assert.deepEqual({ ...b, id: undefined }, {
    id: undefined, interaction_id: ids.i1, queue_id: ids.qB, queue_name: 'rep-b',
    joined_at: iso(T0 + 30 * S), accepted_at: iso(T0 + 35 * S), left_at: iso(T0 + 35 * S), reason: 'accepted',
    agent_id: ids.a1, agent_name: '@SUM(1+1) One', agent_username: 'rep.one', wait_ms: 5000,
  });
  // The max-tab refusal ends as timeout, with nobody's id on it; abandoned is its own reason.
  const tab = await admin.request('GET', `/api/v1/reports/sms/queue?interaction_id=${ids.i2}`);
  assert.deepEqual(tab.json.items.map((x) => [x.queue_name, x.reason, x.agent_id]), [['rep-a', 'timeout', null]]);
  const ab = await admin.request('GET', `/api/v1/reports/sms/queue?interaction_id=${ids.i3}`);
  assert.deepEqual(ab.json.items.map((x) => [x.queue_name, x.reason, x.wait_ms]), [['rep-c', 'abandoned', 10000]]);
  // A row still in its queue has no end yet and its wait grows with the clock.
  const before = Date.now();
  const w = await admin.request('GET', `/api/v1/reports/sms/queue?interaction_id=${ids.i4}`);
  const row = w.json.items[0];
  assert.equal(row.left_at, null);
  assert.equal(row.reason, null);
  assert.ok(row.wait_ms >= before - (T0 + 2 * H) - 1000, `wait ${row.wait_ms}`);
  // Leaving a queue twice is refused by the writer, and the row keeps its first end.
  await event({ type: 'left', interaction_id: ids.i1, queue_id: ids.qB, at: iso(T0 + H), reason: 'timeout' }, 404);
  await event({ type: 'left', interaction_id: ids.i4, queue_id: ids.qA, at: iso(T0 + H), reason: 'lost' }, 422);
  const again = await admin.request('GET', `/api/v1/reports/sms/queue?interaction_id=${ids.i1}&sort=joined_at`);
  assert.deepEqual(again.json.items, r.json.items);
});

test('queue report: filters, sort, paging, and one channel per report', async () => {
  const get = async (q) => {
    const r = await admin.request('GET', `/api/v1/reports/sms/queue${q}`);
    assert.equal(r.status, 200, `${q}: ${r.text}`);
    return r.json;
  };
  let j = await get('');
  assert.equal(j.total, 6);
  assert.deepEqual(j.items.map((x) => x.joined_at), [T0 + 3 * H, T0 + 2 * H, T0 + H, T0 + MIN, T0 + 30 * S, T0].map(iso),
    'newest first by default');
  j = await get(`?queue_id=${ids.qA}`);
  assert.deepEqual(j.items.map((x) => x.interaction_id).sort(), [ids.i1, ids.i2, ids.i4].sort());
  j = await get(`?agent_id=${ids.a1}&sort=joined_at`);
  assert.deepEqual(j.items.map((x) => x.interaction_id), [ids.i1, ids.i6]);
  j = await get('?reason=timeout');
  assert.equal(j.total, 2);
  assert.ok(j.items.every((x) => x.reason === 'timeout'));
  // from is inclusive, to exclusive; a date alone is midnight UTC.
  j = await get(`?from=${iso(T0 + MIN)}&to=${iso(T0 + 2 * H)}`);
  assert.deepEqual(j.items.map((x) => x.interaction_id), [ids.i3, ids.i2]);
  j = await get('?from=2026-11-03');
  assert.equal(j.total, 0);
  j = await get(`?from=${encodeURIComponent('2026-11-02T10:00:00+01:00')}&to=${encodeURIComponent('2026-11-02T09:00:30Z')}`);
  assert.deepEqual(j.items.map((x) => x.interaction_id), [ids.i1], 'zones are honoured');
  // Sort on a column that may be empty: rows without it come last either way.
  j = await get('?sort=accepted_at');
  assert.deepEqual(j.items.slice(0, 2).map((x) => x.interaction_id), [ids.i1, ids.i6]);
  assert.ok(j.items.slice(2).every((x) => x.accepted_at === null));
  j = await get('?sort=-accepted_at');
  assert.deepEqual(j.items.slice(0, 2).map((x) => x.interaction_id), [ids.i6, ids.i1]);
  j = await get('?sort=wait&reason=accepted');
  assert.deepEqual(j.items.map((x) => x.wait_ms), [5000, 8001]);
  // Paging: the pages put together are the whole list, total stays the count of matches.
  const all = (await get('?sort=joined_at')).items.map((x) => x.id);
  const pages = [];
  for (let off = 0; off < 6; off += 4) {
    const p = await get(`?sort=joined_at&limit=4&offset=${off}`);
    assert.equal(p.total, 6);
    pages.push(...p.items.map((x) => x.id));
  }
  assert.deepEqual(pages, all);
  assert.deepEqual((await get('?offset=100')).items, []);
  // The chat report holds the chat rows only.
  const chat = await admin.request('GET', '/api/v1/reports/chat/queue');
  assert.equal(chat.json.total, 1);
  assert.equal(chat.json.items[0].interaction_id, ids.i5);
  assert.equal(chat.json.items[0].agent_username, 'rep.two');
  assert.equal((await admin.request('GET', '/api/v1/reports/whatsapp/queue')).json.total, 0);
  for (const bad of ['voice', 'SMS', 'telegram', 'sms%00']) {
    const r = await admin.request('GET', `/api/v1/reports/${bad}/queue`);
    assert.equal(r.status, 404, bad);
    assert.match(r.headers.get('content-type'), /problem\+json/);
  }
  assert.equal((await clients.anon.request('GET', '/api/v1/reports/voice/queue')).status, 401, 'who first, then what');
});

test('summary: per queue joined, accepted, timeout, abandoned, waiting and the average wait to accept', async () => {
  const r = await admin.request('GET', '/api/v1/reports/sms/queue/summary');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, 3);
  assert.deepEqual(r.json.items, [
    { queue_id: ids.qA, queue_name: 'rep-a', joined: 3, accepted: 0, timeout: 2, abandoned: 0, waiting: 1, avg_wait_ms: null },
    { queue_id: ids.qB, queue_name: 'rep-b', joined: 2, accepted: 2, timeout: 0, abandoned: 0, waiting: 0, avg_wait_ms: 6501 },
    { queue_id: ids.qC, queue_name: 'rep-c', joined: 1, accepted: 0, timeout: 0, abandoned: 1, waiting: 0, avg_wait_ms: null },
  ]);
  // Over the filter: the first hour only.
  let s = await admin.request('GET', `/api/v1/reports/sms/queue/summary?to=${iso(T0 + H)}`);
  assert.deepEqual(s.json.items.map((x) => [x.queue_name, x.joined, x.accepted, x.avg_wait_ms]),
    [['rep-a', 2, 0, null], ['rep-b', 1, 1, 5000]]);
  s = await admin.request('GET', '/api/v1/reports/sms/queue/summary?sort=-joined&limit=1&offset=0');
  assert.equal(s.json.total, 3);
  assert.deepEqual(s.json.items.map((x) => x.queue_name), ['rep-a']);
  s = await admin.request('GET', '/api/v1/reports/chat/queue/summary');
  assert.deepEqual(s.json.items, [{ queue_id: ids.qChat, queue_name: 'rep-chat', joined: 1, accepted: 1, timeout: 0, abandoned: 0, waiting: 0, avg_wait_ms: 60000 }]);
  const x = await admin.request('GET', '/api/v1/reports/sms/queue/summary/export.csv');
  assert.equal(x.status, 200, x.text);
  const rows = parseCsv(x.text);
  assert.deepEqual(rows[0], ['queue_id', 'queue_name', 'joined', 'accepted', 'timeout', 'abandoned', 'waiting', 'avg_wait_ms', 'avg_wait']);
  assert.deepEqual(rows[2], [String(ids.qB), 'rep-b', '2', '2', '0', '0', '0', '6501', '00:00:06']);
  assert.deepEqual(rows[1].slice(7), ['', ''], 'no accepted attempt: no average');
});

test('agent sessions and pauses: durations, open rows with a null end, filters', async () => {
  const before = Date.now();
  let r = await admin.request('GET', '/api/v1/reports/agent-sessions?sort=login_at');
  const after = Date.now();
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, 3);
  const [s1, s2, s3] = r.json.items;
  assert.deepEqual({ ...s1, id: undefined }, { id: undefined, agent_id: ids.a1, agent_name: '@SUM(1+1) One', agent_username: 'rep.one',
    channel: 'sms', login_at: iso(T0), logout_at: iso(T0 + 8 * H), duration_ms: 8 * H });
  assert.equal(s2.agent_id, ids.a2);
  assert.equal(s2.logout_at, null, 'open session');
  assert.ok(s2.duration_ms >= before - (T0 + 10 * MIN) - 1000 && s2.duration_ms <= after - (T0 + 10 * MIN) + 1000,
    `open session lasts until now: ${s2.duration_ms}`);
  assert.equal(s3.channel, 'chat');
  r = await admin.request('GET', '/api/v1/reports/agent-sessions?channel=chat');
  assert.deepEqual(r.json.items.map((x) => [x.agent_id, x.channel]), [[ids.a1, 'chat']]);
  r = await admin.request('GET', `/api/v1/reports/agent-sessions?agent_id=${ids.a2}`);
  assert.deepEqual(r.json.items.map((x) => x.login_at), [iso(T0 + 10 * MIN)]);
  r = await admin.request('GET', `/api/v1/reports/agent-sessions?from=${iso(T0 + 5 * MIN)}&to=${iso(T0 + 2 * H)}&sort=-login_at`);
  assert.deepEqual(r.json.items.map((x) => x.login_at), [iso(T0 + H), iso(T0 + 10 * MIN)]);
  r = await admin.request('GET', '/api/v1/reports/agent-sessions?sort=-duration&limit=1');
  assert.equal(r.json.items[0].agent_id, ids.a2, 'the open session has run for weeks');
  // One open session per agent and channel; closing what is not open is refused.
  await event({ type: 'login', agent_id: ids.a2, channel: 'sms', at: iso(T0 + 6 * H) }, 409);
  await event({ type: 'logout', agent_id: ids.a2, channel: 'chat', at: iso(T0 + 6 * H) }, 404);
  await event({ type: 'login', agent_id: ids.a2, channel: 'voice', at: iso(T0 + 6 * H) }, 422);
  assert.equal((await admin.request('GET', '/api/v1/reports/agent-sessions')).json.total, 3, 'nothing written');

  r = await admin.request('GET', '/api/v1/reports/agent-pauses?sort=paused_at');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.total, 2);
  const [p1, p2] = r.json.items;
  assert.deepEqual({ ...p1, id: undefined }, { id: undefined, agent_id: ids.a1, agent_name: '@SUM(1+1) One', agent_username: 'rep.one',
    reason: 'lunch', paused_at: iso(T0 + 4 * H), unpaused_at: iso(T0 + 4 * H + 30 * MIN), duration_ms: 30 * MIN });
  assert.equal(p2.unpaused_at, null);
  assert.equal(p2.reason, '=cmd|" /C calc"!A0');
  await event({ type: 'pause', agent_id: ids.a2, at: iso(T0 + 6 * H) }, 409);
  await event({ type: 'unpause', agent_id: ids.a1, at: iso(T0 + 6 * H) }, 404);
  // A pause belongs to a channel's report when it overlaps a session on that channel.
  r = await admin.request('GET', '/api/v1/reports/agent-pauses?channel=chat');
  assert.deepEqual(r.json.items.map((x) => x.reason), ['lunch']);
  r = await admin.request('GET', '/api/v1/reports/agent-pauses?channel=sms&sort=paused_at');
  assert.deepEqual(r.json.items.map((x) => x.reason), ['lunch', '=cmd|" /C calc"!A0']);
  r = await admin.request('GET', '/api/v1/reports/agent-pauses?channel=fax');
  assert.equal(r.json.total, 0);
  r = await admin.request('GET', `/api/v1/reports/agent-pauses?agent_id=${ids.a1}&from=${iso(T0 + 4 * H)}&to=${iso(T0 + 4 * H + 1)}`);
  assert.deepEqual(r.json.items.map((x) => x.reason), ['lunch']);
});

test('CSV exports: strict CSV with a header, formulas defused, same filters, and a row cap with a clear error', async () => {
  let r = await admin.request('GET', `/api/v1/reports/sms/queue/export.csv?agent_id=${ids.a1}&sort=joined_at`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), /attachment; filename="report_sms_queue\.csv"/);
  assert.equal(r.headers.get('x-total-count'), '2');
  let rows = parseCsv(r.text);
  assert.deepEqual(rows[0], ['id', 'interaction_id', 'queue_id', 'queue_name', 'joined_at', 'accepted_at', 'left_at',
    'reason', 'agent_id', 'agent_name', 'agent_username', 'wait_ms', 'wait']);
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[1].slice(1), [String(ids.i1), String(ids.qB), 'rep-b', iso(T0 + 30 * S), iso(T0 + 35 * S),
    iso(T0 + 35 * S), 'accepted', String(ids.a1), "'@SUM(1+1) One", 'rep.one', '5000', '00:00:05']);
  for (const row of rows) for (const cell of row) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `cell ${cell} could run as a formula`);

  r = await admin.request('GET', '/api/v1/reports/agent-pauses/export.csv?sort=paused_at');
  assert.equal(r.status, 200, r.text);
  rows = parseCsv(r.text);
  assert.deepEqual(rows[0], ['id', 'agent_id', 'agent_name', 'agent_username', 'reason', 'paused_at', 'unpaused_at', 'duration_ms', 'duration']);
  assert.deepEqual(rows[1].slice(4), ['lunch', iso(T0 + 4 * H), iso(T0 + 4 * H + 30 * MIN), String(30 * MIN), '00:30:00']);
  assert.equal(rows[2][4], '\'=cmd|" /C calc"!A0', 'the formula is text');
  assert.equal(rows[2][6], '', 'open pause: empty end');

  r = await admin.request('GET', '/api/v1/reports/agent-sessions/export.csv?channel=sms&sort=login_at');
  rows = parseCsv(r.text);
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[1].slice(4), ['sms', iso(T0), iso(T0 + 8 * H), String(8 * H), '08:00:00']);
  assert.match(rows[2][8], /^\d{3,}:\d\d:\d\d$/, 'hours run past 24');

  // The cap: more matching rows than reports.export_max_rows is refused, naming the way out;
  // a page within the cap is fine.
  const set = await admin.request('PATCH', '/api/v1/settings', { body: { 'reports.export_max_rows': 4 } });
  assert.equal(set.status, 200, set.text);
  try {
    r = await admin.request('GET', '/api/v1/reports/sms/queue/export.csv');
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(fieldsOf(r), ['limit']);
    assert.match(r.json.errors[0].message, /match 6 rows.*at most 4.*limit and offset/);
    r = await admin.request('GET', '/api/v1/reports/sms/queue/export.csv?limit=4&offset=4&sort=joined_at');
    assert.equal(r.status, 200, r.text);
    assert.equal(parseCsv(r.text).length, 3);
    assert.equal(r.headers.get('x-total-count'), '6');
    r = await admin.request('GET', '/api/v1/reports/sms/queue/export.csv?limit=5');
    assert.equal(r.status, 422);
    assert.deepEqual(fieldsOf(r), ['limit']);
    r = await admin.request('GET', '/api/v1/reports/sms/queue/export.csv?reason=timeout');
    assert.equal(r.status, 200, 'a filter that fits is exported');
  } finally {
    await admin.request('PATCH', '/api/v1/settings', { body: { 'reports.export_max_rows': 50000 } });
  }
  const audit = await admin.request('GET', '/api/v1/audit?action=report.export');
  assert.ok(audit.json.total >= 4, 'exports are audited');
});

test('who may read: admin everything, supervisors their queues and agents, others refused', async () => {
  const routes = ['/api/v1/reports/sms/queue', '/api/v1/reports/sms/queue/summary', '/api/v1/reports/agent-sessions',
    '/api/v1/reports/agent-pauses', '/api/v1/reports/sms/queue/export.csv', '/api/v1/reports/agent-sessions/export.csv'];
  for (const p of routes) {
    assert.equal((await admin.request('GET', p)).status, 200, `admin ${p}`);
    assert.equal((await clients.sup.request('GET', p)).status, 200, `supervisor ${p}`);
    assert.equal((await clients.none.request('GET', p)).status, 403, `profile without reports ${p}`);
    assert.equal((await clients.agent.request('GET', p)).status, 403, `agent ${p}`);
    assert.equal((await clients.anon.request('GET', p)).status, 401, `anonymous ${p}`);
  }
  // In scope: queues A and B, and agent one (their member).
  let r = await clients.sup.request('GET', '/api/v1/reports/sms/queue');
  assert.equal(r.json.total, 5);
  assert.ok(r.json.items.every((x) => [ids.qA, ids.qB].includes(x.queue_id)));
  r = await clients.sup.request('GET', `/api/v1/reports/sms/queue?queue_id=${ids.qC}`);
  assert.equal(r.json.total, 0, 'a queue outside the profile shows nothing');
  r = await clients.sup.request('GET', '/api/v1/reports/sms/queue/summary');
  assert.deepEqual(r.json.items.map((x) => x.queue_name), ['rep-a', 'rep-b']);
  r = await clients.sup.request('GET', '/api/v1/reports/agent-sessions');
  assert.deepEqual([...new Set(r.json.items.map((x) => x.agent_id))], [ids.a1]);
  r = await clients.sup.request('GET', '/api/v1/reports/agent-pauses');
  assert.deepEqual(r.json.items.map((x) => x.reason), ['lunch']);
  r = await clients.sup.request('GET', '/api/v1/reports/sms/queue/export.csv');
  assert.equal(parseCsv(r.text).length, 6);
  assert.equal(r.headers.get('x-total-count'), '5');
  // The other supervisor: queue C and agent two only.
  r = await clients.out.request('GET', '/api/v1/reports/sms/queue');
  assert.deepEqual(r.json.items.map((x) => x.interaction_id), [ids.i3]);
  r = await clients.out.request('GET', `/api/v1/reports/sms/queue?interaction_id=${ids.i1}`);
  assert.equal(r.json.total, 0);
  r = await clients.out.request('GET', '/api/v1/reports/agent-sessions');
  assert.deepEqual(r.json.items.map((x) => x.agent_id), [ids.a2]);
  r = await clients.out.request('GET', `/api/v1/reports/agent-pauses?agent_id=${ids.a1}`);
  assert.equal(r.json.total, 0);
  r = await clients.out.request('GET', '/api/v1/reports/agent-sessions/export.csv');
  assert.deepEqual(parseCsv(r.text).slice(1).map((x) => x[3]), ['rep.two']);
  r = await clients.out.request('GET', '/api/v1/reports/chat/queue');
  assert.equal(r.json.total, 0, 'the chat queue is in no supervisor profile');
});

test('bad filters are refused naming each field', async () => {
  let r = await admin.request('GET', '/api/v1/reports/sms/queue?from=yesterday&to=2026-13-01&queue_id=abc&agent_id=0' +
    '&interaction_id=-4&reason=lost&limit=0&offset=-1&sort=password');
  assert.equal(r.status, 422);
  assert.match(r.headers.get('content-type'), /problem\+json/);
  assert.deepEqual(fieldsOf(r), ['agent_id', 'from', 'interaction_id', 'limit', 'offset', 'queue_id', 'reason', 'sort', 'to']);
  r = await admin.request('GET', `/api/v1/reports/sms/queue?from=${iso(T0)}&to=${iso(T0)}&limit=501`);
  assert.deepEqual(fieldsOf(r), ['limit', 'to']);
  r = await admin.request('GET', '/api/v1/reports/sms/queue?from=2026-11-02T09:00:00&queue_id=1e3&agent_id=%2B7');
  assert.deepEqual(fieldsOf(r), ['agent_id', 'from', 'queue_id'], 'no zone, no exponent, no sign');
  r = await admin.request('GET', '/api/v1/reports/sms/queue/summary?sort=joined_at');
  assert.deepEqual(fieldsOf(r), ['sort']);
  assert.match(r.json.errors[0].message, /queue_name/);
  r = await admin.request('GET', '/api/v1/reports/agent-sessions?channel=voice&sort=joined_at&agent_id=x');
  assert.deepEqual(fieldsOf(r), ['agent_id', 'channel', 'sort']);
  r = await admin.request('GET', '/api/v1/reports/agent-pauses?channel=&from=2026-02-30');
  assert.deepEqual(fieldsOf(r), ['channel', 'from']);
  r = await admin.request('GET', '/api/v1/reports/agent-pauses/export.csv?limit=100001');
  assert.deepEqual(fieldsOf(r), ['limit']);
  // Refusals come after the caller is known: nobody learns the rules without signing in.
  assert.equal((await clients.anon.request('GET', '/api/v1/reports/sms/queue?limit=0')).status, 401);
  assert.equal((await clients.agent.request('GET', '/api/v1/reports/sms/queue?limit=0')).status, 403);
});

test('a storage failure answers 503 problem+json, never a partial list or file, and the next request works', async () => {
  const auth = { authorization: `Bearer ${TOKEN}` };
  assert.equal((await srv.request('GET', '/api/v1/reports/sms/queue', { headers: auth })).status, 200);
  let r = await srv.request('PUT', '/api/v1/_test/fault', { body: { kind: 'busy', count: -1 } });
  assert.equal(r.status, 204);
  try {
    for (const p of ['/api/v1/reports/sms/queue', '/api/v1/reports/sms/queue/summary', '/api/v1/reports/agent-pauses',
      '/api/v1/reports/agent-sessions/export.csv', '/api/v1/reports/sms/queue/export.csv']) {
      r = await srv.request('GET', p, { headers: auth });
      assert.equal(r.status, 503, `${p}: ${r.text}`);
      assert.match(r.headers.get('content-type'), /problem\+json/);
      assert.doesNotMatch(r.text, /sqlite|SQLITE|postgres|report_queue/, 'no internals leak');
    }
  } finally {
    assert.equal((await srv.request('DELETE', '/api/v1/_test/fault')).status, 204);
  }
  r = await srv.request('GET', '/api/v1/reports/sms/queue/export.csv', { headers: auth });
  assert.equal(r.status, 200, r.text);
  assert.equal(parseCsv(r.text).length, 7);
});
