'use strict';
// Browser tests of the agent desktop, the messenger panel, the connection banner and the
// admin's Open Channel screens, against the real server serving the built web app (as
// staff.test.js). The admin creates an Open Channel account whose reply URL points at a local
// HTTP server, with a flow into a queue; a customer's message arrives through the notify
// endpoint; the agent (a second browser context) logs in to the channel, accepts the offer,
// replies (the local server receives it and the tick turns to sent), adds a note and a tag,
// and closes with a disposition. Then the two exchange messenger messages and see the badge,
// and killing the server shows the disconnection banner that its restart clears, with the
// desk re-synced. Screenshots go to tests/e2e/artifacts/ (gitignored). Any page error,
// console error or unexpected failed request fails the run.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { startServer, adminClient, login, STRONG } = require('../api/lib/server.js');
const desk = require('../api/lib/desk.js');
const h = require('./lib/harness.js');

const { webRoot, field, shot, until } = h;
const AGENT_PW = 'Agent!Passw0rd-desk1';

let srv, browser, api, admin, agent, replies;
const state = {};
// While the server is down on purpose, the browser's failed socket and fetch attempts are
// expected console errors.
let outage = false;

before(async () => {
  h.prepare();
  replies = await replyServer();
  srv = await startServer({ webRoot });
  api = await adminClient(srv);
  browser = await h.launch();
  admin = await openContext();
});

after(async () => {
  if (agent) await agent.close();
  if (admin) await admin.close();
  if (browser) await browser.close();
  if (replies) await replies.close();
  if (srv) assert.equal((await srv.stop()).code, 0, srv.stderr());
});

