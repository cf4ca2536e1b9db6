'use strict';
// Identity: first admin, login and sessions, CSRF, password policy and history, expiry,
// lockout and throttling, forced logout of an agent logged in elsewhere, audit log, CLI.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { startServer, cli, login, adminClient, createAccount, accountClient, STRONG } = require('./lib/server');

const DAY = 86400000;
let srv, admin;
let adminPassword = STRONG;
before(async () => {
  srv = await startServer({ env: { SWITCHBOARD_AUTH_THROTTLE_ACCOUNT_FAILURES: '100', SWITCHBOARD_AUTH_THROTTLE_ADDRESS_FAILURES: '100' } });
});
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const setSettings = (body) => admin.request('PATCH', '/api/v1/settings', { body });
const advance = (ms) => srv.request('POST', '/api/v1/_test/clock', { body: { advance_ms: ms } });

test('the first start creates an admin whose one-time password must be changed first', async () => {
  assert.match(srv.firstAdminPassword, /^\S{20}$/);
  assert.doesNotMatch(srv.stderr(), new RegExp(srv.firstAdminPassword.replace(/[^A-Za-z0-9]/g, '.')), 'never in the log');
  const pw = srv.firstAdminPassword;
  const c = await login(srv, 'admin', pw);
  assert.equal(c.response.json.user.role, 'admin');
  assert.equal(c.response.json.password.must_change, true);
  const cookie = c.response.headers.get('set-cookie');
  assert.match(cookie, /^sb_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
  const blocked = await c.request('GET', '/api/v1/settings');
  assert.equal(blocked.status, 403);
  assert.equal(blocked.json.code, 'password_change_required');
  assert.equal((await c.request('GET', '/api/v1/auth/me')).status, 200);
  // The policy lists exactly the rules each password breaks.
  const cases = [
    ['abc', ['at least 8', 'uppercase', 'digit', 'one of']],
    ['alllowercase1!', ['uppercase']],
    ['ALLUPPERCASE1!', ['lowercase']],
    ['NoDigitsHere!', ['digit']],
    ['NoSpecial123', ['one of']],
  ];
  for (const [p, rules] of cases) {
    const r = await c.request('POST', '/api/v1/auth/password', { body: { current_password: pw, new_password: p } });
    assert.equal(r.status, 422, p);
    const msgs = r.json.errors.filter((e) => e.field === 'new_password').map((e) => e.message);
    assert.equal(msgs.length, rules.length, `${p}: ${msgs}`);
    rules.forEach((rule, i) => assert.match(msgs[i], new RegExp(rule.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), p));
  }
  let r = await c.request('POST', '/api/v1/auth/password', { body: { current_password: pw, new_password: pw } });
  assert.equal(r.status, 422, 'the current password is never reusable');
  r = await c.request('POST', '/api/v1/auth/password', { body: { current_password: 'wrong', new_password: STRONG } });
  assert.equal(r.status, 422);
  assert.equal(r.json.errors[0].field, 'current_password');
  r = await c.request('POST', '/api/v1/auth/password', { body: { current_password: pw, new_password: STRONG } });
  assert.equal(r.status, 204, r.text);
  assert.equal((await c.request('GET', '/api/v1/settings')).status, 200);
  admin = c;
  // The one-time password is gone.
  const old = await srv.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: pw } });
  assert.equal(old.status, 401);
});

test('unknown users and wrong passwords get the same answer', async () => {
  const a = await srv.request('POST', '/api/v1/auth/login', { body: { username: 'nobody', password: 'Whatever1!' } });
  const b = await srv.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'Whatever1!' } });
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.equal(a.json.detail, b.json.detail);
  assert.equal(a.headers.get('set-cookie'), null);
});

