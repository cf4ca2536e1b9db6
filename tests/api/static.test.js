'use strict';
// The web app's static files: caching, SPA fallback, and no way out of the web root.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('./lib/server');
const { rawRequest } = require('./lib/raw');

let srv, webRoot, outside;
before(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-web-'));
  webRoot = path.join(tmp, 'root');
  outside = path.join(tmp, 'outside');
  fs.mkdirSync(path.join(webRoot, 'assets'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>app</title>INDEX');
  fs.writeFileSync(path.join(webRoot, 'assets', 'app-1a2b3c.js'), 'console.log(1)');
  fs.writeFileSync(path.join(webRoot, 'robots.txt'), 'User-agent: *');
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'TOP-SECRET');
  fs.symlinkSync(outside, path.join(webRoot, 'escape'));
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(webRoot, 'secret.txt'));
  fs.symlinkSync('robots.txt', path.join(webRoot, 'inside-link.txt'));
  srv = await startServer({ webRoot });
});
after(async () => { assert.equal((await srv.stop()).code, 0); });

test('index.html at / with revalidation', async () => {
  const r = await srv.request('GET', '/');
  assert.equal(r.status, 200);
  assert.match(r.text, /INDEX/);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  assert.ok(r.headers.get('etag'));
  assert.ok(r.headers.get('last-modified'));
});

test('hashed assets are immutable and answer 304 to a matching ETag', async () => {
  const r = await srv.request('GET', '/assets/app-1a2b3c.js');
  assert.equal(r.status, 200);
  assert.equal(r.text, 'console.log(1)');
  assert.match(r.headers.get('content-type'), /^text\/javascript/);
  assert.match(r.headers.get('cache-control'), /immutable/);
  assert.match(r.headers.get('cache-control'), /max-age=31536000/);
  const etag = r.headers.get('etag');
  const again = await srv.request('GET', '/assets/app-1a2b3c.js', { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  const lm = await srv.request('GET', '/assets/app-1a2b3c.js', { headers: { 'if-modified-since': r.headers.get('last-modified') } });
  assert.equal(lm.status, 304);
});

test('SPA routes fall back to index.html; missing files with an extension do not', async () => {
  const r = await srv.request('GET', '/agents/42/edit');
  assert.equal(r.status, 200);
  assert.match(r.text, /INDEX/);
  const missing = await srv.request('GET', '/assets/nope-123.js');
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get('content-type'), /problem\+json/);
});

test('symlinks inside the root are served, symlinks out of it are not', async () => {
  const inside = await srv.request('GET', '/inside-link.txt');
  assert.equal(inside.status, 200);
  for (const p of ['/secret.txt', '/escape/secret.txt']) {
    const r = await srv.request('GET', p);
    assert.equal(r.status, 404, p);
    assert.doesNotMatch(r.text, /TOP-SECRET/);
  }
});

test('traversal attempts all get 404 and never a file from outside', async () => {
  const attempts = [
    '/../outside/secret.txt',
    '/../../../../etc/passwd',
    '/assets/../../outside/secret.txt',
    '/%2e%2e/outside/secret.txt',
    '/%2E%2E/%2e%2e/etc/passwd',
    '/assets/%2e%2e/%2e%2e/outside/secret.txt',
    '/..%2foutside%2fsecret.txt',
    '/..%5coutside%5csecret.txt',
    '/..\\outside\\secret.txt',
    '/robots.txt%00.html',
    '/index.html%00',
    '/%00',
    '//etc/passwd',
    '/./robots.txt',
    '/assets/./app-1a2b3c.js/..',
  ];
  for (const p of attempts) {
    const r = await rawRequest(srv.port, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.equal(r.status, 404, `${p} -> ${r.status}`);
    assert.doesNotMatch(r.body, /TOP-SECRET|root:/, p);
  }
});

test('HEAD works and other methods on static paths are refused', async () => {
  const h = await srv.request('HEAD', '/robots.txt');
  assert.equal(h.status, 200);
  const p = await srv.request('POST', '/robots.txt', { body: 'x' });
  assert.equal(p.status, 405);
});
