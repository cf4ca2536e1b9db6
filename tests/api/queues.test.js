'use strict';
// Queues of every channel: defaults, strategies per channel, unique names within a channel,
// field-level validation that changes nothing, agent membership applied at once.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, accountClient } = require('./lib/server');

let srv, admin;
before(async () => { srv = await startServer(); admin = await adminClient(srv); });
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const create = (body) => admin.request('POST', '/api/v1/queues', { body });
const fields = (r) => r.json.errors.map((e) => e.field).sort();

test('a queue for each channel with the right default strategy', async () => {
  for (const channel of ['voice', 'chat', 'email', 'sms', 'openchannel', 'fax', 'whatsapp']) {
    const r = await create({ channel, name: `Support ${channel}` });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.strategy, channel === 'voice' ? 'ringall' : 'beepall');
    assert.equal(r.json.weight, 0);
    assert.equal(r.json.agent_timeout, 15);
    assert.equal(r.json.agents, 0);
  }
  const list = await admin.request('GET', '/api/v1/queues?channel=sms');
  assert.equal(list.json.total, 1);
  assert.equal(list.json.items[0].name, 'Support sms');
});

test('strategies, weight and timeout are validated per channel; nothing changes on error', async () => {
  const before = (await admin.request('GET', '/api/v1/queues')).json.total;
  let r = await create({ channel: 'chat', name: 'Bad', strategy: 'ringall', weight: 11, agent_timeout: 0, color: 'red' });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['agent_timeout', 'color', 'strategy', 'weight']);
  r = await create({ channel: 'voice', name: 'Voice RR', strategy: 'rrmemory' });
  assert.equal(r.status, 201);
  r = await create({ channel: 'voice', name: 'Voice beep', strategy: 'beepall' });
  assert.equal(r.status, 422, 'beepall is a digital strategy');
  r = await create({ channel: 'telepathy', name: 'X' });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['channel']);
  assert.equal((await admin.request('GET', '/api/v1/queues')).json.total, before + 1);
});

test('names are unique within a channel only', async () => {
  assert.equal((await create({ channel: 'chat', name: 'Sales' })).status, 201);
  const dup = await create({ channel: 'chat', name: 'Sales' });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.errors[0].field, 'name');
  assert.equal((await create({ channel: 'sms', name: 'Sales' })).status, 201);
});

test('change and delete; the channel is fixed', async () => {
  const q = (await create({ channel: 'whatsapp', name: 'Temp' })).json;
  let r = await admin.request('PATCH', `/api/v1/queues/${q.id}`, { body: { weight: 7, strategy: 'leastrecent' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.weight, 7);
  assert.equal(r.json.strategy, 'leastrecent');
  r = await admin.request('PATCH', `/api/v1/queues/${q.id}`, { body: { channel: 'chat' } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['channel']);
  assert.equal((await admin.request('DELETE', `/api/v1/queues/${q.id}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/queues/${q.id}`)).status, 404);
});

test('agents join and leave a queue at once; non-agents are refused', async () => {
  const q = (await create({ channel: 'openchannel', name: 'Members' })).json;
  const a1 = (await admin.request('POST', '/api/v1/agents', { body: { username: 'qa.one', full_name: 'QA One', password: 'Agent!Passw0rd1' } })).json;
  const a2 = (await admin.request('POST', '/api/v1/agents', { body: { username: 'qa.two', full_name: 'QA Two', password: 'Agent!Passw0rd1' } })).json;
  let r = await admin.request('POST', `/api/v1/queues/${q.id}/agents`, { body: { agent_ids: [a1.id, a2.id, a1.id] } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((m) => m.username), ['qa.one', 'qa.two']);
  assert.equal((await admin.request('GET', `/api/v1/queues/${q.id}`)).json.agents, 2);
  r = await admin.request('POST', `/api/v1/queues/${q.id}/agents`, { body: { agent_ids: [admin.user.id] } });
  assert.equal(r.status, 422, 'an admin is not an agent');
  assert.equal(r.json.errors[0].field, 'agent_ids');
  r = await admin.request('POST', `/api/v1/queues/${q.id}/agents`, { body: { agent_ids: [] } });
  assert.equal(r.status, 422);
  assert.equal((await admin.request('DELETE', `/api/v1/queues/${q.id}/agents/${a1.id}`)).status, 204);
  assert.equal((await admin.request('DELETE', `/api/v1/queues/${q.id}/agents/${a1.id}`)).status, 404);
  assert.deepEqual((await admin.request('GET', `/api/v1/queues/${q.id}/agents`)).json.items.map((m) => m.username), ['qa.two']);
  // Deleting an agent removes it from the member list.
  await admin.request('DELETE', `/api/v1/agents/${a2.id}`);
  assert.equal((await admin.request('GET', `/api/v1/queues/${q.id}/agents`)).json.total, 0);
  assert.equal((await admin.request('GET', `/api/v1/queues/${q.id}`)).json.agents, 0);
});

test('only admins manage queues for now', async () => {
  const agent = await accountClient(srv, 'q.agent', 'agent');
  assert.equal((await agent.request('GET', '/api/v1/queues')).status, 403);
  assert.equal((await agent.request('POST', '/api/v1/queues', { body: { channel: 'chat', name: 'x' } })).status, 403);
  assert.equal((await srv.request('GET', '/api/v1/queues')).status, 401);
});
