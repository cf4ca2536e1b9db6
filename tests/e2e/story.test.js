'use strict';
// The whole story of issue #8 ("Must show") in one browser run, through the UI, against the
// real server serving the built web app and the fake SMS providers (tests/api/lib/
// fake_providers.js; the server reaches them through SWITCHBOARD_SMS_TEST_BASE_URL):
//
//   1. The admin signs in, creates an agent, a queue with the agent, and a Twilio SMS account
//      (domain = this server) with a disposition and the mandatory disposition; adds the agent
//      to the account and sets the account's flow to the queue.
//   2. A customer's SMS arrives as a signed Twilio webhook at the Receive URL the account
//      screen shows (a first one, before the flow, stays unassigned: the search must leave it out).
//   3. The agent (a second browser context) signs in (choosing a password at first login), logs
//      in to the SMS channel, gets the offer, accepts, replies (the fake Twilio receives the
//      body with the account's credentials) and closes: without a disposition the close is
//      refused, with one it succeeds.
//   4. The admin finds the interaction with a two-condition advanced search and exports it as
//      CSV (the downloaded file is read back).
//   5. Admin and agent exchange messenger messages and see the unread badge.
//   6. Killing the server shows the disconnection banner on both pages; restarting it on the
//      same port and database clears it, and the data is still there.
//
// Screenshots: tests/e2e/artifacts/story-*.png. Any page error, console error, failed request
// or unexpected HTTP error fails the run. Every wait is on a condition, none on the clock.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, STRONG } = require('../api/lib/server.js');
const { startFakeProviders, FAKE_CREDS, webhook } = require('../api/lib/fake_providers.js');
const h = require('./lib/harness.js');

const { field, button, until, shot } = h;
const AGENT = { username: 'sofia.story', full_name: 'Sofia Story', password: 'Agent!Passw0rd-story1', next: 'Agent!Passw0rd-story2' };
const TW = FAKE_CREDS.twilio;
const CUSTOMER = '+15557440001';
const STRAY = '+15557440002';

let srv, fp, browser, api, admin, agent;
const state = {};
// While the server is down on purpose, the pages' failed connections are expected.
let outage = false;

// Failed requests the story causes on purpose: the session probe before signing in and the
// close without a disposition on an account that requires one.
const EXPECTED = [
  { method: 'GET', path: /^\/api\/v1\/auth\/me$/, status: [401] },
  { method: 'POST', path: /^\/api\/v1\/interactions\/\d+\/close$/, status: [422] },
];

const serverEnv = () => ({ SWITCHBOARD_SMS_TEST_BASE_URL: fp.baseUrl });

before(async () => {
  h.prepare();
  fp = await startFakeProviders();
  srv = await startServer({ webRoot: h.webRoot, env: serverEnv() });
  api = await adminClient(srv); // the first admin's one-time password is now STRONG
  browser = await h.launch();
  admin = await h.openContext(browser, srv, { expected: EXPECTED, tolerate: () => outage });
});

after(async () => {
  if (agent) await agent.close();
  if (admin) await admin.close();
  if (browser) await browser.close();
  if (srv) assert.equal((await srv.stop()).code, 0, srv.stderr());
  if (fp) await fp.stop();
});

// Posts an inbound SMS to the account's receive URL the way Twilio does (signed).
async function inbound(id, from, text) {
  const w = webhook('twilio', 'inbound', { id, from, to: TW.phone, text }, { url: state.receiveUrl });
  const u = new URL(w.url);
  assert.equal(u.origin, srv.base, 'the receive URL points at this server');
  const r = await srv.request(w.method, u.pathname + u.search, { body: w.body, headers: w.headers });
  assert.ok(r.status >= 200 && r.status < 300, `inbound ${from}: ${r.status} ${r.text}`);
}

