'use strict';
// Dispositions through the real server: the product's default global ones, three levels with
// the path, each bad field named (nothing stored), sibling names unique (409), parents and
// scopes fixed after creation, deleting a parent deletes its children and grandchildren,
// scopes (global / account / queue / list) and what applies to an interaction, deletion with
// the account or the queue, and the role matrix (admins edit; supervisors with the section
// read, queue-scoped ones only in their profile; agents read what applies to them).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, login, STRONG } = require('./lib/server');
const { smsAccount } = require('./lib/sms');

let srv, admin;
const ids = {};
const PW = 'Agent!Passw0rd1';

const fields = (r) => r.json.errors.map((e) => e.field).sort();
const names = (r) => r.json.items.map((d) => d.name).sort();
const create = (body) => admin.request('POST', '/api/v1/dispositions', { body });
async function made(body) {
  const r = await create(body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// A user of `role` created through the API, signed in with its own password.
async function staff(path, body) {
  const r = await admin.request('POST', path, { body: { password: PW, ...body } });
  assert.equal(r.status, 201, r.text);
  const c = await login(srv, body.username, PW);
  const p = await c.request('POST', '/api/v1/auth/password', { body: { current_password: PW, new_password: STRONG } });
  assert.equal(p.status, 204, p.text);
  c.id = r.json.id;
  return c;
}

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv);
  ids.accA = (await smsAccount(admin, 'twilio')).id;
  ids.accB = (await smsAccount(admin, 'clickatell')).id;
  const oc = await admin.request('POST', '/api/v1/openchannel/accounts', { body: { name: 'OC disp' } });
  assert.equal(oc.status, 201, oc.text);
  ids.oc = oc.json.id;
  for (const name of ['qIn', 'qOut']) {
    const q = await admin.request('POST', '/api/v1/queues', { body: { channel: 'sms', name } });
    assert.equal(q.status, 201, q.text);
    ids[name] = q.json.id;
  }
  ids.list = (await admin.request('GET', `/api/v1/sms/accounts/${ids.accA}`)).json.list_id;
});
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

test('the default global dispositions', async () => {
  const r = await admin.request('GET', '/api/v1/dispositions?scope=global');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(names(r), ['Answer Machine', 'Fax', 'Interested', 'Not Interested', 'Sold', 'Special']);
  for (const d of r.json.items) {
    assert.equal(d.level, 1);
    assert.equal(d.parent_id, null);
    assert.equal(d.scope, 'global');
  }
});

