'use strict';
// Browser tests of the admin console's settings, teams, audit log, reports and white label,
// against the real server serving the built web app (as staff.test.js). The server's licence
// ends in ten days, so the login page shows the seed's licence notice. The admin changes a
// security setting (a value out of range first: the error is at the field, which gets the
// focus), sees it saved; creates a team and adds an agent; finds both changes in the audit log
// and exports it; opens the reports (rows written through the test hook) and sees the charts;
// sets a white-label page title, header and logo and sees the page change, also after a
// reload; a supervisor allowed to read teams and reports sees them without edit actions.
// Every screen at 1280×720 is saved to tests/e2e/artifacts/. Any page error, CSP
// violation, console error or unexpected failed request fails.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const zlib = require('node:zlib');
const { startServer, adminClient, login, STRONG } = require('../api/lib/server.js');
const h = require('./lib/harness.js');

const { field, button, shot } = h;
const DAY = 86400000;
const AGENT_PW = 'Agent!Passw0rd-e2e';

let srv, browser, api, admin;
const ids = {};

async function created(method, p, body) {
  const r = await api.request(method, p, { body });
  assert.ok([200, 201].includes(r.status), `${p}: ${r.status} ${r.text}`);
  return r.json;
}
async function event(body) {
  const r = await srv.request('POST', '/api/v1/_test/reports/event', { body });
  assert.equal(r.status, 201, `${JSON.stringify(body)}: ${r.text}`);
  return r.json;
}
const iso = (ms) => new Date(ms).toISOString();

// A w×h PNG of one colour (node's zlib gives deflate and crc32).
function makePng(w, h) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(3 * w, 0)]);
  for (let x = 0; x < w; x++) row.set([0x1d, 0x4e, 0xd8], 1 + 3 * x);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

before(async () => {
  h.prepare();
  const expires = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
  srv = await startServer({ webRoot: h.webRoot, env: { SWITCHBOARD_LICENSE_EXPIRES: expires, SWITCHBOARD_LICENSE_NOTICE_DAYS: '30' } });
  api = await adminClient(srv);

  // An agent for the team, a queue with report rows of today: two accepted, one timeout,
  // one abandoned, one still waiting; one agent session and one pause.
  ids.agent = (await created('POST', '/api/v1/agents', { username: 'tina.team', full_name: 'Tina Team', password: AGENT_PW })).id;
  ids.queue = (await created('POST', '/api/v1/queues', { name: 'E2E Reports', channel: 'sms' })).id;
  const t0 = Date.now() - 2 * 3600000;
  const outcomes = [['accepted', 20], ['accepted', 40], ['timeout', 60], ['abandoned', 15], [null, 0]];
  for (const [i, [reason, wait]] of outcomes.entries()) {
    const { interaction_id } = await event({ type: 'interaction', channel: 'sms', phone: `+1555010${i}` });
    await event({ type: 'joined', channel: 'sms', interaction_id, queue_id: ids.queue, at: iso(t0 + i * 60000) });
    if (reason) {
      await event({ type: 'left', interaction_id, queue_id: ids.queue, at: iso(t0 + i * 60000 + wait * 1000), reason, ...(reason === 'accepted' ? { agent_id: ids.agent } : {}) });
    }
  }
  await event({ type: 'login', agent_id: ids.agent, channel: 'sms', at: iso(t0) });
  await event({ type: 'pause', agent_id: ids.agent, reason: 'Lunch', at: iso(t0 + 30 * 60000) });
  await event({ type: 'unpause', agent_id: ids.agent, at: iso(t0 + 45 * 60000) });
  await event({ type: 'logout', agent_id: ids.agent, channel: 'sms', at: iso(t0 + 90 * 60000) });

  browser = await h.launch();
  admin = await openContext();
});

after(async () => {
  if (admin) await admin.close();
  if (browser) await browser.close();
  if (srv) assert.equal((await srv.stop()).code, 0, srv.stderr());
});

