'use strict';
// Teams: CRUD with field-level validation and unique names; members added all or nothing; a
// team associated with a queue makes its agents members of the queue (seen from the queue and
// from the agent) for exactly as long as both links last; a supervisor sees only the agents of
// its scope among a team's members; agents and anonymous callers are refused.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { startServer, adminClient, accountClient, psql, backend } = require('./lib/server');

let srv, admin;
before(async () => { srv = await startServer(); admin = await adminClient(srv); });
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

// Runs one SQL statement on the server's database and returns its text output.
function sql(stmt) {
  if (backend === 'postgres') return psql(stmt, srv.pgDatabase);
  return execFileSync('sqlite3', [srv.sqlitePath, stmt], { encoding: 'utf8' }).trim();
}

const fields = (r) => r.json.errors.map((e) => e.field).sort();
const createTeam = (body) => admin.request('POST', '/api/v1/teams', { body });
const createQueue = async (channel, name) => {
  const r = await admin.request('POST', '/api/v1/queues', { body: { channel, name } });
  assert.equal(r.status, 201, r.text);
  return r.json;
};
const createAgent = async (username) => {
  const r = await admin.request('POST', '/api/v1/agents', { body: { username, full_name: username, password: 'Agent!Passw0rd1' } });
  assert.equal(r.status, 201, r.text);
  return r.json;
};
const teamTotal = async () => (await admin.request('GET', '/api/v1/teams')).json.total;
const queueAgents = async (q) => (await admin.request('GET', `/api/v1/queues/${q.id}/agents`)).json.items;
const agentQueues = async (a) => (await admin.request('GET', `/api/v1/agents/${a.id}/queues`)).json.items;

test('create, read, list, change and delete a team', async () => {
  let r = await createTeam({ name: 'Billing', description: 'Invoices and refunds' });
  assert.equal(r.status, 201, r.text);
  const t = r.json;
  assert.equal(t.name, 'Billing');
  assert.equal(t.description, 'Invoices and refunds');
  assert.equal(t.agents, 0);
  assert.deepEqual((await admin.request('GET', `/api/v1/teams/${t.id}`)).json, t);
  assert.equal((await createTeam({ name: 'Billing night' })).status, 201);
  assert.equal((await createTeam({ name: 'Support' })).status, 201);

  r = await admin.request('GET', '/api/v1/teams?q=billing');
  assert.equal(r.status, 200);
  assert.equal(r.json.total, 2);
  assert.deepEqual(r.json.items.map((x) => x.name), ['Billing', 'Billing night']);
  r = await admin.request('GET', '/api/v1/teams?limit=1&offset=1');
  assert.equal(r.json.items.length, 1);
  assert.equal(r.json.items[0].name, 'Billing night', 'ordered by name');
  r = await admin.request('GET', '/api/v1/teams?limit=0&offset=-1');
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['limit', 'offset']);

  r = await admin.request('PATCH', `/api/v1/teams/${t.id}`, { body: { name: 'Billing day' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, 'Billing day');
  assert.equal(r.json.description, 'Invoices and refunds', 'a change keeps the fields it does not name');
  r = await admin.request('PATCH', `/api/v1/teams/${t.id}`, { body: { description: null } });
  assert.equal(r.json.description, null);

  assert.equal((await admin.request('DELETE', `/api/v1/teams/${t.id}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/teams/${t.id}`)).status, 404);
  assert.equal((await admin.request('DELETE', `/api/v1/teams/${t.id}`)).status, 404);
  assert.equal((await admin.request('PATCH', `/api/v1/teams/${t.id}`, { body: { name: 'x' } })).status, 404);
});

test('invalid fields are named and nothing is created or changed', async () => {
  const before = await teamTotal();
  let r = await createTeam({ name: '', description: 'x'.repeat(1025), color: 'red' });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['color', 'description', 'name']);
  r = await createTeam({ name: 'n'.repeat(65) });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['name']);
  r = await createTeam({ name: 'Tab\there' });
  assert.equal(r.status, 422);
  r = await createTeam({ description: 'no name' });
  assert.deepEqual(fields(r), ['name']);
  r = await createTeam({ name: 42 });
  assert.deepEqual(fields(r), ['name']);
  assert.equal((await createTeam({ name: 'n'.repeat(64), description: 'd'.repeat(1024) })).status, 201, 'the limits themselves are fine');
  assert.equal(await teamTotal(), before + 1);

  const t = (await createTeam({ name: 'Unchanged', description: 'keep' })).json;
  r = await admin.request('PATCH', `/api/v1/teams/${t.id}`, { body: { name: 'Changed', description: 7 } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['description']);
  r = await admin.request('PATCH', `/api/v1/teams/${t.id}`, { body: { id: 5 } });
  assert.deepEqual(fields(r), ['id']);
  const now = (await admin.request('GET', `/api/v1/teams/${t.id}`)).json;
  assert.equal(now.name, 'Unchanged');
  assert.equal(now.description, 'keep');
});