// A local reply-URL server: records each request and answers 200.
async function replyServer() {
  const got = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => {
      got.push({ method: req.method, body: JSON.parse(data) });
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { got, url: `http://127.0.0.1:${server.address().port}/replies`, close: () => new Promise((r) => server.close(r)) };
}

// Failed requests the scenario causes on purpose: the session probe before signing in, the
// field errors the admin fixes, and the reply refused on the account without a reply URL.
const EXPECTED_FAILURES = [
  { method: 'POST', path: /^\/api\/v1\/(openchannel\/accounts|intervals)$/, status: [422] },
  { method: 'PUT', path: /^\/api\/v1\/flows\/openchannel\/\d+\/actions$/, status: [422] },
  { method: 'GET', path: /^\/api\/v1\/auth\/me$/, status: [401] },
  { method: 'POST', path: /^\/api\/v1\/interactions\/\d+\/messages$/, status: [409] },
];

// The Open Channel token is copied to the clipboard: the context may read it.
const openContext = () => h.openContext(browser, srv, { expected: EXPECTED_FAILURES, tolerate: () => outage, clipboard: true });
const signIn = (page, username, password) => h.signIn(page, srv, username, password);

function notify(acc, body) {
  return srv.request('POST', `/api/openchannel/accounts/${acc.id}/notify`, { body, headers: { authorization: `Bearer ${acc.token}` } });
}

test('setup: a queue and an agent in it (API); the agent has its own password', async () => {
  let r = await api.request('POST', '/api/v1/queues', { body: { channel: 'openchannel', name: 'E2E web chat', agent_timeout: 300 } });
  assert.equal(r.status, 201, r.text);
  state.queue = r.json;
  r = await api.request('POST', '/api/v1/agents', {
    body: { username: 'dana.desk', full_name: 'Dana Desk', password: AGENT_PW, notification_position: 'bottom-left' } });
  assert.equal(r.status, 201, r.text);
  state.agent = r.json;
  r = await api.request('POST', `/api/v1/queues/${state.queue.id}/agents`, { body: { agent_ids: [state.agent.id] } });
  assert.equal(r.status, 200, r.text);
  const first = await login(srv, 'dana.desk', AGENT_PW);
  r = await first.request('POST', '/api/v1/auth/password', { body: { current_password: AGENT_PW, new_password: STRONG } });
  assert.equal(r.status, 204, r.text);
});

test('the admin creates an Open Channel account with a reply URL, sees its token once, and its flow', async (t) => {
  const { page } = admin;
  await signIn(page, 'admin', STRONG);
  await page.waitForURL('**/admin/**');
  const nav = page.getByRole('navigation', { name: 'Console' });
  await nav.getByRole('link', { name: 'Open Channel' }).click();
  await page.getByRole('heading', { name: 'Open Channel accounts' }).waitFor();
  await page.getByRole('link', { name: 'New account' }).click();
  await field(page, 'Name').fill('Shop chat');
  await field(page, 'Reply URL').fill('ftp://nowhere');
  await page.getByRole('button', { name: 'Create account' }).click();
  // The server names the bad field; it has focus and its message; nothing is created.
  await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('name') === 'reply_url');
  assert.equal(await field(page, 'Reply URL').getAttribute('aria-invalid'), 'true');
  assert.equal((await api.request('GET', '/api/v1/openchannel/accounts')).json.total, 0);
  await field(page, 'Reply URL').fill(replies.url);
  await shot(t, page, 'oc-account-new.png');
  await page.getByRole('button', { name: 'Create account' }).click();
  // The token, once, with a copy button.
  const token = await page.getByTestId('Token').innerText();
  assert.match(token, /^oct_[A-Za-z0-9_-]{43}$/);
  await page.getByRole('button', { name: 'Copy token' }).click();
  await page.getByRole('button', { name: 'Copy token' }).getByText('Copied').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
  await shot(t, page, 'oc-account-token.png');
  await page.getByRole('button', { name: 'Done' }).click();
  await page.waitForURL(/\/admin\/openchannel\/\d+$/);
  const id = Number(/(\d+)$/.exec(page.url())[1]);
  state.account = { id, token };
  const got = await api.request('GET', `/api/v1/openchannel/accounts/${id}`);
  assert.equal(got.json.reply_url, replies.url);
  assert.equal(got.json.token, undefined, 'never shown again');
  await page.getByRole('tab', { name: 'Inbound token' }).click();
  assert.equal(await page.getByTestId('Token').count(), 0);

  // The account's agents (they read its dispositions, among others).
  await page.getByRole('tab', { name: 'Agents' }).click();
  await field(page, 'Dana Desk (dana.desk)').check();
  await page.getByRole('button', { name: 'Save agents' }).click();
  await page.getByRole('status').filter({ hasText: 'Agents saved.' }).waitFor();
  assert.deepEqual((await api.request('GET', `/api/v1/openchannel/accounts/${id}`)).json.agents, [state.agent.id]);

  // The action flow: a Tag action, then the queue; reorder; save.
  await page.getByRole('tab', { name: 'Action flow' }).click();
  await page.getByText('No action: interactions stay open and unassigned.').waitFor();
  await page.getByRole('button', { name: 'Add action' }).click();
  const a1 = page.getByRole('listitem', { name: 'Action 1' });
  await field(a1, 'Queue').selectOption({ label: 'E2E web chat' });
  await field(a1, 'Timeout (seconds)').fill('600');
  await page.getByRole('button', { name: 'Add action' }).click();
  const a2 = page.getByRole('listitem', { name: 'Action 2' });
  await field(a2, 'Application').selectOption('tag');
  await field(a2, 'Tag').fill('web');
  await page.getByRole('button', { name: 'Move action 2 up' }).click();
  assert.equal(await field(page.getByRole('listitem', { name: 'Action 1' }), 'Tag').inputValue(), 'web');
  // A wrong timeout first: the server's field error is shown on that action.
  await field(page.getByRole('listitem', { name: 'Action 2' }), 'Timeout (seconds)').fill('0');
  await page.getByRole('button', { name: 'Save flow' }).click();
  await page.getByText('The flow was not saved').waitFor();
  assert.equal(await field(page.getByRole('listitem', { name: 'Action 2' }), 'Timeout (seconds)').getAttribute('aria-invalid'), 'true');
  await field(page.getByRole('listitem', { name: 'Action 2' }), 'Timeout (seconds)').fill('600');
  await page.getByRole('button', { name: 'Save flow' }).click();
  await page.getByRole('status').filter({ hasText: 'Flow saved.' }).waitFor();
  await shot(t, page, 'oc-flow.png');
  const flow = await api.request('GET', `/api/v1/flows/openchannel/${id}/actions`);
  assert.deepEqual(flow.json.actions.map((x) => x.application), ['tag', 'queue']);
  assert.equal(flow.json.actions[1].queue_id, state.queue.id);
  assert.equal(flow.json.actions[1].timeout, 600);
});

