'use strict';
// Forgot password against a real SMTP server: the mail arrives, its link works once, not after
// an hour, old sessions end, the answer does not tell whether the address exists, and without
// SMTP the function says it is unavailable.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, accountClient, login, setEmail, STRONG } = require('./lib/server');
const { startSmtp } = require('./lib/smtp');

let srv, smtp;
before(async () => {
  smtp = await startSmtp();
  srv = await startServer({ env: { SWITCHBOARD_SMTP_HOST: '127.0.0.1', SWITCHBOARD_SMTP_PORT: String(smtp.port),
    SWITCHBOARD_SMTP_TLS: 'none', SWITCHBOARD_SMTP_FROM: 'noreply@switchboard.test',
    SWITCHBOARD_HTTP_PUBLIC_URL: 'https://contact.example.test' } });
  await adminClient(srv); // the first admin changes its one-time password
});
after(async () => { smtp.stop(); assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const ask = (email) => srv.request('POST', '/api/v1/auth/password-reset', { body: { email } });
const complete = (token, new_password) => srv.request('POST', '/api/v1/auth/password-reset/complete', { body: { token, new_password } });
// The body is quoted-printable: undo soft breaks and =XX escapes as a mail client would.
const decodeQp = (eml) => !/^Content-Transfer-Encoding: quoted-printable/mi.test(eml) ? eml : eml.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
const tokenOf = (eml) => /reset-password\?token=([A-Za-z0-9_-]{43})/.exec(decodeQp(eml))[1];

async function agentWithEmail(username, email) {
  const c = await accountClient(srv, username, 'agent');
  setEmail(srv, username, email);
  return c;
}

test('the link arrives, works once, ends the old sessions and logs nobody in', async () => {
  const c = await agentWithEmail('reset.agent', 'reset.agent@example.test');
  const unknown = await ask('nobody@example.test');
  const known = await ask('Reset.Agent@example.test');
  assert.equal(unknown.status, 202);
  assert.equal(known.status, 202);
  assert.deepEqual(unknown.json, known.json, 'the same answer whether or not the address exists');
  const [mail] = await smtp.waitFor(1);
  assert.match(mail, /^To: reset\.agent@example\.test/m);
  assert.match(mail, /^From: noreply@switchboard\.test/m);
  assert.match(decodeQp(mail), /https:\/\/contact\.example\.test\/reset-password\?token=/);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(smtp.messages().length, 1, 'no mail for the unknown address');
  const token = tokenOf(mail);
  let r = await complete(token, 'weak');
  assert.equal(r.status, 422);
  assert.ok(r.json.errors.every((e) => e.field === 'new_password'), JSON.stringify(r.json));
  r = await complete(token, 'Brand!New-Passw0rd');
  assert.equal(r.status, 204, r.text);
  assert.equal(r.headers.get('set-cookie'), null, 'no automatic login');
  assert.equal((await c.request('GET', '/api/v1/auth/me')).status, 401, 'old sessions are gone');
  r = await complete(token, 'Another!Passw0rd1');
  assert.equal(r.status, 422, 'the link works once');
  assert.equal(r.json.errors[0].field, 'token');
  await login(srv, 'reset.agent', 'Brand!New-Passw0rd');
  assert.equal((await srv.request('POST', '/api/v1/auth/login', { body: { username: 'reset.agent', password: STRONG } })).status, 401);
});

test('a link older than one hour fails; a newer request voids the older link', async () => {
  await agentWithEmail('late.agent', 'late.agent@example.test');
  const before = smtp.messages().length;
  assert.equal((await ask('late.agent@example.test')).status, 202);
  const first = tokenOf((await smtp.waitFor(before + 1))[before]);
  await srv.request('POST', '/api/v1/_test/clock', { body: { advance_ms: 61 * 60000 } });
  let r = await complete(first, 'Too!Late-Passw0rd');
  assert.equal(r.status, 422);
  assert.equal(r.json.errors[0].field, 'token');
  assert.equal((await ask('late.agent@example.test')).status, 202);
  const second = tokenOf((await smtp.waitFor(before + 2))[before + 1]);
  assert.equal((await ask('late.agent@example.test')).status, 202);
  await new Promise((r2) => setTimeout(r2, 300));
  assert.equal(smtp.messages().length, before + 2, 'at most one mail a minute per account');
  await srv.request('POST', '/api/v1/_test/clock', { body: { advance_ms: 2 * 60000 } });
  assert.equal((await ask('late.agent@example.test')).status, 202);
  const third = tokenOf((await smtp.waitFor(before + 3))[before + 2]);
  r = await complete(second, 'Voided!Passw0rd1');
  assert.equal(r.status, 422, 'the newer request voided the older link');
  assert.equal((await complete(third, 'Fresh!Passw0rd12')).status, 204);
});

test('malformed requests are refused naming the field', async () => {
  for (const email of ['', 'no-at-sign', 'a@b@c', 'x@y\r\nBcc: z@w', 7]) {
    const r = await ask(email);
    assert.equal(r.status, 422, JSON.stringify(email));
    assert.equal(r.json.errors[0].field, 'email');
  }
  const r = await complete('short', '');
  assert.equal(r.status, 422);
  assert.deepEqual(r.json.errors.map((e) => e.field), ['token', 'new_password']);
});

test('without SMTP the function says it is unavailable', async () => {
  const bare = await startServer();
  try {
    const r = await bare.request('POST', '/api/v1/auth/password-reset', { body: { email: 'a@b.test' } });
    assert.equal(r.status, 503);
    assert.match(r.json.detail, /unavailable/);
  } finally {
    assert.equal((await bare.stop()).code, 0);
  }
});
