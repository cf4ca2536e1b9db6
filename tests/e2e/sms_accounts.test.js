'use strict';
// Browser tests of the SMS account screens of the admin console (seed 004), against the real
// server serving the built web app: the admin creates a Twilio account (a bad key refused at
// the field first; switching the type swaps the provider fields) and a CSCTelecom one, copies
// the Receive URL, builds a disposition tree, adds a canned answer (an unknown variable refused
// at the field first), sets transfer and the mandatory disposition, edits the action flow, adds
// an agent from the list's row menu; a reload shows everything saved and the write-only
// secrets kept. The list searches, sorts and deletes several accounts at once. Screenshots go
// to tests/e2e/artifacts/ (or SB_E2E_SCREENSHOTS). Any page error, console error or
// unexpected failed request fails.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, STRONG } = require('../api/lib/server.js');
const h = require('./lib/harness.js');

const { field, button, shot } = h;
// The server's public URL: new accounts take it as their domain, receive URLs are built on it.
const PUBLIC_URL = 'http://cc.example.test:8080';
const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-SECRET-token-0001';

let srv, browser, api, admin;
const state = {};

// Failed requests the scenario causes on purpose: the bad key, a type change without its
// credentials, the unknown variable, the session probe before signing in.
const EXPECTED_FAILURES = [
  { method: 'POST', path: /^\/api\/v1\/sms\/accounts$/, status: [422] },
  { method: 'PATCH', path: /^\/api\/v1\/sms\/accounts\/\d+$/, status: [422] },
  { method: 'POST', path: /^\/api\/v1\/canned-answers$/, status: [422] },
  { method: 'GET', path: /^\/api\/v1\/auth\/me$/, status: [401] },
];
// The Receive URL is copied to the clipboard: the context may read it.
const openContext = () => h.openContext(browser, srv, { expected: EXPECTED_FAILURES, clipboard: true });

before(async () => {
  h.prepare();
  srv = await startServer({ webRoot: h.webRoot, env: { SWITCHBOARD_HTTP_PUBLIC_URL: PUBLIC_URL } });
  api = await adminClient(srv);
  browser = await h.launch();
  admin = await openContext();
});

after(async () => {
  if (admin) await admin.close();
  if (browser) await browser.close();
  if (srv) assert.equal((await srv.stop()).code, 0, srv.stderr());
});

const focusedName = (page) => page.evaluate(() => document.activeElement && document.activeElement.getAttribute('name'));
const tab = (page, name) => page.getByRole('tablist', { name: 'SMS account' }).getByRole('tab', { name, exact: true });
const dialog = (page) => page.locator('dialog[open]');
// Clicks Save and waits for the account's PATCH to succeed.
async function saveAccount(page) {
  const answer = page.waitForResponse((r) => /\/api\/v1\/sms\/accounts\/\d+$/.test(r.url()) && r.request().method() === 'PATCH');
  await button(page, 'Save').click();
  assert.equal((await answer).status(), 200);
}

// Signs the admin in and waits for the console's first screen.
async function signIn(page) {
  await h.signIn(page, srv, 'admin', STRONG);
  await page.waitForURL('**/admin/agents');
}

