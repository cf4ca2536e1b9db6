'use strict';
// Browser tests of the admin console's staff screens, against the real server serving the
// built web app (as login.test.js): the admin creates an agent through the editor (a field
// error on another tab first, then fixed), finds it by search, edits settings on other tabs,
// creates a queue with the agent, a profile with that queue and a supervisor with the profile;
// the supervisor (a second browser context) sees only the agents section and only that agent.
// Screenshots of each screen go to tests/e2e/artifacts/ (or SB_E2E_SCREENSHOTS), which git
// ignores. Any page error, CSP violation, console error or unexpected failed request fails.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, STRONG } = require('../api/lib/server.js');
const h = require('./lib/harness.js');

const { field } = h;
const AGENT_PW = 'Agent!Passw0rd-e2e';
const SUP_PW = 'Super!Visor-Passw0rd1';
const SUP_NEW = 'Super!Visor-Passw0rd2-new';

let srv, browser, api, admin;
const state = {};

// Failed requests the scenario causes on purpose: the 422s of the first saves, the session
// probe before signing in, the supervisor's attempt at an agent outside its scope, and
// routes another part of the server brings (teams, bulk delete) that the console probes and
// hides or replaces (on a server that has them they answer 2xx).
const EXPECTED_FAILURES = [
  { method: 'POST', path: /^\/api\/v1\/(agents|queues)$/, status: [422] },
  { method: 'GET', path: /^\/api\/v1\/auth\/me$/, status: [401] },
  { method: 'DELETE', path: /^\/api\/v1\/users\/\d+$/, status: [409] },
  { method: 'GET', path: /^\/api\/v1\/agents\/\d+$/, status: [404] },
  { method: 'GET', path: /^\/api\/v1\/teams$/, status: [404] },
  { method: 'DELETE', path: /^\/api\/v1\/profiles\/\d+$/, status: [409] },
  { method: 'POST', path: /^\/api\/v1\/agents\/delete$/, status: [404, 405] },
];
const openContext = () => h.openContext(browser, srv, { expected: EXPECTED_FAILURES });
const { shot } = h;
const signIn = (page, username, password) => h.signIn(page, srv, username, password);
const focusedName = (page) => page.evaluate(() => document.activeElement && document.activeElement.getAttribute('name'));

before(async () => {
  h.prepare();
  srv = await startServer({ webRoot: h.webRoot });
  api = await adminClient(srv); // the first admin's password is now STRONG
  browser = await h.launch();
  admin = await openContext();
});

after(async () => {
  if (admin) await admin.close();
  if (browser) await browser.close();
  if (srv) assert.equal((await srv.stop()).code, 0, srv.stderr());
});

