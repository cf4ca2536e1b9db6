'use strict';
// From the agent's page: its queues of every channel (one, several, all, all of a channel;
// all or nothing), direct removal versus membership through a team, its teams, the
// "queues.changed" event that makes a change effective at once, bulk delete (all or nothing,
// sessions end, one audit record each) and the CSV export of selected agents.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const WebSocket = require('ws');
const { startServer, adminClient, accountClient, login, STRONG, psql, backend } = require('./lib/server');

let srv, admin;
const queues = {}; // name -> queue
before(async () => {
  srv = await startServer();
  admin = await adminClient(srv);
  for (const [channel, name] of [['chat', 'Chat A'], ['chat', 'Chat B'], ['sms', 'SMS A'], ['email', 'Mail A'], ['voice', 'Voice A']]) {
    const r = await admin.request('POST', '/api/v1/queues', { body: { channel, name } });
    assert.equal(r.status, 201, r.text);
    queues[name] = r.json;
  }
});
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const fields = (r) => r.json.errors.map((e) => e.field).sort();
// Runs one SQL statement on the server's database (user profiles have no API on this branch).
function sql(stmt) {
  if (backend === 'postgres') return psql(stmt, srv.pgDatabase);
  return execFileSync('sqlite3', [srv.sqlitePath, stmt], { encoding: 'utf8' }).trim();
}
const createAgent = async (username, extra = {}) => {
  const r = await admin.request('POST', '/api/v1/agents', { body: { username, full_name: username, password: 'Agent!Passw0rd1', ...extra } });
  assert.equal(r.status, 201, r.text);
  return r.json;
};
const queuesOf = async (a) => {
  const r = await admin.request('GET', `/api/v1/agents/${a.id}/queues`);
  assert.equal(r.status, 200, r.text);
  return r.json.items.map((q) => q.name);
};
const addQueues = (a, body) => admin.request('POST', `/api/v1/agents/${a.id}/queues`, { body });
const allQueueNames = () => Object.values(queues).map((q) => q.name);
const byChannel = (names) => names.map((n) => queues[n]).sort((x, y) => (x.channel + x.name).localeCompare(y.channel + y.name)).map((q) => q.name);

// A logged-in agent with its own password (an admin-set one must be changed first).
async function agentSession(username) {
  const a = await createAgent(username);
  const first = await login(srv, username, 'Agent!Passw0rd1');
  const r = await first.request('POST', '/api/v1/auth/password', { body: { current_password: 'Agent!Passw0rd1', new_password: STRONG } });
  assert.equal(r.status, 204, r.text);
  const c = await login(srv, username, STRONG);
  c.agent = a;
  return c;
}

// A socket the hub has adopted (its pong proves it); later messages land in ws.got.
function connect(cookie) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(srv.wsUrl, { headers: { cookie }, perMessageDeflate: false });
    ws.got = [];
    let adopted = false;
    ws.on('open', () => ws.send('{"type":"ping"}'));
    ws.on('error', (e) => { if (!adopted) reject(e); });
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (!adopted && m.type === 'pong') { adopted = true; resolve(ws); return; }
      ws.got.push(m);
    });
  });
}

