'use strict';
// The Open Channel end to end through the real server: accounts (validation, token shown once,
// admin only), inbound notify (token or API key, XCALLY's fields, nothing stored on refusal),
// the ACD offering on the agents' WebSockets, accept (one winner), reply delivered to a local
// reply-URL server through the outbox (with retries), close with a disposition, the report
// row; queue timeouts chaining queues; capacity; agent state; transfer; follow-ups.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, accountClient } = require('./lib/server');
const d = require('./lib/desk');

let srv, admin;
before(async () => { srv = await startServer(); admin = await adminClient(srv); });
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const fields = (r) => r.json.errors.map((e) => e.field).sort();

test('accounts: defaults, field errors, unique name, token once, admin only', async () => {
  let r = await admin.request('POST', '/api/v1/openchannel/accounts', { body: { name: 'Web widget' } });
  assert.equal(r.status, 201, r.text);
  const acc = r.json;
  assert.match(acc.token, /^oct_[A-Za-z0-9_-]{43}$/);
  assert.equal(acc.reply_method, 'POST');
  assert.equal(acc.wait_agent, 10);
  assert.equal(acc.wait_queue, 10);
  assert.equal(acc.transfer_enabled, false);
  assert.equal(acc.reply_url, null);
  assert.ok(acc.list_id > 0, 'the Default list');
  assert.equal(acc.notify_path, `/api/openchannel/accounts/${acc.id}/notify`);
  r = await admin.request('GET', `/api/v1/openchannel/accounts/${acc.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.token, undefined, 'the token is never shown again');

  r = await admin.request('POST', '/api/v1/openchannel/accounts', { body: { name: 'Web widget' } });
  assert.equal(r.status, 409);
  assert.deepEqual(fields(r), ['name']);
  const before = (await admin.request('GET', '/api/v1/openchannel/accounts')).json.total;
  r = await admin.request('POST', '/api/v1/openchannel/accounts', {
    body: { name: '', reply_url: 'ftp://x', reply_method: 'GET', wait_agent: 0, wait_queue: 2147484, transfer_enabled: 'yes', list_id: 999999, colour: 1 },
  });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['colour', 'list_id', 'name', 'reply_method', 'reply_url', 'transfer_enabled', 'wait_agent', 'wait_queue']);
  assert.equal((await admin.request('GET', '/api/v1/openchannel/accounts')).json.total, before, 'nothing stored');

  r = await admin.request('PATCH', `/api/v1/openchannel/accounts/${acc.id}`, { body: { reply_url: 'https://connector.example/reply', reply_method: 'PUT', transfer_enabled: true } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.reply_url, 'https://connector.example/reply');
  assert.equal(r.json.reply_method, 'PUT');

  const sup = await accountClient(srv, 'oc.sup', 'user');
  const agent = await accountClient(srv, 'oc.agent', 'agent');
  for (const c of [sup, agent]) {
    assert.equal((await c.request('GET', '/api/v1/openchannel/accounts')).status, 403);
    assert.equal((await c.request('POST', `/api/v1/openchannel/accounts/${acc.id}/token`)).status, 403);
  }
  assert.equal((await srv.request('GET', '/api/v1/openchannel/accounts')).status, 401);

  r = await admin.request('POST', `/api/v1/openchannel/accounts/${acc.id}/token`);
  assert.equal(r.status, 200);
  assert.notEqual(r.json.token, acc.token);
  assert.equal((await d.notify(srv, acc, { from: 'x', body: 'hi' })).status, 401, 'the old token stops working');
  assert.equal((await d.notify(srv, { id: acc.id, token: r.json.token }, { from: 'x', body: 'hi' })).status, 200);
  assert.equal((await admin.request('DELETE', `/api/v1/openchannel/accounts/${acc.id}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/openchannel/accounts/${acc.id}`)).status, 404);
});

test('notify: token, API key or nothing; field errors store nothing; de-duplication', async () => {
  const acc = await d.account(admin, 'Notify checks');
  assert.equal((await d.notify(srv, acc, { from: 'c1', body: 'hi' }, null)).status, 401);
  assert.equal((await d.notify(srv, acc, { from: 'c1', body: 'hi' }, 'oct_' + 'A'.repeat(43))).status, 401);
  assert.equal((await srv.request('POST', `/api/openchannel/accounts/${acc.id}/notify?token=${acc.token}`, { body: { from: 'c1', body: 'query token' } })).status, 200);
  assert.equal((await d.notify(srv, { id: 999999, token: acc.token }, { from: 'c1', body: 'hi' })).status, 401, 'a token is only good for its account');

  let r = await d.notify(srv, acc, { from: 'c2', body: 'x'.repeat(65537), firstName: 7.5 });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['body', 'firstName']);
  r = await d.notify(srv, acc, { body: 'who am I' });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['from']);

  r = await d.notify(srv, acc, { from: 'c3', body: 'first', firstName: 'Ada', lastName: 'Lovelace', threadId: 't-1', messageId: 'm-1' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.new_interaction, true);
  const again = await d.notify(srv, acc, { from: 'c3', body: 'first', messageId: 'm-1' });
  assert.equal(again.json.duplicate, true);
  assert.equal(again.json.message_id, r.json.message_id);
  const next = await d.notify(srv, acc, { from: 'c3', body: 'second', AttachmentId: 'att-9' });
  assert.equal(next.json.interaction_id, r.json.interaction_id, 'joins the open interaction');
  const ix = await admin.request('GET', `/api/v1/interactions/${r.json.interaction_id}`);
  assert.equal(ix.status, 200);
  assert.equal(ix.json.contact.first_name, 'Ada');
  assert.equal(ix.json.contact.map_key, 'c3');
  const msgs = await admin.request('GET', `/api/v1/interactions/${r.json.interaction_id}/messages`);
  assert.deepEqual(msgs.json.items.map((m) => m.body), ['second', 'first'], 'newest first');
  assert.deepEqual(msgs.json.items[0].attachments, [{ id: 'att-9' }]);

  const key = await admin.request('POST', '/api/v1/auth/api-keys', { body: { name: 'connector' } });
  assert.equal(key.status, 201, key.text);
  r = await srv.request('POST', `/api/openchannel/accounts/${acc.id}/notify`, { body: { from: 'c4', body: 'via key' }, headers: { authorization: `Bearer ${key.json.key}` } });
  assert.equal(r.status, 200, r.text);
});

test('notify → offer on the WebSocket → accept → reply reaches the reply URL → close → report', async () => {
  const replies = await d.replyServer([503]);
  try {
    const a = await d.agentDesk(srv, admin, 'oc.anna');
    const b = await d.agentDesk(srv, admin, 'oc.bert');
    const q = await d.queue(admin, 'OC support', { agent_timeout: 60 });
    await d.addMembers(admin, q, [a, b]);
    const acc = await d.account(admin, 'Shop chat', { reply_url: replies.url });
    await d.accountAgents(admin, acc, [a, b]);
    await d.setFlow(admin, acc, [{ application: 'queue', queue_id: q.id, timeout: 300 }]);
    for (const c of [a, b]) {
      const r = await c.request('POST', '/api/v1/agent/login', { body: { channel: 'openchannel' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.logged_in.openchannel, true);
    }
    const n = await d.notify(srv, acc, { from: 'cust-1', body: 'Where is my order?', firstName: 'Carla' });
    assert.equal(n.status, 200, n.text);
    const id = n.json.interaction_id;
    for (const c of [a, b]) {
      const ev = await d.waitFor(() => d.events(c.ws, 'interaction.offered', id)[0], `offer to ${c.user.username}`);
      assert.equal(ev.data.contact.first_name, 'Carla');
      assert.equal(ev.data.last_message, 'Where is my order?');
      assert.equal(ev.data.offer_queue_id, q.id);
    }
    let r = await a.request('POST', `/api/v1/interactions/${id}/accept`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'open');
    r = await b.request('POST', `/api/v1/interactions/${id}/accept`);
    assert.equal(r.status, 409, 'only one agent gets it');
    await d.waitFor(() => d.events(b.ws, 'interaction.offer_ended', id).find((e) => e.data.reason === 'taken'), 'bert told it was taken');
    await d.waitFor(() => d.events(a.ws, 'interaction.assigned', id)[0], 'anna told it is hers');

    r = await a.request('GET', '/api/v1/agent/interactions');
    assert.deepEqual(r.json.items.map((x) => x.id), [id]);
    assert.equal((await b.request('GET', `/api/v1/interactions/${id}`)).status, 404, 'not bert\'s');
    assert.equal((await b.request('POST', `/api/v1/interactions/${id}/messages`, { body: { body: 'me too' } })).status, 404);

    r = await a.request('POST', `/api/v1/interactions/${id}/messages`, { body: { body: 'It ships today.' } });
    assert.equal(r.status, 201, r.text);
    const mid = r.json.id;
    // The first delivery answers 503: the outbox retries after a second. A second reply
    // written meanwhile waits for it: the customer gets them in order.
    await d.waitFor(() => replies.got.length >= 1, 'first delivery attempt');
    r = await a.request('POST', `/api/v1/interactions/${id}/messages`, { body: { body: 'Tracking: XY123.' } });
    assert.equal(r.status, 201, r.text);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(replies.got.length, 1, 'the second waits for the first');
    await d.advance(srv, 1500);
    await d.waitFor(() => replies.got.length >= 3, 'retried delivery, then the second');
    assert.deepEqual(replies.got.map((x) => x.body.body), ['It ships today.', 'It ships today.', 'Tracking: XY123.']);
    const got = replies.got[1];
    assert.equal(got.method, 'POST');
    assert.equal(got.type, 'application/json');
    assert.equal(got.body.body, 'It ships today.');
    assert.equal(got.body.message_id, mid);
    assert.equal(got.body.interaction.id, id);
    assert.equal(got.body.contact.map_key, 'cust-1');
    assert.equal(got.body.contact.first_name, 'Carla');
    await d.waitFor(async () => (await a.request('GET', `/api/v1/interactions/${id}/messages`)).json.items[0].delivery_status === 'sent', 'message marked sent');
    await d.waitFor(() => a.ws.got.find((m) => m.type === 'interaction.message_status' && m.data.message_id === mid), 'anna told it was sent');

    r = await a.request('POST', `/api/v1/interactions/${id}/notes`, { body: { body: 'VIP customer' } });
    assert.equal(r.status, 201);
    assert.equal(replies.got.length, 3, 'a note is never sent');
    r = await a.request('PUT', `/api/v1/interactions/${id}/tags`, { body: { tags: ['order', 'vip'] } });
    assert.deepEqual(r.json.tags, ['order', 'vip']);
    r = await a.request('PUT', `/api/v1/interactions/${id}/tags`, { body: { tags: ['x', 'x', ''] } });
    assert.equal(r.status, 422);
    assert.deepEqual(fields(r), ['tags[1]', 'tags[2]']);

    // A disposition must apply to the interaction: global ones, the account's, the queue's.
    r = await a.request('POST', `/api/v1/interactions/${id}/close`, { body: { disposition: 'Nonsense' } });
    assert.equal(r.status, 422);
    assert.deepEqual(fields(r), ['disposition']);
    const other = await d.account(admin, 'Other shop');
    r = await admin.request('POST', '/api/v1/dispositions', { body: { name: 'Shipped', scope: 'account', channel: 'openchannel', account_id: other.id } });
    assert.equal(r.status, 201, r.text);
    r = await a.request('POST', `/api/v1/interactions/${id}/close`, { body: { disposition: 'Shipped' } });
    assert.equal(r.status, 422, 'another account\'s disposition');
    assert.equal((await a.request('GET', `/api/v1/interactions/${id}`)).json.status, 'open', 'nothing changed');
    r = await a.request('POST', `/api/v1/interactions/${id}/close`, { body: { disposition: 'Sold' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'closed');
    assert.equal((await a.request('POST', `/api/v1/interactions/${id}/messages`, { body: { body: 'late' } })).status, 409, 'closed');
    const ix = await admin.request('GET', `/api/v1/interactions/${id}`);
    assert.equal(ix.json.disposition, 'Sold');

    const rep = await admin.request('GET', `/api/v1/reports/openchannel/queue?interaction_id=${id}`);
    assert.equal(rep.status, 200, rep.text);
    assert.equal(rep.json.items.length, 1);
    assert.equal(rep.json.items[0].reason, 'accepted');
    assert.equal(rep.json.items[0].agent_id, a.agent.id);
    assert.equal(rep.json.items[0].queue_id, q.id);

    const n2 = await d.notify(srv, acc, { from: 'cust-1', body: 'One more thing' });
    assert.notEqual(n2.json.interaction_id, id, 'after the close a new interaction starts');
    assert.equal(n2.json.new_interaction, true);
    await d.waitFor(() => d.events(b.ws, 'interaction.offered', n2.json.interaction_id)[0], 'the new one is offered');
    for (const c of [a, b]) c.ws.close();
  } finally {
    await replies.close();
  }
});

test('a queue timeout moves the flow on: queue A timeout, queue B accepted (two report rows)', async () => {
  const c = await d.agentDesk(srv, admin, 'oc.chain');
  const qa = await d.queue(admin, 'Chain A');
  const qb = await d.queue(admin, 'Chain B');
  await d.addMembers(admin, qb, [c]);
  const acc = await d.account(admin, 'Chain account');
  await d.accountAgents(admin, acc, [c]);
  await d.setFlow(admin, acc, [
    { application: 'queue', queue_id: qa.id, timeout: 5 },
    { application: 'queue', queue_id: qb.id, timeout: 300 },
  ]);
  await c.request('POST', '/api/v1/agent/login', { body: { channel: 'openchannel' } });
  const id = (await d.notify(srv, acc, { from: 'chain-1', body: 'hello' })).json.interaction_id;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(d.events(c.ws, 'interaction.offered', id).length, 0, 'nobody in queue A');
  await d.advance(srv, 6000);
  await d.waitFor(() => d.events(c.ws, 'interaction.offered', id)[0], 'offered from queue B');
  assert.equal((await c.request('POST', `/api/v1/interactions/${id}/accept`)).status, 200);
  const rows = (await admin.request('GET', `/api/v1/reports/openchannel/queue?interaction_id=${id}&sort=joined_at`)).json.items;
  assert.deepEqual(rows.map((x) => [x.queue_id, x.reason]), [[qa.id, 'timeout'], [qb.id, 'accepted']]);
  c.ws.close();
});

test('agent state: login in pause, pause reasons, capacity holds offers back, field errors', async () => {
  const c = await d.agentDesk(srv, admin, 'oc.cap', { login_in_pause: true, openchannel_capacity: 1 });
  const q = await d.queue(admin, 'Capacity queue');
  await d.addMembers(admin, q, [c]);
  const acc = await d.account(admin, 'Capacity account');
  await d.accountAgents(admin, acc, [c]);
  await d.setFlow(admin, acc, [{ application: 'queue', queue_id: q.id, timeout: 300 }]);

  let r = await c.request('POST', '/api/v1/agent/login', { body: { channel: 'openchannel' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.paused, true, 'login in pause');
  assert.equal(r.json.pause_reason, 'login');
  assert.equal((await c.request('POST', '/api/v1/agent/login', { body: { channel: 'voice' } })).status, 422);
  assert.equal((await c.request('POST', '/api/v1/agent/pause', { body: { reason: 'x'.repeat(64) } })).status, 422);
  assert.equal((await admin.request('GET', '/api/v1/agent/state')).status, 403, 'only agents have a routing state');

  const i1 = (await d.notify(srv, acc, { from: 'cap-1', body: 'one' })).json.interaction_id;
  const i2 = (await d.notify(srv, acc, { from: 'cap-2', body: 'two' })).json.interaction_id;
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(d.events(c.ws, 'interaction.offered').length, 0, 'nothing while paused');
  r = await c.request('POST', '/api/v1/agent/unpause');
  assert.equal(r.json.paused, false);
  await d.waitFor(() => d.events(c.ws, 'interaction.offered', i1)[0], 'first offered');
  assert.equal((await c.request('POST', `/api/v1/interactions/${i1}/accept`)).status, 200);
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(d.events(c.ws, 'interaction.offered', i2).length, 0, 'capacity 1: the second waits');
  r = await c.request('GET', '/api/v1/agent/state');
  assert.equal(r.json.open.openchannel, 1);
  assert.equal(r.json.open_tabs, 1);
  assert.equal((await c.request('POST', `/api/v1/interactions/${i1}/close`, { body: {} })).status, 200);
  await d.waitFor(() => d.events(c.ws, 'interaction.offered', i2)[0], 'second offered once a slot frees');

  r = await c.request('POST', '/api/v1/agent/pause', { body: { reason: 'Lunch' } });
  assert.equal(r.json.pause_reason, 'Lunch');
  await d.waitFor(() => d.events(c.ws, 'interaction.offer_ended', i2).find((e) => e.data.reason === 'unavailable'), 'pause withdraws the offer');
  r = await admin.request('GET', `/api/v1/reports/agent-pauses?agent_id=${c.agent.id}`);
  assert.deepEqual(r.json.items.map((p) => p.reason).sort(), ['Lunch', 'login']);
  r = await admin.request('GET', '/api/v1/realtime/queues');
  const qs = r.json.queues.find((x) => x.queue_id === q.id);
  assert.equal(qs.waiting, 1);
  assert.equal(qs.members, 1);
  assert.equal(qs.available, 0);
  c.ws.close();
});

test('transfer to an agent, refused targets, timeout returns it unread; release then follow-up', async () => {
  const a = await d.agentDesk(srv, admin, 'oc.tra');
  const b = await d.agentDesk(srv, admin, 'oc.trb');
  const q = await d.queue(admin, 'Transfer queue');
  await d.addMembers(admin, q, [a]);
  const off = await d.account(admin, 'No transfers');
  const acc = await d.account(admin, 'Transfers', { transfer_enabled: true, transfer_timeout: 30, wait_agent: 20 });
  for (const x of [off, acc]) await d.accountAgents(admin, x, [a, b]);
  for (const x of [off, acc]) await d.setFlow(admin, x, [{ application: 'queue', queue_id: q.id, timeout: 300 }]);
  for (const c of [a, b]) await c.request('POST', '/api/v1/agent/login', { body: { channel: 'openchannel' } });

  const take = async (account, from) => {
    const id = (await d.notify(srv, account, { from, body: 'hi' })).json.interaction_id;
    await d.waitFor(() => d.events(a.ws, 'interaction.offered', id)[0], 'offered to a');
    assert.equal((await a.request('POST', `/api/v1/interactions/${id}/accept`)).status, 200);
    return id;
  };
  const i0 = await take(off, 'tr-0');
  assert.equal((await a.request('POST', `/api/v1/interactions/${i0}/transfer`, { body: { agent_id: b.agent.id } })).status, 409, 'not enabled on the account');

  const id = await take(acc, 'tr-1');
  let r = await a.request('POST', `/api/v1/interactions/${id}/transfer`, { body: { agent_id: a.agent.id } });
  assert.equal(r.status, 422, 'not to oneself');
  assert.deepEqual(fields(r), ['agent_id']);
  assert.equal((await a.request('POST', `/api/v1/interactions/${id}/transfer`, { body: { agent_id: b.agent.id, queue_id: q.id } })).status, 422);
  r = await a.request('POST', `/api/v1/interactions/${id}/transfer`, { body: { agent_id: b.agent.id } });
  assert.equal(r.status, 200, r.text);
  await d.waitFor(() => d.events(b.ws, 'interaction.offered', id)[0], 'offered to b');
  await d.advance(srv, 31000);
  await d.waitFor(() => d.events(a.ws, 'interaction.assigned', id).find((e) => e.data.returned), 'back to a');
  r = await a.request('GET', `/api/v1/interactions/${id}`);
  assert.equal(r.json.owner_id, a.agent.id);
  assert.equal(r.json.unread, true);

  // a closes its tab; the customer writes again: offered to a first (wait for the agent).
  assert.equal((await a.request('POST', `/api/v1/interactions/${id}/release`)).status, 200);
  r = await a.request('GET', '/api/v1/agent/state');
  assert.equal(r.json.open_tabs, 1, 'only i0 is still open');
  const before = d.events(a.ws, 'interaction.offered', id).length;
  await d.notify(srv, acc, { from: 'tr-1', body: 'are you there?' });
  await d.waitFor(() => d.events(a.ws, 'interaction.offered', id).length > before, 'follow-up offered to a');
  assert.equal((await a.request('POST', `/api/v1/interactions/${id}/accept`)).status, 200);
  for (const c of [a, b]) c.ws.close();
});

test('concurrent accepts: 12 agents race for one interaction, exactly one wins', async () => {
  const agents = [];
  for (let i = 0; i < 12; i++) agents.push(await d.agentDesk(srv, admin, `oc.race${i}`));
  const q = await d.queue(admin, 'Race queue');
  await d.addMembers(admin, q, agents);
  const acc = await d.account(admin, 'Race account');
  await d.accountAgents(admin, acc, agents);
  await d.setFlow(admin, acc, [{ application: 'queue', queue_id: q.id, timeout: 300 }]);
  for (const c of agents) await c.request('POST', '/api/v1/agent/login', { body: { channel: 'openchannel' } });
  for (let round = 0; round < 3; round++) {
    const id = (await d.notify(srv, acc, { from: `race-${round}`, body: 'quick' })).json.interaction_id;
    await d.waitFor(() => agents.every((c) => d.events(c.ws, 'interaction.offered', id).length), 'offered to all');
    const res = await Promise.all(agents.map((c) => c.request('POST', `/api/v1/interactions/${id}/accept`)));
    assert.equal(res.filter((r) => r.status === 200).length, 1, 'one winner');
    assert.equal(res.filter((r) => r.status === 409).length, 11);
    const winner = agents[res.findIndex((r) => r.status === 200)];
    assert.equal((await winner.request('POST', `/api/v1/interactions/${id}/close`, { body: {} })).status, 200);
  }
  for (const c of agents) c.ws.close();
});

test('realtime over the WebSocket: admins see every queue, a supervisor its profile\'s, agents nothing', async () => {
  const { login, STRONG } = require('./lib/server');
  const c = await d.agentDesk(srv, admin, 'oc.rt');
  const q1 = await d.queue(admin, 'Realtime in scope');
  const q2 = await d.queue(admin, 'Realtime out of scope');
  await d.addMembers(admin, q1, [c]);
  let r = await admin.request('POST', '/api/v1/profiles', { body: { name: 'Realtime sup', queue_ids: [q1.id], sections: { realtime: 'read' } } });
  assert.equal(r.status, 201, r.text);
  r = await admin.request('POST', '/api/v1/users', { body: { username: 'oc.rtsup', full_name: 'RT Sup', role: 'user', profile_id: r.json.id, password: d.AGENT_PW } });
  assert.equal(r.status, 201, r.text);
  const first = await login(srv, 'oc.rtsup', d.AGENT_PW);
  await first.request('POST', '/api/v1/auth/password', { body: { current_password: d.AGENT_PW, new_password: STRONG } });
  const sup = await login(srv, 'oc.rtsup', STRONG);
  const supWs = await d.connect(srv, sup.cookie);
  const adminWs = await d.connect(srv, admin.cookie);
  for (const ws of [supWs, adminWs, c.ws]) ws.send('{"type":"realtime.subscribe"}');
  await d.waitFor(() => supWs.got.find((m) => m.type === 'realtime.subscribed'), 'supervisor subscribed');
  await d.waitFor(() => adminWs.got.find((m) => m.type === 'realtime.subscribed'), 'admin subscribed');
  const err = await d.waitFor(() => c.ws.got.find((m) => m.type === 'realtime.error'), 'agent refused');
  assert.equal(err.data.status, 403);

  const acc = await d.account(admin, 'Realtime account');
  const acc2 = await d.account(admin, 'Realtime account 2');
  await d.setFlow(admin, acc, [{ application: 'queue', queue_id: q1.id, timeout: 300 }]);
  await d.setFlow(admin, acc2, [{ application: 'queue', queue_id: q2.id, timeout: 300 }]);
  await d.notify(srv, acc, { from: 'rt-1', body: 'in scope' });
  await d.notify(srv, acc2, { from: 'rt-2', body: 'out of scope' });
  const seen = (ws, q) => ws.got.find((m) => m.type === 'realtime.queue' && m.data.queue_id === q.id && m.data.waiting === 1);
  await d.waitFor(() => seen(adminWs, q1) && seen(adminWs, q2), 'admin sees both queues');
  await d.waitFor(() => seen(supWs, q1), 'supervisor sees its queue');
  await c.request('POST', '/api/v1/agent/login', { body: { channel: 'openchannel' } });
  await d.waitFor(() => supWs.got.find((m) => m.type === 'agent.state' && m.data.agent_id === c.agent.id && m.data.logged_in.openchannel), 'supervisor sees its agent log in');
  assert.equal(supWs.got.filter((m) => m.type === 'realtime.queue' && m.data.queue_id === q2.id).length, 0, 'nothing outside the scope');
  r = await sup.request('GET', '/api/v1/realtime/queues');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.queues.map((x) => x.queue_id), [q1.id]);
  assert.deepEqual(r.json.agents.map((x) => x.agent_id), [c.agent.id]);
  for (const ws of [supWs, adminWs, c.ws]) ws.close();
});

test('reject passes the offer on; auto reply from the flow; reopen by the agent who held it', async () => {
  const replies = await d.replyServer();
  try {
    const a = await d.agentDesk(srv, admin, 'oc.rja');
    const b = await d.agentDesk(srv, admin, 'oc.rjb');
    const q = await d.queue(admin, 'Reject queue', { strategy: 'rrmemory' });
    await d.addMembers(admin, q, [a, b]);
    const acc = await d.account(admin, 'Reject account', { reply_url: replies.url });
    await d.accountAgents(admin, acc, [a, b]);
    await d.setFlow(admin, acc, [
      { application: 'auto_reply', text: 'Hello ${contact.first_name}, an agent will answer soon.', mode: 'first_message' },
      { application: 'queue', queue_id: q.id, timeout: 300 },
    ]);
    for (const c of [a, b]) await c.request('POST', '/api/v1/agent/login', { body: { channel: 'openchannel' } });
    const id = (await d.notify(srv, acc, { from: 'rj-1', body: 'hi', firstName: 'Rita' })).json.interaction_id;
    const got = await d.waitFor(() => replies.got.find((x) => x.body.interaction.id === id), 'the auto reply');
    assert.equal(got.body.body, 'Hello Rita, an agent will answer soon.');
    assert.equal(got.body.sender_id, 0, 'sent by the system');

    const first = await d.waitFor(() => [a, b].find((c) => d.events(c.ws, 'interaction.offered', id).length), 'offered to one agent');
    const other = first === a ? b : a;
    assert.equal((await other.request('POST', `/api/v1/interactions/${id}/reject`)).status, 409, 'not offered to the other one');
    assert.equal((await first.request('POST', `/api/v1/interactions/${id}/reject`)).status, 200);
    await d.waitFor(() => d.events(other.ws, 'interaction.offered', id).length, 'passed on to the other agent');
    assert.equal((await first.request('POST', `/api/v1/interactions/${id}/accept`)).status, 409, 'a rejected offer cannot be accepted');
    assert.equal((await other.request('POST', `/api/v1/interactions/${id}/accept`)).status, 200);

    // A second message does not repeat the first-message auto reply.
    await d.notify(srv, acc, { from: 'rj-1', body: 'still there?' });
    await d.waitFor(() => d.events(other.ws, 'interaction.message', id).length, 'the holder is told of the new message');
    assert.equal(replies.got.filter((x) => x.body.interaction.id === id).length, 1);

    assert.equal((await other.request('POST', `/api/v1/interactions/${id}/reopen`)).status, 409, 'it is open');
    assert.equal((await other.request('POST', `/api/v1/interactions/${id}/close`, { body: { disposition: 'Interested' } })).status, 200);
    assert.equal((await first.request('POST', `/api/v1/interactions/${id}/reopen`)).status, 403, 'never held it');
    const r = await other.request('POST', `/api/v1/interactions/${id}/reopen`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'open');
    assert.equal(r.json.owner_id, other.agent.id);
    assert.equal((await other.request('GET', '/api/v1/agent/state')).json.open_tabs, 1);
    assert.equal((await other.request('POST', `/api/v1/interactions/${id}/messages`, { body: { body: 'Reopened' } })).status, 201);
    for (const c of [a, b]) c.ws.close();
  } finally {
    await replies.close();
  }
});
