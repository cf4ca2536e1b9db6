'use strict';
// Active Directory / LDAP login against a real slapd started on loopback: directory passwords,
// enforced SSO blocking local passwords, failures counted toward our lockout, and a directory
// that is down answering 503 without counting.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, adminClient, createAccount, login, setEmail, repoRoot } = require('./lib/server');

const script = path.join(repoRoot, 'tests', 'ldap', 'slapd-test-server.sh');
let dir, port, srv, admin;
before(async () => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sb-ldap-')), 'slapd');
  port = execFileSync(script, ['start', dir, '--owner', String(process.pid)], { encoding: 'utf8' }).trim().split(/\s+/)[0];
  srv = await startServer({ env: { SWITCHBOARD_LDAP_URL: `ldap://127.0.0.1:${port}`,
    SWITCHBOARD_LDAP_BIND_TEMPLATE: 'uid=%s,ou=people,dc=example,dc=com' } });
  admin = await adminClient(srv);
});
after(async () => {
  if (srv) assert.equal((await srv.stop()).code, 0, srv.stderr());
  try { execFileSync(script, ['stop', dir]); } catch { /* already gone */ }
});

const attempt = (username, password) => srv.request('POST', '/api/v1/auth/login', { body: { username, password } });
const settings = (body) => admin.request('PATCH', '/api/v1/settings', { body });

test('the login page is told Active Directory is available', async () => {
  const r = await srv.request('GET', '/api/v1/auth/options');
  assert.equal(r.json.active_directory, true);
  assert.equal(r.json.password_reset, false);
});

test('with SSO enforced for agents, the directory password works and the local one does not', async () => {
  const { password: local } = createAccount(srv, 'ana.rossi', 'agent');
  assert.equal((await settings({ 'security.enforce_sso_agents': true })).status, 200);
  const c = await login(srv, 'ana.rossi', 'Ldap!Pass1');
  assert.equal(c.response.json.password.must_change, false, 'the directory owns the password');
  assert.equal((await c.request('GET', '/api/v1/auth/sessions')).status, 200);
  assert.equal((await attempt('ana.rossi', local)).status, 401, 'local password refused');
  const change = await c.request('POST', '/api/v1/auth/password', { body: { current_password: 'Ldap!Pass1', new_password: 'Other!Passw0rd1' } });
  assert.equal(change.status, 422);
  // Admins keep local passwords whatever the switch.
  assert.equal((await admin.request('GET', '/api/v1/auth/me')).status, 200);
});

test('wrong directory passwords count toward our lockout', async () => {
  createAccount(srv, 'bob', 'agent');
  await settings({ 'security.max_login_attempts': 2 });
  assert.equal((await attempt('bob', 'nope')).status, 401);
  const second = await attempt('bob', 'nope');
  assert.equal(second.status, 403);
  assert.equal(second.json.code, 'account_locked');
  assert.equal((await attempt('bob', 'Bob!Pass1')).status, 403, 'locked even with the right directory password');
  await settings({ 'security.max_login_attempts': 5 });
});

test('a directory that is down answers 503 and counts nothing', async () => {
  const failures = async () => (await admin.request('GET', '/api/v1/audit?action=login.failure')).json.total;
  const before = await failures();
  execFileSync(script, ['stop', dir]);
  for (let i = 0; i < 3; i++) {
    const r = await attempt('ana.rossi', 'Ldap!Pass1');
    assert.equal(r.status, 503);
    assert.match(r.json.detail, /directory/);
  }
  assert.equal(await failures(), before, 'an unreachable directory is not the user\'s failure');
  await settings({ 'security.enforce_sso_agents': false });
});

test('accounts can be matched to the directory by e-mail', async () => {
  execFileSync(script, ['stop', dir]);
  port = execFileSync(script, ['start', dir, '--owner', String(process.pid)], { encoding: 'utf8' }).trim().split(/\s+/)[0];
  const byMail = await startServer({ env: { SWITCHBOARD_LDAP_URL: `ldap://127.0.0.1:${port}`, SWITCHBOARD_LDAP_MAP_BY: 'email',
    SWITCHBOARD_LDAP_BASE_DN: 'dc=example,dc=com', SWITCHBOARD_LDAP_USER_FILTER: '(mail=%s)',
    SWITCHBOARD_LDAP_SERVICE_DN: 'cn=reader,dc=example,dc=com', SWITCHBOARD_LDAP_SERVICE_PASSWORD: 'Reader!Pass1' } });
  try {
    const a = await adminClient(byMail);
    await a.request('PATCH', '/api/v1/settings', { body: { 'security.enforce_sso_agents': true } });
    createAccount(byMail, 'arossi', 'agent');
    assert.equal((await byMail.request('POST', '/api/v1/auth/login', { body: { username: 'arossi', password: 'Ldap!Pass1' } })).status, 401,
      'no e-mail on the account: no match');
    setEmail(byMail, 'arossi', 'ana.rossi@example.com');
    await login(byMail, 'arossi', 'Ldap!Pass1');
  } finally {
    assert.equal((await byMail.stop()).code, 0);
  }
});
