'use strict';
// The security block as one resource, audit CSV export, and argon2id rehash at login.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { startServer, adminClient, accountClient, login, psql, backend, STRONG } = require('./lib/server');

let srv, admin;
before(async () => { srv = await startServer(); admin = await adminClient(srv); });
after(async () => { if (srv) assert.equal((await srv.stop()).code, 0, srv.stderr()); });

test('GET /settings/security shows every field with its default', async () => {
  const r = await admin.request('GET', '/api/v1/settings/security');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, {
    suite_enabled: true, max_login_attempts: 5, unlock_after_minutes: 15, enforce_password_history: false,
    password_history_count: 5, password_expiry_days: 90, password_expiry_warning_days: 15,
    disable_mfa_all: false, enforce_mfa_agents: false, enforce_mfa_users: false,
    enforce_sso_agents: false, enforce_sso_users: false, mask_sensitive_characters: 0,
    session_idle_minutes: 30, session_absolute_hours: 12,
  });
});

test('PUT replaces the block; a missing, unknown or invalid field changes nothing', async () => {
  const cur = (await admin.request('GET', '/api/v1/settings/security')).json;
  const partial = { ...cur };
  delete partial.session_idle_minutes;
  let r = await admin.request('PUT', '/api/v1/settings/security', { body: { ...partial, password_history_count: 13, bogus: 1 } });
  assert.equal(r.status, 422);
  const fields = r.json.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['bogus', 'password_history_count', 'session_idle_minutes']);
  assert.deepEqual((await admin.request('GET', '/api/v1/settings/security')).json, cur);
  r = await admin.request('PUT', '/api/v1/settings/security', { body: { ...cur, max_login_attempts: 7, mask_sensitive_characters: 4 } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.max_login_attempts, 7);
  assert.equal(r.json.mask_sensitive_characters, 4);
  const agent = await accountClient(srv, 'sec.agent', 'agent');
  assert.equal((await agent.request('PUT', '/api/v1/settings/security', { body: cur })).status, 403);
  assert.equal((await agent.request('GET', '/api/v1/settings/security')).status, 403);
});

test('the audit log exports as CSV, with formula-looking cells defused', async () => {
  // A failed login for a username that looks like a spreadsheet formula lands in the log.
  await srv.request('POST', '/api/v1/auth/login', { body: { username: '=HYPERLINK("x")', password: 'x' } });
  const r = await admin.request('GET', '/api/v1/audit/export.csv?action=login.failure');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), /attachment; filename="audit.csv"/);
  const lines = r.text.trim().split('\r\n');
  assert.equal(lines[0], 'id,at,actor_id,actor_username,action,target_type,target_id,ip,detail');
  assert.equal(lines.length - 1, Number(r.headers.get('x-total-count')));
  const row = lines.find((l) => l.includes('HYPERLINK'));
  assert.ok(row, r.text);
  for (const cell of row.match(/"(?:[^"]|"")*"/g)) {
    const v = cell.slice(1, -1);
    assert.doesNotMatch(v, /^[=+\-@]/, `cell ${cell} could run as a formula`);
  }
  assert.match(row, /"login\.failure"/);
  const bad = await admin.request('GET', '/api/v1/audit/export.csv?limit=0');
  assert.equal(bad.status, 422);
});

test('a hash made with old parameters is upgraded at the next login', async () => {
  await accountClient(srv, 'rehash.agent', 'agent');
  const read = () => backend === 'postgres'
    ? psql("SELECT password_hash FROM staff WHERE username = 'rehash.agent'", srv.pgDatabase)
    : execFileSync('sqlite3', [srv.sqlitePath, "SELECT password_hash FROM staff WHERE username = 'rehash.agent'"], { encoding: 'utf8' }).trim();
  assert.match(read(), /\$m=8192,t=1,p=1\$/);
  assert.equal((await srv.stop()).code, 0);
  srv = await startServer({ tmp: srv.tmp, db: { sqlitePath: srv.sqlitePath, pgDatabase: srv.pgDatabase },
    env: { SWITCHBOARD_AUTH_ARGON2_OPSLIMIT: '2', SWITCHBOARD_AUTH_ARGON2_MEMLIMIT_KIB: '9216' } });
  await login(srv, 'rehash.agent', STRONG);
  assert.match(read(), /\$m=9216,t=2,p=1\$/);
  await login(srv, 'rehash.agent', STRONG);
});