test('the admin adds an interval with a sub-interval and sees the realtime board', async (t) => {
  const { page } = admin;
  const nav = page.getByRole('navigation', { name: 'Console' });
  await nav.getByRole('link', { name: 'Intervals' }).click();
  await page.getByRole('link', { name: 'working time' }).waitFor();
  await page.getByRole('link', { name: 'New interval' }).click();
  await field(page, 'Name').fill('Weekend');
  await page.getByRole('button', { name: 'Add sub-interval' }).click();
  const sub = page.getByRole('listitem', { name: 'Sub-interval 1' });
  await field(sub, 'Week days').fill('sat,sun');
  await field(sub, 'Time range').fill('25:00-26:00');
  await page.getByRole('button', { name: 'Create interval' }).click();
  await page.waitForFunction(() => document.activeElement && /time_range/.test(document.activeElement.getAttribute('name') || ''));
  await field(sub, 'Time range').fill('*');
  await page.getByRole('button', { name: 'Create interval' }).click();
  await page.waitForURL(/\/admin\/intervals\/\d+$/);
  await shot(t, page, 'interval-edit.png');
  const list = (await api.request('GET', '/api/v1/intervals?q=Weekend')).json.items;
  assert.equal(list.length, 1);
  assert.equal(list[0].sub_intervals[0].week_days, 'sat,sun');

  await nav.getByRole('link', { name: 'Realtime' }).click();
  const row = page.getByRole('table', { name: 'Queues' }).getByRole('row', { name: /E2E web chat/ });
  await row.waitFor();
  state.board = row;
  await shot(t, page, 'realtime-board.png');
});

