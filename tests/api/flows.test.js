'use strict';
// Action flows of the digital channels' accounts: an empty flow to start with, every
// application stored and read back, field-level validation (parse errors, then references:
// queues of the same channel, agents, intervals) that changes nothing, atomic replacement
// under concurrent saves, unknown channels and accounts, and administrators only.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, accountClient } = require('./lib/server');

let srv, admin;
const ids = {};
before(async () => {
  srv = await startServer();
  admin = await adminClient(srv);
  const q = async (channel, name) => {
    const r = await admin.request('POST', '/api/v1/queues', { body: { channel, name } });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  ids.smsQ = await q('openchannel', 'Open Channel first line');
  ids.smsQ2 = await q('openchannel', 'Open Channel second line');
  ids.chatQ = await q('chat', 'Chat');
  const a = await admin.request('POST', '/api/v1/agents', { body: { username: 'flow.agent', full_name: 'Flow Agent', password: 'Agent!Passw0rd1' } });
  assert.equal(a.status, 201, a.text);
  ids.agent = a.json.id;
  const iv = await admin.request('POST', '/api/v1/intervals', { body: { name: 'Office', sub_intervals: [{ time_range: '09:00-17:59', week_days: 'mon-fri' }] } });
  assert.equal(iv.status, 201, iv.text);
  ids.office = iv.json.id;
  // Flows belong to existing accounts: Open Channel ones here (the first channel with accounts).
  for (const n of [1, 10, 20]) {
    const r = await admin.request('POST', '/api/v1/openchannel/accounts', { body: { name: `Flow account ${n}` } });
    assert.equal(r.status, 201, r.text);
    ids[`acc${n}`] = r.json.id;
  }
});
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const fields = (r) => r.json.errors.map((e) => e.field);
const url = (channel, account) => `/api/v1/flows/${channel}/${account}/actions`;
const put = (channel, account, actions) => admin.request('PUT', url(channel, account), { body: { actions } });
const get = async (channel, account) => {
  const r = await admin.request('GET', url(channel, account));
  assert.equal(r.status, 200, r.text);
  return r.json;
};

// The example: queue in office hours, else an auto-reply; then an agent; a GotoIf on
// the message; a loop back.
function fullFlow() {
  return [
    { application: 'auto_reply', interval_id: null, text: 'Thanks, we are on it.\nReply STOP to stop.', mode: 'first_message' },
    { application: 'tag', interval_id: null, tag: 'inbound' },
    { application: 'noop', interval_id: null, value: 'from ${contact.phone}: ${message.body}' },
    { application: 'goto_if', interval_id: null, condition: "${message.body} contains 'urgent' && ${interaction.unread} > 1", true_priority: 6, false_priority: null },
    { application: 'queue', interval_id: ids.office, queue_id: ids.smsQ, timeout: 300 },
    { application: 'agent', interval_id: null, agent_id: ids.agent, timeout: 60 },
    { application: 'queue', interval_id: null, queue_id: ids.smsQ2, timeout: 600 },
    { application: 'auto_reply', interval_id: null, text: 'Still waiting', mode: 'always' },
    { application: 'goto_p', interval_id: null, priority: 7 },
    { application: 'close', interval_id: null, disposition: 'Unmanaged' },
  ];
}

test('an account without a flow has an empty one', async () => {
  assert.deepEqual(await get('openchannel', ids.acc1), { channel: 'openchannel', account_id: ids.acc1, version: 0, actions: [] });
  // An account that does not exist has no flow to read or write.
  assert.equal((await admin.request('GET', url('whatsapp', 42))).status, 404);
  assert.equal((await put('openchannel', 999999, [])).status, 404);
});

test('every application is stored and read back as sent', async () => {
  const r = await put('openchannel', ids.acc10, fullFlow());
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, 1);
  assert.deepEqual(r.json.actions, fullFlow());
  const g = await get('openchannel', ids.acc10);
  assert.deepEqual(g.actions, fullFlow());
  assert.equal(g.version, 1);
  // The same account number on another channel is another account (none here).
  assert.equal((await admin.request('GET', url('chat', ids.acc10))).status, 404);
  // What GET answers can be sent back as is.
  const again = await put('openchannel', ids.acc10, g.actions);
  assert.equal(again.status, 200);
  assert.equal(again.json.version, 2);
  // Channel rules (email's reply-to-all, no auto-reply on fax) are checked by flow_parse
  // (tests/unit/test_flow.c); through the API they need an account of that channel, and
  // e-mail and fax have none yet.
  assert.equal((await put('email', 3, [{ application: 'close' }])).status, 404);
});

