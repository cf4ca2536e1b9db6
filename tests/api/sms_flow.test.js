'use strict';
// The SMS channel end to end for every provider, against the fake providers
// (tests/api/lib/fake_providers.js) the server is pointed at with sms.test_base_url: an inbound
// webhook in the provider's own format and signature creates one message (five retries of it
// still one), a forged one is refused and stores nothing, the ACD offers it to an agent who
// replies, the reply reaches the fake provider with the right auth and body, and the provider's
// delivery report moves the message forward (never back).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient } = require('./lib/server');
const { startFakeProviders, FAKE_CREDS, webhook, PROVIDERS } = require('./lib/fake_providers');
const d = require('./lib/desk');

let srv, admin, fp, agent, queue;
before(async () => {
  fp = await startFakeProviders();
  srv = await startServer({ env: { SWITCHBOARD_SMS_TEST_BASE_URL: fp.baseUrl } });
  admin = await adminClient(srv);
  agent = await d.agentDesk(srv, admin, 'sms.agent');
  const r = await admin.request('POST', '/api/v1/queues', { body: { channel: 'sms', name: 'SMS desk' } });
  assert.equal(r.status, 201, r.text);
  queue = r.json;
  await d.addMembers(admin, queue, [agent]);
  assert.equal((await agent.request('POST', '/api/v1/agent/login', { body: { channel: 'sms' } })).status, 200);
});
after(async () => {
  agent.ws.close();
  assert.equal((await srv.stop()).code, 0, srv.stderr());
  await fp.stop();
});

// The account API's names for the fakes' credentials.
function accountBody(p, n) {
  const c = { ...FAKE_CREDS[p] };
  const phone = c.phone;
  delete c.phone;
  if (p === 'twilio') { c.account_sid = c.account_id; delete c.account_id; }
  if (p === 'plivo') { c.auth_id = c.account_id; delete c.account_id; }
  if (p === 'clicksend') delete c.password;
  // The account API has no sender for Infobip: the account's phone is the sender.
  if (p === 'infobip') { delete c.api_key; delete c.sender; return { name: `SMS ${p}`, key: `s${n}`, type: p, domain: srv.baseUrl, phone: '+15550009999', credentials: c }; }
  return { name: `SMS ${p}`, key: `s${n}`, type: p, domain: srv.baseUrl, ...(phone ? { phone } : {}), credentials: c };
}

// The delivered report of each provider's format.
const DELIVERED = {
  twilio: { status: 'delivered' }, plivo: { status: 'delivered' }, telnyx: { status: 'delivered' },
  bandwidth: { status: 'message-delivered' }, connectel: { status: 'delivered' }, intelepeer: { status: 'delivered' },
  infobip: { status: { groupId: 3, groupName: 'DELIVERED', id: 5, name: 'DELIVERED_TO_HANDSET' } },
  skebby: { status: 'DLVRD' }, clickatell: { status: 6, statusName: 'RECEIVED_BY_RECIPIENT' },
  clicksend: { status: 'Delivered', code: 201 }, csctelecom: { status: 'DELIVRD' },
};

function send(w) {
  const u = new URL(w.url);
  return srv.request(w.method, u.pathname + u.search, { body: w.method === 'GET' ? undefined : w.body, headers: w.headers });
}

