'use strict';
// API keys: shown once, stored hashed, act with the owner's role, revocable, and stop with a
// disabled owner or at expiry.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, accountClient, psql, backend } = require('./lib/server');

let srv, admin;
before(async () => { srv = await startServer(); admin = await adminClient(srv); });
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const bearer = (key) => ({ authorization: `Bearer ${key}` });

test('a key is shown once, works as its owner, and is listed without its secret', async () => {
  const r = await admin.request('POST', '/api/v1/auth/api-keys', { body: { name: 'CRM sync' } });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.key, /^sbk_[A-Za-z0-9_-]{43}$/);
  assert.equal(r.json.prefix, r.json.key.slice(0, 12));
  const me = await srv.request('GET', '/api/v1/settings', { headers: bearer(r.json.key) });
  assert.equal(me.status, 200, 'acts as the admin who made it');
  const patch = await srv.request('PATCH', '/api/v1/settings', { headers: bearer(r.json.key), body: { 'general.rtl_support': true } });
  assert.equal(patch.status, 200, 'no CSRF token needed: not a cookie');
  const list = await admin.request('GET', '/api/v1/auth/api-keys');
  assert.equal(list.status, 200);
  const item = list.json.items.find((k) => k.id === r.json.id);
  assert.equal(item.name, 'CRM sync');
  assert.ok(item.last_used_at);
  assert.equal(JSON.stringify(list.json).includes(r.json.key), false, 'the secret is never listed');
  if (backend === 'postgres') {
    const stored = psql(`SELECT key_hash FROM api_keys WHERE id = ${r.json.id}`, srv.pgDatabase);
    assert.match(stored, /^[0-9a-f]{64}$/);
    assert.notEqual(stored, r.json.key);
  }
});

test('a key has its owner\'s role, no more', async () => {
  const agent = await accountClient(srv, 'key.agent', 'agent');
  const r = await agent.request('POST', '/api/v1/auth/api-keys', { body: { name: 'bot' } });
  assert.equal(r.status, 201);
  assert.equal((await srv.request('GET', '/api/v1/settings', { headers: bearer(r.json.key) })).status, 403);
  assert.equal((await srv.request('GET', '/api/v1/auth/me', { headers: bearer(r.json.key) })).status, 200);
  const mint = await srv.request('POST', '/api/v1/auth/api-keys', { headers: bearer(r.json.key), body: { name: 'child' } });
  assert.equal(mint.status, 403, 'a key cannot mint keys');
  // The agent cannot revoke the admin's keys; the admin can revoke the agent's.
  const adminKey = (await admin.request('GET', '/api/v1/auth/api-keys')).json.items[0].id;
  assert.equal((await agent.request('DELETE', `/api/v1/auth/api-keys/${adminKey}`)).status, 404);
  assert.equal((await admin.request('DELETE', `/api/v1/auth/api-keys/${r.json.id}`)).status, 204);
  assert.equal((await srv.request('GET', '/api/v1/auth/me', { headers: bearer(r.json.key) })).status, 401);
});

test('revoked, expired, forged or malformed keys are refused', async () => {
  const r = await admin.request('POST', '/api/v1/auth/api-keys', { body: { name: 'short', expires_in_days: 1 } });
  assert.equal(r.status, 201);
  assert.ok(r.json.expires_at);
  assert.equal((await srv.request('GET', '/api/v1/auth/me', { headers: bearer(r.json.key) })).status, 200);
  await srv.request('POST', '/api/v1/_test/clock', { body: { advance_ms: 86400000 + 1000 } });
  assert.equal((await srv.request('GET', '/api/v1/auth/me', { headers: bearer(r.json.key) })).status, 401);
  const forged = 'sbk_' + 'A'.repeat(43);
  for (const h of [bearer(forged), bearer('sbk_short'), { authorization: 'Basic abc' }]) {
    const x = await srv.request('GET', '/api/v1/auth/me', { headers: h });
    assert.equal(x.status, 401);
  }
});

test('invalid key requests are refused naming the field and create nothing', async () => {
  admin = await (require('./lib/server').login)(srv, 'admin', require('./lib/server').STRONG);
  const before = (await admin.request('GET', '/api/v1/auth/api-keys')).json.total;
  for (const [body, field] of [[{}, 'name'], [{ name: '' }, 'name'], [{ name: 'x'.repeat(101) }, 'name'],
    [{ name: 'ok', expires_in_days: 0 }, 'expires_in_days'], [{ name: 'ok', expires_in_days: 'soon' }, 'expires_in_days']]) {
    const r = await admin.request('POST', '/api/v1/auth/api-keys', { body });
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.equal(r.json.errors[0].field, field);
  }
  assert.equal((await admin.request('GET', '/api/v1/auth/api-keys')).json.total, before);
});