test('every bad field is named, and a refused flow changes nothing', async () => {
  const before = await get('openchannel', ids.acc10);
  let r = await put('openchannel', ids.acc10, [
    { application: 'queue', queue_id: ids.smsQ },
    { application: 'agent', agent_id: 'one', timeout: 0 },
    { application: 'amazonlex' },
    { application: 'goto_if', condition: "${message.body} = 'x'", true_priority: 99 },
    { application: 'goto_p' },
    { application: 'auto_reply', text: 'x', mode: 'sometimes', reply_type: 'reply_all' },
    { application: 'tag', tag: '', colour: 'red' },
    { application: 'noop', value: '${contact.shoe_size}', interval_id: 'office' },
    'close',
  ]);
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), [
    'actions[0].timeout', 'actions[1].agent_id', 'actions[1].timeout', 'actions[2].application',
    'actions[3].condition', 'actions[3].true_priority', 'actions[4].priority', 'actions[5].mode',
    'actions[5].reply_type', 'actions[6].colour', 'actions[6].tag', 'actions[7].interval_id', 'actions[7].value',
    'actions[8]',
  ]);
  const cond = r.json.errors.find((e) => e.field === 'actions[3].condition');
  assert.match(cond.message, /use ==/);
  // Well-formed, but naming what does not exist or a queue of another channel.
  r = await put('openchannel', ids.acc10, [
    { application: 'queue', queue_id: ids.chatQ, timeout: 10 },
    { application: 'queue', queue_id: 999999, timeout: 10 },
    { application: 'agent', agent_id: admin.user.id, timeout: 10 },
    { application: 'tag', tag: 'x', interval_id: 999999 },
    { application: 'queue', queue_id: ids.smsQ, timeout: 10 },
  ]);
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.json.errors, [
    { field: 'actions[0].queue_id', message: 'is a chat queue; this flow is for openchannel' },
    { field: 'actions[1].queue_id', message: 'no such queue' },
    { field: 'actions[2].agent_id', message: 'no such agent' },
    { field: 'actions[3].interval_id', message: 'no such interval' },
  ]);
  r = await admin.request('PUT', url('openchannel', ids.acc10), { body: {} });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['actions']);
  r = await admin.request('PUT', url('openchannel', ids.acc10), { body: { actions: [], version: 3 } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['version']);
  r = await put('openchannel', ids.acc10, Array(101).fill({ application: 'noop' }));
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['actions']);
  r = await admin.request('PUT', url('openchannel', ids.acc10), { body: '[1,2', headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 400);
  assert.deepEqual(await get('openchannel', ids.acc10), before);
});

test('PUT replaces the whole list; concurrent saves never mix', async () => {
  const one = [{ application: 'queue', queue_id: ids.smsQ, timeout: 30 }];
  let r = await put('openchannel', ids.acc20, fullFlow());
  assert.equal(r.status, 200);
  r = await put('openchannel', ids.acc20, one);
  assert.equal(r.status, 200);
  assert.equal(r.json.version, 2);
  assert.deepEqual((await get('openchannel', ids.acc20)).actions, [{ ...one[0], interval_id: null }]);
  // Ten admins saving different lists at once: every save succeeds and the result is exactly
  // one of them.
  const lists = Array.from({ length: 10 }, (_, i) => Array.from({ length: i + 1 }, (_, j) => ({ application: 'tag', interval_id: null, tag: `save ${i} tag ${j}` })));
  const results = await Promise.all(lists.map((l) => put('openchannel', ids.acc20, l)));
  for (const x of results) assert.equal(x.status, 200, x.text);
  const versions = results.map((x) => x.json.version).sort((a, b) => a - b);
  assert.deepEqual(versions, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const final = await get('openchannel', ids.acc20);
  assert.equal(final.version, 12);
  const winner = results.find((x) => x.json.version === 12).json.actions;
  assert.deepEqual(final.actions, winner);
  assert.ok(lists.some((l) => JSON.stringify(l) === JSON.stringify(final.actions)));
});

test('unknown channels and accounts are 404', async () => {
  assert.equal((await admin.request('GET', url('voice', 1))).status, 404);
  assert.equal((await admin.request('GET', url('pigeon', 1))).status, 404);
  assert.equal((await admin.request('GET', url('openchannel', 0))).status, 404);
  assert.equal((await admin.request('GET', url('openchannel', 'abc'))).status, 404);
  assert.equal((await put('voice', 1, [])).status, 404);
  assert.equal((await admin.request('DELETE', url('openchannel', ids.acc1))).status, 405);
});

test('only administrators read and change flows', async () => {
  const sup = await accountClient(srv, 'fl.sup', 'user');
  const agent = await accountClient(srv, 'fl.agent', 'agent');
  for (const c of [sup, agent]) {
    assert.equal((await c.request('GET', url('openchannel', ids.acc10))).status, 403);
    assert.equal((await c.request('PUT', url('openchannel', ids.acc10), { body: { actions: [] } })).status, 403);
  }
  assert.equal((await srv.request('GET', url('openchannel', ids.acc10))).status, 401);
  assert.equal((await srv.request('PUT', url('openchannel', ids.acc10), { body: { actions: [] } })).status, 401);
  assert.equal((await get('openchannel', ids.acc10)).actions.length, 10);
});
