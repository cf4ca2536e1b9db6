'use strict';
// The typed settings store through its admin API: auth, validation naming each field,
// all-or-nothing writes, persistence across restarts.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');

const token = 'test-admin-token-0123456789abcdef0123456789';
const auth = { authorization: `Bearer ${token}` };
let srv;
before(async () => { srv = await startServer({ env: { SWITCHBOARD_SERVER_ADMIN_TOKEN: token } }); });
after(async () => { if (srv) assert.equal((await srv.stop()).code, 0); });

const get = async (s = srv) => {
  const r = await s.request('GET', '/api/v1/settings', { headers: auth });
  assert.equal(r.status, 200, r.text);
  return Object.fromEntries(r.json.items.map((i) => [i.key, i]));
};

test('settings need credentials', async () => {
  for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${token}` }]) {
    const r = await srv.request('GET', '/api/v1/settings', { headers });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('content-type'), /problem\+json/);
    assert.match(r.headers.get('www-authenticate'), /^Bearer/);
    const w = await srv.request('PATCH', '/api/v1/settings', { headers, body: { 'general.rtl_support': true } });
    assert.equal(w.status, 401);
  }
  assert.equal((await get())['general.rtl_support'].value, false, 'unauthenticated write changed nothing');
});

test('defaults, types and ranges are described', async () => {
  const s = await get();
  assert.deepEqual(
    { ...s['general.interaction_tabs_limit'], description: undefined },
    { key: 'general.interaction_tabs_limit', type: 'integer', value: 20, default: 20, min: 1, max: 100, description: undefined });
  assert.deepEqual(s['general.message_alignment'].choices, ['alternate', 'left', 'right']);
  assert.equal(s['general.max_attachment_size_mb'].max, 25);
});

test('a valid change is applied and returned', async () => {
  const r = await srv.request('PATCH', '/api/v1/settings', { headers: auth, body: {
    'general.interaction_tabs_limit': 30, 'general.rtl_support': true, 'general.message_alignment': 'left',
    'general.timezone': 'Europe/Rome' } });
  assert.equal(r.status, 200, r.text);
  const s = await get();
  assert.equal(s['general.interaction_tabs_limit'].value, 30);
  assert.equal(s['general.rtl_support'].value, true);
  assert.equal(s['general.message_alignment'].value, 'left');
  assert.equal(s['general.timezone'].value, 'Europe/Rome');
});

test('one invalid value rejects the whole change, naming every bad field', async () => {
  const before = await get();
  const r = await srv.request('PATCH', '/api/v1/settings', { headers: auth, body: {
    'general.interaction_tabs_limit': 50,
    'general.max_attachment_size_mb': 26,
    'general.message_alignment': 'diagonal',
    'general.rtl_support': 'yes',
    'general.timezone': '../../etc/passwd',
    'general.nope': 1 } });
  assert.equal(r.status, 422);
  assert.match(r.headers.get('content-type'), /problem\+json/);
  const fields = Object.fromEntries(r.json.errors.map((e) => [e.field, e.message]));
  assert.deepEqual(Object.keys(fields).sort(), ['general.max_attachment_size_mb', 'general.message_alignment',
    'general.nope', 'general.rtl_support', 'general.timezone']);
  assert.match(fields['general.max_attachment_size_mb'], /from 1 to 25/);
  assert.match(fields['general.message_alignment'], /alternate,left,right/);
  assert.equal(fields['general.nope'], 'unknown setting');
  assert.deepEqual(await get(), before, 'nothing changed, not even the valid key');
});

test('malformed bodies change nothing', async () => {
  const before = await get();
  for (const body of ['{', '[]', '{"general.rtl_support": true, "general.rtl_support": false}']) {
    const r = await srv.request('PATCH', '/api/v1/settings', { headers: { ...auth, 'content-type': 'application/json' }, body });
    assert.equal(r.status, 400, body);
  }
  assert.deepEqual(await get(), before);
});

test('changes survive a restart', async () => {
  await srv.request('PATCH', '/api/v1/settings', { headers: auth, body: { 'general.search_max_days': 90 } });
  assert.equal((await srv.stop()).code, 0);
  srv = await startServer({ tmp: srv.tmp, db: { sqlitePath: srv.sqlitePath, pgDatabase: srv.pgDatabase },
    env: { SWITCHBOARD_SERVER_ADMIN_TOKEN: token } });
  const s = await get();
  assert.equal(s['general.search_max_days'].value, 90);
  assert.equal(s['general.interaction_tabs_limit'].value, 30);
});
