'use strict';
// TOTP MFA: enrolment needs one valid code, codes work once, recovery codes work once, the
// seed's global switches (disable for all, enforce per role) and an admin turning MFA off.
// Codes come from Debian's oathtool, an independent implementation.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { startServer, adminClient, accountClient, login, STRONG } = require('./lib/server');

let srv, admin;
before(async () => { srv = await startServer(); admin = await adminClient(srv); });
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

// The server's clock may be moved by tests: ask it for "now" and let oathtool compute there.
async function serverNow() {
  const r = await srv.request('POST', '/api/v1/_test/clock', { body: { advance_ms: 0 } });
  return Math.floor(r.json.now_ms / 1000);
}
const oathtool = (secret, unix) => execFileSync('oathtool', ['--totp', '-b', '-N', `@${unix}`, secret], { encoding: 'utf8' }).trim();
const settings = (body) => admin.request('PATCH', '/api/v1/settings', { body });

async function enrol(client) {
  const e = await client.request('POST', '/api/v1/auth/mfa/totp');
  assert.equal(e.status, 200, e.text);
  assert.match(e.json.secret, /^[A-Z2-7]{32}$/);
  assert.match(e.json.otpauth_uri, /^otpauth:\/\/totp\/Switchboard:[^?]+\?secret=[A-Z2-7]{32}&issuer=Switchboard/);
  assert.match(e.json.qr_svg, /^<svg[\s\S]*<path[\s\S]*<\/svg>\s*$/);
  assert.doesNotMatch(e.json.qr_svg, /<script/i);
  const wrong = await client.request('POST', '/api/v1/auth/mfa/totp/activate', { body: { code: '000000' } });
  assert.equal(wrong.status, 422);
  assert.equal(wrong.json.errors[0].field, 'code');
  const now = await serverNow();
  const a = await client.request('POST', '/api/v1/auth/mfa/totp/activate', { body: { code: oathtool(e.json.secret, now) } });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.recovery_codes.length, 10);
  return { secret: e.json.secret, recovery: a.json.recovery_codes };
}

const passwordStep = (username) => srv.request('POST', '/api/v1/auth/login', { body: { username, password: STRONG } });
const secondStep = (token, code) => srv.request('POST', '/api/v1/auth/login/mfa', { body: { mfa_token: token, code } });

test('enrolment, then login needs a fresh TOTP code; a code is never accepted twice', async () => {
  const c = await accountClient(srv, 'mfa.agent', 'agent');
  const { secret } = await enrol(c);
  let r = await passwordStep('mfa.agent');
  assert.equal(r.status, 200);
  assert.equal(r.json.mfa_required, true);
  assert.equal(r.headers.get('set-cookie'), null, 'no session before the second factor');
  const token = r.json.mfa_token;
  assert.equal((await secondStep(token, '123456')).status, 401);
  // The activation step was used: move on 30 s so a new step is due.
  await srv.request('POST', '/api/v1/_test/clock', { body: { advance_ms: 30000 } });
  const code = oathtool(secret, await serverNow());
  r = await secondStep(token, code);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('set-cookie'), /^sb_session=/);
  assert.equal(r.json.mfa.enabled, true);
  // Same code again, on a new challenge: replay refused.
  const again = await passwordStep('mfa.agent');
  assert.equal((await secondStep(again.json.mfa_token, code)).status, 401);
  // The used challenge is gone.
  assert.equal((await secondStep(token, code)).json.code, 'mfa_expired');
});

test('a challenge dies after 5 wrong codes and after 5 minutes', async () => {
  const r = await passwordStep('mfa.agent');
  for (let i = 0; i < 5; i++) assert.equal((await secondStep(r.json.mfa_token, '000000')).status, 401);
  const dead = await secondStep(r.json.mfa_token, '111111');
  assert.equal(dead.json.code, 'mfa_expired');
  const r2 = await passwordStep('mfa.agent');
  await srv.request('POST', '/api/v1/_test/clock', { body: { advance_ms: 5 * 60000 + 1000 } });
  assert.equal((await secondStep(r2.json.mfa_token, '000000')).json.code, 'mfa_expired');
});

test('a recovery code works once', async () => {
  const c = await accountClient(srv, 'rec.agent', 'agent');
  const { recovery } = await enrol(c);
  let r = await passwordStep('rec.agent');
  r = await secondStep(r.json.mfa_token, recovery[3]);
  assert.equal(r.status, 200, r.text);
  r = await passwordStep('rec.agent');
  assert.equal((await secondStep(r.json.mfa_token, recovery[3])).status, 401);
  const audit = await admin.request('GET', '/api/v1/audit?action=mfa.recovery_code_used');
  assert.equal(audit.json.total, 1);
});

test('turning MFA off needs the password; an admin can turn it off for someone', async () => {
  const c = await accountClient(srv, 'off.agent', 'agent');
  await enrol(c);
  let r = await c.request('DELETE', '/api/v1/auth/mfa', { body: { password: 'wrong' } });
  assert.equal(r.status, 422);
  assert.equal(r.json.errors[0].field, 'password');
  r = await c.request('DELETE', '/api/v1/auth/mfa', { body: { password: STRONG } });
  assert.equal(r.status, 204);
  await login(srv, 'off.agent', STRONG); // straight in
  const d = await accountClient(srv, 'lost.phone', 'agent');
  await enrol(d);
  r = await admin.request('DELETE', `/api/v1/staff/${d.id}/mfa`);
  assert.equal(r.status, 200);
  assert.equal(r.json.mfa_enabled, false);
  await login(srv, 'lost.phone', STRONG);
});

test('enforce for agents: enrol at next login, cannot turn it off; disable for all wins', async () => {
  assert.equal((await settings({ 'security.enforce_mfa_agents': true })).status, 200);
  const c = await accountClient(srv, 'enf.agent', 'agent');
  assert.equal(c.response.json.mfa.enrollment_required, true);
  const blocked = await c.request('GET', '/api/v1/auth/sessions');
  assert.equal(blocked.status, 403);
  assert.equal(blocked.json.code, 'mfa_enrollment_required');
  await enrol(c);
  assert.equal((await c.request('GET', '/api/v1/auth/sessions')).status, 200);
  const off = await c.request('DELETE', '/api/v1/auth/mfa', { body: { password: STRONG } });
  assert.equal(off.status, 403);
  assert.equal(off.json.code, 'mfa_enforced');
  // Users (supervisors) are not affected by the agents' switch.
  const u = await accountClient(srv, 'enf.user', 'user');
  assert.equal(u.response.json.mfa.enrollment_required, false);
  // Disable MFA for all: nobody is asked, nobody can enrol.
  assert.equal((await settings({ 'security.disable_mfa_all': true })).status, 200);
  const r = await passwordStep('enf.agent');
  assert.equal(r.json.mfa_required, undefined);
  assert.equal(r.status, 200);
  const cc = await login(srv, 'enf.agent', STRONG);
  const e = await cc.request('POST', '/api/v1/auth/mfa/totp');
  assert.equal(e.status, 403);
  assert.equal(e.json.code, 'mfa_disabled');
  await settings({ 'security.disable_mfa_all': false, 'security.enforce_mfa_agents': false });
});