test('names are unique: create and rename conflict with 409 on name', async () => {
  const a = (await createTeam({ name: 'Alpha' })).json;
  const b = (await createTeam({ name: 'Beta' })).json;
  let r = await createTeam({ name: 'Alpha' });
  assert.equal(r.status, 409);
  assert.deepEqual(fields(r), ['name']);
  r = await admin.request('PATCH', `/api/v1/teams/${b.id}`, { body: { name: 'Alpha' } });
  assert.equal(r.status, 409);
  assert.deepEqual(fields(r), ['name']);
  assert.equal((await admin.request('GET', `/api/v1/teams/${b.id}`)).json.name, 'Beta');
  r = await admin.request('PATCH', `/api/v1/teams/${a.id}`, { body: { name: 'Alpha' } });
  assert.equal(r.status, 200, 'renaming to its own name is no conflict');
});

test('members are added all or nothing and removed one by one', async () => {
  const t = (await createTeam({ name: 'Members' })).json;
  const a1 = await createAgent('tm.one');
  const a2 = await createAgent('tm.two');
  const a3 = await createAgent('tm.three');
  let r = await admin.request('POST', `/api/v1/teams/${t.id}/agents`, { body: { agent_ids: [a2.id, a1.id, a2.id] } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((m) => m.username), ['tm.one', 'tm.two']);
  assert.equal(r.json.total, 2);
  assert.equal((await admin.request('GET', `/api/v1/teams/${t.id}`)).json.agents, 2);

  // An unknown id, or one that is not an agent, is named with its index; nothing is added.
  r = await admin.request('POST', `/api/v1/teams/${t.id}/agents`, { body: { agent_ids: [a3.id, 999999] } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['agent_ids[1]']);
  r = await admin.request('POST', `/api/v1/teams/${t.id}/agents`, { body: { agent_ids: [admin.user.id] } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['agent_ids[0]']);
  for (const body of [{ agent_ids: [] }, { agent_ids: [0] }, { agent_ids: ['1'] }, { agent_ids: 5 }, {}]) {
    r = await admin.request('POST', `/api/v1/teams/${t.id}/agents`, { body });
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.deepEqual(fields(r), ['agent_ids'], JSON.stringify(body));
  }
  r = await admin.request('POST', `/api/v1/teams/${t.id}/agents`, { body: { agent_ids: [a3.id], extra: 1 } });
  assert.deepEqual(fields(r), ['extra']);
  r = await admin.request('POST', `/api/v1/teams/${t.id}/agents`, { body: { agent_ids: Array(1001).fill(a3.id) } });
  assert.deepEqual(fields(r), ['agent_ids']);
  assert.deepEqual((await admin.request('GET', `/api/v1/teams/${t.id}/agents`)).json.items.map((m) => m.username), ['tm.one', 'tm.two']);

  assert.equal((await admin.request('POST', '/api/v1/teams/999999/agents', { body: { agent_ids: [a3.id] } })).status, 404);
  assert.equal((await admin.request('GET', '/api/v1/teams/999999/agents')).status, 404);

  assert.equal((await admin.request('DELETE', `/api/v1/teams/${t.id}/agents/${a1.id}`)).status, 204);
  assert.equal((await admin.request('DELETE', `/api/v1/teams/${t.id}/agents/${a1.id}`)).status, 404);
  assert.deepEqual((await admin.request('GET', `/api/v1/teams/${t.id}/agents`)).json.items.map((m) => m.username), ['tm.two']);

  // A deleted agent leaves its teams.
  assert.equal((await admin.request('DELETE', `/api/v1/agents/${a2.id}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/teams/${t.id}`)).json.agents, 0);
  assert.equal(sql(`SELECT COUNT(*) FROM team_members WHERE staff_id = ${a2.id}`), '0');
});

test('a team on a queue makes its agents members until either link ends', async () => {
  const q = await createQueue('chat', 'Team queue');
  const t = (await createTeam({ name: 'Chatters' })).json;
  const other = (await createTeam({ name: 'Also chatters' })).json;
  const a1 = await createAgent('tq.one');
  const a2 = await createAgent('tq.two');
  const direct = await createAgent('tq.direct');
  await admin.request('POST', `/api/v1/teams/${t.id}/agents`, { body: { agent_ids: [a1.id, a2.id] } });
  await admin.request('POST', `/api/v1/teams/${other.id}/agents`, { body: { agent_ids: [a1.id] } });
  await admin.request('POST', `/api/v1/queues/${q.id}/agents`, { body: { agent_ids: [direct.id, a2.id] } });

  // An unknown team is named with its index, and nothing is associated.
  let r = await admin.request('POST', `/api/v1/queues/${q.id}/teams`, { body: { team_ids: [t.id, 999999] } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['team_ids[1]']);
  assert.equal((await admin.request('GET', `/api/v1/queues/${q.id}/teams`)).json.total, 0);
  assert.deepEqual((await queueAgents(q)).map((m) => m.username), ['tq.direct', 'tq.two']);

  r = await admin.request('POST', `/api/v1/queues/${q.id}/teams`, { body: { team_ids: [t.id, other.id] } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((x) => [x.name, x.agents]), [['Also chatters', 1], ['Chatters', 2]]);
  assert.deepEqual(await queueAgents(q), [
    { id: direct.id, username: 'tq.direct', full_name: 'tq.direct', internal: direct.internal, direct: true, teams: [] },
    { id: a1.id, username: 'tq.one', full_name: 'tq.one', internal: a1.internal, direct: false, teams: ['Also chatters', 'Chatters'] },
    { id: a2.id, username: 'tq.two', full_name: 'tq.two', internal: a2.internal, direct: true, teams: ['Chatters'] },
  ]);
  assert.equal((await admin.request('GET', `/api/v1/queues/${q.id}`)).json.agents, 3, 'the count is of effective members');
  assert.deepEqual(await agentQueues(a1), [{ id: q.id, channel: 'chat', name: 'Team queue', direct: false, teams: ['Also chatters', 'Chatters'] }]);

  // Removing the agent from one team keeps it through the other; from both ends it.
  assert.equal((await admin.request('DELETE', `/api/v1/teams/${t.id}/agents/${a1.id}`)).status, 204);
  assert.deepEqual((await agentQueues(a1)).map((x) => x.teams), [['Also chatters']]);
  assert.equal((await admin.request('DELETE', `/api/v1/agents/${a1.id}/teams/${other.id}`)).status, 204);
  assert.deepEqual(await agentQueues(a1), []);
  assert.deepEqual((await queueAgents(q)).map((m) => m.username), ['tq.direct', 'tq.two']);

  // Ending the association removes the team's agents, except those who are members directly.
  await admin.request('POST', `/api/v1/teams/${t.id}/agents`, { body: { agent_ids: [a1.id] } });
  assert.deepEqual((await queueAgents(q)).map((m) => m.username), ['tq.direct', 'tq.one', 'tq.two']);
  assert.equal((await admin.request('DELETE', `/api/v1/queues/${q.id}/teams/${t.id}`)).status, 204);
  assert.equal((await admin.request('DELETE', `/api/v1/queues/${q.id}/teams/${t.id}`)).status, 404);
  assert.deepEqual((await queueAgents(q)).map((m) => [m.username, m.direct, m.teams]), [['tq.direct', true, []], ['tq.two', true, []]]);
  assert.deepEqual(await agentQueues(a1), []);

  // Deleting a team ends its associations too.
  await admin.request('POST', `/api/v1/queues/${q.id}/teams`, { body: { team_ids: [t.id] } });
  assert.equal((await queueAgents(q)).length, 3);
  assert.equal((await admin.request('DELETE', `/api/v1/teams/${t.id}`)).status, 204);
  assert.deepEqual((await queueAgents(q)).map((m) => m.username), ['tq.direct', 'tq.two']);
  assert.deepEqual((await admin.request('GET', `/api/v1/queues/${q.id}/teams`)).json.items.map((x) => x.name), ['Also chatters']);
});

test('queue-team routes validate the queue, the body and the team', async () => {
  const q = await createQueue('sms', 'Team checks');
  const t = (await createTeam({ name: 'Checkers' })).json;
  assert.equal((await admin.request('GET', '/api/v1/queues/999999/teams')).status, 404);
  assert.equal((await admin.request('POST', '/api/v1/queues/999999/teams', { body: { team_ids: [t.id] } })).status, 404);
  for (const body of [{ team_ids: [] }, { team_ids: [-1] }, { team_ids: null }, { teams: [t.id] }]) {
    const r = await admin.request('POST', `/api/v1/queues/${q.id}/teams`, { body });
    assert.equal(r.status, 422, JSON.stringify(body));
  }
  assert.equal((await admin.request('DELETE', `/api/v1/queues/${q.id}/teams/${t.id}`)).status, 404);
  assert.equal((await admin.request('GET', `/api/v1/queues/${q.id}/teams`)).json.total, 0);
});

test('deleting a queue deletes the user profiles\' rows that name it', async () => {
  const q = await createQueue('fax', 'Profiled');
  const keep = await createQueue('fax', 'Profiled too');
  sql(`INSERT INTO profile_resources(profile_id, kind, resource_id) VALUES (1, 'queue', ${q.id}), (1, 'queue', ${keep.id}), (1, 'account', ${q.id})`);
  assert.equal((await admin.request('DELETE', `/api/v1/queues/${q.id}`)).status, 204);
  assert.equal(sql(`SELECT COUNT(*) FROM profile_resources WHERE kind = 'queue' AND resource_id = ${q.id}`), '0');
  assert.equal(sql(`SELECT COUNT(*) FROM profile_resources WHERE kind = 'queue' AND resource_id = ${keep.id}`), '1');
  assert.equal(sql(`SELECT COUNT(*) FROM profile_resources WHERE kind = 'account' AND resource_id = ${q.id}`), '1', 'other kinds are not queues');
});

test('a supervisor sees all teams but only the agents of its queues among their members', async () => {
  const q = await createQueue('email', 'Supervised');
  const outside = await createQueue('email', 'Not supervised');
  const t = (await createTeam({ name: 'Mixed' })).json;
  const inside = await createAgent('sup.inside');
  const away = await createAgent('sup.away');
  const later = await createAgent('sup.later');
  await admin.request('POST', `/api/v1/queues/${q.id}/agents`, { body: { agent_ids: [inside.id, later.id] } });
  await admin.request('POST', `/api/v1/queues/${outside.id}/agents`, { body: { agent_ids: [away.id] } });
  await admin.request('POST', `/api/v1/teams/${t.id}/agents`, { body: { agent_ids: [inside.id, away.id] } });
  const sup = await accountClient(srv, 'team.sup', 'user');
  sql("INSERT INTO profiles(name, default_permission, sections, mask_sensitive, created_at, updated_at) VALUES ('team sup', 'read_edit', '{\"teams\":\"default\"}', 0, 0, 0)");
  sql(`INSERT INTO profile_resources(profile_id, kind, resource_id) SELECT id, 'queue', ${q.id} FROM profiles WHERE name = 'team sup'`);
  sql("UPDATE staff SET profile_id = (SELECT id FROM profiles WHERE name = 'team sup') WHERE username = 'team.sup'");

  let r = await sup.request('GET', `/api/v1/teams/${t.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.agents, 1, 'the count is of the agents it may see');
  r = await sup.request('GET', `/api/v1/teams/${t.id}/agents`);
  assert.deepEqual(r.json.items.map((m) => m.username), ['sup.inside']);
  r = await sup.request('POST', `/api/v1/teams/${t.id}/agents`, { body: { agent_ids: [later.id, away.id] } });
  assert.equal(r.status, 422, 'an agent outside its scope is as unknown');
  assert.deepEqual(fields(r), ['agent_ids[1]']);
  assert.equal((await sup.request('DELETE', `/api/v1/teams/${t.id}/agents/${away.id}`)).status, 404);
  assert.equal((await admin.request('GET', `/api/v1/teams/${t.id}`)).json.agents, 2, 'nothing changed');
  r = await sup.request('POST', `/api/v1/teams/${t.id}/agents`, { body: { agent_ids: [later.id] } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((m) => m.username), ['sup.inside', 'sup.later']);
  // Queue associations: only its own queues.
  assert.equal((await sup.request('POST', `/api/v1/queues/${outside.id}/teams`, { body: { team_ids: [t.id] } })).status, 404);
  assert.equal((await sup.request('POST', `/api/v1/queues/${q.id}/teams`, { body: { team_ids: [t.id] } })).status, 200);
  // read_edit: no delete.
  assert.equal((await sup.request('DELETE', `/api/v1/teams/${t.id}`)).status, 403);
  assert.equal((await admin.request('GET', `/api/v1/teams/${t.id}`)).status, 200);
});

test('agents are refused (403) and anonymous callers must log in (401)', async () => {
  const t = (await createTeam({ name: 'Guarded' })).json;
  const q = await createQueue('whatsapp', 'Guarded');
  const agent = await accountClient(srv, 'team.agent', 'agent');
  const calls = [
    ['GET', '/api/v1/teams'], ['POST', '/api/v1/teams', { name: 'x' }], ['GET', `/api/v1/teams/${t.id}`],
    ['PATCH', `/api/v1/teams/${t.id}`, { name: 'x' }], ['DELETE', `/api/v1/teams/${t.id}`],
    ['GET', `/api/v1/teams/${t.id}/agents`], ['POST', `/api/v1/teams/${t.id}/agents`, { agent_ids: [agent.id] }],
    ['DELETE', `/api/v1/teams/${t.id}/agents/${agent.id}`], ['GET', `/api/v1/queues/${q.id}/teams`],
    ['POST', `/api/v1/queues/${q.id}/teams`, { team_ids: [t.id] }], ['DELETE', `/api/v1/queues/${q.id}/teams/${t.id}`],
  ];
  for (const [method, path, body] of calls) {
    assert.equal((await agent.request(method, path, { body })).status, 403, `${method} ${path}`);
    assert.equal((await srv.request(method, path, { body })).status, 401, `${method} ${path}`);
  }
  assert.equal((await admin.request('GET', `/api/v1/teams/${t.id}`)).json.name, 'Guarded');
  assert.equal((await admin.request('GET', `/api/v1/teams/${t.id}/agents`)).json.total, 0);
});