test('the admin signs in to the console and creates an agent, fixing a field error first', async (t) => {
  const { page } = admin;
  await signIn(page, 'admin', STRONG);
  await page.waitForURL('**/admin/agents');
  const nav = page.getByRole('navigation', { name: 'Console' });
  for (const s of ['Agents', 'Users', 'Profiles', 'Queues']) await nav.getByRole('link', { name: s, exact: true }).waitFor();
  await page.getByRole('heading', { name: 'Agents' }).waitFor();

  await page.getByRole('link', { name: 'New agent' }).click();
  await page.waitForURL('**/admin/agents/new');
  await field(page, 'Full name').fill('Erin Tester');
  await field(page, 'Username').fill('erin.e2e');
  await field(page, 'Password').fill(AGENT_PW);
  // The typology decides the tabs: Phonebar shows its tab, WebRTC's is hidden.
  const tabs = page.getByRole('tablist', { name: 'Agent settings' });
  await tabs.getByRole('tab', { name: 'Phonebar' }).waitFor();
  assert.equal(await tabs.getByRole('tab', { name: 'WebRTC' }).count(), 0);
  for (const s of ['Personal info', 'Security', 'Voice', 'Other channels', 'Permissions', 'Client logs']) {
    await tabs.getByRole('tab', { name: s, exact: true }).waitFor();
  }
  // A bad value on the Voice tab, then back to Personal info: nothing typed is lost.
  await tabs.getByRole('tab', { name: 'Voice' }).click();
  await field(page, 'Context').fill('bad context!');
  await tabs.getByRole('tab', { name: 'Personal info' }).click();
  assert.equal(await field(page, 'Username').inputValue(), 'erin.e2e');
  await shot(t, page, 'agent-new.png');

  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/agents') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Create agent' }).click();
  assert.equal((await answer).status(), 422);
  // The server's 422 names `context`: the Voice tab opens, the message is next to the field,
  // and the field has focus.
  await page.getByRole('tab', { name: /Voice/, selected: true }).waitFor();
  const context = field(page, 'Context');
  await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('name') === 'context');
  assert.equal(await context.getAttribute('aria-invalid'), 'true');
  const describedBy = await context.getAttribute('aria-describedby');
  const message = await page.locator(`[id="${describedBy.split(' ').pop()}"]`).innerText();
  assert.match(message, /letters, digits/i);
  assert.equal(await focusedName(page), 'context');
  await shot(t, page, 'agent-field-error.png');
  assert.equal((await api.request('GET', '/api/v1/agents?q=erin')).json.total, 0, 'nothing created');

  await context.fill('from-e2e');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await page.waitForURL(/\/admin\/agents\/\d+$/);
  state.agentId = Number(/(\d+)$/.exec(page.url())[1]);
  await page.getByRole('heading', { name: 'Agent erin.e2e' }).waitFor();
  const got = await api.request('GET', `/api/v1/agents/${state.agentId}`);
  assert.equal(got.json.context, 'from-e2e');
  assert.equal(got.json.full_name, 'Erin Tester');
  // Username is fixed after creation.
  assert.equal(await field(page, 'Username').getAttribute('readonly'), '');
});