PROVIDERS.forEach((p, n) => {
  test(`${p}: inbound once under retries, forged refused, offer, reply sent, delivery report`, async () => {
    let r = await admin.request('POST', '/api/v1/sms/accounts', { body: accountBody(p, n) });
    assert.equal(r.status, 201, r.text);
    const acc = r.json;
    await d.accountAgents(admin, acc, [agent], 'sms');
    // A queue of its own: a provider that fails leaves no offer behind for the next one.
    r = await admin.request('POST', '/api/v1/queues', { body: { channel: 'sms', name: `SMS ${p}` } });
    assert.equal(r.status, 201, r.text);
    await d.addMembers(admin, r.json, [agent]);
    r = await admin.request('PUT', `/api/v1/flows/sms/${acc.id}/actions`, { body: { actions: [{ application: 'queue', queue_id: r.json.id, timeout: 300 }] } });
    assert.equal(r.status, 200, r.text);

    const from = `+1555700${String(n).padStart(4, '0')}`;
    const inbound = { id: `in-${p}-1`, from, to: FAKE_CREDS[p].phone, text: `hello from ${p}` };
    const w = webhook(p, 'inbound', inbound, { url: acc.receive_url, basic: p === 'bandwidth' ? { user: FAKE_CREDS[p].username, pass: FAKE_CREDS[p].password } : undefined });
    // A forged copy: one byte of the body changed (signature schemes) or no token.
    const headers = { ...w.headers };
    delete headers.authorization;
    const forged = { ...w, headers, body: typeof w.body === 'string' ? w.body.replace('hello', 'jello') : w.body,
      url: w.url.replace(/token=[^&]+/, 'token=' + 'x'.repeat(43)) };
    r = await send(forged);
    assert.ok(r.status === 401 || r.status === 403, `${p} forged: ${r.status} ${r.text}`);
    for (let i = 0; i < 5; i++) {
      r = await send(w);
      assert.ok(r.status >= 200 && r.status < 300, `${p} inbound: ${r.status} ${r.text}`);
    }
    const offer = await d.waitFor(() => agent.ws.got.find((m) => m.type === 'interaction.offered' && m.data.contact.phone === from), `${p} offered`);
    const id = offer.data.id;
    const msgs = (await admin.request('GET', `/api/v1/interactions/${id}/messages`)).json.items;
    assert.equal(msgs.length, 1, 'five deliveries of one webhook, one message');
    assert.equal(msgs[0].body, `hello from ${p}`);
    assert.equal((await agent.request('POST', `/api/v1/interactions/${id}/accept`)).status, 200);

    const before = fp.sent(p) ? fp.sent(p).length : 0;
    r = await agent.request('POST', `/api/v1/interactions/${id}/messages`, { body: { body: `reply to ${p}` } });
    assert.equal(r.status, 201, r.text);
    const mid = r.json.id;
    const sent = await d.waitFor(() => fp.sent(p) && fp.sent(p).length > before && fp.sent(p)[fp.sent(p).length - 1], `${p} send reached the fake`);
    assert.match(JSON.stringify(sent), new RegExp(`reply to ${p}`));
    const out = await d.waitFor(async () => {
      const m = (await admin.request('GET', `/api/v1/interactions/${id}/messages`)).json.items.find((x) => x.id === mid);
      return m.delivery_status === 'sent' ? m : null;
    }, `${p} message marked sent`);
    assert.equal(out.direction, 'out');

    if (acc.status_url) {
      const providerId = sent.id || sent.providerId || sent.provider_id;
      assert.ok(providerId, `${p}: the fake names the id it gave`);
      const dw = webhook(p, 'status', { id: providerId, ...DELIVERED[p] }, { url: acc.status_url, basic: p === 'bandwidth' ? { user: FAKE_CREDS[p].username, pass: FAKE_CREDS[p].password } : undefined });
      r = await send(dw);
      assert.ok(r.status >= 200 && r.status < 300, `${p} status: ${r.status} ${r.text}`);
      await d.waitFor(async () => (await admin.request('GET', `/api/v1/interactions/${id}/messages`)).json.items.find((x) => x.id === mid).delivery_status === 'delivered', `${p} delivered`);
      if (p === 'twilio') {
        // A late "sent" report after "delivered" changes nothing: states never move back.
        r = await send(webhook(p, 'status', { id: providerId, status: 'sent' }, { url: acc.status_url }));
        assert.ok(r.status >= 200 && r.status < 300);
        const m = (await admin.request('GET', `/api/v1/interactions/${id}/messages`)).json.items.find((x) => x.id === mid);
        assert.equal(m.delivery_status, 'delivered');
      }
    }
    assert.equal((await agent.request('POST', `/api/v1/interactions/${id}/close`, { body: {} })).status, 200);
  });
});