test('three levels, the path, sibling names unique, nothing stored on a refusal', async () => {
  const sales = await made({ name: 'Sales', description: 'Commercial outcomes' });
  assert.equal(sales.scope, 'global');
  assert.equal(sales.level, 1);
  const won = await made({ name: 'Won', parent_id: sales.id });
  assert.equal(won.level, 2);
  assert.equal(won.scope, 'global');
  const up = await made({ name: 'Upsell', parent_id: won.id });
  assert.equal(up.level, 3);
  assert.equal(up.path, 'Sales > Won > Upsell');
  const count = (await admin.request('GET', '/api/v1/dispositions')).json.total;

  let r = await create({ name: 'Too deep', parent_id: up.id });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['parent_id']);
  r = await create({ name: 'Won', parent_id: sales.id });
  assert.equal(r.status, 409, 'a sibling has the name');
  assert.deepEqual(fields(r), ['name']);
  assert.equal((await create({ name: 'Won', parent_id: up.id })).status, 422);
  r = await create({ name: 'Lost', parent_id: sales.id, scope: 'queue', queue_id: ids.qIn });
  assert.equal(r.status, 422, 'a child has its parent scope');
  assert.deepEqual(fields(r), ['queue_id', 'scope']);
  const cases = [
    [{ name: '' }, ['name']],
    [{ name: 'x'.repeat(128) }, ['name']],
    [{ name: 'Tab\there' }, ['name']],
    [{}, ['name']],
    [{ name: 'A', description: 5, colour: 'red', level: 2 }, ['colour', 'description', 'level']],
    [{ name: 'A', parent_id: 999999 }, ['parent_id']],
    [{ name: 'A', parent_id: 'Sales' }, ['parent_id']],
    [{ name: 'A', scope: 'team' }, ['scope']],
    [{ name: 'A', scope: 'account' }, ['account_id', 'channel']],
    [{ name: 'A', scope: 'account', channel: 'sms', account_id: 999999 }, ['account_id']],
    [{ name: 'A', scope: 'account', channel: 'fax', account_id: ids.accA }, ['channel']],
    [{ name: 'A', scope: 'queue', queue_id: 999999 }, ['queue_id']],
    [{ name: 'A', scope: 'list', list_id: 999999 }, ['list_id']],
    [{ name: 'A', scope: 'global', queue_id: ids.qIn, channel: 'sms' }, ['channel', 'queue_id']],
  ];
  for (const [body, want] of cases) {
    r = await create(body);
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.deepEqual(fields(r), want, JSON.stringify(body));
  }
  assert.equal((await admin.request('GET', '/api/v1/dispositions')).json.total, count, 'nothing stored');
  // The same name is fine under another parent and in another scope.
  const support = await made({ name: 'Support' });
  await made({ name: 'Won', parent_id: support.id });
  await made({ name: 'Sales', scope: 'queue', queue_id: ids.qIn });

  // Changes rename and re-describe; parent and scope are fixed.
  r = await admin.request('PATCH', `/api/v1/dispositions/${won.id}`, { body: { name: 'Closed won', description: null } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, 'Closed won');
  assert.equal((await admin.request('GET', `/api/v1/dispositions/${up.id}`)).json.path, 'Sales > Closed won > Upsell');
  r = await admin.request('PATCH', `/api/v1/dispositions/${won.id}`, { body: { parent_id: null, scope: 'queue', queue_id: ids.qIn } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['parent_id', 'queue_id', 'scope']);
  r = await admin.request('PATCH', `/api/v1/dispositions/${won.id}`, { body: { parent_id: sales.id, scope: 'global' } });
  assert.equal(r.status, 200, 'the same parent and scope are accepted');
  const lost = await made({ name: 'Lost', parent_id: sales.id });
  r = await admin.request('PATCH', `/api/v1/dispositions/${lost.id}`, { body: { name: 'Closed won' } });
  assert.equal(r.status, 409);
  assert.equal((await admin.request('PATCH', '/api/v1/dispositions/999999', { body: { name: 'x' } })).status, 404);

  // The list is in tree order: each parent before its children.
  r = await admin.request('GET', '/api/v1/dispositions?scope=global&q=sales');
  assert.equal(r.json.total, 1, 'q searches names');
  r = await admin.request('GET', `/api/v1/dispositions?parent_id=${sales.id}`);
  assert.deepEqual(names(r), ['Closed won', 'Lost']);
  r = await admin.request('GET', '/api/v1/dispositions?scope=global');
  const order = r.json.items.map((d) => d.path);
  assert.ok(order.indexOf('Sales') < order.indexOf('Sales > Closed won'));
  assert.ok(order.indexOf('Sales > Closed won') < order.indexOf('Sales > Closed won > Upsell'));
  r = await admin.request('GET', '/api/v1/dispositions?roots=true&scope=global');
  assert.ok(r.json.items.every((d) => d.level === 1));

  // Deleting a parent deletes its children and grandchildren.
  assert.equal((await admin.request('DELETE', `/api/v1/dispositions/${sales.id}`)).status, 204);
  for (const d of [sales, won, up, lost]) {
    assert.equal((await admin.request('GET', `/api/v1/dispositions/${d.id}`)).status, 404, d.name);
  }
  const audit = await admin.request('GET', '/api/v1/audit?action=disposition.delete');
  assert.equal(audit.json.items[0].detail.deleted, 4);
  assert.equal((await admin.request('DELETE', `/api/v1/dispositions/${sales.id}`)).status, 404);
});

test('scopes: what applies to an interaction; deleted with its account or queue; the role matrix', async () => {
  const d = {};
  d.acc = await made({ name: 'A only', scope: 'account', channel: 'sms', account_id: ids.accA });
  d.accChild = await made({ name: 'A child', parent_id: d.acc.id });
  d.accB = await made({ name: 'B only', scope: 'account', channel: 'sms', account_id: ids.accB });
  d.oc = await made({ name: 'OC only', scope: 'account', channel: 'openchannel', account_id: ids.oc });
  d.q = await made({ name: 'Q only', scope: 'queue', queue_id: ids.qIn });
  d.q2 = await made({ name: 'Q2 only', scope: 'queue', queue_id: ids.qOut });
  d.list = await made({ name: 'List only', scope: 'list', list_id: ids.list });
  assert.equal(d.acc.channel, 'sms');
  assert.equal(d.acc.account_id, ids.accA);
  assert.equal(d.accChild.account_id, ids.accA, 'a child has its parent scope');

  const defaults = ['Answer Machine', 'Fax', 'Interested', 'Not Interested', 'Sold', 'Special'];
  let r = await admin.request('GET', `/api/v1/dispositions?applicable=true&channel=sms&account_id=${ids.accA}&queue_id=${ids.qIn}&limit=500`);
  assert.equal(r.status, 200, r.text);
  const scoped = names(r).filter((n) => !defaults.includes(n) && !['Support', 'Won', 'Sales'].includes(n));
  assert.deepEqual(scoped, ['A child', 'A only', 'List only', 'Q only']);
  r = await admin.request('GET', `/api/v1/dispositions?scope=account&channel=sms&account_id=${ids.accB}`);
  assert.deepEqual(names(r), ['B only']);
  for (const bad of ['applicable=true', 'applicable=yes', 'scope=team', 'account_id=x', 'channel=fax', 'limit=0', 'parent_id=-1']) {
    r = await admin.request('GET', `/api/v1/dispositions?${bad}`);
    assert.equal(r.status, 422, bad);
  }

  // Agents read what applies to them: global, their accounts', queues' and lists'.
  const agent = await staff('/api/v1/agents', { username: 'disp.agent', full_name: 'Disp Agent' });
  assert.equal((await admin.request('PUT', `/api/v1/sms/accounts/${ids.accA}/agents`, { body: { agent_ids: [agent.id] } })).status, 200);
  assert.equal((await admin.request('POST', `/api/v1/queues/${ids.qIn}/agents`, { body: { agent_ids: [agent.id] } })).status, 200);
  r = await agent.request('GET', '/api/v1/dispositions?limit=500');
  assert.equal(r.status, 200, r.text);
  const seen = names(r);
  for (const n of ['A only', 'A child', 'Q only', 'List only', 'Fax']) assert.ok(seen.includes(n), n);
  for (const n of ['B only', 'OC only', 'Q2 only']) assert.ok(!seen.includes(n), n);
  r = await agent.request('GET', `/api/v1/dispositions?applicable=true&channel=sms&account_id=${ids.accB}`);
  assert.ok(!names(r).includes('B only'), 'not an agent of B');
  assert.equal((await agent.request('GET', `/api/v1/dispositions/${d.accB.id}`)).status, 404);
  assert.equal((await agent.request('GET', `/api/v1/dispositions/${d.acc.id}`)).status, 200);
  const other = await staff('/api/v1/agents', { username: 'disp.other', full_name: 'Other' });
  r = await other.request('GET', '/api/v1/dispositions?limit=500');
  assert.ok(!names(r).includes('A only') && !names(r).includes('List only') && names(r).includes('Fax'));

  // Supervisors: with the section they read; queue-scoped ones only for their queues.
  const prof = await admin.request('POST', '/api/v1/profiles', { body: { name: 'disp readers', default_permission: 'read', sections: { dispositions: 'default' }, queue_ids: [ids.qIn] } });
  assert.equal(prof.status, 201, prof.text);
  const noSection = await admin.request('POST', '/api/v1/profiles', { body: { name: 'disp none', default_permission: 'read', sections: { queues: 'default' }, queue_ids: [ids.qIn] } });
  const sup = await staff('/api/v1/users', { username: 'disp.sup', full_name: 'Sup', role: 'user', profile_id: prof.json.id });
  const supNone = await staff('/api/v1/users', { username: 'disp.none', full_name: 'None', role: 'user', profile_id: noSection.json.id });
  r = await sup.request('GET', '/api/v1/dispositions?limit=500');
  assert.equal(r.status, 200, r.text);
  for (const n of ['A only', 'B only', 'OC only', 'Q only', 'List only']) assert.ok(names(r).includes(n), n);
  assert.ok(!names(r).includes('Q2 only'), 'a queue outside the profile');
  assert.equal((await sup.request('GET', `/api/v1/dispositions/${d.q2.id}`)).status, 404);
  assert.equal((await supNone.request('GET', '/api/v1/dispositions')).status, 403);
  const anon = { request: (m, p, o) => srv.request(m, p, o) };
  for (const [c, want] of [[agent, 403], [sup, 403], [anon, 401]]) {
    assert.equal((await c.request('POST', '/api/v1/dispositions', { body: { name: 'Mine' } })).status, want);
    assert.equal((await c.request('PATCH', `/api/v1/dispositions/${d.acc.id}`, { body: { name: 'Mine' } })).status, want);
    assert.equal((await c.request('DELETE', `/api/v1/dispositions/${d.acc.id}`)).status, want);
  }
  assert.equal((await anon.request('GET', '/api/v1/dispositions')).status, 401);
  assert.equal((await admin.request('GET', `/api/v1/dispositions/${d.acc.id}`)).json.name, 'A only', 'unchanged');

  // An account's or a queue's dispositions go with it.
  assert.equal((await admin.request('DELETE', `/api/v1/sms/accounts/${ids.accB}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/dispositions/${d.accB.id}`)).status, 404);
  assert.equal((await admin.request('DELETE', `/api/v1/queues/${ids.qOut}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/dispositions/${d.q2.id}`)).status, 404);
  assert.equal((await admin.request('DELETE', `/api/v1/openchannel/accounts/${ids.oc}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/dispositions/${d.oc.id}`)).status, 404);
  assert.equal((await admin.request('GET', `/api/v1/dispositions/${d.acc.id}`)).status, 200);
});