test('the agent logs in to Open Channel, gets the offer, accepts, replies, notes, tags and closes', async (t) => {
  agent = await openContext();
  const { page } = agent;
  await signIn(page, 'dana.desk', STRONG);
  await page.getByText('Signed in as Dana Desk (agent)').waitFor();
  await page.getByRole('heading', { name: 'Incoming' }).waitFor();
  // Toasts go where the agent's setting says.
  await page.locator('.toaster[data-position="bottom-left"]').waitFor({ state: 'attached' });
  const oc = field(page, 'Open Channel');
  assert.equal(await oc.isChecked(), false);
  await oc.check();
  await until(async () => (await api.request('GET', '/api/v1/realtime/queues')).json.queues.find((q) => q.queue_id === state.queue.id)?.available === 1, 'the agent available in the queue');
  assert.equal(await oc.isChecked(), true);
  // The admin's realtime board follows live (realtime.queue / agent.state events).
  await admin.page.getByRole('table', { name: 'Agents' }).getByRole('row', { name: /Dana Desk/ }).waitFor();
  await shot(t, page, 'desk-empty.png');

  let r = await api.request('POST', '/api/v1/dispositions', { body: { name: 'Delivered', scope: 'account', channel: 'openchannel', account_id: state.account.id } });
  assert.equal(r.status, 201, r.text);
  r = await api.request('POST', '/api/v1/dispositions', { body: { name: 'Left at door', parent_id: r.json.id } });
  assert.equal(r.status, 201, r.text);
  const n = await notify(state.account, { from: 'cust-1', body: 'Where is my order?', firstName: 'Carla' });
  assert.equal(n.status, 200, n.text);
  state.ix = n.json.interaction_id;
  const offer = page.getByRole('listitem', { name: 'Offer from Carla' });
  await offer.waitFor();
  await offer.getByText('Where is my order?').waitFor();
  // The admin's board counts the offer live.
  await until(async () => (await admin.page.getByRole('table', { name: 'Queues' }).getByRole('row', { name: /E2E web chat/ }).getByRole('cell').nth(2).innerText()) === '1', 'one offered on the board');
  await shot(t, page, 'desk-offer.png');
  await offer.getByRole('button', { name: 'Accept Carla' }).click();
  await offer.waitFor({ state: 'detached' });
  const tab = page.getByRole('tab', { name: 'Carla' });
  await tab.waitFor();
  assert.equal(await tab.getAttribute('aria-selected'), 'true');
  const log = page.getByRole('log', { name: 'Messages' });
  await log.getByText('Where is my order?').waitFor();

  // Reply: the local server receives it; the tick turns from queued to sent.
  await field(page, 'Reply to the customer').fill('It ships today.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await until(() => replies.got.length >= 1, 'the reply at the reply URL');
  assert.equal(replies.got[0].body.body, 'It ships today.');
  assert.equal(replies.got[0].body.interaction.id, state.ix);
  const mine = log.locator('.bubble--out').filter({ hasText: 'It ships today.' });
  await mine.locator('.ticks[data-status="sent"]').waitFor();
  assert.equal(await field(page, 'Reply to the customer').inputValue(), '', 'the box is emptied');

  // An internal note: shown apart, never sent.
  await page.getByText('Internal note', { exact: true }).click();
  await field(page, 'Internal note (only staff see it)').fill('VIP customer');
  await page.getByRole('button', { name: 'Add note' }).click();
  await log.locator('.bubble--note').filter({ hasText: 'VIP customer' }).waitFor();
  assert.equal(replies.got.length, 1, 'a note is never sent');

  // A tag.
  await field(page, 'Add tag').fill('order');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByRole('list', { name: 'Tags' }).getByText('order').waitFor();
  // The customer writes again: the thread shows it at the bottom.
  await notify(state.account, { from: 'cust-1', body: 'Thank you!' });
  await log.locator('.bubble--in').last().filter({ hasText: 'Thank you!' }).waitFor();
  await shot(t, page, 'desk-interaction.png');

  await page.getByRole('button', { name: 'Close…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Close interaction' });
  // The dispositions that apply: the defaults (global) and the account's own tree.
  await until(async () => (await field(dialog, 'Disposition').locator('option').allInnerTexts()).includes('Delivered > Left at door'), 'the account\'s dispositions');
  assert.ok((await field(dialog, 'Disposition').locator('option').allInnerTexts()).includes('Sold'), 'a default one');
  await field(dialog, 'Disposition').selectOption({ label: 'Delivered > Left at door' });
  await shot(t, page, 'desk-close-dialog.png');
  await dialog.getByRole('button', { name: 'Close interaction' }).click();
  await tab.waitFor({ state: 'detached' });
  const ix = await api.request('GET', `/api/v1/interactions/${state.ix}`);
  assert.equal(ix.json.status, 'closed');
  assert.equal(ix.json.disposition, 'Left at door');
  assert.deepEqual(ix.json.tags, ['web', 'order'], 'the flow\'s tag, then the agent\'s');
});

test('an account without a reply URL: the reply box says so and notes still work', async () => {
  const { page } = agent;
  const r = await api.request('POST', '/api/v1/openchannel/accounts', { body: { name: 'No reply' } });
  assert.equal(r.status, 201, r.text);
  const acc = r.json;
  // Only the agents of an account are offered its interactions.
  assert.equal((await api.request('PUT', `/api/v1/openchannel/accounts/${acc.id}/agents`, { body: { agent_ids: [state.agent.id] } })).status, 200);
  await api.request('PUT', `/api/v1/flows/openchannel/${acc.id}/actions`, { body: { actions: [{ application: 'queue', queue_id: state.queue.id, timeout: 600 }] } });
  await notify(acc, { from: 'cust-2', body: 'Hello?', firstName: 'Nico' });
  await page.getByRole('button', { name: 'Accept Nico' }).click();
  await page.getByRole('tab', { name: 'Nico' }).waitFor();
  await field(page, 'Reply to the customer').fill('Hi Nico');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await page.getByText('This account has no reply URL: replies cannot be sent').waitFor();
  // The box switched to notes, with the text kept.
  assert.equal(await field(page, 'Internal note (only staff see it)').inputValue(), 'Hi Nico');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.getByRole('log', { name: 'Messages' }).locator('.bubble--note').filter({ hasText: 'Hi Nico' }).waitFor();
  await page.getByText('Reply', { exact: true }).click();
  assert.equal(await field(page, 'Reply to the customer').isDisabled(), true);
  // After a reload the desk knows it from the agent's accounts (GET /agent/accounts), before
  // any reply is tried.
  await page.reload();
  await page.getByRole('tab', { name: 'Nico' }).click();
  await page.getByText('This account has no reply URL: replies cannot be sent').waitFor();
  await page.getByText('Reply', { exact: true }).click();
  assert.equal(await field(page, 'Reply to the customer').isDisabled(), true);
  // Close the tab (release): it leaves the desk, the interaction stays open.
  await page.getByRole('button', { name: 'Close tab' }).click();
  await page.getByRole('tab', { name: 'Nico' }).waitFor({ state: 'detached' });
});

test('the agent transfers an interaction to another online agent', async (t) => {
  const { page } = agent;
  // Eve: another agent, online (a socket) and logged in to Open Channel, outside the queue.
  const eve = await desk.agentDesk(srv, api, 'eve.desk', { full_name: 'Eve Desk' });
  // The routing thread learns of a new agent by a reload it is posted: until then, 404.
  await until(async () => (await eve.request('POST', '/api/v1/agent/login', { body: { channel: 'openchannel' } })).status === 200, 'Eve logged in to Open Channel');
  let r = await api.request('PATCH', `/api/v1/openchannel/accounts/${state.account.id}`, { body: { transfer_enabled: true, transfer_timeout: 300 } });
  assert.equal(r.status, 200, r.text);
  r = await notify(state.account, { from: 'cust-4', body: 'Can I speak to billing?', firstName: 'Tina' });
  const id = r.json.interaction_id;
  await page.getByRole('button', { name: 'Accept Tina' }).click();
  await page.getByRole('tab', { name: 'Tina' }).waitFor();
  await page.getByRole('button', { name: 'Transfer' }).click();
  const dialog = page.getByRole('dialog', { name: 'Transfer interaction' });
  await until(async () => (await field(dialog, 'Agent').locator('option').allInnerTexts()).includes('Eve Desk (eve.desk)'), 'Eve among the online agents');
  await field(dialog, 'Agent').selectOption({ label: 'Eve Desk (eve.desk)' });
  await shot(t, page, 'desk-transfer.png');
  await dialog.getByRole('button', { name: 'Transfer' }).click();
  await page.getByRole('tab', { name: 'Tina' }).waitFor({ state: 'detached' });
  await desk.waitFor(() => desk.events(eve.ws, 'interaction.offered', id)[0], 'offered to Eve');
  assert.equal((await eve.request('POST', `/api/v1/interactions/${id}/accept`)).status, 200);
  eve.ws.close();
});

test('two staff exchange messenger messages and see the unread badge', async (t) => {
  const a = admin.page;
  const g = agent.page;
  // The admin writes to the agent; the panel opens from the keyboard and takes the focus.
  await a.getByRole('button', { name: /^Messenger/ }).focus();
  await a.keyboard.press('Enter');
  const panel = a.getByRole('dialog', { name: 'Messenger' });
  await a.waitForFunction(() => document.getElementById('messenger-panel')?.contains(document.activeElement));
  await field(panel, 'Search people').fill('dana');
  await panel.getByRole('button', { name: /^Dana Desk, online/ }).click();
  await field(panel, 'Message to Dana Desk').fill('Can you take the VIP chats today?');
  await panel.getByRole('button', { name: 'Send' }).click();
  await panel.getByRole('log').getByText('Can you take the VIP chats today?').waitFor();
  await shot(t, a, 'messenger-admin.png');

  // The agent sees the badge on the header button, and per sender.
  const button = g.getByRole('button', { name: 'Messenger, 1 unread' });
  await button.waitFor();
  assert.equal(await g.getByTestId('messenger-badge').innerText(), '1');
  await button.click();
  const gp = g.getByRole('dialog', { name: 'Messenger' });
  const sender = gp.getByRole('button', { name: /, 1 unread$/ });
  await sender.waitFor();
  await shot(t, g, 'messenger-agent-unread.png');
  await sender.click();
  await gp.getByRole('log').getByText('Can you take the VIP chats today?').waitFor();
  await g.getByRole('button', { name: 'Messenger', exact: true }).waitFor(); // read: no badge
  await gp.getByLabel(/^Message to /).fill('Yes, on it.');
  await gp.getByRole('button', { name: 'Send' }).click();
  await gp.getByRole('log').getByText('Yes, on it.').waitFor();

  // The admin's conversation is open: the answer shows there and is read at once.
  await panel.getByRole('log').getByText('Yes, on it.').waitFor();
  await a.getByRole('button', { name: 'Back to the list' }).click();
  // Closed panel: the next message raises the admin's badge.
  await a.getByRole('button', { name: 'Close messenger' }).click();
  await gp.getByLabel(/^Message to /).fill('Done with the first one.');
  await gp.getByRole('button', { name: 'Send' }).click();
  await a.getByRole('button', { name: 'Messenger, 1 unread' }).waitFor();
  await g.keyboard.press('Escape');
  await gp.waitFor({ state: 'detached' });
});

test('the admin creates a read-only group; the agent sees it and cannot write; the admin deletes it', async (t) => {
  const a = admin.page;
  const g = agent.page;
  await a.getByRole('button', { name: /^Messenger/ }).click();
  const panel = a.getByRole('dialog', { name: 'Messenger' });
  await panel.getByRole('tab', { name: /Groups/ }).click();
  await panel.getByRole('button', { name: 'New group' }).click();
  await field(panel, 'Group name').fill('Night shift');
  await field(panel, 'Add members').fill('dan');
  await panel.getByRole('button', { name: 'Add Dana Desk' }).click();
  await panel.getByRole('list', { name: 'Members' }).getByText('Dana Desk').waitFor();
  await field(panel, 'Enable writing').uncheck();
  await shot(t, a, 'messenger-group-form.png');
  await panel.getByRole('button', { name: 'Create group' }).click();
  await panel.getByRole('button', { name: 'Group Night shift', exact: true }).click();
  await field(panel, 'Message to Night shift').fill('Shift starts at 22:00.');
  await panel.getByRole('button', { name: 'Send' }).click();

  await g.getByRole('button', { name: 'Messenger, 1 unread' }).click();
  const gp = g.getByRole('dialog', { name: 'Messenger' });
  await gp.getByRole('tab', { name: /Groups/ }).click();
  await gp.getByRole('button', { name: 'Group Night shift, 1 unread' }).click();
  await gp.getByRole('log').getByText('Shift starts at 22:00.').waitFor();
  await gp.getByText('Writing is not enabled in this group').waitFor();
  assert.equal(await gp.getByRole('button', { name: 'Edit group Night shift' }).count(), 0);
  await g.keyboard.press('Escape');
  await gp.waitFor({ state: 'detached' });

  await a.getByRole('button', { name: 'Back to the list' }).click();
  await panel.getByRole('button', { name: 'Delete group Night shift' }).click();
  await a.getByRole('dialog', { name: 'Delete group' }).getByRole('button', { name: 'Delete' }).click();
  await panel.getByRole('button', { name: 'Group Night shift', exact: true }).waitFor({ state: 'detached' });
  await panel.getByRole('status').filter({ hasText: 'Group Night shift deleted.' }).waitFor();
  assert.equal((await api.request('GET', '/api/v1/messenger/groups')).json.items.length, 0);
  await a.getByRole('button', { name: 'Close messenger' }).click();
});

test('killing the server shows the disconnection banner; its restart clears it and the desk re-syncs', async (t) => {
  const g = agent.page;
  const a = admin.page;
  const banner = (p) => p.getByRole('alert').filter({ hasText: 'Connection lost' });
  outage = true;
  const port = srv.port;
  const db = srv.pgDatabase ? { pgDatabase: srv.pgDatabase } : { sqlitePath: srv.sqlitePath };
  assert.equal((await srv.stop('SIGKILL')).signal, 'SIGKILL');
  await banner(g).waitFor();
  await banner(a).waitFor();
  await shot(t, g, 'desk-disconnected.png');

  srv = await startServer({ webRoot, db, tmp: srv.tmp, env: { SWITCHBOARD_HTTP_PORT: String(port) } });
  await banner(g).waitFor({ state: 'detached', timeout: 45000 });
  await banner(a).waitFor({ state: 'detached', timeout: 45000 });
  outage = false;
  // The agent is still logged in to the channel after the restart: a new message is offered.
  const n = await notify(state.account, { from: 'cust-3', body: 'Back online?', firstName: 'Omar' });
  assert.equal(n.status, 200, n.text);
  await g.getByRole('listitem', { name: 'Offer from Omar' }).waitFor();
  await shot(t, g, 'desk-reconnected.png');
});

test('the agent signing in elsewhere signs this page out, saying why', async (t) => {
  const g = agent.page;
  await login(srv, 'dana.desk', STRONG); // another device
  await g.getByRole('alert').filter({ hasText: 'You were signed out because your account signed in somewhere else.' }).waitFor();
  await g.waitForURL('**/login');
  await field(g, 'Username').waitFor();
  await shot(t, g, 'desk-signed-out.png');
});
