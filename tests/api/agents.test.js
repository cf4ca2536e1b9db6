'use strict';
// Agents: defaults of docs/staff-fields.md on a fresh agent, field-level validation with the
// seed's exclusions, extension generation under concurrency, list/search/sort/paging, CSV
// export that Python's csv module reads back with formulas defused, change and delete.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { startServer, adminClient, accountClient, login, STRONG } = require('./lib/server');

let srv, admin;
before(async () => { srv = await startServer(); admin = await adminClient(srv); });
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const create = (body) => admin.request('POST', '/api/v1/agents', { body: { password: 'Agent!Passw0rd1', ...body } });
const fieldsOf = (r) => r.json.errors.map((e) => e.field).sort();

test('a fresh agent carries every default', async () => {
  const r = await create({ username: 'def.agent', full_name: 'Default Agent' });
  assert.equal(r.status, 201, r.text);
  const a = r.json;
  assert.equal(a.typology, 'phonebar');
  assert.ok(Number.isInteger(a.internal) && a.internal >= 1000, `internal ${a.internal}`);
  assert.equal(a.context, 'from-sip');
  assert.equal(a.phonebar_remote_control_port, 9888);
  assert.equal(a.phonebar_sip_expires, 3600);
  assert.equal(a.phonebar_sip_source_port, 5160);
  assert.equal(a.phonebar_sip_destination_port, 5060);
  assert.equal(a.phonebar_dnd_on_pause, true);
  assert.equal(a.login_in_pause, false);
  assert.equal(a.notification_position, 'top-right');
  for (const ch of ['chat', 'mail', 'sms', 'openchannel', 'fax', 'whatsapp']) assert.equal(a[`${ch}_capacity`], 0, ch);
  assert.equal(a.client_logs_enabled, false);
  assert.equal('password' in a || 'password_hash' in a, false, 'no password in the answer');
  const w = await create({ username: 'webrtc.agent', full_name: 'WebRTC Agent', typology: 'webrtc' });
  assert.equal(w.status, 201, w.text);
  assert.deepEqual(w.json.transport, ['wss']);
  const got = await admin.request('GET', `/api/v1/agents/${a.id}`);
  assert.deepEqual(got.json, a);
});

test('out-of-range values are refused naming each field, and nothing is created', async () => {
  const before = (await admin.request('GET', '/api/v1/agents')).json.total;
  let r = await create({ username: 'bad agent', full_name: '', typology: 'satellite', nat: 'sometimes',
    record_calls: 'mp3', chat_capacity: -1, notification_position: 'middle', client_log_level: 'TRACE', bogus: 1 });
  assert.equal(r.status, 422);
  const f = fieldsOf(r);
  for (const k of ['username', 'full_name', 'typology']) assert.ok(f.includes(k), `${k} in ${f}`);
  r = await create({ username: 'bad.fields', full_name: 'Bad Fields', nat: 'sometimes', record_calls: 'mp3',
    chat_capacity: -1, notification_position: 'middle', client_log_level: 'TRACE', bogus: 1 });
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['bogus', 'chat_capacity', 'client_log_level', 'nat', 'notification_position', 'record_calls']);
  r = await create({ username: 'weak.pw', full_name: 'Weak', password: 'abc' });
  assert.equal(r.status, 422);
  assert.ok(r.json.errors.every((e) => e.field === 'password'));
  assert.equal((await admin.request('GET', '/api/v1/agents')).json.total, before);
});

test('the seed\'s exclusions: g729, screen recording, Mobile without the licence, full name = extension', async () => {
  let r = await create({ username: 'g729.pb', full_name: 'G729 Phonebar', codecs: ['ulaw', 'g729'] });
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['codecs']);
  r = await create({ username: 'g729.ext', full_name: 'G729 External', typology: 'external', codecs: ['ulaw', 'g729'] });
  assert.equal(r.status, 201, r.text);
  const ext = r.json;
  r = await admin.request('PATCH', `/api/v1/agents/${ext.id}`, { body: { typology: 'webrtc' } });
  assert.equal(r.status, 422, 'switching to WebRTC with g729 is refused');
  assert.ok(fieldsOf(r).includes('codecs'));
  r = await create({ username: 'screen.rec', full_name: 'Screen', phonebar_screen_recording_by_agent: true, phonebar_automatic_screen_recording: true });
  assert.equal(r.status, 422);
  r = await create({ username: 'mobile.agent', full_name: 'Mobile', typology: 'mobile', mobile_push_gateway: 'push.example.com:443' });
  assert.equal(r.status, 422);
  assert.ok(fieldsOf(r).includes('typology'));
  r = await create({ username: 'ext.name', full_name: '4242', internal: 4242 });
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['full_name']);
});

test('50 concurrent creates get 50 different extensions', async () => {
  const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => create({ username: `conc.${i}`, full_name: `Concurrent ${i}` })));
  assert.deepEqual(rs.map((r) => r.status), Array(50).fill(201), rs.find((r) => r.status !== 201)?.text);
  assert.equal(new Set(rs.map((r) => r.json.internal)).size, 50);
  const dup = await create({ username: 'dup.ext', full_name: 'Dup', internal: rs[0].json.internal });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.errors[0].field, 'internal');
  const dupName = await create({ username: 'conc.0', full_name: 'Again' });
  assert.equal(dupName.status, 409);
  assert.equal(dupName.json.errors[0].field, 'username');
});

