'use strict';
// Browser test of the agent's client logs (web/src/lib/clientLogs.ts) against the real server:
// off at login, switched on by an administrator while the page is open (the WebSocket event),
// console output and unhandled rejections from the minimum level up reach the agent's file,
// the batch that leaves with the page is delivered (fetch keepalive), and switching off stops
// the sending.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, adminClient, accountClient, STRONG } = require('../api/lib/server.js');
const h = require('./lib/harness.js');

const { until } = h;

let srv, browser, admin;

before(async () => {
  h.prepare();
  srv = await startServer({ webRoot: h.webRoot });
  admin = await adminClient(srv);
  browser = await h.launch();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) assert.equal((await srv.stop()).code, 0, srv.stderr());
});

const logFile = (username) => path.join(srv.tmp, 'client-logs', `agent-${username}`, 'client.log');
const messages = (username) => (fs.existsSync(logFile(username))
  ? fs.readFileSync(logFile(username), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
  : []);

test('an agent\'s page sends its logs once switched on, from the minimum level, until switched off', async (t) => {
  const agent = await accountClient(srv, 'e2e.agent', 'agent');
  const patch = async (body) => {
    const r = await admin.request('PATCH', `/api/v1/agents/${agent.id}`, { body });
    assert.equal(r.status, 200, r.text);
  };
  // The page's own console errors and the rejection below are written on purpose; anything
  // else (another console error, page error, failed request) fails the test.
  const ctx = await h.openContext(browser, srv, {
    expected: [{ method: 'GET', path: /^\/api\/v1\/auth\/me$/, status: [401] }],
    consoleErrors: [/^(while off|said while leaving|after off)$/],
    pageErrors: [/^e2e rejected$/],
  });
  t.after(() => ctx.close());
  const { page } = ctx;
  const frames = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  const posts = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/v1/client-logs')) posts.push(r); });

  await h.signIn(page, srv, 'e2e.agent', STRONG);
  await page.getByText('Signed in as e2e.agent (agent)').waitFor();
  await page.evaluate(() => console.error('while off'));

  // On while the page is open. The page's new (signed-in) socket may still be being adopted
  // by the hub, so switch again until the event is seen; the page re-reads /auth/me on every
  // (re)connection anyway.
  await until(async () => {
    if (frames.some((f) => f.includes('client_logs.enabled'))) return true;
    await patch({ client_logs_enabled: false });
    await patch({ client_logs_enabled: true, client_log_level: 'warning' });
    await new Promise((r) => setTimeout(r, 300));
    return frames.some((f) => f.includes('client_logs.enabled'));
  }, 'the client_logs.enabled event');
  await page.evaluate(() => {
    console.info('below the minimum');
    console.warn('e2e warning', { code: 7 });
    void Promise.reject(new Error('e2e rejected'));
  });
  await until(() => messages('e2e.agent').length >= 2, 'two entries in the file');
  const got = messages('e2e.agent');
  assert.deepEqual(got.map((m) => m.level), ['WARNING', 'ERROR']);
  assert.equal(got[0].message, 'e2e warning {"code":7}');
  assert.match(got[1].message, /^Unhandled rejection: Error: e2e rejected/);
  assert.equal(got[0].url, srv.base + '/');
  assert.ok(posts.every((r) => r.headers()['x-csrf-token']), 'the CSRF header is sent');

  // Leaving the page: the last batch still arrives (keepalive).
  await page.evaluate(() => console.error('said while leaving'));
  await page.goto('about:blank');
  await until(() => messages('e2e.agent').some((m) => m.message === 'said while leaving'), 'the batch sent on pagehide');

  // Off: the page hears it and stops sending.
  await page.goto(srv.base + '/');
  await page.getByText('Signed in as e2e.agent (agent)').waitFor();
  const sent = posts.length;
  const mark = frames.length;
  const heardOff = () => frames.slice(mark).some((f) => f.includes('client_logs.disabled'));
  await until(async () => {
    if (heardOff()) return true;
    await patch({ client_logs_enabled: true });
    await patch({ client_logs_enabled: false });
    await new Promise((r) => setTimeout(r, 300));
    return heardOff();
  }, 'the client_logs.disabled event');
  await page.evaluate(() => console.error('after off'));
  await new Promise((r) => setTimeout(r, 6000)); // longer than the client's 5 s flush period
  assert.equal(posts.length, sent);
  assert.equal(messages('e2e.agent').some((m) => m.message === 'after off' || m.message === 'while off'), false);
});