// Failed requests the scenario causes on purpose: the session probe before signing in and the
// out-of-range setting.
const EXPECTED_FAILURES = [
  { method: 'GET', path: /^\/api\/v1\/auth\/me$/, status: [401] },
  { method: 'PATCH', path: /^\/api\/v1\/settings$/, status: [422] },
];

const openContext = () => h.openContext(browser, srv, { expected: EXPECTED_FAILURES });
const nav = (page) => page.getByRole('navigation', { name: 'Console' });

test('the login page shows the licence notice; the admin signs in and sees it in the console', async (t) => {
  const { page } = admin;
  await page.goto(srv.base + '/login');
  const notice = page.getByRole('status').filter({ hasText: 'Your licence expires on' });
  await notice.waitFor();
  assert.match(await notice.innerText(), /in 10 days\)\. Please verify your licence and contact your provider as soon as possible\./);
  assert.equal(await page.title(), 'Switchboard', 'the default title until one is set');
  await shot(t, page, 'admin-login-licence.png');
  await field(page, 'Username').fill('admin');
  await field(page, 'Password').fill(STRONG);
  await button(page, 'Log in').click();
  await page.waitForURL('**/admin/agents');
  for (const s of ['Teams', 'Reports', 'Audit log', 'General settings', 'Customizations']) await nav(page).getByRole('link', { name: s, exact: true }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Your licence expires on' }).waitFor();
});

test('the admin changes a security setting: out of range first, shown at the field, then saved', async (t) => {
  const { page } = admin;
  await nav(page).getByRole('link', { name: 'General settings' }).click();
  await page.waitForURL('**/admin/settings');
  await page.getByRole('heading', { name: 'General settings' }).waitFor();
  await shot(t, page, 'admin-settings-global.png');
  // Keyboard: the tabs move with the arrow keys.
  const tabs = page.getByRole('tablist', { name: 'Settings' });
  await tabs.getByRole('tab', { name: 'Global' }).focus();
  await page.keyboard.press('ArrowRight');
  await tabs.getByRole('tab', { name: 'Security', selected: true }).waitFor();
  for (const legend of ['Login attempts', 'Password policy', 'Multi-factor authentication', 'Single sign-on', 'Sessions', 'Sensitive data']) {
    await page.getByRole('group', { name: legend }).waitFor();
  }
  // Seed: the number of passwords is asked only when Enforce Password History is on.
  assert.equal(await field(page, 'Previous passwords to check').count(), 0);
  await field(page, 'Enforce Password History').focus();
  await page.keyboard.press('Space');
  await field(page, 'Previous passwords to check').waitFor();

  const attempts = field(page, 'Max login attempts');
  await attempts.fill('101');
  const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/settings') && r.request().method() === 'PATCH');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  assert.equal((await refused).status(), 422);
  await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('name') === 'security.max_login_attempts');
  assert.equal(await attempts.getAttribute('aria-invalid'), 'true');
  const describedBy = await attempts.getAttribute('aria-describedby');
  const message = await page.locator(`[id="${describedBy.split(' ').pop()}"]`).innerText();
  assert.match(message, /from 0 to 100/);
  await shot(t, page, 'admin-settings-security-error.png');
  let security = (await api.request('GET', '/api/v1/settings/security')).json;
  assert.equal(security.max_login_attempts, 5, 'nothing was saved');
  assert.equal(security.enforce_password_history, false, 'not even the valid change');

  await attempts.fill('7');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Saved: ' }).waitFor();
  security = (await api.request('GET', '/api/v1/settings/security')).json;
  assert.equal(security.max_login_attempts, 7);
  assert.equal(security.enforce_password_history, true);
  assert.equal(await attempts.getAttribute('aria-invalid'), null);
  // After a reload the screen shows the stored value.
  await page.reload();
  await page.getByRole('tablist', { name: 'Settings' }).getByRole('tab', { name: 'Security' }).click();
  assert.equal(await field(page, 'Max login attempts').inputValue(), '7');
  await shot(t, page, 'admin-settings-security.png');
});

