'use strict';
// Browser tests of the login pages: the real server (tests/api/lib/server.js) serving the
// built web app (web/dist, built by `make check`), driven through Debian's Chromium with
// playwright-core. Screenshots of the pages at 1280×720 go to tests/e2e/artifacts/ (or
// SB_E2E_SCREENSHOTS) for a human to look at; they are not compared.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { startServer, login, createAccount, accountClient, STRONG } = require('../api/lib/server.js');
const h = require('./lib/harness.js');

const { shot } = h;
const NEW_PASSWORD = 'Blue-Harbour-7-Lantern';

let srv;
let browser;

before(async () => {
  h.prepare();
  srv = await startServer({ webRoot: h.webRoot });
  browser = await h.launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) assert.equal((await srv.stop()).code, 0, srv.stderr());
});

// Failed requests the scenarios cause on purpose: the session probe before signing in, the
// refused logins (401 wrong credentials, 403 locked), the weak new password, the wrong MFA
// code, the dead reset token and the reset asked for without SMTP (503).
const EXPECTED_FAILURES = [
  { method: 'GET', path: /^\/api\/v1\/auth\/me$/, status: [401] },
  { method: 'POST', path: /^\/api\/v1\/auth\/login$/, status: [401, 403] },
  { method: 'POST', path: /^\/api\/v1\/auth\/password$/, status: [422] },
  { method: 'POST', path: /^\/api\/v1\/auth\/login\/mfa$/, status: [401] },
  { method: 'POST', path: /^\/api\/v1\/auth\/password-reset\/complete$/, status: [422] },
  { method: 'POST', path: /^\/api\/v1\/auth\/password-reset$/, status: [503] },
];

// A fresh context (no cookies) and page at 1280×720; at the end of the test it fails on a page
// error, a console error (CSP violations among them) or a failed request not listed above.
async function openPage(t) {
  const ctx = await h.openContext(browser, srv, { expected: EXPECTED_FAILURES });
  t.after(() => ctx.close());
  return ctx.page;
}

const alertText = (page, text) => page.getByRole('alert').filter({ hasText: text });

async function fillLogin(page, username, password) {
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
}

test('wrong credentials get one generic message; no "Forgot password?" without SMTP', async (t) => {
  const page = await openPage(t);
  const options = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/options'));
  await page.goto(srv.base + '/');
  await page.waitForURL('**/login');
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  // Options loaded and rendered: AD off, password reset off (no SMTP).
  const o = await (await options).json();
  assert.deepEqual({ active_directory: o.active_directory, password_reset: o.password_reset }, { active_directory: false, password_reset: false });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
  assert.equal(await page.getByRole('link', { name: 'Forgot password?' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Log in with Active Directory' }).count(), 0);
  await shot(t, page, 'login.png');

  await fillLogin(page, 'admin', 'not-the-password');
  await alertText(page, 'Invalid username or password.').waitFor();
  // Keyboard only: Tab from the username to the password, Enter submits.
  await page.getByLabel('Username', { exact: true }).fill('nobody-here');
  await page.getByLabel('Username', { exact: true }).focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('name')), 'password');
  await page.keyboard.type('not-the-password');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
  await page.keyboard.press('Enter');
  assert.equal((await answer).status(), 401);
  await alertText(page, 'Invalid username or password.').waitFor();
  const text = await page.locator('main').innerText();
  assert.doesNotMatch(text, /unknown user|wrong password|no such/i);
  assert.equal(await page.getByRole('heading', { name: 'Log in' }).count(), 1);
});

test('first login: forced change with per-rule errors, home, reload, log out', async (t) => {
  const page = await openPage(t);
  await page.goto(srv.base + '/login');
  await fillLogin(page, 'admin', srv.firstAdminPassword);

  await page.getByRole('heading', { name: 'Change password' }).waitFor();
  await page.getByText('You must choose a new password').waitFor();
  const current = page.getByLabel('Current password', { exact: true });
  const next = page.getByLabel('New password', { exact: true });
  const confirm = page.getByLabel('Confirm new password', { exact: true });

  // A weak password: each broken rule shown under the field, tied to it.
  await current.fill(srv.firstAdminPassword);
  await next.fill('abc');
  await confirm.fill('abc');
  await page.getByRole('button', { name: 'Change password' }).click();
  await alertText(page, 'Must be at least 8 characters long').waitFor();
  for (const rule of ['Must contain an uppercase letter', 'Must contain a digit', 'Must contain one of']) {
    await alertText(page, rule).waitFor();
  }
  assert.equal(await next.getAttribute('aria-invalid'), 'true');
  const describedBy = (await next.getAttribute('aria-describedby')).split(' ');
  const errorId = describedBy.find((id) => id.endsWith('-error'));
  assert.ok(errorId, 'the error is announced with the field');
  assert.match(await page.locator(`[id="${errorId}"]`).innerText(), /at least 8 characters/);
  await shot(t, page, 'change-password-errors.png');

  // Mismatched confirmation is caught in the page.
  await next.fill(NEW_PASSWORD);
  await confirm.fill(NEW_PASSWORD + 'x');
  await page.getByRole('button', { name: 'Change password' }).click();
  await alertText(page, 'The two passwords do not match').waitFor();

  // A strong one.
  await confirm.fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Signed in as Administrator (admin)').waitFor();
  // Staff land on the admin console's first section.
  await page.waitForURL(srv.base + '/admin/agents');
  await shot(t, page, 'home.png');

  // The session (cookie) survives a reload, and the CSRF token is recovered for logout.
  await page.reload();
  await page.getByText('Signed in as Administrator (admin)').waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL('**/login');
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  assert.equal(await page.getByText('Signed in as').count(), 0);

  // The new password works; the one-time one does not.
  const r = await srv.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: srv.firstAdminPassword } });
  assert.equal(r.status, 401);
});