test('the admin creates a Twilio account: type switch swaps the fields, a bad key is refused at the field', async (t) => {
  const { page } = admin;
  await signIn(page);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'SMS accounts', exact: true }).click();
  await page.waitForURL('**/admin/sms');
  await page.getByText('No SMS account yet.').waitFor();
  await page.getByRole('link', { name: 'New SMS account' }).click();
  await page.waitForURL('**/admin/sms/new');

  await field(page, 'Name').fill('Shop SMS');
  await field(page, 'Key').fill('AB-1');
  await field(page, 'Phone').fill('+15550001111');
  assert.equal(await field(page, 'Proxy or Motion domain').inputValue(), '', 'left to the server');
  // Twilio is the default type: its two fields; switching to CSCTelecom swaps them.
  assert.equal(await field(page, 'Type').inputValue(), 'twilio');
  await field(page, 'Account SID').waitFor();
  await field(page, 'Auth Token').waitFor();
  await field(page, 'Type').selectOption('csctelecom');
  await field(page, 'Base URL').waitFor();
  await field(page, 'API Key').waitFor();
  assert.equal(await field(page, 'Account SID').count(), 0);
  assert.equal(await field(page, 'Auth Token').count(), 0);
  await shot(t, page, 'sms-new-csctelecom-fields.png');
  await field(page, 'Type').selectOption('twilio');
  await field(page, 'Account SID').waitFor();
  assert.equal(await field(page, 'Base URL').count(), 0);
  await field(page, 'Account SID').fill(SID);
  await field(page, 'Auth Token').fill(TOKEN);

  // The API refuses the key: the message is under the Key field, which gets the focus.
  let answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/sms/accounts') && r.request().method() === 'POST');
  await button(page, 'Add SMS account').click();
  assert.equal((await answer).status(), 422);
  const keyInput = field(page, 'Key');
  await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('name') === 'key');
  assert.equal(await keyInput.getAttribute('aria-invalid'), 'true');
  const errId = (await keyInput.getAttribute('aria-describedby')).split(' ').find((x) => x.endsWith('-error'));
  assert.match(await page.locator(`[id="${errId}"]`).innerText(), /1 to 5 letters or digits/);
  assert.equal(await focusedName(page), 'key');
  await shot(t, page, 'sms-new-bad-key.png');
  assert.equal((await api.request('GET', '/api/v1/sms/accounts')).json.total, 0, 'nothing was created');

  await keyInput.fill('SHOP1');
  answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/sms/accounts') && r.request().method() === 'POST');
  await button(page, 'Add SMS account').click();
  assert.equal((await answer).status(), 201);
  await page.waitForURL(/\/admin\/sms\/\d+$/);
  state.twilio = Number(new URL(page.url()).pathname.split('/').pop());
  await page.getByRole('heading', { name: 'SMS account Shop SMS' }).waitFor();

  // The domain came from the server; the Receive URL is built on it and copies as shown.
  const receive = `${PUBLIC_URL}/api/sms/accounts/${state.twilio}/receive`;
  assert.equal(await field(page, 'Receive URL').inputValue(), receive);
  await button(page, 'Copy the receive url').click();
  await page.getByText('Receive URL copied.').waitFor({ state: 'attached' });
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), receive);
  assert.equal(await field(page, 'Delivery URL').inputValue(), `${PUBLIC_URL}/api/sms/accounts/${state.twilio}/status`);
  // The secret is write-only: empty, with the masked stored value as placeholder.
  assert.equal(await field(page, 'Auth Token').inputValue(), '');
  assert.equal(await field(page, 'Auth Token').getAttribute('placeholder'), 'unchanged (****0001)');
  assert.equal(await field(page, 'Account SID').inputValue(), SID);
  await shot(t, page, 'sms-edit-settings.png');
  await tab(page, 'Proxy').click();
  assert.equal(await field(page, 'Proxy or Motion domain').inputValue(), PUBLIC_URL);
  assert.match(await field(page, 'Proxy token').inputValue(), /^smt_[A-Za-z0-9_-]{43}$/);
});