test('the admin finds the agent by search and edits settings on two other tabs', async (t) => {
  const { page } = admin;
  // Another agent, outside every queue, for the search, the supervisor and bulk delete.
  const other = await api.request('POST', '/api/v1/agents', {
    body: { username: 'olga.other', full_name: 'Olga Other', password: AGENT_PW, typology: 'webrtc', client_logs_enabled: true, client_log_level: 'warning' } });
  assert.equal(other.status, 201, other.text);
  state.otherId = other.json.id;

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Agents' }).click();
  await page.waitForURL('**/admin/agents');
  const rows = page.locator('tbody tr');
  await page.getByRole('link', { name: 'olga.other' }).waitFor();
  await field(page, 'Search').fill('erin');
  await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
  await rows.first().getByRole('link', { name: 'erin.e2e' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'olga.other' }).count(), 0);
  await shot(t, page, 'agents-search.png');
  // The typology filter and the sort headers.
  await field(page, 'Search').fill('');
  await field(page, 'Typology').selectOption('webrtc');
  await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
  await rows.first().getByRole('link', { name: 'olga.other' }).waitFor();
  await rows.first().getByRole('img', { name: 'Client logs: warning' }).waitFor();
  await field(page, 'Typology').selectOption('');
  await page.getByRole('button', { name: 'Username' }).click(); // now descending
  await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"]') !== null);
  // The header changes at the click; the rows when the server's answer arrives.
  await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 2 &&
    document.querySelector('tbody tr td:nth-child(3)')?.textContent === 'olga.other');
  assert.deepEqual(await page.locator('tbody tr td:nth-child(3)').allInnerTexts(), ['olga.other', 'erin.e2e']);
  await page.getByRole('button', { name: 'Full name' }).click(); // by full name, ascending
  await page.waitForFunction(() => document.querySelector('tbody tr td:nth-child(4)')?.textContent === 'Erin Tester');
  assert.deepEqual(await page.locator('tbody tr td:nth-child(4)').allInnerTexts(), ['Erin Tester', 'Olga Other']);
  await shot(t, page, 'agents-list.png');

  await page.getByRole('link', { name: 'erin.e2e' }).click();
  await page.waitForURL(`**/admin/agents/${state.agentId}`);
  const tabs = page.getByRole('tablist', { name: 'Agent settings' });
  await tabs.getByRole('tab', { name: 'Phonebar' }).click();
  assert.equal(await field(page, 'SIP expires (seconds)').inputValue(), '3600');
  await field(page, 'SIP expires (seconds)').fill('1800');
  await tabs.getByRole('tab', { name: 'Other channels' }).click();
  await field(page, 'Chat capacity').fill('3');
  await tabs.getByRole('tab', { name: 'Phonebar' }).click();
  assert.equal(await field(page, 'SIP expires (seconds)').inputValue(), '1800', 'kept across tabs');
  await shot(t, page, 'agent-phonebar.png');
  const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/agents/${state.agentId}`) && r.request().method() === 'PATCH');
  await page.getByRole('button', { name: 'Save' }).click();
  assert.equal((await saved).status(), 200);
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const got = await api.request('GET', `/api/v1/agents/${state.agentId}`);
  assert.equal(got.json.phonebar_sip_expires, 1800);
  assert.equal(got.json.chat_capacity, 3);
  assert.equal(got.json.context, 'from-e2e', 'untouched fields unchanged');
});

test('the admin creates a queue and adds the agent', async (t) => {
  const { page } = admin;
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Queues' }).click();
  await page.getByRole('link', { name: 'New queue' }).click();
  await field(page, 'Channel').selectOption('sms');
  await field(page, 'Name').fill('E2E SMS');
  await field(page, 'Weight').fill('11');
  await page.getByRole('button', { name: 'Create queue' }).click();
  // Weight is 0–10: the error is next to it, nothing created.
  await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('name') === 'weight');
  assert.equal(await field(page, 'Weight').getAttribute('aria-invalid'), 'true');
  assert.equal((await api.request('GET', '/api/v1/queues')).json.total, 0);
  await field(page, 'Weight').fill('4');
  await page.getByRole('button', { name: 'Create queue' }).click();
  await page.waitForURL(/\/admin\/queues\/\d+$/);
  state.queueId = Number(/(\d+)$/.exec(page.url())[1]);
  await page.getByRole('tab', { name: 'Agents' }).click();
  await field(page, 'Find an agent to add').fill('erin');
  await page.getByRole('button', { name: 'Add erin.e2e' }).click();
  await page.getByRole('table', { name: 'Members' }).getByRole('cell', { name: 'erin.e2e', exact: true }).waitFor();
  await shot(t, page, 'queue-members.png');
  const m = await api.request('GET', `/api/v1/queues/${state.queueId}/agents`);
  assert.deepEqual(m.json.items.map((x) => x.username), ['erin.e2e']);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Queues' }).click();
  await page.getByRole('link', { name: 'E2E SMS' }).waitFor();
  await shot(t, page, 'queues-list.png');
});

test('the admin creates a profile with that queue and a supervisor with the profile', async (t) => {
  const { page } = admin;
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Profiles' }).click();
  await page.getByRole('link', { name: 'New profile' }).click();
  await field(page, 'Name').fill('E2E supervisors');
  await field(page, 'Default permission type').selectOption('read_edit');
  await page.getByLabel('Enable Agents').check();
  await page.getByLabel('E2E SMS (SMS)').check();
  await shot(t, page, 'profile-new.png');
  await page.getByRole('button', { name: 'Create profile' }).click();
  await page.waitForURL(/\/admin\/profiles\/\d+$/);
  const profileId = Number(/(\d+)$/.exec(page.url())[1]);
  const p = (await api.request('GET', `/api/v1/profiles/${profileId}`)).json;
  assert.deepEqual(p.sections, { agents: 'default' });
  assert.deepEqual(p.queue_ids, [state.queueId]);
  assert.equal(p.default_permission, 'read_edit');

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' }).click();
  await page.getByRole('link', { name: 'New user' }).click();
  await field(page, 'Username').fill('sam.sup');
  await field(page, 'Full name').fill('Sam Supervisor');
  await field(page, 'Role').selectOption('user');
  await field(page, 'Profile').selectOption({ label: 'E2E supervisors' });
  await field(page, 'Password').fill(SUP_PW);
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.waitForURL(/\/admin\/users\/\d+$/);
  // Role and username are fixed after creation.
  assert.equal(await field(page, 'Role').isDisabled(), true);
  assert.equal(await field(page, 'Username').getAttribute('readonly'), '');
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' }).click();
  await page.getByRole('link', { name: 'sam.sup' }).waitFor();
  await shot(t, page, 'users-list.png');
  // The server refuses deleting yourself; the console shows its message and nothing changes.
  await page.getByRole('button', { name: 'Delete admin' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete user' });
  await dialog.getByText('your own account').waitFor();
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'You cannot delete your own account.' }).waitFor();
  assert.equal((await api.request('GET', '/api/v1/users')).json.total, 2);
});

test("deleting a profile a supervisor uses is refused in the editor, and the profile stays", async (t) => {
  const { page } = admin;
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Profiles' }).click();
  await page.getByRole('link', { name: 'E2E supervisors' }).click();
  await page.getByRole('heading', { name: 'Profile E2E supervisors' }).waitFor();
  await page.getByRole('button', { name: 'Delete profile' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete profile' });
  await dialog.getByText('Delete the profile E2E supervisors?').waitFor();
  await shot(t, page, 'profile-delete-dialog.png');
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'in use by supervisors' }).waitFor();
  assert.equal(await dialog.isVisible(), false);
  const profiles = (await api.request('GET', '/api/v1/profiles')).json.items;
  assert.ok(profiles.some((p) => p.name === 'E2E supervisors'), 'the profile is still there');
});

test('the supervisor sees only the agents section its profile enables, and only its agent', async (t) => {
  const sup = await openContext();
  const { page } = sup;
  try {
    await signIn(page, 'sam.sup', SUP_PW);
    const change = page.getByRole('heading', { name: 'Change password' });
    const nav = page.getByRole('navigation', { name: 'Console' });
    await Promise.race([change.waitFor(), nav.waitFor()]);
    if (await change.count()) {
      await field(page, 'Current password').fill(SUP_PW);
      await field(page, 'New password').fill(SUP_NEW);
      await field(page, 'Confirm new password').fill(SUP_NEW);
      await page.getByRole('button', { name: 'Change password' }).click();
    }
    await page.waitForURL('**/admin/agents');
    await nav.getByRole('link', { name: 'Agents' }).waitFor();
    // Intervals are readable by every supervisor (no profile section), as the API allows.
    assert.deepEqual(await nav.getByRole('link').allInnerTexts(), ['Agents', 'Intervals', 'Change password']);
    await page.getByRole('link', { name: 'erin.e2e' }).waitFor();
    assert.equal(await page.locator('tbody tr').count(), 1, 'only the agent of its queue');
    assert.equal(await page.getByRole('link', { name: 'olga.other' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete selected' }).count(), 0, 'no delete permission');
    assert.equal(await page.getByRole('link', { name: 'New agent' }).count(), 0);
    await shot(t, page, 'supervisor-agents.png');
    // Sections the profile does not enable are not reachable by URL either.
    await page.goto(srv.base + '/admin/users');
    await page.getByText('your profile does not allow it').waitFor();
    await page.goto(srv.base + `/admin/agents/${state.otherId}`);
    await page.getByText('No such agent.').waitFor();
  } finally {
    await sup.close();
  }
});

test('the admin deletes the other agent through the confirmation dialog', async (t) => {
  const { page } = admin;
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Agents' }).click();
  await page.getByLabel('Select olga.other').check();
  const exportSelected = page.getByRole('link', { name: 'Export selected' });
  assert.equal(await exportSelected.getAttribute('href'), `/api/v1/agents/export.csv?ids=${state.otherId}`);
  await page.getByRole('button', { name: 'Delete selected' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete agents' });
  await dialog.waitFor();
  await shot(t, page, 'agents-delete-dialog.png');
  // Cancel keeps it.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await api.request('GET', `/api/v1/agents/${state.otherId}`)).status, 200);
  await page.getByRole('button', { name: 'Delete selected' }).click();
  await dialog.getByRole('button', { name: 'Delete 1 agent' }).click();
  await page.getByRole('status').filter({ hasText: '1 agent deleted.' }).waitFor();
  assert.equal((await api.request('GET', `/api/v1/agents/${state.otherId}`)).status, 404);
  await page.getByRole('link', { name: 'olga.other' }).waitFor({ state: 'detached' });
  // "Export filter" downloads the CSV of the current filter.
  await field(page, 'Search').fill('erin');
  await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
  const csv = (await h.download(page, () => page.getByRole('link', { name: 'Export filter' }).click())).body.toString('utf8');
  assert.match(csv, /erin\.e2e/);
  assert.doesNotMatch(csv, /admin/);
});
