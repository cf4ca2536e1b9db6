'use strict';
// Process lifecycle: graceful SIGTERM drain, SIGHUP log reopen, and acknowledged writes that
// survive kill -9.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const { startServer } = require('./lib/server');

test('SIGTERM lets in-flight requests finish, refuses new connections, exits 0', async () => {
  const srv = await startServer({ env: { SWITCHBOARD_JOBS_WORKERS: '4' } });
  const inflight = [1, 2, 3].map(() => srv.request('GET', '/api/v1/_test/slow?ms=1500'));
  await new Promise((r) => setTimeout(r, 300));
  srv.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  // The listening socket is closed while the slow requests are still running.
  const refused = await new Promise((resolve) => {
    const s = net.connect(srv.port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(false); });
    s.on('error', () => resolve(true));
  });
  assert.equal(refused, true, 'new connections are refused during the drain');
  const results = await Promise.all(inflight);
  for (const r of results) {
    assert.equal(r.status, 200);
    assert.equal(r.json.slept_ms, 1500);
  }
  const exit = await srv.exited;
  assert.equal(exit.code, 0, srv.stderr());
  assert.ok(srv.logs.some((l) => l.msg === 'stopped'));
});

test('SIGHUP reopens the log file after rotation', async () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sb-log-'));
  const logFile = path.join(dir, 'switchboard.log');
  // With a log file the harness cannot read the port from stderr: pick one ourselves.
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  const { spawn } = require('node:child_process');
  const { binary } = require('./lib/server');
  const proc = spawn(binary, ['serve'], {
    env: { ...process.env, SWITCHBOARD_HTTP_PORT: String(port), SWITCHBOARD_LOG_FILE: logFile,
      SWITCHBOARD_DB_BACKEND: 'sqlite', SWITCHBOARD_DB_SQLITE_PATH: path.join(dir, 'sb.db'),
      SWITCHBOARD_WEB_ROOT: dir },
    stdio: 'ignore',
  });
  const exited = new Promise((r) => proc.on('exit', (code) => r(code)));
  const base = `http://127.0.0.1:${port}`;
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    try { up = (await fetch(base + '/api/v1/health')).status === 200; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  assert.ok(up, 'server came up');
  fs.renameSync(logFile, logFile + '.1');
  proc.kill('SIGHUP');
  await new Promise((r) => setTimeout(r, 300));
  await fetch(base + '/api/v1/health?after=rotation');
  await new Promise((r) => setTimeout(r, 200));
  proc.kill('SIGTERM');
  assert.equal(await exited, 0);
  const fresh = fs.readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(fresh.some((l) => l.msg === 'request' && l.path === '/api/v1/health'), 'request logged in the new file');
  assert.ok(fresh.some((l) => l.msg === 'stopped'));
  const old = fs.readFileSync(logFile + '.1', 'utf8');
  assert.match(old, /"msg":"listening"/);
  assert.doesNotMatch(old, /"msg":"stopped"/);
});

test('acknowledged writes survive kill -9', async () => {
  const srv = await startServer();
  const n = 150;
  const acked = [];
  // Fire writes and kill the process while more are still arriving.
  const pending = Array.from({ length: n }, (_, i) =>
    srv.request('POST', '/api/v1/_test/probes', { body: { note: `k${i}` } })
      .then((r) => { if (r.status === 201) acked.push(r.json.id); })
      .catch(() => {}));
  await new Promise((r) => setTimeout(r, 60));
  srv.proc.kill('SIGKILL');
  await Promise.all(pending);
  await srv.exited;
  const again = await startServer({ tmp: srv.tmp, db: { sqlitePath: srv.sqlitePath, pgDatabase: srv.pgDatabase } });
  try {
    const c = await again.request('GET', '/api/v1/_test/probes/count');
    assert.equal(c.status, 200);
    assert.ok(c.json.count >= acked.length, `stored ${c.json.count} < acknowledged ${acked.length}`);
  } finally {
    assert.equal((await again.stop()).code, 0);
  }
});
