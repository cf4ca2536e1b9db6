'use strict';
// Browser tests of the interaction lists, the advanced search builder, the CSV export, spy and
// bulk delete (admin console), and of the agent desk's new SMS, canned answers and mandatory
// disposition, against the real server serving the built web app and the fake SMS providers
// (tests/api/lib/fake_providers.js). Inbound SMS arrive as signed Twilio webhooks from five
// numbers; the admin opens the account's list from the SMS accounts row menu (and through the
// "#/console/sms/{id}/interactions" link form), builds a two-condition search, disables one
// condition and enables it again, switches all/any, exports the matches as CSV (the downloaded file is read), spies one
// interaction and adds an internal note, downloads its transcript, and deletes two. An agent of
// the account starts a new SMS (the fake provider receives it), replies with a canned answer
// rendered for the contact, and closes under the account's mandatory disposition with its
// pause. Screenshots go to tests/e2e/artifacts/. Any page error, console error or unexpected
// failed request fails the run.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startServer, adminClient, login, STRONG } = require('../api/lib/server.js');
const { startFakeProviders, FAKE_CREDS, webhook } = require('../api/lib/fake_providers.js');
const h = require('./lib/harness.js');

const { field, until, download, rowIds, shot } = h;
const AGENT_PW = 'Agent!Passw0rd-ix1';

let srv, fp, browser, api, admin, agent;
const state = { ids: {} };

// Five customers: [phone, text]. Two of +1555701… write about a refund, one of +1555703… too.
const INBOUND = [
  ['+15557010001', 'I want a refund please'],
  ['+15557010002', 'Refund status?'],
  ['+15557020003', 'hello there'],
  ['+15557010004', 'just saying hi'],
  ['+15557030005', 'REFUND now'],
];

before(async () => {
  h.prepare();
  fp = await startFakeProviders();
  srv = await startServer({ webRoot: h.webRoot, env: { SWITCHBOARD_SMS_TEST_BASE_URL: fp.baseUrl } });
  api = await adminClient(srv);
  browser = await h.launch();
  admin = await openContext();
});

after(async () => {
  if (agent) await agent.close();
  if (admin) await admin.close();
  if (browser) await browser.close();
  if (srv) assert.equal((await srv.stop()).code, 0, srv.stderr());
  if (fp) await fp.stop();
});

// Failed requests the scenario causes on purpose: the session probe before signing in and the
// close refused without a disposition on an account that requires one.
const EXPECTED_FAILURES = [
  { method: 'GET', path: /^\/api\/v1\/auth\/me$/, status: [401] },
  { method: 'POST', path: /^\/api\/v1\/interactions\/\d+\/close$/, status: [422] },
];

const openContext = () => h.openContext(browser, srv, { expected: EXPECTED_FAILURES });
const signIn = (page, username, password) => h.signIn(page, srv, username, password);

const idsOf = (...phones) => phones.map((p) => state.ids[p]).sort((a, b) => b - a);

async function rowsAre(page, want, what) {
  const sorted = [...want].sort((a, b) => b - a);
  await until(async () => JSON.stringify(await rowIds(page)) === JSON.stringify(sorted), `${what}: rows ${sorted}`).catch(async (e) => {
    // Say what the page showed instead (a banner, "Loading…", an empty table), for the log.
    const main = await page.locator('main').innerText().catch(() => '(no main)');
    throw new Error(`${e.message}; shown ${JSON.stringify(await rowIds(page))} at ${page.url()}; page text: ${main.slice(0, 600)}`);
  });
}

