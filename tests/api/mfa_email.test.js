'use strict';
// The e-mail one-time code as the second factor, through a real SMTP server: enrolment needs
// the mailed code, each login mails a new code valid 10 minutes and once.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, accountClient, setEmail, STRONG } = require('./lib/server');
const { startSmtp } = require('./lib/smtp');

let srv, smtp;
before(async () => {
  smtp = await startSmtp();
  srv = await startServer({ env: { SWITCHBOARD_SMTP_HOST: '127.0.0.1', SWITCHBOARD_SMTP_PORT: String(smtp.port),
    SWITCHBOARD_SMTP_TLS: 'none', SWITCHBOARD_SMTP_FROM: 'noreply@switchboard.test' } });
  await adminClient(srv);
});
after(async () => { smtp.stop(); assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const codeOf = (eml) => /verification code is:\s+(\d{6})/.exec(eml)[1];

test('enrol by e-mail, then every login mails a fresh code that works once and expires', async () => {
  const c = await accountClient(srv, 'mail.agent', 'agent');
  setEmail(srv, 'mail.agent', 'mail.agent@example.test');
  let n = smtp.messages().length;
  let r = await c.request('POST', '/api/v1/auth/mfa/email');
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.sent_to, 'm***@example.test');
  const enrolCode = codeOf((await smtp.waitFor(n + 1))[n]);
  assert.equal((await c.request('POST', '/api/v1/auth/mfa/email/activate', { body: { code: '000000' } })).status, 422);
  r = await c.request('POST', '/api/v1/auth/mfa/email/activate', { body: { code: enrolCode } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.method, 'email');
  assert.equal(r.json.recovery_codes.length, 10);

  n = smtp.messages().length;
  r = await srv.request('POST', '/api/v1/auth/login', { body: { username: 'mail.agent', password: STRONG } });
  assert.equal(r.json.mfa_required, true);
  assert.deepEqual(r.json.methods, ['email', 'recovery_code']);
  const code = codeOf((await smtp.waitFor(n + 1))[n]);
  assert.notEqual(code, enrolCode);
  const step = (token, cd) => srv.request('POST', '/api/v1/auth/login/mfa', { body: { mfa_token: token, code: cd } });
  assert.equal((await step(r.json.mfa_token, '999999' === code ? '999998' : '999999')).status, 401);
  assert.equal((await step(r.json.mfa_token, code)).status, 200);
  assert.equal((await step(r.json.mfa_token, code)).json.code, 'mfa_expired', 'works once');

  // Ten minutes later the mailed code is dead.
  n = smtp.messages().length;
  r = await srv.request('POST', '/api/v1/auth/login', { body: { username: 'mail.agent', password: STRONG } });
  const late = codeOf((await smtp.waitFor(n + 1))[n]);
  await srv.request('POST', '/api/v1/_test/clock', { body: { advance_ms: 10 * 60000 + 1000 } });
  assert.equal((await step(r.json.mfa_token, late)).json.code, 'mfa_expired');
});

test('without an address the e-mail method cannot be enrolled', async () => {
  const c = await accountClient(srv, 'noaddr.agent', 'agent');
  const r = await c.request('POST', '/api/v1/auth/mfa/email');
  assert.equal(r.status, 422);
  assert.equal(r.json.errors[0].field, 'email');
});