test('lockout: "contact the administrator" after security.max_login_attempts failures', async (t) => {
  const admin = await login(srv, 'admin', NEW_PASSWORD);
  const get = await admin.request('GET', '/api/v1/settings/security');
  assert.equal(get.status, 200);
  const put = await admin.request('PUT', '/api/v1/settings/security', { body: { ...get.json, max_login_attempts: 2 } });
  assert.equal(put.status, 200, put.text);
  t.after(() => admin.request('PUT', '/api/v1/settings/security', { body: get.json }));
  createAccount(srv, 'alice', 'agent', 'Alice Agent');

  const page = await openPage(t);
  await page.goto(srv.base + '/login');
  await fillLogin(page, 'alice', 'wrong-1');
  await alertText(page, 'Invalid username or password.').waitFor();
  const locked = alertText(page, 'Your account is locked: contact the administrator.');
  for (let i = 2; i <= 3 && !(await locked.count()); i++) {
    // Listen before submitting: a fast answer would otherwise arrive before the wait starts.
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await fillLogin(page, 'alice', `wrong-${i}`);
    await answered;
  }
  await locked.waitFor();
  await shot(t, page, 'locked.png');
});

// The server's clock (test hook) and Debian's oathtool for TOTP codes, as tests/api/mfa.test.js.
async function serverNow(advanceMs = 0) {
  const r = await srv.request('POST', '/api/v1/_test/clock', { body: { advance_ms: advanceMs } });
  return Math.floor(r.json.now_ms / 1000);
}
const oathtool = (secret, unix) =>
  execFileSync('oathtool', ['--totp', '-b', '-N', `@${unix}`, secret], { encoding: 'utf8' }).trim();

test('MFA step: names the authenticator app, refuses a wrong code, accepts a TOTP code', async (t) => {
  const bob = await accountClient(srv, 'bob', 'agent');
  const e = await bob.request('POST', '/api/v1/auth/mfa/totp');
  assert.equal(e.status, 200, e.text);
  const a = await bob.request('POST', '/api/v1/auth/mfa/totp/activate', { body: { code: oathtool(e.json.secret, await serverNow()) } });
  assert.equal(a.status, 200, a.text);

  const page = await openPage(t);
  await page.goto(srv.base + '/login');
  await fillLogin(page, 'bob', STRONG);
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  await page.getByText('authenticator app').first().waitFor();
  const code = page.getByLabel('Verification code', { exact: true });
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('name')), 'code');
  await code.fill('12345');
  await page.getByRole('button', { name: 'Verify' }).click();
  await alertText(page, 'Enter the 6-digit code or a recovery code').waitFor();
  await code.fill('000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await alertText(page, 'That code is not valid').waitFor();
  // The activation used the current step: move on 30 s so a fresh code is due.
  await code.fill(oathtool(e.json.secret, await serverNow(30000)));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByText('Signed in as bob (agent)').waitFor();
});

test('reset link with a dead token, and forgot-password without SMTP', async (t) => {
  const page = await openPage(t);
  await page.goto(srv.base + '/reset-password?token=' + 'A'.repeat(43));
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await page.getByLabel('New password', { exact: true }).fill(STRONG);
  await page.getByLabel('Confirm new password', { exact: true }).fill(STRONG);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await alertText(page, 'This link cannot be used').waitFor();
  await page.getByRole('link', { name: 'Ask for a new link' }).click();
  await page.waitForURL('**/forgot-password');
  await page.getByLabel('E-mail address', { exact: true }).fill('someone@example.com');
  await page.getByRole('button', { name: 'Send the link' }).click();
  await alertText(page, 'Password reset by e-mail is unavailable').waitFor();
});

// Last: it moves the server's clock 80 days on.
test('expiry warning after login, with a link to change the password', async (t) => {
  await accountClient(srv, 'carol', 'agent');
  await serverNow(80 * 24 * 3600 * 1000);
  const page = await openPage(t);
  await page.goto(srv.base + '/login');
  await fillLogin(page, 'carol', STRONG);
  await page.getByText('Signed in as carol (agent)').waitFor();
  await page.getByText('Your password expires in 10 days.').waitFor();
  await page.getByRole('link', { name: 'Change it now' }).click();
  await page.waitForURL('**/change-password');
  await page.getByRole('heading', { name: 'Change password' }).waitFor();
  await page.getByRole('link', { name: 'Cancel' }).click();
  await page.getByText('Signed in as carol (agent)').waitFor();
});
