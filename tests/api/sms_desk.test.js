'use strict';
// Agent and supervisor work on SMS interactions (issue #6 §5, §6): an agent of the account
// starts a conversation with a number (the fake provider receives it), canned answers
// rendered in the desk, the mandatory disposition with its pause, supervisors spying and
// adding internal notes (never sent), and the transcript ZIP.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startServer, adminClient, login, STRONG } = require('./lib/server');
const { startFakeProviders, FAKE_CREDS, webhook } = require('./lib/fake_providers');
const d = require('./lib/desk');

const PW = 'Agent!Passw0rd1';
let srv, admin, fp, A, B, C, acc, other, queue, sup, supOut;

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

async function twilioAccount(name, key) {
  const c = FAKE_CREDS.twilio;
  const r = await admin.request('POST', '/api/v1/sms/accounts', {
    body: { name, key, type: 'twilio', domain: srv.baseUrl, phone: c.phone, credentials: { account_sid: c.account_id, auth_token: c.auth_token } },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const start = (who, body, account = acc) => who.request('POST', `/api/v1/sms/accounts/${account.id}/interactions`, { body });
const fields = (r) => (r.json.errors || []).map((e) => e.field).sort();
const sentTo = (to) => (fp.sent('twilio') || []).filter((m) => m.to === to);

// The raw bytes of a GET (the client's text() would mangle a ZIP).
async function bytes(client, p) {
  const res = await fetch(srv.baseUrl + p, { headers: { cookie: client.cookie } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), body: Buffer.from(await res.arrayBuffer()) };
}

function unzip(buf, member) {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sbzip-')), 't.zip');
  fs.writeFileSync(f, buf);
  try {
    return execFileSync('unzip', ['-p', f, member], { encoding: 'utf8' });
  } finally {
    fs.rmSync(path.dirname(f), { recursive: true, force: true });
  }
}

before(async () => {
  fp = await startFakeProviders();
  srv = await startServer({ env: { SWITCHBOARD_SMS_TEST_BASE_URL: fp.baseUrl, SWITCHBOARD_INTERACTIONS_TRANSCRIPT_MAX_BYTES: '16384' } });
  admin = await adminClient(srv);
  A = await d.agentDesk(srv, admin, 'desk.a');
  B = await d.agentDesk(srv, admin, 'desk.b');
  C = await d.agentDesk(srv, admin, 'desk.c');
  acc = await twilioAccount('Desk SMS', 'dsk');
  other = await twilioAccount('Other SMS', 'oth');
  let r = await admin.request('PUT', `/api/v1/sms/accounts/${acc.id}/agents`, { body: { agent_ids: [A.agent.id, B.agent.id] } });
  assert.equal(r.status, 200, r.text);
  r = await admin.request('PUT', `/api/v1/sms/accounts/${other.id}/agents`, { body: { agent_ids: [C.agent.id] } });
  assert.equal(r.status, 200, r.text);
  r = await admin.request('POST', '/api/v1/queues', { body: { channel: 'sms', name: 'Desk queue' } });
  assert.equal(r.status, 201, r.text);
  queue = r.json;
  await d.addMembers(admin, queue, [A]);
  r = await admin.request('PUT', `/api/v1/flows/sms/${acc.id}/actions`, { body: { actions: [{ application: 'queue', queue_id: queue.id, timeout: 300 }] } });
  assert.equal(r.status, 200, r.text);
  r = await admin.request('POST', '/api/v1/queues', { body: { channel: 'sms', name: 'Elsewhere' } });
  assert.equal(r.status, 201, r.text);
  const elsewhere = r.json;
  await d.addMembers(admin, elsewhere, [C]);
  const prof = async (name, q) => {
    const p = await admin.request('POST', '/api/v1/profiles', { body: { name, default_permission: 'read', sections: { queues: 'read' }, queue_ids: [q] } });
    assert.equal(p.status, 201, p.text);
    return p.json.id;
  };
  sup = await supervisor('spy.in', await prof('spy in', queue.id));
  supOut = await supervisor('spy.out', await prof('spy out', elsewhere.id));
  for (const a of [A, B, C]) assert.equal((await a.request('POST', '/api/v1/agent/login', { body: { channel: 'sms' } })).status, 200);
});

after(async () => {
  for (const a of [A, B, C]) a.ws.close();
  assert.equal((await srv.stop()).code, 0, srv.stderr());
  await fp.stop();
});

test('an agent of the account starts an SMS conversation; others may not', async () => {
  // Who: not an agent 403, an agent of another account or an unknown account 404.
  let r = await start(admin, { phone: '+15558000001', body: 'hi' });
  assert.equal(r.status, 403, r.text);
  r = await start(sup, { phone: '+15558000001', body: 'hi' });
  assert.equal(r.status, 403, r.text);
  r = await start(C, { phone: '+15558000001', body: 'hi' });
  assert.equal(r.status, 404, r.text);
  r = await A.request('POST', '/api/v1/sms/accounts/999999/interactions', { body: { phone: '+15558000001', body: 'hi' } });
  assert.equal(r.status, 404, r.text);

  // Bad input names every field and creates nothing.
  r = await start(A, { phone: '5558000001', body: '', extra: 1 });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['body', 'extra', 'phone']);
  for (const phone of ['+0123456789', '+1 555', '+1555abc0001', '+1234567890123456', 42]) {
    r = await start(A, { phone, body: 'x' });
    assert.equal(r.status, 422, `${phone}: ${r.text}`);
    assert.deepEqual(fields(r), ['phone']);
  }
  assert.equal((await A.request('GET', '/api/v1/agent/interactions')).json.items.length, 0, 'nothing created');

  // A written number is normalised to E.164; the interaction is the caller's; the fake
  // provider receives the text.
  r = await start(A, { phone: '+1 (555) 800-0001', body: 'Hello from the desk' });
  assert.equal(r.status, 201, r.text);
  const ix = r.json;
  assert.equal(ix.channel, 'sms');
  assert.equal(ix.account_id, acc.id);
  assert.equal(ix.owner_id, A.agent.id);
  assert.equal(ix.status, 'open');
  assert.equal(ix.new_interaction, true);
  assert.equal(ix.contact.phone, '+15558000001');
  assert.ok(ix.message_id > 0);
  await d.waitFor(() => A.ws.got.find((m) => m.type === 'interaction.assigned' && m.data.id === ix.id), 'assigned event');
  const sent = await d.waitFor(() => sentTo('+15558000001').find((m) => m.text === 'Hello from the desk'), 'fake provider got it');
  assert.equal(sent.from, FAKE_CREDS.twilio.phone);
  await d.waitFor(async () => (await A.request('GET', `/api/v1/interactions/${ix.id}/messages`)).json.items.find((m) => m.id === ix.message_id && m.delivery_status === 'sent'), 'marked sent');
  const mine = (await A.request('GET', '/api/v1/agent/interactions')).json.items.map((x) => x.id);
  assert.deepEqual(mine, [ix.id]);

  // "00" works like "+"; the same contact's open interaction is reused.
  r = await start(A, { phone: '0015558000001', body: 'Second text' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.id, ix.id);
  assert.equal(r.json.new_interaction, false);
  await d.waitFor(() => sentTo('+15558000001').find((m) => m.text === 'Second text'), 'second text sent');

  // Another agent of the account: the open interaction is held by A.
  r = await start(B, { phone: '+15558000001', body: 'mine?' });
  assert.equal(r.status, 409, r.text);
  assert.equal(sentTo('+15558000001').filter((m) => m.text === 'mine?').length, 0);

  // The contact answers: the message joins the same interaction, still A's.
  const w = webhook('twilio', 'inbound', { id: 'desk-in-1', from: '+15558000001', text: 'answer from the customer' }, { url: acc.receive_url });
  const u = new URL(w.url);
  r = await srv.request('POST', u.pathname + u.search, { body: w.body, headers: w.headers });
  assert.equal(r.status, 200, r.text);
  const msgs = await d.waitFor(async () => {
    const items = (await A.request('GET', `/api/v1/interactions/${ix.id}/messages`)).json.items;
    return items.find((m) => m.body === 'answer from the customer') ? items : null;
  }, 'inbound joined');
  assert.equal(msgs.length, 3);
  assert.equal((await A.request('GET', `/api/v1/interactions/${ix.id}`)).json.owner_id, A.agent.id);

  // After A closes it, B may start a new one with the same number.
  assert.equal((await A.request('POST', `/api/v1/interactions/${ix.id}/close`, { body: {} })).status, 200);
  r = await start(B, { phone: '+15558000001', body: 'B writes' });
  assert.equal(r.status, 201, r.text);
  assert.notEqual(r.json.id, ix.id);
  assert.equal(r.json.owner_id, B.agent.id);
  assert.equal(r.json.new_interaction, true);
  assert.equal((await B.request('POST', `/api/v1/interactions/${r.json.id}/close`, { body: {} })).status, 200);
});

test('an interaction waiting in its queue is taken by the agent who writes to the number', async () => {
  const w = webhook('twilio', 'inbound', { id: 'desk-wait-1', from: '+15558000002', text: 'anyone?' }, { url: acc.receive_url });
  const u = new URL(w.url);
  let r = await srv.request('POST', u.pathname + u.search, { body: w.body, headers: w.headers });
  assert.equal(r.status, 200, r.text);
  const offer = await d.waitFor(() => A.ws.got.find((m) => m.type === 'interaction.offered' && m.data.contact.phone === '+15558000002'), 'offered to A');
  r = await start(B, { phone: '+15558000002', body: 'B answers' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.id, offer.data.id);
  assert.equal(r.json.owner_id, B.agent.id);
  await d.waitFor(() => A.ws.got.find((m) => m.type === 'interaction.offer_ended' && m.data.id === offer.data.id), 'offer to A withdrawn');
  assert.equal((await A.request('POST', `/api/v1/interactions/${offer.data.id}/accept`)).status, 409);
  assert.equal((await B.request('POST', `/api/v1/interactions/${offer.data.id}/close`, { body: {} })).status, 200);
});

test('canned answers in the desk: the account\'s and global ones, rendered for the agent and contact', async () => {
  const mk = async (body) => {
    const r = await admin.request('POST', '/api/v1/canned-answers', { body });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  await mk({ name: 'Desk greeting', body: 'Hi {{contact.phone}}, {{agent.alias}} here' });
  await mk({ name: 'Desk account', body: 'From {{account.name}} ({{account.key}}) #{{interaction.id}}', scope: 'account', channel: 'sms', account_id: acc.id });
  await mk({ name: 'Desk other', body: 'not for this account', scope: 'account', channel: 'sms', account_id: other.id });
  let r = await start(A, { phone: '+15558000003', body: 'hello' });
  assert.equal(r.status, 201, r.text);
  const ix = r.json;

  r = await A.request('GET', `/api/v1/interactions/${ix.id}/canned-answers?q=desk`);
  assert.equal(r.status, 200, r.text);
  const byName = Object.fromEntries(r.json.items.map((x) => [x.name, x]));
  assert.deepEqual(Object.keys(byName).sort(), ['Desk account', 'Desk greeting']);
  assert.equal(byName['Desk greeting'].text, 'Hi +15558000003, desk.a here');
  assert.equal(byName['Desk account'].text, `From Desk SMS (dsk) #${ix.id}`);
  assert.equal(byName['Desk greeting'].body, 'Hi {{contact.phone}}, {{agent.alias}} here');

  r = await A.request('GET', `/api/v1/interactions/${ix.id}/canned-answers?q=${encodeURIComponent('desk acc')}`);
  assert.deepEqual(r.json.items.map((x) => x.name), ['Desk account']);
  r = await A.request('GET', `/api/v1/interactions/${ix.id}/canned-answers?q=${'x'.repeat(65)}&limit=0`);
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['limit', 'q']);

  // Not the holder: 404; staff who may read it: rendered for them.
  assert.equal((await B.request('GET', `/api/v1/interactions/${ix.id}/canned-answers`)).status, 404);
  assert.equal((await C.request('GET', `/api/v1/interactions/${ix.id}/canned-answers`)).status, 404);
  assert.equal((await supOut.request('GET', `/api/v1/interactions/${ix.id}/canned-answers`)).status, 404);
  r = await admin.request('GET', `/api/v1/interactions/${ix.id}/canned-answers?q=greeting`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.items[0].text, /^Hi \+15558000003, \S.* here$/);
  assert.equal((await A.request('POST', `/api/v1/interactions/${ix.id}/close`, { body: {} })).status, 200);
});

test('mandatory disposition: refused without one; the disposition pause holds while disposing', async () => {
  let r = await admin.request('PATCH', `/api/v1/sms/accounts/${acc.id}`, { body: { mandatory_disposition: true, disposition_pause: 'Disposing' } });
  assert.equal(r.status, 200, r.text);
  r = await start(A, { phone: '+15558000004', body: 'hello' });
  assert.equal(r.status, 201, r.text);
  const ix = r.json;
  r = await A.request('POST', `/api/v1/interactions/${ix.id}/close`, { body: {} });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['disposition']);
  assert.equal((await A.request('GET', `/api/v1/interactions/${ix.id}`)).json.status, 'open');

  // Only the holder disposes.
  assert.equal((await B.request('POST', `/api/v1/interactions/${ix.id}/dispose`)).status, 403);
  r = await A.request('POST', `/api/v1/interactions/${ix.id}/dispose`);
  assert.equal(r.status, 200, r.text);
  let st = (await A.request('GET', '/api/v1/agent/state')).json;
  assert.equal(st.paused, true);
  assert.equal(st.pause_reason, 'Disposing');
  // Twice is the same.
  assert.equal((await A.request('POST', `/api/v1/interactions/${ix.id}/dispose`)).status, 200);
  r = await A.request('POST', `/api/v1/interactions/${ix.id}/close`, { body: { disposition: 'no such one' } });
  assert.equal(r.status, 422);
  assert.equal((await A.request('GET', '/api/v1/agent/state')).json.paused, true, 'still disposing');
  r = await A.request('POST', `/api/v1/interactions/${ix.id}/close`, { body: { disposition: 'Sold' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.disposition, 'Sold');
  st = (await A.request('GET', '/api/v1/agent/state')).json;
  assert.equal(st.paused, false, 'un-paused after closing');

  // An agent already paused keeps its own pause.
  assert.equal((await A.request('POST', '/api/v1/agent/pause', { body: { reason: 'Lunch' } })).status, 200);
  r = await start(A, { phone: '+15558000005', body: 'hello' });
  assert.equal(r.status, 201, r.text);
  const ix2 = r.json;
  assert.equal((await A.request('POST', `/api/v1/interactions/${ix2.id}/dispose`)).status, 200);
  assert.equal((await A.request('GET', '/api/v1/agent/state')).json.pause_reason, 'Lunch');
  assert.equal((await A.request('POST', `/api/v1/interactions/${ix2.id}/close`, { body: { disposition: 'Interested' } })).status, 200);
  st = (await A.request('GET', '/api/v1/agent/state')).json;
  assert.equal(st.paused, true);
  assert.equal(st.pause_reason, 'Lunch');
  assert.equal((await A.request('POST', '/api/v1/agent/unpause')).status, 200);

  // Closing the tab while disposing ends the pause too.
  r = await start(A, { phone: '+15558000006', body: 'hello' });
  const ix3 = r.json;
  assert.equal((await A.request('POST', `/api/v1/interactions/${ix3.id}/dispose`)).status, 200);
  assert.equal((await A.request('GET', '/api/v1/agent/state')).json.paused, true);
  assert.equal((await A.request('POST', `/api/v1/interactions/${ix3.id}/release`)).status, 200);
  assert.equal((await A.request('GET', '/api/v1/agent/state')).json.paused, false);

  r = await admin.request('PATCH', `/api/v1/sms/accounts/${acc.id}`, { body: { mandatory_disposition: false, disposition_pause: null } });
  assert.equal(r.status, 200, r.text);
});

test('spy: admins and in-scope supervisors read and add notes; notes reach the holder, never the customer', async () => {
  let r = await start(A, { phone: '+15558000007', body: 'spied on' });
  assert.equal(r.status, 201, r.text);
  const ix = r.json;
  await d.waitFor(() => sentTo('+15558000007').find((m) => m.text === 'spied on'), 'first text sent');
  const before = sentTo('+15558000007').length;

  for (const who of [admin, sup]) {
    assert.equal((await who.request('GET', `/api/v1/interactions/${ix.id}`)).status, 200);
    assert.equal((await who.request('GET', `/api/v1/interactions/${ix.id}/messages`)).status, 200);
  }
  for (const who of [B, C, supOut]) {
    assert.equal((await who.request('GET', `/api/v1/interactions/${ix.id}`)).status, 404);
    assert.equal((await who.request('GET', `/api/v1/interactions/${ix.id}/messages`)).status, 404);
    r = await who.request('POST', `/api/v1/interactions/${ix.id}/notes`, { body: { body: 'sneaky' } });
    assert.equal(r.status, 404, r.text);
  }
  // Spying is read-only besides notes.
  assert.equal((await sup.request('POST', `/api/v1/interactions/${ix.id}/messages`, { body: { body: 'to the customer' } })).status, 404);
  assert.equal((await admin.request('POST', `/api/v1/interactions/${ix.id}/messages`, { body: { body: 'to the customer' } })).status, 404);

  r = await sup.request('POST', `/api/v1/interactions/${ix.id}/notes`, { body: { body: 'supervisor says: offer the discount' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.internal, true);
  const ev = await d.waitFor(() => A.ws.got.find((m) => m.type === 'interaction.note' && m.data.interaction_id === ix.id), 'note shown to the holder');
  assert.equal(ev.data.message.body, 'supervisor says: offer the discount');
  assert.equal(ev.data.message.sender_id, sup.id);
  assert.equal((await admin.request('POST', `/api/v1/interactions/${ix.id}/notes`, { body: { body: 'admin note' } })).status, 201);
  assert.equal((await sup.request('POST', `/api/v1/interactions/${ix.id}/notes`, { body: { body: '' } })).status, 422);

  const items = (await A.request('GET', `/api/v1/interactions/${ix.id}/messages`)).json.items;
  assert.deepEqual(items.filter((m) => m.internal).map((m) => m.body).sort(), ['admin note', 'supervisor says: offer the discount']);
  const spied = (await sup.request('GET', `/api/v1/interactions/${ix.id}/messages`)).json.items;
  assert.equal(spied.filter((m) => m.internal).length, 2, 'staff see the notes');
  // A reply after the notes proves the outbox drained past them: still no note sent.
  assert.equal((await A.request('POST', `/api/v1/interactions/${ix.id}/messages`, { body: { body: 'after the notes' } })).status, 201);
  await d.waitFor(() => sentTo('+15558000007').find((m) => m.text === 'after the notes'), 'reply sent');
  const texts = sentTo('+15558000007').slice(before).map((m) => m.text);
  assert.deepEqual(texts, ['after the notes']);
  assert.equal((await A.request('POST', `/api/v1/interactions/${ix.id}/close`, { body: {} })).status, 200);
});

test('supervisor scope: an outbound conversation of an in-scope agent is in the list, the export and deletable, as when spied', async () => {
  let r = await start(A, { phone: '+15558000011', body: 'outbound, never queued' });
  assert.equal(r.status, 201, r.text);
  const ix = r.json;
  assert.equal(ix.queue_id ?? null, null, 'started by the agent: no queue');
  const listed = async (who) => {
    const l = await who.request('GET', `/api/v1/interactions?channel=sms&account_id=${acc.id}&limit=500`);
    assert.equal(l.status, 200, l.text);
    return l.json.items.some((x) => x.id === ix.id);
  };
  const exported = async (who) => {
    const e = await who.request('GET', `/api/v1/interactions/export.csv?channel=sms&account_id=${acc.id}`);
    assert.equal(e.status, 200, e.text);
    return e.text.trim().split('\r\n').slice(1).some((l) => Number(l.split(',')[0].replace(/"/g, '')) === ix.id);
  };
  // Held by A (a member of the supervisor's queue): the list agrees with the spy check.
  assert.equal(await listed(sup), true, 'in scope through its holder');
  assert.equal(await exported(sup), true);
  assert.equal((await sup.request('GET', `/api/v1/interactions/${ix.id}`)).status, 200);
  assert.equal(await listed(supOut), false, 'out of the other supervisor\'s scope');
  assert.equal(await exported(supOut), false);
  assert.equal((await supOut.request('GET', `/api/v1/interactions/${ix.id}`)).status, 404);

  // Closed, it is the last holder that keeps it in scope; a supervisor who may delete, deletes it.
  assert.equal((await A.request('POST', `/api/v1/interactions/${ix.id}/close`, { body: {} })).status, 200);
  assert.equal(await listed(sup), true, 'in scope through its last holder');
  const p = await admin.request('POST', '/api/v1/profiles', { body: { name: 'scope delete', default_permission: 'read_edit_delete', sections: { queues: 'default' }, queue_ids: [queue.id] } });
  assert.equal(p.status, 201, p.text);
  const supDel = await supervisor('scope.del', p.json.id);
  assert.equal((await supDel.request('DELETE', `/api/v1/interactions/${ix.id}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/interactions/${ix.id}`)).status, 404, 'deleted');
});

test('transcript.zip: transcript.txt with every message and notes marked, attachment refs; 404 for others; capped', async () => {
  const w = webhook('twilio', 'inbound', { id: 'desk-tr-1', from: '+15558000008', text: 'a picture\nof my receipt', media: ['https://media.example/receipt.jpg'] }, { url: acc.receive_url });
  const u = new URL(w.url);
  let r = await srv.request('POST', u.pathname + u.search, { body: w.body, headers: w.headers });
  assert.equal(r.status, 200, r.text);
  const offer = await d.waitFor(() => A.ws.got.find((m) => m.type === 'interaction.offered' && m.data.contact.phone === '+15558000008'), 'offered');
  const id = offer.data.id;
  assert.equal((await A.request('POST', `/api/v1/interactions/${id}/accept`)).status, 200);
  assert.equal((await A.request('POST', `/api/v1/interactions/${id}/messages`, { body: { body: 'thanks, got it' } })).status, 201);
  assert.equal((await sup.request('POST', `/api/v1/interactions/${id}/notes`, { body: { body: 'check the receipt' } })).status, 201);

  for (const who of [admin, sup, A]) {
    const z = await bytes(who, `/api/v1/interactions/${id}/transcript.zip`);
    assert.equal(z.status, 200, z.body.toString());
    assert.equal(z.type, 'application/zip');
    assert.match(z.disposition, /attachment; filename="interaction-\d+-transcript.zip"/);
    assert.equal(z.body.subarray(0, 4).toString('hex'), '504b0304', 'a ZIP archive');
    const text = unzip(z.body, 'transcript.txt');
    assert.match(text, new RegExp(`^Interaction ${id} \\(sms, account ${acc.id}\\)`));
    assert.match(text, /Contact: .*\+15558000008/);
    const lines = text.split('\n');
    const iIn = lines.findIndex((l) => / IN \+15558000008: a picture$/.test(l));
    assert.ok(iIn > 0, text);
    assert.equal(lines[iIn + 1], '    of my receipt');
    assert.match(lines[iIn + 2], /^\d{4}-\d\d-\d\dT.* OUT desk\.a: thanks, got it$/);
    assert.match(lines[iIn + 3], /^\d{4}-\d\d-\d\dT.* NOTE Sup spy\.in: check the receipt$/);
    const index = JSON.parse(unzip(z.body, 'attachments/index.json'));
    assert.equal(index.length, 1);
    assert.equal(index[0].url, 'https://media.example/receipt.jpg');
    assert.equal(index[0].content_type, 'image/jpeg');
  }
  for (const who of [B, C, supOut]) assert.equal((await bytes(who, `/api/v1/interactions/${id}/transcript.zip`)).status, 404);
  assert.equal((await srv.request('GET', `/api/v1/interactions/${id}/transcript.zip`)).status, 401);
  assert.equal((await admin.request('GET', '/api/v1/interactions/99999999/transcript.zip')).status, 404);

  // Past interactions.transcript_max_bytes (16 KiB in this suite): 422, nothing built.
  for (let i = 0; i < 3; i++) assert.equal((await A.request('POST', `/api/v1/interactions/${id}/notes`, { body: { body: `n${i} ` + 'x'.repeat(6000) } })).status, 201);
  r = await admin.request('GET', `/api/v1/interactions/${id}/transcript.zip`);
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['id']);
  assert.equal((await A.request('POST', `/api/v1/interactions/${id}/close`, { body: {} })).status, 200);
});

test('only the agents of the account are offered its interactions; adding one offers it at once, removing one withdraws it', async () => {
  const D = await d.agentDesk(srv, admin, 'desk.d');
  assert.equal((await D.request('POST', '/api/v1/agent/login', { body: { channel: 'sms' } })).status, 200);
  const elig = await twilioAccount('Eligibility SMS', 'elg');
  let r = await admin.request('POST', '/api/v1/queues', { body: { channel: 'sms', name: 'Eligibility queue' } });
  assert.equal(r.status, 201, r.text);
  const q = r.json;
  await d.addMembers(admin, q, [D]);
  r = await admin.request('PUT', `/api/v1/flows/sms/${elig.id}/actions`, { body: { actions: [{ application: 'queue', queue_id: q.id, timeout: 300 }] } });
  assert.equal(r.status, 200, r.text);
  const w = webhook('twilio', 'inbound', { id: 'desk-elig-1', from: '+15558000009', text: 'who is there?' }, { url: elig.receive_url });
  const u = new URL(w.url);
  r = await srv.request('POST', u.pathname + u.search, { body: w.body, headers: w.headers });
  assert.equal(r.status, 200, r.text);
  // It waits in the queue, D (a member, available, not an agent of the account) has no offer.
  const waiting = async () => (await admin.request('GET', '/api/v1/realtime/queues')).json.queues.find((x) => x.queue_id === q.id);
  await d.waitFor(async () => { const x = await waiting(); return x && x.waiting === 1; }, 'waiting');
  let x = await waiting();
  assert.equal(x.available, 1);
  assert.equal(x.offered, 0);
  assert.deepEqual((await D.request('GET', '/api/v1/agent/offers')).json.items, []);
  // D may not start conversations on it either.
  assert.equal((await start(D, { phone: '+15558000010', body: 'hi' }, elig)).status, 404);

  r = await admin.request('PUT', `/api/v1/sms/accounts/${elig.id}/agents`, { body: { agent_ids: [D.agent.id] } });
  assert.equal(r.status, 200, r.text);
  const offer = await d.waitFor(() => D.ws.got.find((m) => m.type === 'interaction.offered' && m.data.contact.phone === '+15558000009'), 'offered once D is an agent of the account');
  r = await admin.request('PUT', `/api/v1/sms/accounts/${elig.id}/agents`, { body: { agent_ids: [] } });
  assert.equal(r.status, 200, r.text);
  const ended = await d.waitFor(() => D.ws.got.find((m) => m.type === 'interaction.offer_ended' && m.data.id === offer.data.id), 'withdrawn when D leaves the account');
  assert.equal(ended.data.reason, 'unavailable');
  assert.notEqual((await D.request('POST', `/api/v1/interactions/${offer.data.id}/accept`)).status, 200);
  x = await waiting();
  assert.equal(x.waiting, 1);
  assert.equal(x.offered, 0);
  D.ws.close();
});

test('provider options: stored with the credentials, shown, validated by name, kept or removed', async () => {
  const base = { name: 'Options SMS', key: 'opt', type: 'intelepeer', phone: '+15551234567', domain: srv.baseUrl };
  let r = await admin.request('POST', '/api/v1/sms/accounts', { body: { ...base, credentials: { api_key: 'ip-options-key-0001', options: { auth: 'header:X-Api-Key:api_key', field_text: 'message', nope: 1, send_method: 'DELETE' } } } });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['credentials.options.nope', 'credentials.options.send_method']);
  assert.equal((await admin.request('GET', '/api/v1/sms/accounts?q=Options')).json.total, 0, 'nothing created');
  r = await admin.request('POST', '/api/v1/sms/accounts', { body: { ...base, credentials: { api_key: 'ip-options-key-0001', options: { api: 'v2' } } } });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['credentials.options.api']);

  const options = { auth: 'header:X-Api-Key:api_key', field_text: 'message', status_map: { DONE: 'delivered' } };
  r = await admin.request('POST', '/api/v1/sms/accounts', { body: { ...base, credentials: { api_key: 'ip-options-key-0001', options } } });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  assert.deepEqual(r.json.credentials.options, options);
  assert.equal(r.json.credentials.api_key, '****0001');
  r = await admin.request('PATCH', `/api/v1/sms/accounts/${id}`, { body: { description: 'kept' } });
  assert.deepEqual(r.json.credentials.options, options);
  r = await admin.request('PATCH', `/api/v1/sms/accounts/${id}`, { body: { credentials: { options: { field_text: 'sms' } } } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.credentials.options, { field_text: 'sms' });
  r = await admin.request('PATCH', `/api/v1/sms/accounts/${id}`, { body: { credentials: { options: { send_url: 'http://plain.example/x' } } } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['credentials.options.send_url']);
  assert.deepEqual((await admin.request('GET', `/api/v1/sms/accounts/${id}`)).json.credentials.options, { field_text: 'sms' }, 'unchanged');
  r = await admin.request('PATCH', `/api/v1/sms/accounts/${id}`, { body: { credentials: { options: null } } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.credentials.options, undefined);
  assert.equal((await admin.request('DELETE', `/api/v1/sms/accounts/${id}`)).status, 204);
});
