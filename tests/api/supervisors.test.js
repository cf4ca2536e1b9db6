'use strict';
// Supervisors (role "user") and user profiles: profile and user CRUD with field-level
// validation (admin-only), and the role × endpoint matrix of the agents and queues routes:
// admin / supervisor in scope / supervisor out of scope / agent / anonymous, plus a read-only
// profile and a profile without the section.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { startServer, adminClient, accountClient, login, STRONG } = require('./lib/server');

let srv, admin;
const ids = {};
const clients = {};

const fieldsOf = (r) => r.json.errors.map((e) => e.field).sort();
const PW = 'Agent!Passw0rd1';

// Creates a supervisor through the API with `profileId` and returns its signed-in client.
async function supervisor(username, profileId) {
  const r = await admin.request('POST', '/api/v1/users', {
    body: { username, full_name: `Sup ${username}`, role: 'user', profile_id: profileId, password: PW },
  });
  assert.equal(r.status, 201, r.text);
  const c = await login(srv, username, PW);
  const ch = await c.request('POST', '/api/v1/auth/password', { body: { current_password: PW, new_password: STRONG } });
  assert.equal(ch.status, 204, ch.text);
  c.id = r.json.id;
  return c;
}

async function agent(username) {
  const r = await admin.request('POST', '/api/v1/agents', { body: { username, full_name: `Agent ${username}`, password: PW } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

async function queue(name, channel = 'sms') {
  const r = await admin.request('POST', '/api/v1/queues', { body: { name, channel } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

async function profile(body) {
  const r = await admin.request('POST', '/api/v1/profiles', { body });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv);
  ids.qIn = await queue('sup-in');
  ids.qOut = await queue('sup-out', 'chat');
  ids.aIn = await agent('in.agent');
  ids.aIn2 = await agent('in.agent2');
  ids.aOut = await agent('out.agent');
  for (const [q, a] of [[ids.qIn, ids.aIn], [ids.qIn, ids.aIn2], [ids.qOut, ids.aOut]]) {
    const r = await admin.request('POST', `/api/v1/queues/${q}/agents`, { body: { agent_ids: [a] } });
    assert.equal(r.status, 200, r.text);
  }
  ids.pFull = await profile({ name: 'full', default_permission: 'read_edit_delete',
    sections: { agents: 'default', queues: 'default', teams: 'default' }, queue_ids: [ids.qIn] });
  ids.pRead = await profile({ name: 'read only', default_permission: 'read_edit_delete',
    sections: { agents: 'read', queues: 'read', teams: 'read' }, queue_ids: [ids.qIn] });
  ids.pNone = await profile({ name: 'no agents', default_permission: 'read', sections: { queues: 'default' },
    queue_ids: [ids.qIn] });
  clients.sup = await supervisor('sup.full', ids.pFull);
  clients.reader = await supervisor('sup.read', ids.pRead);
  clients.none = await supervisor('sup.none', ids.pNone);
  clients.agent = await accountClient(srv, 'plain.agent', 'agent');
  clients.anon = { request: (m, p, o) => srv.request(m, p, o) };
  const t = await admin.request('POST', '/api/v1/teams', { body: { name: 'matrix team' } });
  assert.equal(t.status, 201, t.text);
  ids.team = t.json.id;
});
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

test('profiles: defaults, field-level validation, unique name, in-use delete refused', async () => {
  let r = await admin.request('GET', '/api/v1/profiles');
  assert.equal(r.status, 200);
  const def = r.json.items.find((p) => p.name === 'default');
  assert.deepEqual(def.sections, {}, 'the first-install profile allows nothing');
  const count = r.json.total;

  r = await admin.request('POST', '/api/v1/profiles', {
    body: { default_permission: 'write', sections: { agents: 'all', payroll: 'read' }, queue_ids: [999999],
      mask_sensitive: 'yes', colour: 'red' },
  });
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['colour', 'default_permission', 'mask_sensitive', 'name', 'queue_ids[0]',
    'sections.agents', 'sections.payroll']);
  assert.equal((await admin.request('GET', '/api/v1/profiles')).json.total, count, 'nothing created');

  r = await admin.request('POST', '/api/v1/profiles', { body: { name: 'full' } });
  assert.equal(r.status, 409);
  assert.equal(r.json.errors[0].field, 'name');

  r = await admin.request('POST', '/api/v1/profiles', { body: { name: 'temp', description: 'x', mask_sensitive: true } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.default_permission, 'read');
  assert.equal(r.json.mask_sensitive, true);
  assert.deepEqual(r.json.queue_ids, []);
  const temp = r.json.id;
  r = await admin.request('PATCH', `/api/v1/profiles/${temp}`, { body: { queue_ids: [ids.qOut, ids.qIn], sections: { teams: 'read_delete' } } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.queue_ids, [ids.qIn, ids.qOut].sort((a, b) => a - b));
  assert.equal(r.json.description, 'x', 'untouched fields stay');
  r = await admin.request('PATCH', `/api/v1/profiles/${temp}`, { body: { name: 'full' } });
  assert.equal(r.status, 409);

  r = await admin.request('GET', `/api/v1/profiles/${ids.pFull}`);
  assert.equal(r.json.users, 1);
  r = await admin.request('DELETE', `/api/v1/profiles/${ids.pFull}`);
  assert.equal(r.status, 409, 'a profile in use stays');
  assert.equal((await admin.request('DELETE', `/api/v1/profiles/${temp}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/profiles/${temp}`)).status, 404);
});

test('users: create with validation, role and username fixed, last admin protected', async () => {
  let r = await admin.request('POST', '/api/v1/users', {
    body: { username: 'no profile', full_name: '', role: 'agent', password: 'short' },
  });
  assert.equal(r.status, 422);
  const f = fieldsOf(r);
  for (const k of ['username', 'full_name', 'role', 'password']) assert.ok(f.includes(k), `${k} in ${f}`);
  r = await admin.request('POST', '/api/v1/users', { body: { username: 'sup.x', full_name: 'Sup X', role: 'user', password: PW } });
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['profile_id']);
  r = await admin.request('POST', '/api/v1/users', { body: { username: 'sup.x', full_name: 'Sup X', role: 'user', password: PW, profile_id: 424242 } });
  assert.deepEqual(fieldsOf(r), ['profile_id']);
  r = await admin.request('POST', '/api/v1/users', { body: { username: 'adm.x', full_name: 'Adm X', role: 'admin', password: PW, profile_id: ids.pFull } });
  assert.deepEqual(fieldsOf(r), ['profile_id']);
  assert.equal((await admin.request('GET', '/api/v1/users?q=sup.x')).json.total, 0, 'nothing created');

  r = await admin.request('POST', '/api/v1/users', { body: { username: 'adm.x', full_name: 'Adm X', role: 'admin', password: PW, email: 'adm.x@example.com' } });
  assert.equal(r.status, 201, r.text);
  const adm = r.json;
  assert.equal(adm.role, 'admin');
  assert.equal(adm.profile_id, null);
  assert.ok(Number.isInteger(adm.internal), 'extension generated');
  assert.equal('password_hash' in adm, false);
  r = await admin.request('POST', '/api/v1/users', { body: { username: 'adm.x', full_name: 'Again', role: 'admin', password: PW } });
  assert.equal(r.status, 409);
  r = await admin.request('POST', '/api/v1/users', { body: { username: 'adm.y', full_name: 'Y', role: 'admin', password: PW, internal: adm.internal } });
  assert.equal(r.status, 409);
  assert.equal(r.json.errors[0].field, 'internal');

  r = await admin.request('PATCH', `/api/v1/users/${adm.id}`, { body: { role: 'user', username: 'renamed', password: PW } });
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['password', 'role', 'username']);
  r = await admin.request('PATCH', `/api/v1/users/${adm.id}`, { body: { full_name: 'Adm Renamed', description: 'ops' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.full_name, 'Adm Renamed');
  r = await admin.request('PATCH', `/api/v1/users/${clients.sup.id}`, { body: { profile_id: null } });
  assert.equal(r.status, 422, 'a supervisor keeps a profile');
  r = await admin.request('GET', '/api/v1/users?role=user');
  assert.deepEqual(r.json.items.map((u) => u.username).sort(), ['sup.full', 'sup.none', 'sup.read']);
  assert.equal(r.json.items.find((u) => u.username === 'sup.full').profile_name, 'full');

  const me = admin.user.id;
  r = await admin.request('DELETE', `/api/v1/users/${me}`);
  assert.equal(r.status, 409, 'not yourself');
  // The other administrator signs in, deletes the first one, then cannot be disabled: it is
  // the last one.
  const other = await login(srv, 'adm.x', PW);
  assert.equal((await other.request('POST', '/api/v1/auth/password', { body: { current_password: PW, new_password: STRONG } })).status, 204);
  const second = await admin.request('POST', '/api/v1/users', { body: { username: 'adm.z', full_name: 'Z', role: 'admin', password: PW } });
  assert.equal((await other.request('DELETE', `/api/v1/users/${second.json.id}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/users/${second.json.id}`)).status, 404);
  const users = (await admin.request('GET', '/api/v1/users?role=admin')).json.items.map((u) => u.username).sort();
  assert.deepEqual(users, ['adm.x', 'admin']);
});

// Each row: a request and the status each caller gets. `in` is a supervisor with full rights
// acting on a resource of its queues, `out` the same supervisor on a resource outside them,
// `ro` a read-only profile on an in-scope resource, `none` a profile without the section. An
// optional fourth element prepares the state before each caller's request.
const rows = [
  ['GET agent', (id) => ['GET', `/api/v1/agents/${id}`], { admin: 200, in: 200, out: 404, ro: 200, none: 403, agent: 403, anon: 401 }],
  ['PATCH agent', (id) => ['PATCH', `/api/v1/agents/${id}`, { alias: 'x' }], { admin: 200, in: 200, out: 404, ro: 403, none: 403, agent: 403, anon: 401 }],
  ['set agent password', (id) => ['POST', `/api/v1/agents/${id}/password`, { password: 'N3w!Passw0rd-9' }], { admin: 204, in: 204, out: 404, ro: 403, none: 403, agent: 403, anon: 401 }],
  ['GET agent queues', (id) => ['GET', `/api/v1/agents/${id}/queues`], { admin: 200, in: 200, out: 404, ro: 200, none: 403, agent: 403, anon: 401 }],
  ['add agent to queues', (id, q) => ['POST', `/api/v1/agents/${id}/queues`, { queue_ids: [q] }], { admin: 200, in: 200, out: 404, ro: 403, none: 403, agent: 403, anon: 401 }],
  ['GET agent teams', (id) => ['GET', `/api/v1/agents/${id}/teams`], { admin: 200, in: 200, out: 404, ro: 200, none: 403, agent: 403, anon: 401 }],
  ['add agent to team', (id) => ['POST', `/api/v1/agents/${id}/teams`, { team_ids: [ids.team] }], { admin: 200, in: 200, out: 404, ro: 403, none: 403, agent: 403, anon: 401 }],
  ['remove agent from team', (id) => ['DELETE', `/api/v1/agents/${id}/teams/${ids.team}`], { admin: 204, in: 204, out: 404, ro: 403, none: 403, agent: 403, anon: 401 },
    (id) => admin.request('POST', `/api/v1/agents/${id}/teams`, { body: { team_ids: [ids.team] } })],
  ['remove avatar', (id) => ['DELETE', `/api/v1/agents/${id}/avatar`], { admin: 204, in: 204, out: 404, ro: 403, none: 403, agent: 403, anon: 401 }],
  ['rotate SIP secret', (id) => ['POST', `/api/v1/agents/${id}/sip-secret`], { admin: 200, in: 403, out: 403, ro: 403, none: 403, agent: 403, anon: 401 }],
  ['pjsip.conf', () => ['GET', '/api/v1/provisioning/asterisk/pjsip.conf'], { admin: 200, in: 403, out: 403, ro: 403, none: 403, agent: 403, anon: 401 }],
  ['list teams', () => ['GET', '/api/v1/teams'], { admin: 200, in: 200, out: 200, ro: 200, none: 403, agent: 403, anon: 401 }],
  ['PATCH team', () => ['PATCH', `/api/v1/teams/${ids.team}`, { description: 'd' }], { admin: 200, in: 200, out: 200, ro: 403, none: 403, agent: 403, anon: 401 }],
  ['GET queue teams', (id, q) => ['GET', `/api/v1/queues/${q}/teams`], { admin: 200, in: 200, out: 404, ro: 200, none: 403, agent: 403, anon: 401 }],
  ['GET queue', (id, q) => ['GET', `/api/v1/queues/${q}`], { admin: 200, in: 200, out: 404, ro: 200, none: 200, agent: 403, anon: 401 }],
  ['PATCH queue', (id, q) => ['PATCH', `/api/v1/queues/${q}`, { description: 'changed' }], { admin: 200, in: 200, out: 404, ro: 403, none: 403, agent: 403, anon: 401 }],
  ['GET queue agents', (id, q) => ['GET', `/api/v1/queues/${q}/agents`], { admin: 200, in: 200, out: 404, ro: 200, none: 200, agent: 403, anon: 401 }],
  ['create agent', () => ['POST', '/api/v1/agents', { username: `new${Math.random().toString(36).slice(2, 8)}`, full_name: 'N', password: PW }], { admin: 201, in: 403, out: 403, ro: 403, none: 403, agent: 403, anon: 401 }],
  ['create queue', () => ['POST', '/api/v1/queues', { name: `q${Math.random().toString(36).slice(2, 8)}`, channel: 'sms' }], { admin: 201, in: 403, out: 403, ro: 403, none: 403, agent: 403, anon: 401 }],
  ['list users', () => ['GET', '/api/v1/users'], { admin: 200, in: 403, out: 403, ro: 403, none: 403, agent: 403, anon: 401 }],
  ['list profiles', () => ['GET', '/api/v1/profiles'], { admin: 200, in: 403, out: 403, ro: 403, none: 403, agent: 403, anon: 401 }],
  ['GET profile', () => ['GET', `/api/v1/profiles/${ids.pFull}`], { admin: 200, in: 403, out: 403, ro: 403, none: 403, agent: 403, anon: 401 }],
  ['GET user', () => ['GET', `/api/v1/users/${clients.sup.id}`], { admin: 200, in: 403, out: 403, ro: 403, none: 403, agent: 403, anon: 401 }],
];

test('role × endpoint matrix: item routes', async () => {
  const callers = {
    admin: [admin, ids.aIn, ids.qIn], in: [clients.sup, ids.aIn, ids.qIn], out: [clients.sup, ids.aOut, ids.qOut],
    ro: [clients.reader, ids.aIn, ids.qIn], none: [clients.none, ids.aIn, ids.qIn],
    agent: [clients.agent, ids.aIn, ids.qIn], anon: [clients.anon, ids.aIn, ids.qIn],
  };
  const seen = [];
  for (const [name, make, expect, prep] of rows) {
    for (const [who, [client, agentId, queueId]] of Object.entries(callers)) {
      if (prep) await prep(agentId);
      const [method, path, body] = make(agentId, queueId);
      const r = await client.request(method, path, body ? { body } : {});
      if (r.status === 200 && r.headers.get('content-type').startsWith('text/plain')) r.json = null;
      seen.push(`${name} as ${who}: ${r.status}`);
      assert.equal(r.status, expect[who], `${name} as ${who}: ${r.text}`);
      if (r.status >= 400) assert.match(r.headers.get('content-type'), /application\/problem\+json/);
    }
  }
  assert.equal(seen.length, rows.length * 7);
  // Out-of-scope answers do not reveal existence: the same as an id that does not exist.
  const ghost = await clients.sup.request('GET', '/api/v1/agents/999999');
  const out = await clients.sup.request('GET', `/api/v1/agents/${ids.aOut}`);
  assert.deepEqual([out.status, out.json.title], [ghost.status, ghost.json.title]);
});

test('role × endpoint matrix: lists and exports are filtered to the supervisor\'s queues', async () => {
  let r = await clients.sup.request('GET', '/api/v1/agents');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((a) => a.username).sort(), ['in.agent', 'in.agent2']);
  assert.equal(r.json.total, 2);
  r = await admin.request('GET', '/api/v1/agents?q=agent');
  assert.ok(r.json.items.some((a) => a.username === 'out.agent'), 'the admin sees every agent');
  r = await clients.sup.request('GET', '/api/v1/agents/export.csv');
  assert.equal(r.status, 200);
  const rows = JSON.parse(execFileSync('/usr/bin/python3', ['-c',
    'import csv,sys,json; print(json.dumps(list(csv.DictReader(sys.stdin))))'], { input: r.text }).toString());
  assert.deepEqual(rows.map((x) => x.username).sort(), ['in.agent', 'in.agent2']);
  r = await clients.sup.request('GET', '/api/v1/queues');
  assert.deepEqual(r.json.items.map((q) => q.name), ['sup-in']);
  r = await clients.sup.request('GET', '/api/v1/queues?channel=chat');
  assert.equal(r.json.total, 0);
  r = await clients.reader.request('GET', '/api/v1/agents');
  assert.equal(r.json.total, 2);
  for (const c of [clients.none, clients.agent]) assert.equal((await c.request('GET', '/api/v1/agents')).status, 403);
  assert.equal((await clients.anon.request('GET', '/api/v1/agents')).status, 401);
});

test('a supervisor adds only agents it sees, removes members of its queues, deletes in scope', async () => {
  let r = await clients.sup.request('POST', `/api/v1/queues/${ids.qIn}/agents`, { body: { agent_ids: [ids.aOut] } });
  assert.equal(r.status, 422, 'an agent outside its queues is refused like an unknown one');
  r = await admin.request('GET', `/api/v1/queues/${ids.qIn}/agents`);
  assert.ok(!r.json.items.some((a) => a.id === ids.aOut), 'nothing added');
  r = await clients.reader.request('DELETE', `/api/v1/queues/${ids.qIn}/agents/${ids.aIn2}`);
  assert.equal(r.status, 403);
  // Deleting: out of scope 404, read-only 403, in scope 204; then the agent is gone.
  assert.equal((await clients.sup.request('DELETE', `/api/v1/agents/${ids.aOut}`)).status, 404);
  assert.equal((await clients.reader.request('DELETE', `/api/v1/agents/${ids.aIn2}`)).status, 403);
  assert.equal((await clients.sup.request('DELETE', `/api/v1/agents/${ids.aIn2}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/agents/${ids.aIn2}`)).status, 404);
  // Queue deletion follows the same rule.
  assert.equal((await clients.sup.request('DELETE', `/api/v1/queues/${ids.qOut}`)).status, 404);
  assert.equal((await admin.request('GET', `/api/v1/queues/${ids.qOut}`)).status, 200, 'still there');
  // Taking a queue out of the profile takes its agents out of scope at once.
  r = await admin.request('PATCH', `/api/v1/profiles/${ids.pFull}`, { body: { queue_ids: [] } });
  assert.equal(r.status, 200);
  assert.equal((await clients.sup.request('GET', `/api/v1/agents/${ids.aIn}`)).status, 404);
  assert.equal((await clients.sup.request('GET', '/api/v1/agents')).json.total, 0);
  await admin.request('PATCH', `/api/v1/profiles/${ids.pFull}`, { body: { queue_ids: [ids.qIn] } });
});

test('disabling a supervisor ends its sessions; the admin-only routes stay closed to it', async () => {
  const c = await supervisor('sup.gone', ids.pFull);
  assert.equal((await c.request('GET', '/api/v1/agents')).status, 200);
  const r = await admin.request('PATCH', `/api/v1/users/${c.id}`, { body: { disabled: true } });
  assert.equal(r.status, 200, r.text);
  assert.equal((await c.request('GET', '/api/v1/agents')).status, 401);
});

test('an agent reached through a team is in scope; bulk delete and export stay inside the scope', async () => {
  const via = await agent('team.agent');
  assert.equal((await clients.sup.request('GET', `/api/v1/agents/${via}`)).status, 404);
  const t = await admin.request('POST', '/api/v1/teams', { body: { name: 'scope team' } });
  assert.equal((await admin.request('POST', `/api/v1/teams/${t.json.id}/agents`, { body: { agent_ids: [via] } })).status, 200);
  assert.equal((await admin.request('POST', `/api/v1/queues/${ids.qIn}/teams`, { body: { team_ids: [t.json.id] } })).status, 200);
  assert.equal((await clients.sup.request('GET', `/api/v1/agents/${via}`)).status, 200, 'member through the team');
  const listed = (await clients.sup.request('GET', '/api/v1/agents')).json.items.map((a) => a.username);
  assert.ok(listed.includes('team.agent'), listed.join());
  // Out of scope inside a bulk delete: refused naming the id, nothing deleted.
  const outsider = await agent('bulk.outsider');
  let r = await clients.sup.request('POST', '/api/v1/agents/delete', { body: { ids: [via, outsider] } });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.errors[0].field, 'ids[1]');
  assert.equal((await admin.request('GET', `/api/v1/agents/${via}`)).status, 200, 'nothing deleted');
  r = await clients.sup.request('GET', `/api/v1/agents/export.csv?ids=${via},${outsider}`);
  assert.equal(r.status, 200);
  assert.ok(r.text.includes('team.agent') && !r.text.includes('bulk.outsider'), r.text);
  // The team leaves the queue: the agent leaves the scope at once.
  assert.equal((await admin.request('DELETE', `/api/v1/queues/${ids.qIn}/teams/${t.json.id}`)).status, 204);
  assert.equal((await clients.sup.request('GET', `/api/v1/agents/${via}`)).status, 404);
});