test('the admin creates a team and adds an agent', async (t) => {
  const { page } = admin;
  await nav(page).getByRole('link', { name: 'Teams' }).click();
  await page.waitForURL('**/admin/teams');
  await page.getByText('No team yet.').waitFor();
  await page.getByRole('link', { name: 'New team' }).click();
  await field(page, 'Name').fill('E2E Night Shift');
  await field(page, 'Description').fill('Agents of the night');
  await page.getByRole('button', { name: 'Create team' }).click();
  await page.waitForURL(/\/admin\/teams\/\d+$/);
  ids.team = Number(page.url().split('/').pop());
  await page.getByRole('heading', { name: 'Team E2E Night Shift' }).waitFor();
  await page.getByRole('tab', { name: 'Agents' }).click();
  await field(page, 'Find an agent to add').fill('tina');
  await page.getByRole('button', { name: 'Add tina.team' }).click();
  await page.getByRole('status').filter({ hasText: 'tina.team added to the team.' }).waitFor();
  await page.getByRole('table', { name: 'Members' }).getByRole('cell', { name: 'tina.team', exact: true }).waitFor();
  await shot(t, page, 'admin-team-members.png');
  const members = (await api.request('GET', `/api/v1/teams/${ids.team}/agents`)).json;
  assert.deepEqual(members.items.map((m) => m.username), ['tina.team']);

  await nav(page).getByRole('link', { name: 'Teams' }).click();
  const row = page.locator('tbody tr').filter({ hasText: 'E2E Night Shift' });
  await row.waitFor();
  assert.deepEqual(await row.locator('td').allInnerTexts().then((c) => c.slice(1, 4)), ['E2E Night Shift', 'Agents of the night', '1']);
  await shot(t, page, 'admin-teams.png');
});

test('the audit log shows the changes, filters by action and exports the filter', async (t) => {
  const { page } = admin;
  await nav(page).getByRole('link', { name: 'Audit log' }).click();
  await page.waitForURL('**/admin/audit');
  const rows = page.locator('tbody tr');
  await rows.filter({ hasText: 'team.agents_add' }).first().waitFor();
  await rows.filter({ hasText: 'settings.change' }).first().waitFor();
  await shot(t, page, 'admin-audit.png');
  await field(page, 'Action').fill('settings.change');
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('tbody tr td:nth-child(3)')].map((c) => c.textContent);
    return cells.length > 0 && cells.every((c) => c === 'settings.change');
  });
  const detail = await rows.first().locator('td').last().innerText();
  assert.match(detail, /max_login_attempts/);
  const { body } = await h.download(page, () => page.getByRole('link', { name: 'Export CSV' }).click());
  const csv = body.toString('utf8').trim().split('\r\n');
  assert.match(csv[0], /^id,at,actor_id,actor_username,action/);
  assert.ok(csv.length >= 2);
  for (const line of csv.slice(1)) assert.match(line, /settings\.change/);
});

