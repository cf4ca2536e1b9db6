'use strict';
// Shared helpers of the browser tests: Debian's Chromium launched headless, a context per user
// that records every page error, console error and unexpected failed request (close() asserts
// there were none), screenshots, label lookups, sign-in, waiting on a condition and downloads.
// Every wait is on a condition with a deadline; nothing sleeps a fixed time.
//
//   const h = require('./lib/harness.js');
//   const browser = await h.launch();
//   const admin = await h.openContext(browser, srv, { expected: [...], tolerate: () => outage });
//   await h.signIn(admin.page, srv, 'admin', STRONG);
//   await h.shot(t, admin.page, 'story-01-console.png');
//   await admin.close();   // asserts nothing went wrong in the page
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { repoRoot } = require('../../api/lib/server.js');

const webRoot = path.join(repoRoot, 'web', 'dist');
const executablePath = process.env.SB_CHROMIUM || '/usr/bin/chromium';
const shots = process.env.SB_E2E_SCREENSHOTS || path.join(__dirname, '..', 'artifacts');
const TIMEOUT = 15000;

/** Throws unless the web app was built; makes the screenshot folder. */
function prepare() {
  if (!fs.existsSync(path.join(webRoot, 'index.html'))) {
    throw new Error('web/dist is missing: run scripts/web-build.sh first');
  }
  fs.mkdirSync(shots, { recursive: true });
}

/** Launches Debian's Chromium headless (no sandbox: the tests run as root). */
function launch() {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/**
 * Opens a 1280×720 context with one page. expected: [{method, path: RegExp, status: [..]}],
 * the failed requests the scenario causes on purpose; tolerate(): true while connection
 * errors are expected (the server is down on purpose); consoleErrors / pageErrors: [RegExp],
 * the console errors and page errors (uncaught exceptions, unhandled rejections) the test
 * raises in the page on purpose, each matched on its whole text; clipboard: the page may read
 * and write the clipboard. Returns {page, context, problems, close()}; close() closes the
 * context and asserts there was no page error, no console error and no failed request beyond
 * the expected ones.
 */
async function openContext(browser, srv, { expected = [], tolerate = () => false, clipboard = false, consoleErrors = [], pageErrors = [] } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
  context.setDefaultTimeout(TIMEOUT);
  if (clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.base });
  const page = await context.newPage();
  const problems = [];
  let expectedFailures = 0;
  page.on('pageerror', (e) => {
    if (!pageErrors.some((re) => re.test(e.message))) problems.push(`page error: ${e.message}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const u = new URL(r.url());
    const method = r.request().method();
    if (expected.some((x) => x.method === method && x.path.test(u.pathname) && x.status.includes(r.status()))) expectedFailures++;
    else problems.push(`unexpected ${r.status()} for ${method} ${u.pathname}`);
  });
  page.on('requestfailed', (r) => {
    // Downloads end the request on the page's side; connection errors are expected only
    // while the server is down on purpose.
    const why = (r.failure() && r.failure().errorText) || '';
    if (why === 'net::ERR_ABORTED' || tolerate()) return;
    problems.push(`request failed: ${r.method()} ${new URL(r.url()).pathname}: ${why}`);
  });
  const failedLoads = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    // Chromium logs every failed fetch (4xx and 5xx); those are checked one by one above, and
    // there may be no more of these lines than expected failures.
    if (/^Failed to load resource: the server responded with a status of [45]\d\d/.test(text)) failedLoads.push(text);
    else if (tolerate() && /WebSocket connection to .* failed|ERR_CONNECTION_REFUSED/.test(text)) return;
    else if (consoleErrors.some((re) => re.test(text))) return;
    else problems.push(`console error: ${text}`);
  });
  return {
    page,
    context,
    problems,
    async close() {
      await context.close();
      assert.deepEqual(problems, []);
      assert.ok(failedLoads.length <= expectedFailures, `console errors ${failedLoads.length} > expected ${expectedFailures}`);
    },
  };
}

/** Saves a full-page screenshot under the artifacts folder and names it in the test's output. */
async function shot(t, page, name) {
  const file = path.join(shots, name);
  await page.screenshot({ path: file, fullPage: true });
  t.diagnostic(`screenshot: ${file}`);
}

/** The form control labelled exactly `label` inside `scope` (a page or a locator). */
const field = (scope, label) => scope.getByLabel(label, { exact: true });

/** The button named exactly `name` inside `scope`. */
const button = (scope, name) => scope.getByRole('button', { name, exact: true });

/** Fills the login form and submits it (does not wait for what follows). */
async function signIn(page, srv, username, password) {
  await page.goto(srv.base + '/login');
  await field(page, 'Username').fill(username);
  await field(page, 'Password').fill(password);
  await button(page, 'Log in').click();
}

/** Polls cond() until it returns a truthy value (returned) or `timeout` ms pass (throws). */
async function until(cond, what, timeout = TIMEOUT) {
  const t0 = Date.now();
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() - t0 > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Clicks (click()) and returns the download it starts: {name, body: Buffer}. */
async function download(page, click) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = await dl.path();
  return { name: dl.suggestedFilename(), body: fs.readFileSync(file) };
}

/**
 * Parses RFC 4180 CSV (quoted cells with "" inside, CRLF or LF line ends) into rows of cells.
 * Throws on a quote left open.
 */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') cell += c, i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), cell = '';
    else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(cell), rows.push(row), row = [], cell = '';
    } else cell += c;
  }
  if (quoted) throw new Error('CSV: a quoted cell is not closed');
  if (cell !== '' || row.length) row.push(cell), rows.push(row);
  return rows;
}

/** The ids (data-id) of the rows a list shows, in order. */
const rowIds = (page) => page.locator('tbody tr[data-id]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id'))));

module.exports = { prepare, launch, openContext, shot, field, button, signIn, until, download, parseCsv, rowIds, webRoot, shots, TIMEOUT };