test('1. the admin creates an agent, a queue with it and an SMS account with its disposition, agent and flow', async (t) => {
  const { page } = admin;
  const nav = page.getByRole('navigation', { name: 'Console' });
  await h.signIn(page, srv, 'admin', STRONG);
  await page.waitForURL('**/admin/agents');
  await page.getByText('Signed in as Administrator (admin)').waitFor();
  await shot(t, page, 'story-01-console.png');

  // The agent.
  await page.getByRole('link', { name: 'New agent' }).click();
  await field(page, 'Full name').fill(AGENT.full_name);
  await field(page, 'Username').fill(AGENT.username);
  await field(page, 'Password').fill(AGENT.password);
  await button(page, 'Create agent').click();
  await page.waitForURL(/\/admin\/agents\/\d+$/);
  state.agentId = Number(/(\d+)$/.exec(page.url())[1]);
  await page.getByRole('heading', { name: `Agent ${AGENT.username}` }).waitFor();
  await shot(t, page, 'story-02-agent.png');

  // The queue, with the agent.
  await nav.getByRole('link', { name: 'Queues', exact: true }).click();
  await page.getByRole('link', { name: 'New queue' }).click();
  await field(page, 'Channel').selectOption('sms');
  await field(page, 'Name').fill('Story SMS');
  await button(page, 'Create queue').click();
  await page.waitForURL(/\/admin\/queues\/\d+$/);
  state.queueId = Number(/(\d+)$/.exec(page.url())[1]);
  await page.getByRole('tab', { name: 'Agents' }).click();
  await field(page, 'Find an agent to add').fill('sofia');
  await button(page, `Add ${AGENT.username}`).click();
  await page.getByRole('table', { name: 'Members' }).getByRole('cell', { name: AGENT.username, exact: true }).waitFor();
  await shot(t, page, 'story-03-queue.png');

  // The SMS account: Twilio, its domain this server (the fake provider stands in for Twilio).
  await nav.getByRole('link', { name: 'SMS accounts', exact: true }).click();
  await page.getByRole('link', { name: 'New SMS account' }).click();
  await page.waitForURL('**/admin/sms/new');
  await field(page, 'Name').fill('Story shop');
  await field(page, 'Key').fill('STORY');
  await field(page, 'Phone').fill(TW.phone);
  assert.equal(await field(page, 'Type').inputValue(), 'twilio');
  await field(page, 'Account SID').fill(TW.account_id);
  await field(page, 'Auth Token').fill(TW.auth_token);
  await field(page, 'Proxy or Motion domain').fill(srv.base);
  await shot(t, page, 'story-04-sms-new.png');
  await button(page, 'Add SMS account').click();
  await page.waitForURL(/\/admin\/sms\/\d+$/);
  state.accountId = Number(/(\d+)$/.exec(page.url())[1]);
  await page.getByRole('heading', { name: 'SMS account Story shop' }).waitFor();
  state.receiveUrl = await field(page, 'Receive URL').inputValue();
  assert.equal(state.receiveUrl, `${srv.base}/api/sms/accounts/${state.accountId}/receive`);
  await shot(t, page, 'story-05-sms-settings.png');

  // Before there is a flow, a stray SMS: it stays open and unassigned.
  await inbound('story-stray', STRAY, 'Is my parcel coming? (wrong number)');

  const tab = (name) => page.getByRole('tablist', { name: 'SMS account' }).getByRole('tab', { name, exact: true });
  const save = async () => {
    const answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/sms/accounts/${state.accountId}`) && r.request().method() === 'PATCH');
    await button(page, 'Save').click();
    assert.equal((await answer).status(), 200);
  };
  // A disposition of the account, and the disposition made mandatory.
  await tab('Dispositions').click();
  await button(page, 'Add disposition').click();
  const dialog = page.locator('dialog[open]');
  await field(dialog, 'Name').fill('Parcel found');
  await button(dialog, 'Add').click();
  await dialog.waitFor({ state: 'detached' });
  await button(page, 'Edit Parcel found').waitFor();
  await tab('Disposition').click();
  await field(page, 'Mandatory disposition').check();
  await save();
  await shot(t, page, 'story-06-sms-disposition.png');

  // The agent is an agent of the account.
  await tab('Agents').click();
  await field(page, `${AGENT.full_name} (${AGENT.username})`).check();
  await button(page, 'Save agents').click();
  await page.getByRole('status').filter({ hasText: 'Agents saved.' }).waitFor();

  // The flow: into the queue.
  await tab('Actions').click();
  await button(page, 'Add action').click();
  const a1 = page.getByRole('listitem', { name: 'Action 1' });
  assert.equal(await field(a1, 'Application').inputValue(), 'queue');
  await field(a1, 'Queue').selectOption({ label: 'Story SMS' });
  await button(page, 'Save flow').click();
  await page.getByText('Flow saved.').waitFor();
  await shot(t, page, 'story-07-sms-flow.png');

  // What the screens saved, as the API reads it.
  const acc = (await api.request('GET', `/api/v1/sms/accounts/${state.accountId}`)).json;
  assert.equal(acc.mandatory_disposition, true);
  assert.deepEqual(acc.agents, [state.agentId]);
  assert.equal(acc.receive_url, state.receiveUrl);
  const flow = (await api.request('GET', `/api/v1/flows/sms/${state.accountId}/actions`)).json;
  assert.deepEqual(flow.actions.map((x) => [x.application, x.queue_id]), [['queue', state.queueId]]);
});

test('2–3. an SMS arrives through the fake Twilio; the agent accepts, replies and disposes', async (t) => {
  agent = await h.openContext(browser, srv, { expected: EXPECTED, tolerate: () => outage });
  const { page } = agent;
  // First login: the agent chooses a password.
  await h.signIn(page, srv, AGENT.username, AGENT.password);
  await page.getByRole('heading', { name: 'Change password' }).waitFor();
  await field(page, 'Current password').fill(AGENT.password);
  await field(page, 'New password').fill(AGENT.next);
  await field(page, 'Confirm new password').fill(AGENT.next);
  await button(page, 'Change password').click();
  await page.getByText(`Signed in as ${AGENT.full_name} (agent)`).waitFor();
  await page.getByRole('heading', { name: 'Incoming' }).waitFor();

  // Logs in to the SMS channel: the queue counts the agent available.
  const sms = field(page, 'SMS');
  assert.equal(await sms.isChecked(), false);
  await sms.check();
  await until(async () => (await api.request('GET', '/api/v1/realtime/queues')).json.queues.find((q) => q.queue_id === state.queueId)?.available === 1, 'the agent available in the queue');
  await shot(t, page, 'story-08-desk.png');

  // The customer writes.
  await inbound('story-in-1', CUSTOMER, 'My parcel has not arrived');
  const offer = page.getByRole('listitem', { name: `Offer from ${CUSTOMER}` });
  await offer.getByText('My parcel has not arrived').waitFor();
  await shot(t, page, 'story-09-offer.png');
  await button(offer, `Accept ${CUSTOMER}`).click();
  await offer.waitFor({ state: 'detached' });
  await page.getByRole('tab', { name: CUSTOMER }).waitFor();
  const log = page.getByRole('log', { name: 'Messages' });
  await log.getByText('My parcel has not arrived').waitFor();

  // The reply reaches Twilio (the fake) with the account's credentials.
  const sentBefore = fp.requests.length;
  await field(page, 'Reply to the customer').fill('It is at the post office, sorry!');
  await button(page, 'Send reply').click();
  const req = await until(() => fp.requests.slice(sentBefore).find((r) => r.provider === 'twilio' && r.method === 'POST'), 'the reply at the fake Twilio');
  assert.equal(req.status, 201, `the fake Twilio accepted it: ${req.body}`);
  assert.equal(req.path, `/2010-04-01/Accounts/${TW.account_id}/Messages.json`);
  assert.equal(req.headers.authorization, 'Basic ' + Buffer.from(`${TW.account_id}:${TW.auth_token}`).toString('base64'));
  const form = new URLSearchParams(req.body);
  assert.equal(form.get('Body'), 'It is at the post office, sorry!');
  assert.equal(form.get('To'), CUSTOMER);
  assert.equal(form.get('From'), TW.phone);
  await log.locator('.bubble--out').filter({ hasText: 'It is at the post office, sorry!' }).waitFor();
  await shot(t, page, 'story-10-reply.png');

  // Disposing: required by the account; refused without one, accepted with one.
  await button(page, 'Close…').click();
  const close = page.getByRole('dialog', { name: 'Close interaction' });
  await button(close, 'Close interaction').click();
  await close.getByText('This account requires a disposition.', { exact: true }).waitFor();
  await shot(t, page, 'story-11-dispose-required.png');
  await until(async () => (await field(close, 'Disposition').locator('option').allInnerTexts()).includes('Parcel found'), 'the account\'s disposition');
  await field(close, 'Disposition').selectOption({ label: 'Parcel found' });
  await button(close, 'Close interaction').click();
  await page.getByText(`Interaction with ${CUSTOMER} closed.`).waitFor();
  await page.getByRole('tab', { name: CUSTOMER }).waitFor({ state: 'detached' });
  await shot(t, page, 'story-12-disposed.png');
  const list = (await api.request('GET', `/api/v1/interactions?channel=sms&account_id=${state.accountId}`)).json.items;
  const mine = list.find((x) => x.contact.phone === CUSTOMER);
  assert.equal(mine.status, 'closed');
  assert.equal(mine.disposition, 'Parcel found');
  state.ixId = mine.id;
  state.strayId = list.find((x) => x.contact.phone === STRAY).id;
});

test('4. the admin finds it with a two-condition advanced search and exports it as CSV', async (t) => {
  const { page } = admin;
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'SMS accounts', exact: true }).click();
  await button(page, 'Actions for Story shop').click();
  await page.getByRole('menuitem', { name: 'Interactions' }).click();
  await page.waitForURL(`**/admin/sms/${state.accountId}/interactions`);
  await page.getByRole('heading', { name: 'Interactions of SMS Story shop' }).waitFor();
  const rowsAre = (want, what) => until(async () => JSON.stringify(await h.rowIds(page)) === JSON.stringify(want), what);
  await rowsAre([state.ixId, state.strayId].sort((a, b) => b - a), 'both interactions listed');

  await page.getByRole('button', { name: /^Advanced search/ }).click();
  await field(page, 'Field').selectOption({ label: 'Message text' });
  await field(page, 'Operator').selectOption({ label: 'contains' });
  await field(page, 'Value').fill('parcel');
  await button(page, 'Add condition').click();
  await field(page, 'Field').selectOption({ label: 'Status' });
  await field(page, 'Operator').selectOption({ label: 'equals' });
  await field(page, 'Value').selectOption('closed');
  await button(page, 'Add condition').click();
  assert.equal(await page.getByTestId('condition').count(), 2);
  await button(page, 'Search').click();
  // Both write about a parcel; only the agent's is closed.
  await rowsAre([state.ixId], 'the disposed interaction alone');
  await shot(t, page, 'story-13-search.png');

  const file = await h.download(page, () => button(page, 'Export all (CSV)').click());
  await page.getByTestId('export-progress').getByText(/Export ready: 1 row/).waitFor();
  await shot(t, page, 'story-14-export.png');
  assert.match(file.name, /^interactions-sms-\d+-\d{8}-\d{4}\.csv$/);
  const rows = h.parseCsv(file.body.toString('utf8'));
  assert.equal(rows.length, 2, JSON.stringify(rows));
  const row = Object.fromEntries(rows[0].map((k, i) => [k, rows[1][i]]));
  assert.equal(row.id, String(state.ixId));
  assert.equal(row.status, 'closed');
  assert.equal(row.owner_name, AGENT.full_name);
  assert.equal(row.disposition, 'Parcel found');
  assert.equal(row.last_message, 'It is at the post office, sorry!');
  // Formula-safe: a cell that starts with + gets a leading quote (docs/interactions-search.md).
  assert.equal(row.phone, `'${CUSTOMER}`);
});

test('5. admin and agent exchange messenger messages and see the unread badge', async (t) => {
  const a = admin.page;
  const g = agent.page;
  await button(a, 'Messenger').click();
  const panel = a.getByRole('dialog', { name: 'Messenger' });
  await field(panel, 'Search people').fill('sofia');
  await panel.getByRole('button', { name: new RegExp(`^${AGENT.full_name}, online`) }).click();
  await field(panel, `Message to ${AGENT.full_name}`).fill('Nice work on the parcel case.');
  await button(panel, 'Send').click();
  await panel.getByRole('log').getByText('Nice work on the parcel case.').waitFor();
  await shot(t, a, 'story-15-messenger-admin.png');

  // The agent's header shows the badge; opening the conversation reads it.
  const badge = g.getByRole('button', { name: 'Messenger, 1 unread' });
  await badge.waitFor();
  assert.equal(await g.getByTestId('messenger-badge').innerText(), '1');
  await shot(t, g, 'story-16-messenger-badge.png');
  await badge.click();
  const gp = g.getByRole('dialog', { name: 'Messenger' });
  await gp.getByRole('button', { name: /, 1 unread$/ }).click();
  await gp.getByRole('log').getByText('Nice work on the parcel case.').waitFor();
  await button(g, 'Messenger').waitFor(); // read: no badge any more

  // With the admin's panel closed, the agent's answer raises the admin's badge.
  await button(a, 'Close messenger').click();
  await panel.waitFor({ state: 'detached' });
  await gp.getByLabel(/^Message to /).fill('Thanks! Customer is happy.');
  await button(gp, 'Send').click();
  await gp.getByRole('log').getByText('Thanks! Customer is happy.').waitFor();
  await a.getByRole('button', { name: 'Messenger, 1 unread' }).waitFor();
  await shot(t, a, 'story-17-messenger-admin-badge.png');
  await g.keyboard.press('Escape');
  await gp.waitFor({ state: 'detached' });
});

test('6. killing the server shows the disconnection banner on both pages; its restart clears it', async (t) => {
  const a = admin.page;
  const g = agent.page;
  const banner = (p) => p.getByRole('alert').filter({ hasText: 'Connection lost' });
  outage = true;
  const port = srv.port;
  const db = srv.pgDatabase ? { pgDatabase: srv.pgDatabase } : { sqlitePath: srv.sqlitePath };
  assert.equal((await srv.stop('SIGKILL')).signal, 'SIGKILL');
  await banner(a).waitFor();
  await banner(g).waitFor();
  await shot(t, a, 'story-18-banner-admin.png');
  await shot(t, g, 'story-19-banner-agent.png');

  // The same port and database: the pages reconnect by themselves (backoff up to 30 s).
  srv = await startServer({ webRoot: h.webRoot, db, tmp: srv.tmp, env: { ...serverEnv(), SWITCHBOARD_HTTP_PORT: String(port) } });
  await banner(a).waitFor({ state: 'detached', timeout: 45000 });
  await banner(g).waitFor({ state: 'detached', timeout: 45000 });
  outage = false;
  await g.getByText(`Signed in as ${AGENT.full_name} (agent)`).waitFor();
  // The data survived: a reload (the address keeps the search) lists the interaction again.
  await a.reload();
  await a.getByRole('heading', { name: 'Interactions of SMS Story shop' }).waitFor();
  await until(async () => JSON.stringify(await h.rowIds(a)) === JSON.stringify([state.ixId]), 'the interaction after the restart');
  await shot(t, a, 'story-20-reconnected-admin.png');
  await shot(t, g, 'story-21-reconnected-agent.png');
});