test('the reports show the queue outcomes and agents\' time as charts', async (t) => {
  const { page } = admin;
  await nav(page).getByRole('link', { name: 'Reports' }).click();
  await page.waitForURL('**/admin/reports');
  const chart = page.getByRole('img', { name: /Interactions per queue/ });
  await chart.waitFor();
  // One bar of four segments: accepted, timeout, abandoned, waiting.
  assert.equal(await chart.locator('rect').count(), 4);
  assert.match(await chart.locator('desc').textContent(), /E2E Reports: Accepted 2, Timeout 1, Abandoned 1, Waiting 1/);
  await page.getByRole('img', { name: /Average wait before an agent accepted/ }).waitFor();
  const summary = page.getByRole('table', { name: 'Summary per queue' });
  const cells = await summary.locator('tbody tr').first().locator('td').allInnerTexts();
  assert.deepEqual(cells, ['E2E Reports', '5', '2', '1', '1', '1', '00:00:30']);
  assert.equal(await page.getByRole('table', { name: 'Queue attempts' }).locator('tbody tr').count(), 5);
  await shot(t, page, 'admin-reports-queues.png');
  const href = await page.getByRole('link', { name: 'Export summary CSV' }).getAttribute('href');
  assert.match(href, /^\/api\/v1\/reports\/sms\/queue\/summary\/export\.csv\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);

  // A day range with nothing in it: the charts say so.
  await field(page, 'From').fill('2026-01-01');
  await field(page, 'To').fill('2026-01-02');
  await page.getByText('No interaction joined a queue of this channel in this period.').waitFor();
  await field(page, 'To').fill(new Date().toISOString().slice(0, 10));
  await page.getByRole('img', { name: /Interactions per queue/ }).waitFor();

  await page.getByRole('tab', { name: 'Agent sessions' }).click();
  const sessions = page.getByRole('img', { name: /Time logged in per agent/ });
  await sessions.waitFor();
  assert.match(await sessions.locator('desc').textContent(), /Tina Team: Logged in 1\.5 h/);
  await shot(t, page, 'admin-reports-sessions.png');
  await page.getByRole('tab', { name: 'Agent pauses' }).click();
  await page.getByRole('img', { name: /Time paused per agent/ }).waitFor();
  await page.getByRole('cell', { name: 'Lunch' }).waitFor();
});

test('the admin sets a white-label title, header and logo; the page changes and keeps them', async (t) => {
  const { page } = admin;
  await nav(page).getByRole('link', { name: 'Customizations' }).click();
  await page.waitForURL('**/admin/customizations');
  await shot(t, page, 'admin-customizations-default.png');
  await field(page, 'Default page title').uncheck();
  await field(page, 'Page title').fill('Acme Care Center');
  await field(page, 'Default header white label').uncheck();
  await field(page, 'Header white label').fill('Acme Care');
  await field(page, 'Default logo').uncheck();
  await field(page, 'Upload system logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: makePng(120, 32) });
  await page.getByRole('img', { name: 'System logo preview' }).waitFor();
  // A logo too large is refused at the field before anything is sent.
  await field(page, 'Default login logo').uncheck();
  await field(page, 'Upload login logo').setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: Buffer.concat([makePng(8, 8), Buffer.alloc(60 * 1024)]) });
  await page.getByRole('alert').filter({ hasText: 'a logo may have at most 48 KiB' }).waitFor();
  await field(page, 'Upload login logo').setInputFiles({ name: 'login.png', mimeType: 'image/png', buffer: makePng(200, 60) });
  await page.getByRole('img', { name: 'Login logo preview' }).waitFor();
  assert.equal(await page.getByRole('alert').filter({ hasText: 'a logo may have at most 48 KiB' }).count(), 0);

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  await page.waitForFunction(() => document.title === 'Acme Care Center');
  await page.getByRole('banner').getByText('Acme Care', { exact: true }).waitFor();
  await page.locator('.app-header__logo').waitFor();
  await shot(t, page, 'admin-customizations.png');

  // Applied at load, on every page, the login page too.
  await page.reload();
  await page.waitForFunction(() => document.title === 'Acme Care Center');
  await page.getByRole('banner').getByText('Acme Care', { exact: true }).waitFor();
  const other = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const anon = await other.newPage();
  await anon.goto(srv.base + '/login');
  await anon.waitForFunction(() => document.title === 'Acme Care Center');
  assert.equal(await anon.locator('.app-header__brand').innerText(), 'Acme Care');
  await anon.locator('.login-logo img').waitFor();
  assert.equal(await anon.locator('.login-logo img').evaluate((img) => img.naturalWidth), 200);
  await other.close();

  // Back to the defaults.
  await field(page, 'Default page title').check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForFunction(() => document.title === 'Switchboard');
  const options = (await srv.request('GET', '/api/v1/auth/options')).json;
  assert.equal(options.branding.page_title, '');
  assert.equal(options.branding.header_text, 'Acme Care');
  assert.match(options.branding.system_logo, /^data:image\/png;base64,/);
});

