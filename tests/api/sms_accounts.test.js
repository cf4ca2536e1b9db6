'use strict';
// SMS accounts (issue #6 part 1) through the real server: defaults, every type's credential
// rules with each bad field named, key rules, 409 on a taken name or key, credentials masked
// in every answer, absent from logs and audit, sealed in the database; the proxy token and
// the receive / delivery-report URLs; the account's agents; the role matrix.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, accountClient } = require('./lib/server');
const { VALID, TYPES, SECRETS, smsAccount, rawAccountRow } = require('./lib/sms');

const PUBLIC_URL = 'http://cc.example.test:8080/';
let srv, admin;
const answers = []; // every answer text of this suite, searched for secrets at the end

before(async () => {
  srv = await startServer({ env: { SWITCHBOARD_HTTP_PUBLIC_URL: PUBLIC_URL } });
  admin = await adminClient(srv);
  const plain = admin.request;
  admin.request = async (...args) => {
    const r = await plain(...args);
    answers.push(r.text);
    return r;
  };
});
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const fields = (r) => r.json.errors.map((e) => e.field).sort();
const total = async () => (await admin.request('GET', '/api/v1/sms/accounts')).json.total;
const create = (body) => admin.request('POST', '/api/v1/sms/accounts', { body });

test('every type: defaults, masked credentials, receive and delivery-report URLs', async () => {
  const expectAuth = { twilio: 'twilio_signature', plivo: 'plivo_signature', telnyx: 'telnyx_signature', bandwidth: 'basic' };
  const noStatus = new Set(['connectel', 'clicksend']); // their delivery_report is off here
  for (const type of TYPES) {
    const acc = await smsAccount(admin, type);
    assert.equal(acc.type, type);
    assert.equal(acc.domain, 'http://cc.example.test:8080', 'the server public URL, no trailing slash');
    assert.equal(acc.wait_agent, 10);
    assert.equal(acc.wait_queue, 10);
    assert.equal(acc.transfer_enabled, false);
    assert.equal(acc.transfer_timeout, 60);
    assert.equal(acc.mandatory_disposition, false);
    assert.equal(acc.disposition_pause, null);
    assert.equal(acc.description, null);
    assert.ok(acc.list_id > 0, 'the Default list');
    assert.deepEqual(acc.agents, []);
    assert.match(acc.proxy_token, /^smt_[A-Za-z0-9_-]{43}$/);
    const auth = expectAuth[type] || 'token';
    assert.equal(acc.inbound_auth, auth);
    const base = `http://cc.example.test:8080/api/sms/accounts/${acc.id}`;
    const query = auth === 'token' ? `?token=${acc.proxy_token}` : '';
    assert.equal(acc.receive_url, `${base}/receive${query}`);
    if (noStatus.has(type)) assert.equal(acc.status_url, null, type);
    else if (type === 'csctelecom') assert.equal(acc.status_url, `${base}/status${query}&message_id=<Message-Id>&state=<State>`);
    else assert.equal(acc.status_url, `${base}/status${query}`, type);
    // Every credential field is there; secrets only as "****" + their last 4 characters.
    const given = VALID[type].credentials;
    for (const [k, v] of Object.entries(acc.credentials)) {
      if (SECRETS.includes(given[k])) assert.equal(v, `****${given[k].slice(-4)}`, `${type}.${k}`);
      else if (k in given && k !== 'base_url') assert.deepEqual(v, given[k], `${type}.${k}`);
    }
    const got = await admin.request('GET', `/api/v1/sms/accounts/${acc.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.json, acc);
  }
  const ib = (await admin.request('GET', '/api/v1/sms/accounts?type=infobip')).json.items[0];
  assert.equal(ib.credentials.base_url, 'https://abc123.api.infobip.com', 'normalized');
  const csc = (await admin.request('GET', '/api/v1/sms/accounts?type=csctelecom')).json.items[0];
  assert.equal(csc.credentials.base_url, 'https://sms.csctelecom.example/api');
  const cs = await smsAccount(admin, 'clicksend', { credentials: { ...VALID.clicksend.credentials, delivery_report: true } });
  assert.equal(cs.status_url, `http://cc.example.test:8080/api/sms/accounts/${cs.id}/status?token=${cs.proxy_token}`);
  const basic = await smsAccount(admin, 'skebby', { credentials: { method: 'basic', username: 'u', password: 'skebby-SECRET-pass-0002' } });
  assert.equal(basic.status_url, null, 'Skebby reports only with classic_plus');
  assert.equal(basic.credentials.delivery_report, false);
  assert.equal(basic.credentials.sender, null);
  const short = await smsAccount(admin, 'clickatell', { credentials: { api_key: 'tiny-key' } });
  assert.equal(short.credentials.api_key, '****', 'a short secret is masked whole');
  const list = await admin.request('GET', '/api/v1/sms/accounts?q=telnyx');
  assert.equal(list.json.total, 1);
  assert.equal(list.json.items[0].type, 'telnyx');
});

test('each bad field is named, per type; nothing is stored', async () => {
  const before = await total();
  const cases = [
    [{ name: '', key: '', type: 'pager', wait_agent: 0, wait_queue: 2147484, transfer_enabled: 'yes', transfer_timeout: 0, mandatory_disposition: 1, disposition_pause: 'x'.repeat(64), list_id: 999999, domain: 'ftp://x', phone: '12', colour: 'red', proxy_token: 'mine' },
      ['colour', 'disposition_pause', 'domain', 'key', 'list_id', 'mandatory_disposition', 'name', 'phone', 'proxy_token', 'transfer_enabled', 'transfer_timeout', 'type', 'wait_agent', 'wait_queue']],
    [{ name: 'no type', key: 'nt' }, ['type']],
    [{ name: 'creds not object', key: 'cno', type: 'twilio', credentials: 'AC:tok' }, ['credentials']],
    [{ name: 'tw', key: 'tw', type: 'twilio', credentials: {} }, ['credentials.account_sid', 'credentials.auth_token']],
    [{ name: 'tw2', key: 'tw2', type: 'twilio', credentials: { account_sid: 'AB0123456789abcdef0123456789abcdef', auth_token: 'x', api_key: 'k' } }, ['credentials.account_sid', 'credentials.api_key']],
    [{ name: 'sk', key: 'sk', type: 'skebby', credentials: { method: 'premium' } }, ['credentials.method', 'credentials.password', 'credentials.username']],
    [{ name: 'sk2', key: 'sk2', type: 'skebby', credentials: { method: 'basic', username: 'u', password: 'p', sender: 'Shop', delivery_report: true } }, ['credentials.delivery_report', 'credentials.sender']],
    [{ name: 'sk3', key: 'sk3', type: 'skebby', credentials: { method: 'classic', username: 'u', password: 'p', delivery_report: true } }, ['credentials.delivery_report']],
    [{ name: 'sk4', key: 'sk4', type: 'skebby', credentials: { method: 'classic', username: 'u', password: 'p', sender: 'A sender too long' } }, ['credentials.sender']],
    [{ name: 'co', key: 'co', type: 'connectel', credentials: { delivery_report: 'on' } }, ['credentials.auth_token', 'credentials.delivery_report']],
    [{ name: 'cs', key: 'cs', type: 'clicksend', credentials: { username: 'u' } }, ['credentials.password']],
    [{ name: 'pl', key: 'pl', type: 'plivo', credentials: { auth_id: 'maxxxxxxxxxxxxxxxxxx', auth_token: 't' } }, ['credentials.auth_id']],
    [{ name: 'ca', key: 'ca', type: 'clickatell', credentials: { api_key: '' } }, ['credentials.api_key']],
    [{ name: 'cc', key: 'cc', type: 'csctelecom', credentials: { api_key: 'k', base_url: 'http://sms.csc.example' } }, ['credentials.base_url']],
    [{ name: 'cc2', key: 'cc2', type: 'csctelecom', credentials: { api_key: 'k', base_url: 'https://127.0.0.1/api' } }, ['credentials.base_url']],
    [{ name: 'cc3', key: 'cc3', type: 'csctelecom', credentials: { api_key: 'k', base_url: 'https://sms.csc.example:8443' } }, ['credentials.base_url']],
    [{ name: 'cc4', key: 'cc4', type: 'csctelecom', credentials: { api_key: 'k', base_url: 'https://user@sms.csc.example' } }, ['credentials.base_url']],
    [{ name: 'ib', key: 'ib', type: 'infobip', credentials: { username: 'u', password: 'p', base_url: 'https://evil.example.com' } }, ['credentials.base_url']],
    [{ name: 'ib2', key: 'ib2', type: 'infobip', credentials: { username: 'u', password: 'p', base_url: 'https://x.api.infobip.com.evil.example' } }, ['credentials.base_url']],
    [{ name: 'ip', key: 'ip', type: 'intelepeer', credentials: {} }, ['credentials.api_key', 'phone']],
    [{ name: 'bw', key: 'bw', type: 'bandwidth', phone: '+15551234567', credentials: { account_id: '99a', username: 'u', password: 'p', application_id: 'app id' } }, ['credentials.account_id', 'credentials.application_id']],
    [{ name: 'bw2', key: 'bw2', type: 'bandwidth', credentials: {} }, ['credentials.account_id', 'credentials.application_id', 'credentials.password', 'credentials.username', 'phone']],
    [{ name: 'tx', key: 'tx', type: 'telnyx', credentials: { api_key: 'k', public_key: 'not-a-key' } }, ['credentials.public_key']],
    [{ name: 'tx2', key: 'tx2', type: 'telnyx', credentials: { api_key: 'k', public_key: Buffer.alloc(31).toString('base64') } }, ['credentials.public_key']],
    [{ name: 'ph', key: 'ph', type: 'clickatell', phone: '+0123', credentials: { api_key: 'k' } }, ['phone']],
  ];
  for (const [body, want] of cases) {
    const r = await create(body);
    assert.equal(r.status, 422, `${JSON.stringify(body)} → ${r.text}`);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.deepEqual(fields(r), want, JSON.stringify(body));
  }
  assert.equal(await total(), before, 'nothing stored');
  // IntelePeer short codes and alphanumeric sender ids are phones too.
  for (const [i, phone] of ['1-12345', '34-Hello8', '15551234567'].entries()) {
    const r = await create({ name: `phone ${phone}`, key: `ph${i}`, type: 'intelepeer', phone, credentials: { api_key: 'k' } });
    assert.equal(r.status, 201, r.text);
  }
});

test('key: 1 to 5 letters or digits, unique whatever the case; name unique (409 names the field)', async () => {
  for (const key of ['', 'ABCDEF', 'ab-1', 'é1', 7, null]) {
    const r = await create({ name: `key ${String(key)}`, key, type: 'clickatell', credentials: { api_key: 'k' } });
    assert.equal(r.status, 422, String(key));
    assert.deepEqual(fields(r), ['key']);
  }
  const a = await smsAccount(admin, 'clickatell', { name: 'Unique one', key: 'Ab12Z' });
  assert.equal(a.key, 'Ab12Z');
  let r = await create({ name: 'Unique one', key: 'other', type: 'clickatell', credentials: { api_key: 'k' } });
  assert.equal(r.status, 409);
  assert.deepEqual(fields(r), ['name']);
  r = await create({ name: 'Unique two', key: 'ab12z', type: 'clickatell', credentials: { api_key: 'k' } });
  assert.equal(r.status, 409, 'keys compare without case');
  assert.deepEqual(fields(r), ['key']);
  const b = await smsAccount(admin, 'clickatell', { name: 'Unique two', key: 'U2' });
  r = await admin.request('PATCH', `/api/v1/sms/accounts/${b.id}`, { body: { key: 'AB12Z' } });
  assert.equal(r.status, 409);
  assert.deepEqual(fields(r), ['key']);
  r = await admin.request('PATCH', `/api/v1/sms/accounts/${b.id}`, { body: { name: 'Unique one' } });
  assert.equal(r.status, 409);
  assert.deepEqual(fields(r), ['name']);
  assert.equal((await admin.request('GET', `/api/v1/sms/accounts/${b.id}`)).json.key, 'U2', 'unchanged');
});

test('changes: credentials kept unless given, masked value echoed back keeps the secret, a new type needs new ones', async () => {
  const acc = await smsAccount(admin, 'twilio', { description: 'first', domain: 'https://proxy.example.org/motion/' });
  assert.equal(acc.domain, 'https://proxy.example.org/motion');
  assert.match(acc.receive_url, /^https:\/\/proxy\.example\.org\/motion\/api\/sms\/accounts\/\d+\/receive$/);
  const url = `/api/v1/sms/accounts/${acc.id}`;
  let r = await admin.request('PATCH', url, { body: { wait_agent: 2147483, wait_queue: 1, transfer_enabled: true, transfer_timeout: 30, mandatory_disposition: true, disposition_pause: 'Disposing', description: '' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.wait_agent, 2147483);
  assert.equal(r.json.wait_queue, 1);
  assert.equal(r.json.transfer_enabled, true);
  assert.equal(r.json.transfer_timeout, 30);
  assert.equal(r.json.mandatory_disposition, true);
  assert.equal(r.json.disposition_pause, 'Disposing');
  assert.equal(r.json.description, null);
  assert.deepEqual(r.json.credentials, acc.credentials, 'credentials kept');
  // The whole object sent back (read-only members removed) changes nothing.
  const { id, proxy_token, receive_url, status_url, inbound_auth, agents, created_at, updated_at, ...editable } = r.json;
  r = await admin.request('PATCH', url, { body: editable });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.credentials.auth_token, '****0001');
  r = await admin.request('PATCH', url, { body: { proxy_token: 'x', receive_url: 'y' } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['proxy_token', 'receive_url']);
  r = await admin.request('PATCH', url, { body: { credentials: { auth_token: 'twilio-NEW-token-9999' } } });
  assert.equal(r.status, 200);
  assert.equal(r.json.credentials.auth_token, '****9999');
  assert.equal(r.json.credentials.account_sid, acc.credentials.account_sid);
  r = await admin.request('PATCH', url, { body: { type: 'plivo' } });
  assert.equal(r.status, 422, 'a new type needs its own credentials');
  assert.deepEqual(fields(r), ['credentials.auth_id', 'credentials.auth_token']);
  r = await admin.request('PATCH', url, { body: { type: 'plivo', ...VALID.plivo } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.inbound_auth, 'plivo_signature');
  assert.deepEqual(Object.keys(r.json.credentials).sort(), ['auth_id', 'auth_token', 'sender']);
  r = await admin.request('PATCH', url, { body: { domain: null } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.domain, 'http://cc.example.test:8080', 'null goes back to the server URL');
  r = await admin.request('PATCH', url, { body: { wait_agent: 0, domain: 'http://a b' } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['domain', 'wait_agent']);
  assert.equal((await admin.request('PATCH', '/api/v1/sms/accounts/999999', { body: { description: 'x' } })).status, 404);
});

test('proxy token: regenerated on demand, checked in the receive URL', async () => {
  const acc = await smsAccount(admin, 'clickatell');
  const r = await admin.request('POST', `/api/v1/sms/accounts/${acc.id}/token`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.proxy_token, /^smt_/);
  assert.notEqual(r.json.proxy_token, acc.proxy_token);
  assert.ok(r.json.receive_url.endsWith(`?token=${r.json.proxy_token}`));
  assert.equal((await admin.request('POST', '/api/v1/sms/accounts/999999/token')).status, 404);
});

test('agents of the account, flows, delete', async () => {
  const acc = await smsAccount(admin, 'telnyx');
  const ag1 = await admin.request('POST', '/api/v1/agents', { body: { username: 'sms.a1', full_name: 'A1', password: 'Agent!Passw0rd1' } });
  const ag2 = await admin.request('POST', '/api/v1/agents', { body: { username: 'sms.a2', full_name: 'A2', password: 'Agent!Passw0rd1' } });
  const url = `/api/v1/sms/accounts/${acc.id}/agents`;
  let r = await admin.request('PUT', url, { body: { agent_ids: [ag2.json.id, ag1.json.id] } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.agents, [ag1.json.id, ag2.json.id].sort((a, b) => a - b));
  const sup = await accountClient(srv, 'sms.sup1', 'user');
  r = await admin.request('PUT', url, { body: { agent_ids: [ag1.json.id, sup.id] } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['agent_ids[1]']);
  assert.equal((await admin.request('GET', `/api/v1/sms/accounts/${acc.id}`)).json.agents.length, 2, 'unchanged');
  r = await admin.request('PUT', url, { body: { agent_ids: 'all' } });
  assert.equal(r.status, 422);
  assert.equal((await admin.request('PUT', '/api/v1/sms/accounts/999999/agents', { body: { agent_ids: [] } })).status, 404);
  // The account has an action flow like every channel account.
  r = await admin.request('PUT', `/api/v1/flows/sms/${acc.id}/actions`, { body: { actions: [{ application: 'close', disposition: 'Spam' }] } });
  assert.equal(r.status, 200, r.text);
  assert.equal((await admin.request('GET', '/api/v1/flows/sms/999999/actions')).status, 404);
  assert.equal((await admin.request('DELETE', `/api/v1/sms/accounts/${acc.id}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/sms/accounts/${acc.id}`)).status, 404);
  assert.equal((await admin.request('DELETE', `/api/v1/sms/accounts/${acc.id}`)).status, 404);
  assert.equal((await admin.request('GET', `/api/v1/flows/sms/${acc.id}/actions`)).status, 404);
});

test('role matrix: admins only', async () => {
  const acc = await smsAccount(admin, 'twilio');
  const sup = await accountClient(srv, 'sms.sup2', 'user');
  const agent = await accountClient(srv, 'sms.agent2', 'agent');
  const anon = { request: (m, p, o) => srv.request(m, p, o) };
  const routes = [
    ['GET', '/api/v1/sms/accounts'], ['POST', '/api/v1/sms/accounts', { name: 'x' }],
    ['GET', `/api/v1/sms/accounts/${acc.id}`], ['PATCH', `/api/v1/sms/accounts/${acc.id}`, { name: 'y' }],
    ['DELETE', `/api/v1/sms/accounts/${acc.id}`], ['POST', `/api/v1/sms/accounts/${acc.id}/token`],
    ['PUT', `/api/v1/sms/accounts/${acc.id}/agents`, { agent_ids: [] }],
  ];
  for (const [m, p, body] of routes) {
    for (const [who, c, want] of [['supervisor', sup, 403], ['agent', agent, 403], ['anonymous', anon, 401]]) {
      const r = await c.request(m, p, body ? { body } : {});
      assert.equal(r.status, want, `${who} ${m} ${p}`);
      assert.ok(!r.text.includes('SECRET'), 'no credentials in a refusal');
    }
  }
  const still = await admin.request('GET', `/api/v1/sms/accounts/${acc.id}`);
  assert.equal(still.status, 200);
  assert.equal(still.json.name, acc.name, 'nothing changed');
});

test('credentials are never in an answer, a log line or the audit log, and are sealed at rest', async () => {
  const acc = await smsAccount(admin, 'bandwidth');
  const audit = await admin.request('GET', '/api/v1/audit?limit=500');
  assert.equal(audit.status, 200, audit.text);
  assert.ok(audit.json.items.some((e) => e.action === 'sms_account.create'));
  const raw = rawAccountRow(srv, acc.id);
  assert.match(raw, /^v1:/, 'sealed');
  assert.ok(!raw.includes(acc.proxy_token), 'the proxy token is sealed too');
  const everything = answers.join('\n') + srv.stderr() + srv.stdout();
  for (const secret of [...SECRETS, 'twilio-NEW-token-9999']) {
    assert.ok(!everything.includes(secret), `secret ${secret} leaked`);
    assert.ok(!raw.includes(secret), `secret ${secret} stored in clear`);
  }
});
