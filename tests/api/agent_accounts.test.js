'use strict';
// GET /api/v1/agent/accounts: the SMS and Open Channel accounts the signed-in agent is an agent
// of (what the desk's "New SMS" dialog offers), nothing secret; 403 for staff who are not agents.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient } = require('./lib/server');
const { FAKE_CREDS } = require('./lib/fake_providers');
const d = require('./lib/desk');

let srv, admin, A, B, sms1, sms2, oc1, oc2;

async function twilioAccount(name, key) {
  const c = FAKE_CREDS.twilio;
  const r = await admin.request('POST', '/api/v1/sms/accounts', {
    body: { name, key, type: 'twilio', domain: srv.baseUrl, phone: c.phone, credentials: { account_sid: c.account_id, auth_token: c.auth_token } },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const mine = async (who) => {
  const r = await who.request('GET', '/api/v1/agent/accounts');
  assert.equal(r.status, 200, r.text);
  return r.json;
};

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv);
  A = await d.agentDesk(srv, admin, 'acc.a');
  B = await d.agentDesk(srv, admin, 'acc.b');
  sms1 = await twilioAccount('Billing SMS', 'bil');
  sms2 = await twilioAccount('Alerts SMS', 'alr');
  oc1 = await d.account(admin, 'Web chat', { key: 'web', reply_url: 'https://connector.example/reply' });
  oc2 = await d.account(admin, 'Kiosk');
  await d.accountAgents(admin, sms1, [A, B], 'sms');
  await d.accountAgents(admin, sms2, [A], 'sms');
  await d.accountAgents(admin, oc1, [A], 'openchannel');
  await d.accountAgents(admin, oc2, [B], 'openchannel');
});

after(async () => {
  for (const a of [A, B]) a.ws.close();
  assert.equal((await srv.stop()).code, 0, srv.stderr());
});

test('an agent sees exactly the accounts it is an agent of, SMS first, by name, without secrets', async () => {
  const a = await mine(A);
  assert.deepEqual(a, {
    total: 3,
    truncated: false,
    items: [
      { channel: 'sms', id: sms2.id, name: 'Alerts SMS', key: 'alr', can_reply: true, can_start: true },
      { channel: 'sms', id: sms1.id, name: 'Billing SMS', key: 'bil', can_reply: true, can_start: true },
      { channel: 'openchannel', id: oc1.id, name: 'Web chat', key: 'web', can_reply: true, can_start: false },
    ],
  });
  const b = await mine(B);
  assert.deepEqual(
    b.items.map((x) => [x.channel, x.id, x.can_reply, x.can_start]),
    [
      ['sms', sms1.id, true, true],
      ['openchannel', oc2.id, false, false], // no reply URL: the agent cannot answer on it
    ],
  );
  assert.equal(b.items[1].key, null);
  // Nothing of the credentials, tokens or URLs leaks.
  for (const x of [...a.items, ...b.items]) assert.deepEqual(Object.keys(x).sort(), ['can_reply', 'can_start', 'channel', 'id', 'key', 'name']);
});

test('after removal from an account the agent no longer sees it; an agent of none gets an empty list', async () => {
  await d.accountAgents(admin, sms1, [B], 'sms');
  assert.deepEqual((await mine(A)).items.map((x) => x.id), [sms2.id, oc1.id]);
  assert.deepEqual((await mine(B)).items.map((x) => x.id), [sms1.id, oc2.id], 'the others keep theirs');
  // A deleted account disappears too.
  const r = await admin.request('DELETE', `/api/v1/sms/accounts/${sms2.id}`);
  assert.equal(r.status, 204, r.text);
  assert.deepEqual((await mine(A)).items.map((x) => x.id), [oc1.id]);
  await d.accountAgents(admin, oc1, [], 'openchannel');
  assert.deepEqual(await mine(A), { total: 0, truncated: false, items: [] });
});

test('staff who are not agents are refused; nobody signed in is 401', async () => {
  let r = await admin.request('GET', '/api/v1/agent/accounts');
  assert.equal(r.status, 403, r.text);
  assert.match(r.headers.get('content-type'), /problem\+json/);
  const res = await fetch(`${srv.baseUrl}/api/v1/agent/accounts`);
  assert.equal(res.status, 401);
});