test('malformed login input is refused naming the fields and counts nothing', async () => {
  const before = (await admin.request('GET', '/api/v1/audit?action=login.failure')).json.total;
  for (const [body, fields] of [[{}, ['username', 'password']], [{ username: 'admin' }, ['password']],
    [{ username: 7, password: 'x' }, ['username']], [{ username: 'admin', password: 'x'.repeat(1025) }, ['password']]]) {
    const r = await srv.request('POST', '/api/v1/auth/login', { body });
    assert.equal(r.status, 422);
    assert.deepEqual(r.json.errors.map((e) => e.field), fields);
  }
  const bad = await srv.request('POST', '/api/v1/auth/login', { body: '{"username":', headers: { 'content-type': 'application/json' } });
  assert.equal(bad.status, 400);
  assert.equal((await admin.request('GET', '/api/v1/audit?action=login.failure')).json.total, before);
});

test('unsafe requests with a session need the CSRF token, and change nothing without it', async () => {
  const before = (await admin.request('GET', '/api/v1/settings')).json;
  for (const headers of [{ 'x-csrf-token': undefined }, { 'x-csrf-token': 'A'.repeat(43) }, { 'x-csrf-token': 'short' }]) {
    const h = { cookie: admin.cookie };
    if (headers['x-csrf-token']) h['x-csrf-token'] = headers['x-csrf-token'];
    const r = await srv.request('PATCH', '/api/v1/settings', { headers: h, body: { 'general.rtl_support': true } });
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'csrf');
  }
  assert.deepEqual((await admin.request('GET', '/api/v1/settings')).json, before);
  const me = await admin.request('GET', '/api/v1/auth/me');
  assert.equal(me.json.csrf_token, admin.csrf, 'a reloaded page gets the same token back');
});

test('every login gets a new token; a planted cookie is never adopted; logout ends the session', async () => {
  const planted = 'sb_session=' + 'P'.repeat(43);
  const r = await srv.request('POST', '/api/v1/auth/login', { headers: { cookie: planted }, body: { username: 'admin', password: STRONG } });
  assert.equal(r.status, 200);
  const fresh = r.headers.get('set-cookie').split(';')[0];
  assert.notEqual(fresh, planted);
  assert.notEqual(fresh, admin.cookie);
  assert.equal((await srv.request('GET', '/api/v1/auth/me', { headers: { cookie: planted } })).status, 401);
  const second = { cookie: fresh, csrf: r.json.csrf_token };
  const out = await srv.request('POST', '/api/v1/auth/logout', { headers: { cookie: second.cookie, 'x-csrf-token': second.csrf } });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  assert.equal((await srv.request('GET', '/api/v1/auth/me', { headers: { cookie: second.cookie } })).status, 401);
  assert.equal((await admin.request('GET', '/api/v1/auth/me')).status, 200, 'the other session lives on');
});

test('own sessions can be listed and revoked; other people\'s cannot', async () => {
  const agent = await accountClient(srv, 'sess.agent', 'agent');
  const mine = await admin.request('GET', '/api/v1/auth/sessions');
  assert.equal(mine.status, 200);
  assert.ok(mine.json.items.some((s) => s.current));
  const theirs = (await agent.request('GET', '/api/v1/auth/sessions')).json.items[0].id;
  assert.equal((await admin.request('DELETE', `/api/v1/auth/sessions/${theirs}`)).status, 404);
  assert.equal((await agent.request('GET', '/api/v1/auth/me')).status, 200);
  assert.equal((await agent.request('DELETE', `/api/v1/auth/sessions/${theirs}`)).status, 204);
  assert.equal((await agent.request('GET', '/api/v1/auth/me')).status, 401);
});

test('roles: an agent cannot read settings or the audit log', async () => {
  const agent = await accountClient(srv, 'role.agent', 'agent');
  for (const p of ['/api/v1/settings', '/api/v1/audit']) {
    const r = await agent.request('GET', p);
    assert.equal(r.status, 403, p);
    assert.equal(r.json.code, 'role');
  }
});