test('list: search, filter, sort and paging', async () => {
  let r = await admin.request('GET', '/api/v1/agents?q=concurrent&sort=-username&limit=5&offset=0');
  assert.equal(r.status, 200);
  assert.equal(r.json.total, 50);
  assert.equal(r.json.items.length, 5);
  const names = r.json.items.map((a) => a.username);
  assert.deepEqual(names, [...names].sort().reverse());
  r = await admin.request('GET', '/api/v1/agents?typology=external');
  assert.ok(r.json.items.every((a) => a.typology === 'external'));
  r = await admin.request('GET', '/api/v1/agents?sort=password&limit=0');
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['limit', 'sort']);
});

test('CSV export reads back in Python with the same rows; formulas are defused', async () => {
  await create({ username: 'formula.agent', full_name: '=HYPERLINK("http://x")', alias: '+cmd' });
  const r = await admin.request('GET', '/api/v1/agents/export.csv?q=formula');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  const py = "import csv,sys,json; rows=list(csv.reader(sys.stdin)); print(json.dumps(rows))";
  const rows = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py], { input: r.text, encoding: 'utf8' }));
  assert.equal(rows[0][1], 'username');
  assert.equal(rows.length, 2);
  assert.equal(rows[1][1], 'formula.agent');
  assert.equal(rows[1][2], "'=HYPERLINK(\"http://x\")");
  assert.equal(rows[1][4], "'+cmd");
});

test('change, disable (sessions end) and delete', async () => {
  // Agents made by the CLI are full agents too (listed, with an extension and defaults).
  const c = await accountClient(srv, 'cli.made', 'agent');
  const listed = (await admin.request('GET', `/api/v1/agents/${c.id}`)).json;
  assert.equal(listed.username, 'cli.made');
  assert.ok(listed.internal >= 1000);
  assert.equal(listed.context, 'from-sip');
  const r = await create({ username: 'life.agent', full_name: 'Life Agent' });
  const id = r.json.id;
  let p = await admin.request('PATCH', `/api/v1/agents/${id}`, { body: { full_name: 'Life Renamed', sms_capacity: 3, username: 'nope' } });
  assert.equal(p.status, 422);
  assert.deepEqual(fieldsOf(p), ['username']);
  p = await admin.request('PATCH', `/api/v1/agents/${id}`, { body: { full_name: 'Life Renamed', sms_capacity: 3 } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.full_name, 'Life Renamed');
  assert.equal(p.json.sms_capacity, 3);
  const agent = await login(srv, 'life.agent', 'Agent!Passw0rd1');
  assert.equal(agent.response.json.password.must_change, true, 'an admin-set password is changed at first login');
  p = await admin.request('PATCH', `/api/v1/agents/${id}`, { body: { disabled: true } });
  assert.equal(p.status, 200);
  assert.equal((await agent.request('GET', '/api/v1/auth/me')).status, 401);
  assert.equal((await admin.request('DELETE', `/api/v1/agents/${id}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/agents/${id}`)).status, 404);
  const again = await create({ username: 'life.agent', full_name: 'New Life' });
  assert.equal(again.status, 201, 'the username is free again');
});

test('only admins manage agents (until supervisors get their queue scope)', async () => {
  const agent = await accountClient(srv, 'plain.agent', 'agent');
  const sup = await accountClient(srv, 'plain.user', 'user');
  for (const c of [agent, sup]) {
    assert.equal((await c.request('GET', '/api/v1/agents')).status, 403);
    assert.equal((await c.request('POST', '/api/v1/agents', { body: { username: 'x', full_name: 'x', password: STRONG } })).status, 403);
  }
  assert.equal((await srv.request('GET', '/api/v1/agents')).status, 401);
});

test('an administrator sets an agent\'s password: policy applies, sessions end, change at next login', async () => {
  const r = await create({ username: 'pw.agent', full_name: 'Password Agent' });
  const id = r.json.id;
  const first = await login(srv, 'pw.agent', 'Agent!Passw0rd1');
  await first.request('POST', '/api/v1/auth/password', { body: { current_password: 'Agent!Passw0rd1', new_password: 'Mine!Passw0rd12' } });
  const mine = await login(srv, 'pw.agent', 'Mine!Passw0rd12');
  let p = await admin.request('POST', `/api/v1/agents/${id}/password`, { body: { password: 'short' } });
  assert.equal(p.status, 422);
  assert.ok(p.json.errors.length >= 2 && p.json.errors.every((e) => e.field === 'password'));
  assert.equal((await mine.request('GET', '/api/v1/auth/me')).status, 200, 'a refused change ends nothing');
  p = await admin.request('POST', `/api/v1/agents/${id}/password`, { body: { password: 'Admin!Set-Passw0rd' } });
  assert.equal(p.status, 204, p.text);
  assert.equal((await mine.request('GET', '/api/v1/auth/me')).status, 401);
  const next = await login(srv, 'pw.agent', 'Admin!Set-Passw0rd');
  assert.equal(next.response.json.password.must_change, true);
  assert.equal((await admin.request('POST', '/api/v1/agents/999999/password', { body: { password: 'Admin!Set-Passw0rd' } })).status, 404);
});