test('a CSCTelecom account shows its receive URL with the token and the delivery URL placeholders', async (t) => {
  const { page } = admin;
  await page.goto(srv.base + '/admin/sms/new');
  await field(page, 'Name').fill('CSC line');
  await field(page, 'Key').fill('CSC1');
  await field(page, 'Type').selectOption('csctelecom');
  await field(page, 'API Key').fill('csctelecom-SECRET-key-0007');
  await field(page, 'Base URL').fill('https://sms.csctelecom.example/api/');
  await button(page, 'Add SMS account').click();
  await page.waitForURL(/\/admin\/sms\/\d+$/);
  state.csc = Number(new URL(page.url()).pathname.split('/').pop());
  const acc = (await api.request('GET', `/api/v1/sms/accounts/${state.csc}`)).json;
  const base = `${PUBLIC_URL}/api/sms/accounts/${state.csc}`;
  assert.equal(await field(page, 'Receive URL').inputValue(), `${base}/receive?token=${acc.proxy_token}`);
  const delivery = await field(page, 'Delivery URL').inputValue();
  assert.equal(delivery, `${base}/status?token=${acc.proxy_token}&message_id=<Message-Id>&state=<State>`);
  await page.getByText('CSCTelecom fills them in').waitFor();
  assert.equal(await field(page, 'Base URL').inputValue(), 'https://sms.csctelecom.example/api', 'stored normalized');
  await button(page, 'Copy the delivery url').click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), delivery);
  await shot(t, page, 'sms-edit-csctelecom.png');

  // A change of type starts from empty credentials: saving without them names each field.
  await field(page, 'Type').selectOption('telnyx');
  assert.equal(await field(page, 'API Key').getAttribute('placeholder'), '');
  assert.equal(await field(page, 'Base URL').count(), 0);
  await field(page, 'Webhook public key').waitFor();
  await page.getByText('Save the account to see the URLs of the new type.').waitFor();
  const answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/sms/accounts/${state.csc}`) && r.request().method() === 'PATCH');
  await button(page, 'Save').click();
  assert.equal((await answer).status(), 422);
  assert.equal(await field(page, 'API Key').getAttribute('aria-invalid'), 'true');
  assert.equal(await field(page, 'Webhook public key').getAttribute('aria-invalid'), 'true');
  assert.equal(await focusedName(page), 'credentials.api_key');
  // Back to CSCTelecom: the stored values again, the errors gone; nothing was changed.
  await field(page, 'Type').selectOption('csctelecom');
  assert.equal(await field(page, 'API Key').getAttribute('placeholder'), 'unchanged (****0007)');
  assert.equal(await field(page, 'API Key').getAttribute('aria-invalid'), null);
  assert.equal((await api.request('GET', `/api/v1/sms/accounts/${state.csc}`)).json.type, 'csctelecom');
});

test('dispositions tree, canned answer, transfer, disposition, flow and agents are saved and shown after a reload', async (t) => {
  const { page } = admin;
  let r = await api.request('POST', '/api/v1/agents', { body: { username: 'sam.sms', full_name: 'Sam Sms', password: 'Agent!Passw0rd-e2e' } });
  assert.equal(r.status, 201, r.text);
  state.agent = r.json.id;
  await page.goto(`${srv.base}/admin/sms/${state.twilio}`);

  // Dispositions: Sale > Online > Card, and No sale renamed Not sold.
  await tab(page, 'Dispositions').click();
  await page.getByText('No disposition of this account yet.').waitFor();
  const addDisposition = async (opener, name) => {
    await opener.click();
    await field(dialog(page), 'Name').fill(name);
    await button(dialog(page), 'Add').click();
    await dialog(page).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: `Edit ${name}`, exact: true }).waitFor();
  };
  await addDisposition(button(page, 'Add disposition'), 'Sale');
  await addDisposition(button(page, 'Add a child to Sale'), 'Online');
  await addDisposition(button(page, 'Add a child to Online'), 'Card');
  await addDisposition(button(page, 'Add disposition'), 'No sale');
  assert.equal(await button(page, 'Add a child to Card').count(), 0, 'three levels at most');
  await button(page, 'Edit No sale').click();
  await field(dialog(page), 'Name').fill('Not sold');
  await button(dialog(page), 'Save').click();
  await button(page, 'Edit Not sold').waitFor();
  await button(page, 'Delete Online').click();
  await dialog(page).getByText('It deletes its children too: 1 disposition below it.').waitFor();
  await shot(t, page, 'sms-dispositions-delete.png');
  await button(dialog(page), 'Cancel').click();
  let tree = (await api.request('GET', `/api/v1/dispositions?scope=account&channel=sms&account_id=${state.twilio}`)).json.items;
  assert.deepEqual(tree.map((d) => d.path), ['Not sold', 'Sale', 'Sale > Online', 'Sale > Online > Card']);

  // Canned answers: an unknown variable is refused at the Text field; a variable inserted.
  await tab(page, 'Canned answers').click();
  await button(page, 'Add canned answer').click();
  await field(dialog(page), 'Name').fill('Greeting');
  await field(dialog(page), 'Text').fill('Hi {{agent.nickname}}');
  await button(dialog(page), 'Add').click();
  await dialog(page).getByText('unknown variable {{agent.nickname}}').waitFor();
  assert.equal(await field(dialog(page), 'Text').getAttribute('aria-invalid'), 'true');
  await field(dialog(page), 'Text').fill('Hello, I am ');
  await dialog(page).getByText('Variables', { exact: true }).click();
  await button(dialog(page), 'Insert {{agent.alias}}').click();
  assert.equal(await field(dialog(page), 'Text').inputValue(), 'Hello, I am {{agent.alias}}');
  await shot(t, page, 'sms-canned-new.png');
  await button(dialog(page), 'Add').click();
  await page.getByRole('cell', { name: 'Hello, I am {{agent.alias}}' }).waitFor();
  await field(page, 'Search canned answers').fill('zzz');
  await page.getByText('No canned answer matches.').waitFor();
  await field(page, 'Search canned answers').fill('hello');
  await page.getByRole('cell', { name: 'Greeting', exact: true }).waitFor();

  // Transfer and disposition settings.
  await tab(page, 'Transfer').click();
  await field(page, 'Agents may transfer').check();
  await field(page, 'Transfer timeout (seconds)').fill('120');
  await saveAccount(page);
  await tab(page, 'Disposition').click();
  await field(page, 'Mandatory disposition').check();
  await field(page, 'Pause while disposing').fill('Disposing');
  await saveAccount(page);

  // The action flow, with the shared flow editor for channel sms.
  await tab(page, 'Actions').click();
  await button(page, 'Add action').click();
  await field(page, 'Application').selectOption('auto_reply');
  await field(page, 'Reply text').fill('Thanks, we answer soon');
  await button(page, 'Save flow').click();
  await page.getByText('Flow saved.').waitFor();
  await shot(t, page, 'sms-actions.png');

  // Add agent from the list's row menu.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'SMS accounts', exact: true }).click();
  await button(page, 'Actions for Shop SMS').click();
  const menu = page.getByRole('menu', { name: 'Actions for Shop SMS' });
  for (const item of ['Edit', 'Interactions', 'Add agent', 'Delete']) await menu.getByRole('menuitem', { name: item, exact: true }).waitFor();
  await shot(t, page, 'sms-list-menu.png');
  await menu.getByRole('menuitem', { name: 'Add agent' }).click();
  await field(dialog(page), 'Sam Sms (sam.sms)').check();
  await button(dialog(page), 'Save agents').click();
  await dialog(page).waitFor({ state: 'detached' });
  const row = page.getByRole('row').filter({ hasText: 'Shop SMS' });
  await row.getByRole('cell', { name: '1', exact: true }).waitFor();

  // Reload: everything is there, the secret kept.
  await page.goto(`${srv.base}/admin/sms/${state.twilio}`);
  assert.equal(await field(page, 'Name').inputValue(), 'Shop SMS');
  assert.equal(await field(page, 'Key').inputValue(), 'SHOP1');
  assert.equal(await field(page, 'Phone').inputValue(), '+15550001111');
  await field(page, 'Description').fill('Shop line');
  await saveAccount(page);
  await page.getByText('Saved.').waitFor();
  const acc = (await api.request('GET', `/api/v1/sms/accounts/${state.twilio}`)).json;
  assert.equal(acc.credentials.auth_token, '****0001', 'the secret was kept');
  assert.equal(acc.description, 'Shop line');
  await tab(page, 'Transfer').click();
  assert.equal(await field(page, 'Agents may transfer').isChecked(), true);
  assert.equal(await field(page, 'Transfer timeout (seconds)').inputValue(), '120');
  await tab(page, 'Disposition').click();
  assert.equal(await field(page, 'Mandatory disposition').isChecked(), true);
  assert.equal(await field(page, 'Pause while disposing').inputValue(), 'Disposing');
  await tab(page, 'Dispositions').click();
  for (const name of ['Sale', 'Online', 'Card', 'Not sold']) await button(page, `Edit ${name}`).waitFor();
  await shot(t, page, 'sms-dispositions.png');
  await tab(page, 'Canned answers').click();
  await page.getByRole('cell', { name: 'Hello, I am {{agent.alias}}' }).waitFor();
  await tab(page, 'Actions').click();
  assert.equal(await field(page, 'Application').inputValue(), 'auto_reply');
  assert.equal(await field(page, 'Reply text').inputValue(), 'Thanks, we answer soon');
  await tab(page, 'Agents').click();
  assert.equal(await field(page, 'Sam Sms (sam.sms)').isChecked(), true);
  await shot(t, page, 'sms-agents.png');
  r = await api.request('GET', `/api/v1/flows/sms/${state.twilio}/actions`);
  assert.equal(r.json.actions[0].application, 'auto_reply');
});

test('the list searches, sorts, pages, opens the interactions and deletes several accounts at once', async (t) => {
  const { page } = admin;
  for (const [name, key] of [['Zeta promo', 'ZP1'], ['Alpha promo', 'AP1']]) {
    const r = await api.request('POST', '/api/v1/sms/accounts', { body: { name, key, type: 'clickatell', credentials: { api_key: `clickatell-key-${key}` } } });
    assert.equal(r.status, 201, r.text);
  }
  await page.goto(srv.base + '/admin/sms');
  const names = () => page.locator('tbody tr td:nth-child(2)').allInnerTexts();
  await page.getByRole('link', { name: 'Zeta promo' }).waitFor();
  assert.deepEqual(await names(), ['Alpha promo', 'CSC line', 'Shop SMS', 'Zeta promo']);
  await page.getByRole('button', { name: 'Key' }).click();
  await page.locator('th[aria-sort="ascending"]', { hasText: 'Key' }).waitFor();
  assert.deepEqual(await names(), ['Alpha promo', 'CSC line', 'Shop SMS', 'Zeta promo']);
  await page.getByRole('button', { name: 'Key' }).click();
  await page.locator('th[aria-sort="descending"]').waitFor();
  assert.deepEqual(await names(), ['Zeta promo', 'Shop SMS', 'CSC line', 'Alpha promo']);

  await field(page, 'Search').fill('promo');
  await page.getByRole('link', { name: 'Shop SMS' }).waitFor({ state: 'detached' });
  assert.deepEqual((await names()).sort(), ['Alpha promo', 'Zeta promo']);
  await page.getByRole('checkbox', { name: 'Select every account of this page' }).check();
  await page.getByText('1–2 of 2 · 2 selected').waitFor();
  await shot(t, page, 'sms-list.png');
  await button(page, 'Delete selected').click();
  await dialog(page).getByText('Delete the 2 selected accounts').waitFor();
  await button(dialog(page), 'Delete').click();
  await page.getByText('2 SMS accounts deleted.').waitFor();
  await field(page, 'Search').fill('');
  await page.getByRole('link', { name: 'Shop SMS' }).waitFor();
  assert.deepEqual((await api.request('GET', '/api/v1/sms/accounts')).json.items.map((a) => a.name), ['CSC line', 'Shop SMS']);

  // Paging: 25 a page.
  for (let i = 1; i <= 24; i++) {
    const r = await api.request('POST', '/api/v1/sms/accounts', { body: { name: `Bulk ${String(i).padStart(2, '0')}`, key: `B${i}`, type: 'clickatell', credentials: { api_key: `clickatell-key-${i}` } } });
    assert.equal(r.status, 201, r.text);
  }
  await page.reload();
  await page.getByText('1–25 of 26').waitFor();
  assert.equal((await names()).length, 25);
  await button(page, 'Next page').click();
  await page.getByText('26–26 of 26').waitFor();
  assert.deepEqual(await names(), ['Shop SMS']);
  await button(page, 'Previous page').click();
  await page.getByText('1–25 of 26').waitFor();
  await field(page, 'Search').fill('shop');
  await page.getByText('1–1 of 1').waitFor();

  // The row menu from the keyboard: ArrowDown opens it on its first item, Escape closes it
  // and gives the focus back to its button; Enter on an item runs it.
  const opener = button(page, 'Actions for Shop SMS');
  await opener.focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.activeElement && document.activeElement.textContent === 'Edit');
  await page.keyboard.press('Escape');
  await page.getByRole('menu').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Actions for Shop SMS');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.activeElement && document.activeElement.textContent === 'Interactions');
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/admin/sms/${state.twilio}/interactions`);
  await page.getByRole('heading', { name: /Interactions/ }).waitFor();
});
