'use strict';
// Canned answers through the real server: global and per-account answers, each bad field
// named (an unknown {{variable}} too; nothing stored), names unique per scope (409), search
// in names and bodies (case-insensitive, wildcards literal), what applies to an account, the
// role matrix (admins edit; supervisors with the section and agents read; agents only global
// ones and their accounts'), deletion with the account, and rendering the variables for an
// interaction the agent holds.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, login, STRONG } = require('./lib/server');
const { smsAccount } = require('./lib/sms');
const d = require('./lib/desk');

let srv, admin;
const ids = {};
const PW = 'Agent!Passw0rd1';

const fields = (r) => r.json.errors.map((e) => e.field).sort();
const names = (r) => r.json.items.map((a) => a.name);
const create = (body) => admin.request('POST', '/api/v1/canned-answers', { body });
async function made(body) {
  const r = await create(body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

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
  ids.accA = (await smsAccount(admin, 'plivo')).id;
  ids.accB = (await smsAccount(admin, 'telnyx')).id;
});
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

test('fields, defaults, unique names per scope, search', async () => {
  const hello = await made({ name: 'Hello', body: 'Hello {{contact.first_name}}, this is {{ agent.alias }}.' });
  assert.equal(hello.scope, 'global');
  assert.equal(hello.channel, null);
  assert.equal(hello.account_id, null);
  const a = await made({ name: 'Hello', body: 'Account A says hi\nsecond line', scope: 'account', channel: 'sms', account_id: ids.accA });
  assert.equal(a.scope, 'account');
  assert.equal(a.account_id, ids.accA);
  await made({ name: 'Promo', body: '50% off today_only', scope: 'account', channel: 'sms', account_id: ids.accB });
  await made({ name: 'Bye', body: 'Goodbye from {{account.name}}, enjoy the playoffs' });
  const before = (await admin.request('GET', '/api/v1/canned-answers')).json.total;

  let r = await create({ name: 'Hello', body: 'again' });
  assert.equal(r.status, 409);
  assert.deepEqual(fields(r), ['name']);
  const cases = [
    [{}, ['body', 'name']],
    [{ name: '', body: '' }, ['body', 'name']],
    [{ name: 'x'.repeat(129), body: 'x'.repeat(4097) }, ['body', 'name']],
    [{ name: 'Vars', body: 'Hi {{agent.password}}' }, ['body']],
    [{ name: 'Scope', body: 'b', scope: 'team' }, ['scope']],
    [{ name: 'Scope', body: 'b', scope: 'account' }, ['account_id', 'channel']],
    [{ name: 'Scope', body: 'b', scope: 'account', channel: 'sms', account_id: 999999 }, ['account_id']],
    [{ name: 'Scope', body: 'b', scope: 'account', channel: 'fax', account_id: ids.accA }, ['channel']],
    [{ name: 'Scope', body: 'b', channel: 'sms', account_id: ids.accA }, ['account_id', 'channel']],
    [{ name: 'Extra', body: 'b', tags: [], id: 3 }, ['id', 'tags']],
  ];
  for (const [body, want] of cases) {
    r = await create(body);
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.deepEqual(fields(r), want, JSON.stringify(body));
  }
  r = await create({ name: 'Vars', body: 'Hi {{agent.password}}' });
  assert.match(r.json.errors[0].message, /unknown variable \{\{agent\.password\}\}/);
  assert.equal((await admin.request('GET', '/api/v1/canned-answers')).json.total, before, 'nothing stored');

  r = await admin.request('GET', '/api/v1/canned-answers?q=HELLO');
  assert.deepEqual(names(r), ['Hello', 'Hello'], 'names, case-insensitive');
  r = await admin.request('GET', '/api/v1/canned-answers?q=goodbye');
  assert.deepEqual(names(r), ['Bye'], 'bodies too');
  r = await admin.request('GET', `/api/v1/canned-answers?q=${encodeURIComponent('%')}`);
  assert.deepEqual(names(r), ['Promo'], '% is literal');
  r = await admin.request('GET', '/api/v1/canned-answers?q=y_o');
  assert.deepEqual(names(r), ['Promo'], '_ is literal');
  r = await admin.request('GET', '/api/v1/canned-answers?q=nothing-like-this');
  assert.equal(r.json.total, 0);
  r = await admin.request('GET', `/api/v1/canned-answers?channel=sms&account_id=${ids.accA}&applicable=true`);
  assert.deepEqual(names(r), ['Bye', 'Hello', 'Hello'], 'global ones and account A\'s');
  r = await admin.request('GET', '/api/v1/canned-answers?scope=account');
  assert.deepEqual(names(r), ['Hello', 'Promo']);
  r = await admin.request('GET', `/api/v1/canned-answers?channel=sms&account_id=${ids.accB}`);
  assert.deepEqual(names(r), ['Promo']);
  for (const bad of ['applicable=true', 'channel=sms', 'account_id=1', 'scope=x', 'limit=501', `q=${'x'.repeat(65)}`]) {
    assert.equal((await admin.request('GET', `/api/v1/canned-answers?${bad}`)).status, 422, bad);
  }

  r = await admin.request('PATCH', `/api/v1/canned-answers/${hello.id}`, { body: { body: 'Hi {{contact.full_name}}' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, 'Hello');
  r = await admin.request('PATCH', `/api/v1/canned-answers/${hello.id}`, { body: { scope: 'account', channel: 'sms', account_id: ids.accA } });
  assert.equal(r.status, 409, 'account A already has a Hello');
  r = await admin.request('PATCH', `/api/v1/canned-answers/${hello.id}`, { body: { name: 'Hi', scope: 'account', channel: 'sms', account_id: ids.accB } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.account_id, ids.accB);
  r = await admin.request('PATCH', `/api/v1/canned-answers/${hello.id}`, { body: { scope: 'global' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.account_id, null);
  assert.equal((await admin.request('PATCH', '/api/v1/canned-answers/999999', { body: { name: 'x' } })).status, 404);
  assert.equal((await admin.request('DELETE', `/api/v1/canned-answers/${hello.id}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/canned-answers/${hello.id}`)).status, 404);
});

test('role matrix; an account\'s answers go with it', async () => {
  const accC = (await smsAccount(admin, 'clickatell')).id;
  const mine = await made({ name: 'C answer', body: 'c', scope: 'account', channel: 'sms', account_id: accC });
  const theirs = await made({ name: 'B answer', body: 'b', scope: 'account', channel: 'sms', account_id: ids.accB });
  const global = await made({ name: 'Everyone', body: 'g' });
  const agent = await staff('/api/v1/agents', { username: 'can.agent', full_name: 'Can Agent' });
  assert.equal((await admin.request('PUT', `/api/v1/sms/accounts/${accC}/agents`, { body: { agent_ids: [agent.id] } })).status, 200);
  let r = await agent.request('GET', '/api/v1/canned-answers?limit=500');
  assert.equal(r.status, 200, r.text);
  assert.ok(names(r).includes('C answer') && names(r).includes('Everyone'));
  assert.ok(!names(r).includes('B answer'), 'not an agent of B');
  r = await agent.request('GET', `/api/v1/canned-answers?channel=sms&account_id=${ids.accB}&applicable=true`);
  assert.ok(!names(r).includes('B answer'));
  assert.equal((await agent.request('GET', `/api/v1/canned-answers/${theirs.id}`)).status, 404);
  assert.equal((await agent.request('GET', `/api/v1/canned-answers/${mine.id}`)).status, 200);
  assert.equal((await agent.request('GET', `/api/v1/canned-answers/${global.id}`)).status, 200);

  const prof = await admin.request('POST', '/api/v1/profiles', { body: { name: 'canned readers', default_permission: 'read', sections: { canned_answers: 'default' } } });
  assert.equal(prof.status, 201, prof.text);
  const none = await admin.request('POST', '/api/v1/profiles', { body: { name: 'canned none', default_permission: 'read', sections: { dispositions: 'default' } } });
  const sup = await staff('/api/v1/users', { username: 'can.sup', full_name: 'Sup', role: 'user', profile_id: prof.json.id });
  const supNone = await staff('/api/v1/users', { username: 'can.none', full_name: 'None', role: 'user', profile_id: none.json.id });
  r = await sup.request('GET', '/api/v1/canned-answers?limit=500');
  assert.equal(r.status, 200);
  assert.ok(names(r).includes('B answer') && names(r).includes('C answer'));
  assert.equal((await supNone.request('GET', '/api/v1/canned-answers')).status, 403);
  const anon = { request: (m, p, o) => srv.request(m, p, o) };
  for (const [c, want] of [[agent, 403], [sup, 403], [anon, 401]]) {
    assert.equal((await c.request('POST', '/api/v1/canned-answers', { body: { name: 'n', body: 'b' } })).status, want);
    assert.equal((await c.request('PATCH', `/api/v1/canned-answers/${mine.id}`, { body: { body: 'x' } })).status, want);
    assert.equal((await c.request('DELETE', `/api/v1/canned-answers/${mine.id}`)).status, want);
  }
  assert.equal((await anon.request('GET', '/api/v1/canned-answers')).status, 401);
  assert.equal((await admin.request('GET', `/api/v1/canned-answers/${mine.id}`)).json.body, 'c', 'unchanged');
  assert.equal((await admin.request('DELETE', `/api/v1/sms/accounts/${accC}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/canned-answers/${mine.id}`)).status, 404);
});

test('render: the agent, the contact and the interaction fill the variables', async () => {
  const ann = await d.agentDesk(srv, admin, 'can.ann', { alias: 'Ann' });
  const bob = await d.agentDesk(srv, admin, 'can.bob');
  try {
    const q = await d.queue(admin, 'Canned render');
    await d.addMembers(admin, q, [ann]);
    const acc = await d.account(admin, 'Render shop', { key: 'RS' });
    await d.setFlow(admin, acc, [{ application: 'queue', queue_id: q.id, timeout: 300 }]);
    await admin.request('PUT', `/api/v1/openchannel/accounts/${acc.id}/agents`, { body: { agent_ids: [ann.agent.id] } });
    assert.equal((await ann.request('POST', '/api/v1/agent/login', { body: { channel: 'openchannel' } })).status, 200);
    const n = await d.notify(srv, acc, { from: 'cust-9', body: 'Hi', firstName: 'Carla', lastName: 'Rossi', phone: '+390612345678' });
    assert.equal(n.status, 200, n.text);
    const ix = n.json.interaction_id;
    await d.waitFor(() => d.events(ann.ws, 'interaction.offered', ix)[0], 'offer to ann');
    assert.equal((await ann.request('POST', `/api/v1/interactions/${ix}/accept`)).status, 200);

    const text = 'Dear {{contact.full_name}} ({{contact.phone}}), {{agent.alias}} of {{account.name}} [{{account.key}}] on #{{interaction.id}} via {{interaction.channel}}.{{contact.email}} {{ not a var }}';
    const g = await made({ name: 'Render me', body: text });
    const other = await made({ name: 'Other account', body: 'x', scope: 'account', channel: 'sms', account_id: ids.accA });
    let r = await ann.request('POST', `/api/v1/canned-answers/${g.id}/render`, { body: { interaction_id: ix } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.text, `Dear Carla Rossi (+390612345678), Ann of Render shop [RS] on #${ix} via openchannel. {{ not a var }}`);
    r = await admin.request('POST', `/api/v1/canned-answers/${g.id}/render`, { body: { interaction_id: ix } });
    assert.equal(r.status, 200, 'admins may render too');
    assert.match(r.json.text, /^Dear Carla Rossi \(\+390612345678\), \S.* of Render shop/);
    assert.ok(!r.json.text.includes('Ann'), 'the caller fills the agent variables');
    r = await bob.request('POST', `/api/v1/canned-answers/${g.id}/render`, { body: { interaction_id: ix } });
    assert.equal(r.status, 422, 'not bob\'s interaction');
    assert.deepEqual(fields(r), ['interaction_id']);
    r = await admin.request('POST', `/api/v1/canned-answers/${other.id}/render`, { body: { interaction_id: ix } });
    assert.equal(r.status, 422, 'an answer of another account does not apply');
    r = await ann.request('POST', `/api/v1/canned-answers/${g.id}/render`, { body: { interaction_id: 'x' } });
    assert.equal(r.status, 422);
    assert.equal((await ann.request('POST', `/api/v1/canned-answers/${other.id}/render`, { body: { interaction_id: ix } })).status, 404, 'not visible to ann');
    assert.equal((await ann.request('POST', '/api/v1/canned-answers/999999/render', { body: { interaction_id: ix } })).status, 404);
  } finally {
    ann.ws.close();
    bob.ws.close();
  }
});