test('lockout after N failures, contact-the-administrator message, admin unlock, auto unlock, 0 disables', async () => {
  assert.equal((await setSettings({ 'security.max_login_attempts': 3, 'security.unlock_after_minutes': 10 })).status, 200);
  const { id } = await accountClient(srv, 'lock.agent', 'agent');
  const wrong = () => srv.request('POST', '/api/v1/auth/login', { body: { username: 'lock.agent', password: 'Wrong-pass1' } });
  assert.equal((await wrong()).status, 401);
  assert.equal((await wrong()).status, 401);
  const third = await wrong();
  assert.equal(third.status, 403);
  assert.equal(third.json.code, 'account_locked');
  assert.match(third.json.detail, /contact the administrator/);
  const right = await srv.request('POST', '/api/v1/auth/login', { body: { username: 'lock.agent', password: STRONG } });
  assert.equal(right.status, 403, 'the right password does not open a locked account');
  // Admin unlock.
  const u = await admin.request('POST', `/api/v1/staff/${id}/unlock`);
  assert.equal(u.status, 200);
  assert.equal(u.json.locked, false);
  await login(srv, 'lock.agent', STRONG);
  // Automatic unlock after the minutes, on the server's clock (no sleeping).
  for (let i = 0; i < 3; i++) await wrong();
  await advance(9 * 60000);
  assert.equal((await srv.request('POST', '/api/v1/auth/login', { body: { username: 'lock.agent', password: STRONG } })).status, 403);
  await advance(2 * 60000);
  await login(srv, 'lock.agent', STRONG);
  // 0 disables the lock.
  await setSettings({ 'security.max_login_attempts': 0 });
  for (let i = 0; i < 6; i++) assert.equal((await wrong()).status, 401);
  await login(srv, 'lock.agent', STRONG);
  const audit = (await admin.request('GET', `/api/v1/audit?target_id=${id}`)).json.items.map((e) => e.action);
  for (const a of ['account.lock', 'account.unlock', 'login.failure', 'login.success']) assert.ok(audit.includes(a), a);
  await setSettings({ 'security.max_login_attempts': 5 });
});

test('password history: the last N are refused when enforced; 13 is not a valid N', async () => {
  let r = await setSettings({ 'security.password_history_count': 13 });
  assert.equal(r.status, 422);
  assert.equal(r.json.errors[0].field, 'security.password_history_count');
  assert.equal((await setSettings({ 'security.enforce_password_history': true, 'security.password_history_count': 2 })).status, 200);
  const c = await accountClient(srv, 'hist.agent', 'agent');
  const change = (from, to) => c.request('POST', '/api/v1/auth/password', { body: { current_password: from, new_password: to } });
  const p2 = 'Second!Passw0rd', p3 = 'Third!Passw0rd9', p4 = 'Fourth!Passw0rd8';
  assert.equal((await change(STRONG, p2)).status, 204);
  assert.equal((await change(p2, p3)).status, 204);
  r = await change(p3, STRONG);
  assert.equal(r.status, 422, 'two changes ago is remembered');
  assert.match(r.json.errors[0].message, /last passwords/);
  assert.equal((await change(p3, p2)).status, 422);
  assert.equal((await change(p3, p4)).status, 204);
  assert.equal((await change(p4, STRONG)).status, 204, 'three changes ago is forgotten with N = 2');
  await setSettings({ 'security.enforce_password_history': false });
});

test('password history at its maximum: the 12th previous password is refused, the 13th is not', async () => {
  assert.equal((await setSettings({ 'security.enforce_password_history': true, 'security.password_history_count': 12 })).status, 200);
  const c = await accountClient(srv, 'hist12.agent', 'agent');
  const pw = (i) => `History!Passw0rd-${i}`;
  let cur = STRONG;
  for (let i = 1; i <= 12; i++) {
    const r = await c.request('POST', '/api/v1/auth/password', { body: { current_password: cur, new_password: pw(i) } });
    assert.equal(r.status, 204, `change ${i}: ${r.text}`);
    cur = pw(i);
  }
  let r = await c.request('POST', '/api/v1/auth/password', { body: { current_password: cur, new_password: STRONG } });
  assert.equal(r.status, 422, 'twelve changes ago is still remembered');
  r = await c.request('POST', '/api/v1/auth/password', { body: { current_password: cur, new_password: pw(13) } });
  assert.equal(r.status, 204);
  r = await c.request('POST', '/api/v1/auth/password', { body: { current_password: pw(13), new_password: STRONG } });
  assert.equal(r.status, 204, 'thirteen changes ago is forgotten');
  await setSettings({ 'security.enforce_password_history': false, 'security.password_history_count': 5 });
});