async function waitFor(cond, what) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 30000) throw new Error(`hang guard expired waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('an agent joins one queue, several, all of one channel, then all of them', async () => {
  const a = await createAgent('mq.agent');
  assert.deepEqual(await queuesOf(a), []);
  let r = await addQueues(a, { queue_ids: [queues['SMS A'].id] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items, [{ id: queues['SMS A'].id, channel: 'sms', name: 'SMS A', direct: true, teams: [] }]);
  r = await addQueues(a, { queue_ids: [queues['Mail A'].id, queues['Voice A'].id, queues['SMS A'].id] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(await queuesOf(a), byChannel(['SMS A', 'Mail A', 'Voice A']));
  r = await addQueues(a, { all: true, channel: 'chat' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((q) => q.name), byChannel(['Chat A', 'Chat B', 'SMS A', 'Mail A', 'Voice A']));

  const b = await createAgent('mq.all');
  r = await addQueues(b, { all: true });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((q) => q.name), byChannel(allQueueNames()));
  assert.ok(r.json.items.every((q) => q.direct));
  // Seen from the queues too: routing reads the same membership.
  for (const q of Object.values(queues)) {
    const m = (await admin.request('GET', `/api/v1/queues/${q.id}/agents`)).json.items;
    assert.ok(m.some((x) => x.id === b.id && x.direct), q.name);
  }
  const audit = (await admin.request('GET', `/api/v1/audit?action=agent.queues_add&target_id=${b.id}`)).json;
  assert.equal(audit.total, 1);
});

test('an unknown queue fails the whole request, naming its index; bad bodies are refused', async () => {
  const a = await createAgent('mq.bad');
  let r = await addQueues(a, { queue_ids: [queues['Chat A'].id, 999999, queues['SMS A'].id] });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['queue_ids[1]']);
  assert.deepEqual(await queuesOf(a), [], 'nothing was added');
  const bad = [
    [{}, ['queue_ids']],
    [{ queue_ids: [] }, ['queue_ids']],
    [{ queue_ids: [1.5] }, ['queue_ids']],
    [{ queue_ids: [queues['Chat A'].id], all: true }, ['queue_ids']],
    [{ all: false }, ['all', 'queue_ids']],
    [{ all: true, channel: 'pigeon' }, ['channel']],
    [{ queue_ids: [queues['Chat A'].id], channel: 'chat' }, ['channel']],
    [{ queue_ids: [queues['Chat A'].id], colour: 'red' }, ['colour']],
  ];
  for (const [body, want] of bad) {
    r = await addQueues(a, body);
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.deepEqual(fields(r), want, JSON.stringify(body));
  }
  assert.deepEqual(await queuesOf(a), []);
  assert.equal((await admin.request('POST', '/api/v1/agents/999999/queues', { body: { all: true } })).status, 404);
  assert.equal((await admin.request('GET', `/api/v1/agents/${admin.user.id}/queues`)).status, 404, 'an admin is not an agent');
});

test('direct membership is removed; one through a team is a 409 naming the team', async () => {
  const a = await createAgent('mq.remove');
  const team = (await admin.request('POST', '/api/v1/teams', { body: { name: 'Chat team' } })).json;
  assert.equal((await admin.request('POST', `/api/v1/queues/${queues['Chat B'].id}/teams`, { body: { team_ids: [team.id] } })).status, 200);
  let r = await admin.request('POST', `/api/v1/agents/${a.id}/teams`, { body: { team_ids: [team.id] } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((t) => t.name), ['Chat team']);
  await addQueues(a, { queue_ids: [queues['Chat A'].id, queues['Chat B'].id] });
  r = await admin.request('GET', `/api/v1/agents/${a.id}/queues`);
  assert.deepEqual(r.json.items.map((q) => [q.name, q.direct, q.teams]), [['Chat A', true, []], ['Chat B', true, ['Chat team']]]);

  assert.equal((await admin.request('DELETE', `/api/v1/agents/${a.id}/queues/${queues['Chat A'].id}`)).status, 204);
  // Direct and through the team: the direct link goes, the team keeps it in.
  assert.equal((await admin.request('DELETE', `/api/v1/agents/${a.id}/queues/${queues['Chat B'].id}`)).status, 204);
  r = await admin.request('GET', `/api/v1/agents/${a.id}/queues`);
  assert.deepEqual(r.json.items.map((q) => [q.name, q.direct, q.teams]), [['Chat B', false, ['Chat team']]]);
  r = await admin.request('DELETE', `/api/v1/agents/${a.id}/queues/${queues['Chat B'].id}`);
  assert.equal(r.status, 409);
  assert.equal(r.json.team, 'Chat team');
  assert.match(r.json.detail, /Chat team/);
  assert.deepEqual(fields(r), ['queue_id']);
  assert.equal((await admin.request('DELETE', `/api/v1/agents/${a.id}/queues/${queues['Chat A'].id}`)).status, 404);
  assert.equal((await admin.request('DELETE', `/api/v1/agents/${a.id}/queues/999999`)).status, 404);

  // Teams from the agent's side.
  r = await admin.request('POST', `/api/v1/agents/${a.id}/teams`, { body: { team_ids: [team.id, 999999] } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['team_ids[1]']);
  assert.equal((await admin.request('POST', `/api/v1/agents/${a.id}/teams`, { body: { team_ids: 'x' } })).status, 422);
  assert.equal((await admin.request('DELETE', `/api/v1/agents/${a.id}/teams/${team.id}`)).status, 204);
  assert.equal((await admin.request('DELETE', `/api/v1/agents/${a.id}/teams/${team.id}`)).status, 404);
  assert.deepEqual((await admin.request('GET', `/api/v1/agents/${a.id}/teams`)).json.items, []);
  assert.deepEqual(await queuesOf(a), []);
});

test('a change reaches the agent and the admins over the WebSocket at once', async () => {
  const agent = await agentSession('mq.live');
  const bystander = await agentSession('mq.bystander');
  const adminWs = await connect(admin.cookie);
  const agentWs = await connect(agent.cookie);
  const otherWs = await connect(bystander.cookie);
  try {
    const id = agent.agent.id;
    let r = await addQueues(agent.agent, { queue_ids: [queues['SMS A'].id] });
    assert.equal(r.status, 200);
    const event = { type: 'queues.changed', data: { agent_ids: [id] } };
    await waitFor(() => agentWs.got.length >= 1 && adminWs.got.length >= 1, 'queues.changed after an add');
    assert.deepEqual(agentWs.got, [event]);
    assert.deepEqual(adminWs.got, [event]);

    // Through a team: joining a team on a queue changes the agent's queues too.
    const team = (await admin.request('POST', '/api/v1/teams', { body: { name: 'Live team' } })).json;
    await admin.request('POST', `/api/v1/queues/${queues['Mail A'].id}/teams`, { body: { team_ids: [team.id] } });
    r = await admin.request('POST', `/api/v1/teams/${team.id}/agents`, { body: { agent_ids: [id] } });
    assert.equal(r.status, 200);
    await waitFor(() => agentWs.got.length >= 2, 'queues.changed after a team change');
    assert.deepEqual(agentWs.got[1], event);
    assert.equal((await admin.request('DELETE', `/api/v1/agents/${id}/queues/${queues['SMS A'].id}`)).status, 204);
    await waitFor(() => agentWs.got.length >= 3, 'queues.changed after a removal');
    assert.deepEqual(agentWs.got[2], event);
    // A refused change announces nothing; the bystander hears nothing of the others.
    assert.equal((await addQueues(agent.agent, { queue_ids: [999999] })).status, 422);
    await admin.request('POST', '/api/v1/_test/broadcast', { body: { topic: 'all', message: { type: 'marker', data: {} } } });
    await waitFor(() => agentWs.got.length >= 4 && otherWs.got.length >= 1, 'marker');
    assert.equal(agentWs.got[3].type, 'marker');
    assert.deepEqual(otherWs.got, [{ type: 'marker', data: {} }]);
  } finally {
    for (const ws of [adminWs, agentWs, otherWs]) ws.terminate();
  }
});

test('bulk delete is all or nothing; sessions end; one audit record each; teams are left', async () => {
  const a = await agentSession('bulk.one');
  const b = await createAgent('bulk.two');
  const c = await createAgent('bulk.three');
  const team = (await admin.request('POST', '/api/v1/teams', { body: { name: 'Bulk team' } })).json;
  await admin.request('POST', `/api/v1/teams/${team.id}/agents`, { body: { agent_ids: [a.agent.id, b.id, c.id] } });
  await addQueues(b, { queue_ids: [queues['Chat A'].id] });
  const del = (body) => admin.request('POST', '/api/v1/agents/delete', { body });

  let r = await del({ ids: [a.agent.id, b.id, 999999] });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['ids[2]']);
  r = await del({ ids: [b.id, admin.user.id] });
  assert.deepEqual(fields(r), ['ids[1]'], 'an admin is not an agent');
  r = await del({ ids: [b.id, c.id, b.id] });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['ids[2]']);
  for (const body of [{}, { ids: [] }, { ids: Array.from({ length: 501 }, (_, i) => i + 1) }, { ids: [b.id], force: true }]) {
    r = await del(body);
    assert.equal(r.status, 422, JSON.stringify(body).slice(0, 80));
  }
  for (const x of [a.agent, b, c]) assert.equal((await admin.request('GET', `/api/v1/agents/${x.id}`)).status, 200, 'nothing was deleted');
  assert.equal((await a.request('GET', '/api/v1/auth/me')).status, 200);
  assert.equal((await admin.request('GET', `/api/v1/teams/${team.id}`)).json.agents, 3);

  const ws = await connect(a.cookie);
  const closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  r = await del({ ids: [a.agent.id, b.id] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { deleted: 2 });
  assert.equal(await closed, 4001, 'the deleted agent\'s socket is closed');
  assert.equal((await a.request('GET', '/api/v1/auth/me')).status, 401, 'its session ended');
  for (const x of [a.agent, b]) {
    assert.equal((await admin.request('GET', `/api/v1/agents/${x.id}`)).status, 404);
    const audit = (await admin.request('GET', `/api/v1/audit?action=agent.delete&target_id=${x.id}`)).json;
    assert.equal(audit.total, 1);
  }
  assert.equal((await admin.request('GET', `/api/v1/agents/${c.id}`)).status, 200);
  assert.deepEqual((await admin.request('GET', `/api/v1/teams/${team.id}/agents`)).json.items.map((m) => m.username), ['bulk.three']);
  assert.ok(!(await admin.request('GET', `/api/v1/queues/${queues['Chat A'].id}/agents`)).json.items.some((m) => m.id === b.id));
  r = await del({ ids: [a.agent.id] });
  assert.equal(r.status, 422, 'deleted agents are unknown');
});

test('CSV export of selected agents has exactly those rows, also within a filter', async () => {
  const picked = [];
  for (const n of ['csv.a', 'csv.b', 'csv.c', 'csv.d']) picked.push(await createAgent(n, { typology: n === 'csv.d' ? 'external' : 'phonebar' }));
  const py = 'import csv,sys,json; print(json.dumps(list(csv.reader(sys.stdin))))';
  const rows = (text) => JSON.parse(execFileSync('/usr/bin/python3', ['-c', py], { input: text, encoding: 'utf8' }));
  let r = await admin.request('GET', `/api/v1/agents/export.csv?ids=${picked[2].id},${picked[0].id},${picked[3].id}`);
  assert.equal(r.status, 200, r.text);
  let got = rows(r.text);
  assert.equal(got[0][0], 'id');
  assert.deepEqual(got.slice(1).map((x) => [Number(x[0]), x[1]]), [[picked[0].id, 'csv.a'], [picked[2].id, 'csv.c'], [picked[3].id, 'csv.d']]);
  r = await admin.request('GET', `/api/v1/agents/export.csv?typology=phonebar&ids=${picked[2].id},${picked[3].id},999999`);
  got = rows(r.text);
  assert.deepEqual(got.slice(1).map((x) => x[1]), ['csv.c'], 'the selection within the filter');
  for (const ids of ['', 'x', '1,,2', '1,2,', '-1', '0', '1.5', '99999999999999999999', Array(5001).fill('1').join(',')]) {
    r = await admin.request('GET', `/api/v1/agents/export.csv?ids=${ids}`);
    assert.equal(r.status, 422, `ids=${ids.slice(0, 20)}`);
    assert.deepEqual(fields(r), ['ids']);
  }
});

test('a supervisor adds and sees only the queues of its profile, and deletes only its agents', async () => {
  const inScope = await createAgent('sup.member');
  const outOfScope = await createAgent('sup.stranger');
  await addQueues(inScope, { queue_ids: [queues['Chat A'].id, queues['Voice A'].id] });
  const sup = await accountClient(srv, 'mq.sup', 'user');
  sql("INSERT INTO profiles(name, default_permission, sections, mask_sensitive, created_at, updated_at) VALUES ('mq sup', 'read_edit_delete', '{\"agents\":\"default\"}', 0, 0, 0)");
  sql(`INSERT INTO profile_resources(profile_id, kind, resource_id) SELECT id, 'queue', q FROM profiles, (SELECT ${queues['Chat A'].id} AS q UNION SELECT ${queues['SMS A'].id}) s WHERE name = 'mq sup'`);
  sql("UPDATE staff SET profile_id = (SELECT id FROM profiles WHERE name = 'mq sup') WHERE username = 'mq.sup'");

  let r = await sup.request('GET', `/api/v1/agents/${inScope.id}/queues`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((q) => q.name), ['Chat A'], 'queues outside its profile are not shown');
  r = await sup.request('POST', `/api/v1/agents/${inScope.id}/queues`, { body: { queue_ids: [queues['SMS A'].id, queues['Mail A'].id] } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['queue_ids[1]']);
  r = await sup.request('POST', `/api/v1/agents/${inScope.id}/queues`, { body: { all: true } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((q) => q.name), ['Chat A', 'SMS A']);
  assert.deepEqual(await queuesOf(inScope), byChannel(['Chat A', 'SMS A', 'Voice A']), '"all" is every queue of its scope');
  assert.equal((await sup.request('DELETE', `/api/v1/agents/${inScope.id}/queues/${queues['Voice A'].id}`)).status, 404);
  assert.equal((await sup.request('GET', `/api/v1/agents/${outOfScope.id}/queues`)).status, 404);
  assert.equal((await sup.request('POST', `/api/v1/agents/${outOfScope.id}/queues`, { body: { all: true } })).status, 404);
  assert.deepEqual(await queuesOf(outOfScope), []);
  r = await sup.request('POST', '/api/v1/agents/delete', { body: { ids: [inScope.id, outOfScope.id] } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['ids[1]']);
  assert.equal((await admin.request('GET', `/api/v1/agents/${inScope.id}`)).status, 200, 'nothing was deleted');
  r = await sup.request('POST', '/api/v1/agents/delete', { body: { ids: [inScope.id] } });
  assert.equal(r.status, 200, r.text);
  assert.equal((await admin.request('GET', `/api/v1/agents/${inScope.id}`)).status, 404);
});

test('agents are refused (403) and anonymous callers must log in (401)', async () => {
  const a = await createAgent('mq.guarded');
  const agent = await accountClient(srv, 'mq.plain', 'agent');
  const calls = [
    ['GET', `/api/v1/agents/${a.id}/queues`], ['POST', `/api/v1/agents/${a.id}/queues`, { all: true }],
    ['DELETE', `/api/v1/agents/${a.id}/queues/${queues['Chat A'].id}`], ['GET', `/api/v1/agents/${a.id}/teams`],
    ['POST', `/api/v1/agents/${a.id}/teams`, { team_ids: [1] }], ['DELETE', `/api/v1/agents/${a.id}/teams/1`],
    ['POST', '/api/v1/agents/delete', { ids: [a.id] }], ['GET', `/api/v1/agents/export.csv?ids=${a.id}`],
  ];
  for (const [method, path, body] of calls) {
    assert.equal((await agent.request(method, path, { body })).status, 403, `${method} ${path}`);
    assert.equal((await srv.request(method, path, { body })).status, 401, `${method} ${path}`);
  }
  // Its own queues are no business of an agent's either.
  assert.equal((await agent.request('GET', `/api/v1/agents/${agent.id}/queues`)).status, 403);
  assert.deepEqual(await queuesOf(a), []);
  assert.equal((await admin.request('GET', `/api/v1/agents/${a.id}`)).status, 200);
});