test('setup (API): a Twilio SMS account with a disposition and a canned answer, an agent of it, five inbound SMS', async () => {
  const c = FAKE_CREDS.twilio;
  let r = await api.request('POST', '/api/v1/sms/accounts', {
    body: { name: 'Shop SMS', key: 'shop', type: 'twilio', domain: srv.baseUrl, phone: c.phone, credentials: { account_sid: c.account_id, auth_token: c.auth_token },
      mandatory_disposition: true, disposition_pause: 'Disposing' },
  });
  assert.equal(r.status, 201, r.text);
  state.account = r.json;
  r = await api.request('POST', '/api/v1/agents', { body: { username: 'erin.sms', full_name: 'Erin Agent', password: AGENT_PW } });
  assert.equal(r.status, 201, r.text);
  state.agent = r.json;
  const first = await login(srv, 'erin.sms', AGENT_PW);
  r = await first.request('POST', '/api/v1/auth/password', { body: { current_password: AGENT_PW, new_password: STRONG } });
  assert.equal(r.status, 204, r.text);
  r = await api.request('PUT', `/api/v1/sms/accounts/${state.account.id}/agents`, { body: { agent_ids: [state.agent.id] } });
  assert.equal(r.status, 200, r.text);
  r = await api.request('POST', '/api/v1/dispositions', { body: { name: 'Resolved', scope: 'account', channel: 'sms', account_id: state.account.id } });
  assert.equal(r.status, 201, r.text);
  r = await api.request('POST', '/api/v1/canned-answers', {
    body: { name: 'Greeting', body: 'Hello {{contact.phone}}, this is {{agent.full_name}}.', scope: 'account', channel: 'sms', account_id: state.account.id },
  });
  assert.equal(r.status, 201, r.text);

  for (const [i, [from, text]] of INBOUND.entries()) {
    const w = webhook('twilio', 'inbound', { id: `ix-in-${i}`, from, to: c.phone, text }, { url: state.account.receive_url });
    const u = new URL(w.url);
    r = await srv.request(w.method, u.pathname + u.search, { body: w.body, headers: w.headers });
    assert.ok(r.status >= 200 && r.status < 300, `inbound ${from}: ${r.status} ${r.text}`);
  }
  const list = await until(async () => {
    const l = await api.request('GET', `/api/v1/interactions?channel=sms&account_id=${state.account.id}&limit=50`);
    return l.status === 200 && l.json.total === INBOUND.length ? l.json : null;
  }, 'five interactions');
  for (const it of list.items) state.ids[it.contact.phone] = it.id;
  assert.equal(Object.keys(state.ids).length, 5);
  // Two of them answered and closed by the agent (only closed interactions may be deleted):
  // writing to the number takes the waiting interaction.
  for (const phone of ['+15557020003', '+15557010004']) {
    r = await first.request('POST', `/api/v1/sms/accounts/${state.account.id}/interactions`, { body: { phone, body: 'Thanks, all sorted.' } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.id, state.ids[phone]);
    r = await first.request('POST', `/api/v1/interactions/${r.json.id}/close`, { body: { disposition: 'Resolved' } });
    assert.equal(r.status, 200, r.text);
  }
});

test('the admin opens the account interactions and builds a two-condition search; disabling one widens it, enabling it again narrows it', async (t) => {
  const { page } = admin;
  await signIn(page, 'admin', STRONG);
  await page.waitForURL('**/admin/**');
  // From the SMS accounts list: the account's row menu, Interactions.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'SMS accounts' }).click();
  await page.getByRole('button', { name: 'Actions for Shop SMS' }).click();
  await page.getByRole('menuitem', { name: 'Interactions' }).click();
  await page.waitForURL(`**/admin/sms/${state.account.id}/interactions`);
  await page.getByRole('heading', { name: 'Interactions of SMS Shop SMS' }).waitFor();
  await rowsAre(page, Object.values(state.ids), 'everything');
  await shot(t, page, 'ix-list.png');

  await page.getByRole('button', { name: /^Advanced search/ }).click();
  await field(page, 'Field').selectOption({ label: 'Message text' });
  await field(page, 'Operator').selectOption({ label: 'contains' });
  await field(page, 'Value').fill('refund');
  await page.getByRole('button', { name: 'Add condition' }).click();
  // A value of the wrong type is refused at the field, nothing is added.
  await field(page, 'Field').selectOption({ label: 'ID' });
  await field(page, 'Operator').selectOption({ label: 'is between' });
  await field(page, 'From').fill('9');
  await page.getByRole('button', { name: 'Add condition' }).click();
  await page.getByText(/Enter both bounds/).waitFor();
  assert.equal(await page.getByTestId('condition').count(), 1);
  await field(page, 'Field').selectOption({ label: 'Contact phone' });
  await field(page, 'Operator').selectOption({ label: 'starts with' });
  await field(page, 'Value').fill('+1555701');
  await page.getByRole('button', { name: 'Add condition' }).click();
  assert.equal(await page.getByTestId('condition').count(), 2);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await rowsAre(page, idsOf('+15557010001', '+15557010002'), 'refund AND +1555701');
  await shot(t, page, 'ix-search.png');

  const phoneChip = page.getByRole('button', { name: 'Contact phone starts with “+1555701”', exact: true });
  await phoneChip.click();
  await page.getByRole('menuitem', { name: 'Disable' }).click();
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await rowsAre(page, idsOf('+15557010001', '+15557010002', '+15557030005'), 'refund only (phone disabled)');
  await shot(t, page, 'ix-search-disabled.png');
  await page.getByRole('button', { name: /Contact phone starts with “\+1555701”\s\(disabled\)/ }).click();
  await page.getByRole('menuitem', { name: 'Enable' }).click();
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await rowsAre(page, idsOf('+15557010001', '+15557010002'), 'both again');

  // Any of them: refund OR +1555701…
  await page.getByLabel('At least one').check();
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await rowsAre(page, idsOf('+15557010001', '+15557010002', '+15557010004', '+15557030005'), 'refund OR +1555701');
  // Edit the text condition: click it, Edit, change the value, save.
  await page.getByRole('button', { name: 'Message text contains “refund”', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Edit' }).click();
  await field(page, 'Value').fill('hello');
  await page.getByRole('button', { name: 'Save condition' }).click();
  await page.getByLabel('All of them').check();
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await rowsAre(page, [], 'hello AND +1555701');
  await page.getByRole('button', { name: 'Message text contains “hello”', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Edit' }).click();
  await field(page, 'Value').fill('refund');
  await page.getByRole('button', { name: 'Save condition' }).click();
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await rowsAre(page, idsOf('+15557010001', '+15557010002'), 'refund AND +1555701 after the edits');
  // The address keeps the search: a reload shows the same rows and conditions.
  assert.match(decodeURIComponent(page.url()), /[?&]q=\{"match":"all"/);
  await page.reload();
  await page.getByRole('heading', { name: 'Interactions of SMS Shop SMS' }).waitFor();
  await rowsAre(page, idsOf('+15557010001', '+15557010002'), 'after a reload');
  assert.equal(await page.getByTestId('condition').count(), 2);
});

test('the admin exports the matches as CSV (the downloaded file holds them) with progress', async (t) => {
  const { page } = admin;
  let file = await download(page, () => page.getByRole('button', { name: 'Export all (CSV)' }).click());
  await page.getByTestId('export-progress').getByText(/Export ready: 2 rows/).waitFor();
  await shot(t, page, 'ix-export.png');
  assert.match(file.name, /^interactions-sms-\d+-\d{8}-\d{4}\.csv$/);
  let lines = file.body.toString('utf8').replace(/\r?\n$/, '').split(/\r?\n/);
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.match(lines[0], /^"?id"?,/);
  assert.ok(lines.some((l) => l.includes('+15557010001')) && lines.some((l) => l.includes('+15557010002')), lines.join('\n'));

  // A selection: one row.
  await page.getByLabel(`Select interaction ${state.ids['+15557010002']}`, { exact: true }).check();
  file = await download(page, () => page.getByRole('button', { name: 'Export selected (CSV)' }).click());
  lines = file.body.toString('utf8').replace(/\r?\n$/, '').split(/\r?\n/);
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[1], new RegExp(`^"?${state.ids['+15557010002']}"?,`));
  await page.getByLabel(`Select interaction ${state.ids['+15557010002']}`, { exact: true }).uncheck();
});

test('the admin spies one interaction, adds an internal note and downloads its transcript', async (t) => {
  const { page } = admin;
  const id = state.ids['+15557010001'];
  await page.getByRole('button', { name: `Actions of interaction ${id}` }).click();
  await page.getByRole('menuitem', { name: 'Spy' }).click();
  await page.waitForURL(`**/admin/sms/${state.account.id}/interactions/${id}`);
  await page.getByText('I want a refund please').waitFor();
  await field(page, 'Internal note (only staff see it; never sent to the customer)').fill('Refund approved, call back tomorrow');
  await page.getByRole('button', { name: 'Add note' }).click();
  const note = page.locator('.bubble--note', { hasText: 'Refund approved, call back tomorrow' });
  await note.waitFor();
  assert.match(await note.innerText(), /Internal note · /);
  const msgs = (await api.request('GET', `/api/v1/interactions/${id}/messages`)).json.items;
  assert.ok(msgs.some((m) => m.internal === true && m.body === 'Refund approved, call back tomorrow'));
  assert.equal((fp.sent('twilio') || []).filter((m) => /Refund approved/.test(JSON.stringify(m))).length, 0, 'a note is never sent');
  await shot(t, page, 'ix-spy.png');

  const zip = await download(page, () => page.getByRole('button', { name: 'Download transcript' }).click());
  assert.equal(zip.name, `interaction-${id}-transcript.zip`);
  assert.equal(zip.body.subarray(0, 2).toString('latin1'), 'PK');
  const tmp = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sbix-')), 't.zip');
  fs.writeFileSync(tmp, zip.body);
  const txt = execFileSync('unzip', ['-p', tmp, 'transcript.txt'], { encoding: 'utf8' });
  fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  assert.match(txt, /I want a refund please/);
  assert.match(txt, /NOTE.*Refund approved, call back tomorrow/);
});

test('the admin lists the closed interactions and deletes them after confirming', async (t) => {
  const { page } = admin;
  await page.getByRole('link', { name: /Interactions of Shop SMS/ }).click();
  await page.getByRole('heading', { name: 'Interactions of SMS Shop SMS' }).waitFor();
  // Back on the list as it was left: the search still applies; clear it.
  await rowsAre(page, idsOf('+15557010001', '+15557010002'), 'the search kept');
  await page.getByRole('button', { name: 'Delete all conditions' }).click();
  assert.equal(await page.getByTestId('condition').count(), 0);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await rowsAre(page, Object.values(state.ids), 'no condition: everything');
  await field(page, 'Status').selectOption({ label: 'Closed' });
  const gone = idsOf('+15557020003', '+15557010004');
  await rowsAre(page, gone, 'the closed ones');
  await page.getByLabel('Select every interaction of this page', { exact: true }).check();
  await page.getByRole('button', { name: 'Delete selected' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete interactions' });
  await dialog.getByText('Delete the 2 selected interactions').waitFor();
  await shot(t, page, 'ix-delete-confirm.png');
  await dialog.getByRole('button', { name: 'Delete 2 interactions' }).click();
  await page.getByText('2 interactions deleted.').waitFor();
  await rowsAre(page, [], 'no closed one left');
  await field(page, 'Status').selectOption({ label: 'Open and closed' });
  await rowsAre(page, idsOf('+15557010001', '+15557010002', '+15557030005'), 'after the delete');
  const r = await api.request('GET', `/api/v1/interactions?channel=sms&account_id=${state.account.id}`);
  assert.equal(r.json.total, 3);
  for (const id of gone) assert.equal((await api.request('GET', `/api/v1/interactions/${id}`)).status, 404);

  // A link written "#/console/sms/{id}/interactions" leads to the account's list too.
  await page.goto(`${srv.base}/admin#/console/sms/${state.account.id}/interactions`);
  await page.waitForURL(`**/admin/sms/${state.account.id}/interactions`);
  await rowsAre(page, idsOf('+15557010001', '+15557010002', '+15557030005'), 'through the hash link');

  // The console's Interactions section lists the channel across accounts.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Interactions', exact: true }).click();
  await page.getByRole('heading', { name: 'SMS interactions' }).waitFor();
  await rowsAre(page, idsOf('+15557010001', '+15557010002', '+15557030005'), 'every SMS account');
  await page.getByRole('navigation', { name: 'Channel' }).getByRole('link', { name: 'Open Channel' }).click();
  await page.getByRole('heading', { name: 'Open Channel interactions' }).waitFor();
  await rowsAre(page, [], 'no Open Channel interaction');
});

test('the agent starts a new SMS, answers with a canned answer and closes under the mandatory disposition', async (t) => {
  agent = await openContext();
  const { page } = agent;
  await signIn(page, 'erin.sms', STRONG);
  await page.getByRole('heading', { name: 'Agent desktop' }).waitFor();
  await page.getByRole('button', { name: 'New SMS…' }).click();
  const dialog = page.getByRole('dialog', { name: 'New SMS' });
  // The account is chosen among the agent's own (GET /agent/accounts): erin is an agent of one,
  // preselected, shown as key — name.
  const account = field(dialog, 'SMS account');
  await account.waitFor();
  assert.equal(await account.inputValue(), String(state.account.id));
  assert.deepEqual(await account.locator('option').allTextContents(), ['shop — Shop SMS']);
  await field(dialog, 'Phone number').fill('555 709 0009');
  await field(dialog, 'First message').fill('Hello from the desk');
  await dialog.getByRole('button', { name: 'Send' }).click();
  await dialog.getByText(/international format/).first().waitFor();
  await field(dialog, 'Phone number').fill('+1 555 709 0009');
  await shot(t, page, 'desk-new-sms.png');
  await dialog.getByRole('button', { name: 'Send' }).click();
  await page.getByRole('heading', { name: '+15557090009' }).waitFor();
  await page.locator('.bubble--out', { hasText: 'Hello from the desk' }).waitFor().catch(async (e) => { await shot(t, page, 'debug-newsms.png'); throw e; });
  await until(() => (fp.sent('twilio') || []).find((m) => m.to === '+15557090009' && /Hello from the desk/.test(JSON.stringify(m))), 'the fake provider got the first message');

  await page.getByRole('button', { name: 'Canned answers' }).click();
  await field(page, 'Search canned answers').fill('greet');
  await page.getByRole('button', { name: /^Greeting/ }).click();
  const reply = field(page, 'Reply to the customer');
  assert.equal(await reply.inputValue(), 'Hello +15557090009, this is Erin Agent.');
  await shot(t, page, 'desk-canned.png');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await until(() => (fp.sent('twilio') || []).find((m) => /this is Erin Agent/.test(JSON.stringify(m))), 'the canned reply reached the provider');

  // Closing: disposing pauses the agent with the account's reason; no disposition is refused.
  await page.getByRole('button', { name: 'Close…' }).click();
  const close = page.getByRole('dialog', { name: 'Close interaction' });
  await close.getByText(/You are paused \(Disposing\) while you dispose/).waitFor();
  await page.getByText('Paused: Disposing').waitFor();
  await close.getByRole('button', { name: 'Close interaction' }).click();
  await close.getByText('This account requires a disposition.', { exact: true }).waitFor();
  await until(async () => (await field(close, 'Disposition').getAttribute('aria-invalid')) === 'true', 'the disposition marked invalid');
  await shot(t, page, 'desk-dispose.png');
  await field(close, 'Disposition').selectOption({ label: 'Resolved' });
  await close.getByRole('button', { name: 'Close interaction' }).click();
  await page.getByText('Interaction with +15557090009 closed.').waitFor();
  // The desk bar showed the disposition pause and shows the agent available again (logging
  // in elsewhere through the API would end this agent's browser session: agents have one).
  await page.getByText('Available', { exact: true }).waitFor();
  const ixs = (await api.request('GET', `/api/v1/interactions?channel=sms&account_id=${state.account.id}&q=${encodeURIComponent(JSON.stringify({ conditions: [{ field: 'contact.phone', op: 'equals', value: '+15557090009' }] }))}`)).json;
  assert.equal(ixs.items.length, 1);
  assert.equal(ixs.items[0].status, 'closed');
  assert.equal(ixs.items[0].disposition, 'Resolved');
});

test('an agent removed from its SMS account is told it has none to write from', async (t) => {
  const { page } = agent;
  const r = await api.request('PUT', `/api/v1/sms/accounts/${state.account.id}/agents`, { body: { agent_ids: [] } });
  assert.equal(r.status, 200, r.text);
  await page.getByRole('button', { name: 'New SMS…' }).click();
  const dialog = page.getByRole('dialog', { name: 'New SMS' });
  await dialog.getByText('You are not an agent of any SMS account: ask an administrator to add you to one.').waitFor();
  assert.equal(await field(dialog, 'SMS account').count(), 0, 'no account to choose');
  assert.equal(await dialog.getByRole('button', { name: 'Send' }).count(), 0, 'nothing to send');
  await shot(t, page, 'desk-new-sms-none.png');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });
});