test('expiry: a warning from 15 days before, then the change is forced', async () => {
  await accountClient(srv, 'exp.agent', 'agent');
  await advance(80 * DAY);
  let r = await srv.request('POST', '/api/v1/auth/login', { body: { username: 'exp.agent', password: STRONG } });
  assert.equal(r.status, 200);
  assert.equal(r.json.password.expires_in_days, 10);
  assert.equal(r.json.password.must_change, false);
  await advance(11 * DAY);
  const c2 = await login(srv, 'exp.agent', STRONG);
  assert.equal(c2.response.json.password.must_change, true);
  assert.equal(c2.response.json.password.expired, true);
  assert.equal((await c2.request('GET', '/api/v1/auth/sessions')).status, 403);
  assert.equal((await c2.request('POST', '/api/v1/auth/password', { body: { current_password: STRONG, new_password: 'Renewed!Passw0rd' } })).status, 204);
  assert.equal((await c2.request('GET', '/api/v1/auth/sessions')).status, 200);
  // The admin's own session idled out meanwhile (91 days): log in again.
  admin = await login(srv, 'admin', adminPassword);
  assert.equal(admin.response.json.password.must_change, true, 'the admin\'s password expired too');
  const r2 = await admin.request('POST', '/api/v1/auth/password', { body: { current_password: adminPassword, new_password: 'Admin!Renewed-2026' } });
  assert.equal(r2.status, 204);
  adminPassword = 'Admin!Renewed-2026';
});

test('an agent logging in elsewhere forces the earlier session out, told over its WebSocket', async () => {
  const first = await accountClient(srv, 'twice.agent', 'agent');
  const ws = new WebSocket(srv.wsUrl, { headers: { cookie: first.cookie } });
  const got = [];
  await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  ws.on('message', (d) => got.push(JSON.parse(d.toString())));
  const closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  ws.send('{"type":"ping"}');
  await new Promise((r) => setTimeout(r, 100));
  const second = await login(srv, 'twice.agent', STRONG);
  assert.equal(await closed, 4001);
  assert.ok(got.some((m) => m.type === 'session.revoked' && m.data.reason === 'logged in elsewhere'), JSON.stringify(got));
  assert.equal((await first.request('GET', '/api/v1/auth/me')).status, 401);
  assert.equal((await second.request('GET', '/api/v1/auth/me')).status, 200);
  // Supervisors and admins may hold several sessions.
  const sup = await accountClient(srv, 'multi.user', 'user');
  await login(srv, 'multi.user', STRONG);
  assert.equal((await sup.request('GET', '/api/v1/auth/me')).status, 200);
});

test('a WebSocket with a dead session cookie is refused', async () => {
  const status = await new Promise((resolve) => {
    const ws = new WebSocket(srv.wsUrl, { headers: { cookie: 'sb_session=' + 'D'.repeat(43) } });
    ws.on('unexpected-response', (req, res) => { resolve(res.statusCode); req.destroy(); });
    ws.on('open', () => { ws.close(); resolve(101); });
    ws.on('error', () => {});
  });
  assert.equal(status, 401);
});