test('the console lists sort, page and select from the keyboard', async (t) => {
  const { page } = admin;
  // 30 teams: two pages of 25.
  for (let i = 1; i <= 30; i++) await created('POST', '/api/v1/teams', { name: `Bulk ${String(i).padStart(2, '0')}` });
  await nav(page).getByRole('link', { name: 'Teams' }).click();
  await page.waitForURL('**/admin/teams');
  await page.getByRole('status').filter({ hasText: '1–25 of 31' }).waitFor();
  const names = () => page.locator('tbody tr td:nth-child(2)').allInnerTexts();
  assert.equal((await names())[0], 'Bulk 01');
  await page.getByRole('button', { name: 'Name', exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"]') !== null);
  assert.equal((await names())[0], 'E2E Night Shift');
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.getByRole('status').filter({ hasText: '26–31 of 31' }).waitFor();
  // Select the page from the keyboard, delete them.
  await page.getByLabel('Select every team of this page').focus();
  await page.keyboard.press('Space');
  await page.getByRole('status').filter({ hasText: '26–31 of 31 · 6 selected' }).waitFor();
  await page.getByLabel('Select Bulk 06').uncheck();
  await page.getByRole('button', { name: 'Delete selected' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete teams' });
  await dialog.getByRole('button', { name: 'Delete 5 teams' }).click();
  await page.getByRole('status').filter({ hasText: '5 teams deleted.' }).waitFor();
  await page.getByRole('status').filter({ hasText: 'of 26' }).waitFor();
  await shot(t, page, 'admin-teams-paged.png');
  const left = (await api.request('GET', '/api/v1/teams?limit=500')).json;
  assert.equal(left.total, 26);
  assert.ok(left.items.some((x) => x.name === 'Bulk 06'));
  assert.ok(!left.items.some((x) => x.name === 'Bulk 05'));
});

test('a supervisor whose profile allows reading teams and reports sees them, read-only', async (t) => {
  const PW = 'Super!Visor-Passw0rd1';
  const profile = (await created('POST', '/api/v1/profiles', { name: 'E2E readers', sections: { teams: 'read', reports: 'read' }, queue_ids: [ids.queue] })).id;
  await created('POST', '/api/v1/users', { username: 'rita.reader', full_name: 'Rita Reader', role: 'user', profile_id: profile, password: PW });
  const c = await login(srv, 'rita.reader', PW);
  assert.equal((await c.request('POST', '/api/v1/auth/password', { body: { current_password: PW, new_password: STRONG } })).status, 204);

  const sup = await openContext();
  try {
    const { page } = sup;
    await h.signIn(page, srv, 'rita.reader', STRONG);
    await nav(page).getByRole('link', { name: 'Teams' }).waitFor();
    assert.deepEqual(await nav(page).getByRole('link').allInnerTexts(), ['Teams', 'Reports', 'Intervals', 'Change password']);
    // Not an administrator: no licence notice after login.
    assert.equal(await page.getByText('Your licence expires on').count(), 0);
    await nav(page).getByRole('link', { name: 'Teams' }).click();
    await page.getByRole('link', { name: 'Bulk 06' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'New team' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete selected' }).count(), 0);
    await nav(page).getByRole('link', { name: 'Reports' }).click();
    const chart = page.getByRole('img', { name: /Interactions per queue/ });
    await chart.waitFor();
    assert.match(await chart.locator('desc').textContent(), /E2E Reports: Accepted 2/);
    await shot(t, page, 'supervisor-reports.png');
  } finally {
    await sup.close();
  }
});