test('CLI: create, reset-password (ends sessions) and unlock', async () => {
  let r = cli(srv, ['admin', 'create', '--username', 'bad name', '--role', 'agent', '--full-name', 'X']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--username/);
  r = cli(srv, ['admin', 'create', '--username', 'cli.agent', '--role', 'boss', '--full-name', 'X']);
  assert.match(r.stderr, /--role/);
  const c = await accountClient(srv, 'cli.agent', 'agent');
  r = cli(srv, ['admin', 'create', '--username', 'cli.agent', '--role', 'agent', '--full-name', 'X']);
  assert.match(r.stderr, /taken/);
  r = cli(srv, ['admin', 'reset-password', '--username', 'cli.agent']);
  assert.equal(r.status, 0, r.stderr);
  const otp = /one-time password: (\S+)/.exec(r.stdout)[1];
  assert.equal((await c.request('GET', '/api/v1/auth/me')).status, 401, 'sessions ended');
  const again = await login(srv, 'cli.agent', otp);
  assert.equal(again.response.json.password.must_change, true);
  await setSettings({ 'security.max_login_attempts': 1 });
  await srv.request('POST', '/api/v1/auth/login', { body: { username: 'cli.agent', password: 'nope-nope' } });
  assert.equal((await srv.request('POST', '/api/v1/auth/login', { body: { username: 'cli.agent', password: otp } })).status, 403);
  r = cli(srv, ['admin', 'unlock', '--username', 'cli.agent']);
  assert.equal(r.status, 0, r.stderr);
  await login(srv, 'cli.agent', otp);
  await setSettings({ 'security.max_login_attempts': 5 });
  assert.equal(cli(srv, ['admin', 'unlock', '--username', 'ghost']).status, 1);
});

test('the audit log records actor, target, address and time, and filters', async () => {
  const r = await admin.request('GET', '/api/v1/audit?action=login.success&limit=5');
  assert.equal(r.status, 200);
  assert.ok(r.json.total >= 5);
  assert.equal(r.json.items.length, 5);
  for (const e of r.json.items) {
    assert.equal(e.action, 'login.success');
    assert.equal(e.ip, '127.0.0.1');
    assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(e.actor_id, e.target_id);
  }
  const bad = await admin.request('GET', '/api/v1/audit?limit=0&offset=-1');
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.json.errors.map((e) => e.field), ['limit', 'offset']);
});

test('settings changes are audited with who, what and from where', async () => {
  assert.equal((await setSettings({ 'general.search_max_days': 30 })).status, 200);
  const r = await admin.request('GET', '/api/v1/audit?action=settings.change&limit=1');
  assert.equal(r.status, 200);
  const e = r.json.items[0];
  assert.equal(e.actor_id, admin.user.id);
  assert.deepEqual(e.detail, { changes: { 'general.search_max_days': 30 } });
  assert.equal(e.ip, '127.0.0.1');
});

test('with unlock-after 0 only an administrator unlocks, however long it has been', async () => {
  await setSettings({ 'security.max_login_attempts': 1, 'security.unlock_after_minutes': 0 });
  const { id } = await accountClient(srv, 'nounlock.agent', 'agent');
  await srv.request('POST', '/api/v1/auth/login', { body: { username: 'nounlock.agent', password: 'nope' } });
  await advance(30 * DAY);
  admin = await login(srv, 'admin', adminPassword); // the idle timeout ended the old session
  const r = await srv.request('POST', '/api/v1/auth/login', { body: { username: 'nounlock.agent', password: STRONG } });
  assert.equal(r.status, 403);
  assert.equal(r.json.code, 'account_locked');
  assert.equal((await admin.request('POST', `/api/v1/staff/${id}/unlock`)).status, 200);
  await login(srv, 'nounlock.agent', STRONG);
});

test('an account holds at most 50 live sessions: the oldest end first', async () => {
  const sup = await accountClient(srv, 'many.user', 'user');
  const clients = [sup];
  for (let i = 0; i < 55; i++) clients.push(await login(srv, 'many.user', STRONG));
  const last = clients[clients.length - 1];
  const list = await last.request('GET', '/api/v1/auth/sessions');
  assert.equal(list.json.total, 50);
  assert.equal((await sup.request('GET', '/api/v1/auth/me')).status, 401, 'the oldest ended');
  assert.equal((await clients[10].request('GET', '/api/v1/auth/me')).status, 200);
});
