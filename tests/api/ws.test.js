'use strict';
// The WebSocket push channel against the real server: one broadcast fanned out to 1,000 sockets,
// and the per-socket send cap that disconnects a client which stopped reading while the others
// keep receiving. Waits have hang guards only; nothing asserts how fast anything is.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { startServer } = require('./lib/server');

const GUARD_MS = 60000;

async function waitFor(cond, what) {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > GUARD_MS) throw new Error(`hang guard expired waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// Opens a socket and resolves once the hub owns it: the hub itself answers {"type":"ping"}, so
// the pong proves adoption (the 101 alone does not; adoption is asynchronous). Later messages
// are parsed into ws.got.
function connect(url, options = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
    ws.got = [];
    let adopted = false;
    ws.on('open', () => ws.send('{"type":"ping"}'));
    ws.on('error', (e) => { if (!adopted) reject(e); });
    ws.on('message', (data, isBinary) => {
      assert.equal(isBinary, false, 'the hub sends text frames only');
      const m = JSON.parse(data.toString());
      if (!adopted && m.type === 'pong') {
        adopted = true;
        resolve(ws);
        return;
      }
      ws.got.push(m);
    });
  });
}

async function metric(srv, name) {
  const r = await srv.request('GET', '/metrics');
  assert.equal(r.status, 200);
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(r.text);
  assert.ok(m, `metric ${name} present`);
  return Number(m[1]);
}

async function broadcast(srv, topic, message) {
  const r = await srv.request('POST', '/api/v1/_test/broadcast', { body: { topic, message } });
  assert.equal(r.status, 202, r.text);
}

test('one broadcast reaches each of 1,000 concurrent sockets exactly once', { timeout: 300000 }, async () => {
  const srv = await startServer();
  const N = 1000;
  const clients = [];
  try {
    for (let i = 0; i < N; i += 100) {
      const batch = await Promise.all(Array.from({ length: Math.min(100, N - i) }, () => connect(srv.wsUrl)));
      clients.push(...batch);
    }
    assert.equal(await metric(srv, 'switchboard_websockets_open'), N);

    await broadcast(srv, 'all', { type: 'x', data: {} });
    // A marker after it: messages arrive in order, so a duplicate would show up before it.
    await broadcast(srv, 'all', { type: 'marker', data: {} });
    await waitFor(() => clients.every((c) => c.got.length >= 2), 'every socket got both broadcasts');
    for (const c of clients) {
      assert.deepEqual(c.got, [{ type: 'x', data: {} }, { type: 'marker', data: {} }]);
    }
  } finally {
    for (const c of clients) c.terminate();
    const exit = await srv.stop();
    assert.equal(exit.code, 0, srv.stderr());
  }
});

test('a client that stops reading is closed with 1008 at its send cap; the others keep receiving', { timeout: 300000 }, async () => {
  const srv = await startServer({
    env: {
      SWITCHBOARD_WS_SEND_CAP_BYTES: String(256 * 1024),
      // No heartbeat may interfere: the paused client must be cut off by the cap alone.
      SWITCHBOARD_WS_PING_INTERVAL_MS: '600000',
      SWITCHBOARD_WS_PING_TIMEOUT_MS: '600000',
    },
  });
  const all = [];
  try {
    const fast = await Promise.all([1, 2, 3, 4].map(() => connect(srv.wsUrl)));
    const slow = await connect(srv.wsUrl);
    all.push(...fast, slow);
    const slowClosed = new Promise((resolve) => slow.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    slow._socket.pause();

    // Lock-step: the next broadcast goes out only when every reading client has the previous
    // one, so only the paused client can fall behind. Kernel socket buffers on loopback hold a
    // few MB before the hub's own queue starts to grow, hence the loop.
    const pad = 'p'.repeat(32 * 1024);
    let sent = 0;
    for (;;) {
      await broadcast(srv, 'all', { type: 'seq', data: { i: sent, pad } });
      sent++;
      await waitFor(() => fast.every((c) => c.got.length >= sent), `reading clients got message ${sent - 1}`);
      for (const c of fast) c.got[sent - 1] = c.got[sent - 1].data.i; // keep memory small
      if (sent % 8 === 0 && (await metric(srv, 'switchboard_websockets_closed_slow_total')) >= 1) break;
      assert.ok(sent < 2000, 'the paused client was never cut off');
    }
    assert.equal(await metric(srv, 'switchboard_websockets_closed_slow_total'), 1);
    for (const c of fast) assert.deepEqual(c.got, Array.from({ length: sent }, (_, i) => i));

    // Reading again, the paused client finds an in-order prefix of the stream, then 1008.
    slow._socket.resume();
    const closed = await slowClosed;
    assert.equal(closed.code, 1008);
    assert.ok(slow.got.length < sent, 'the paused client did not get everything');
    slow.got.forEach((m, i) => assert.equal(m.data.i, i));

    // The others are untouched and still receive.
    await waitFor(async () => (await metric(srv, 'switchboard_websockets_open')) === fast.length, 'the cut-off socket is released');
    await broadcast(srv, 'all', { type: 'after', data: {} });
    await waitFor(() => fast.every((c) => c.got.length === sent + 1), 'reading clients got the next broadcast');
    for (const c of fast) assert.deepEqual(c.got[sent], { type: 'after', data: {} });
    assert.equal(await metric(srv, 'switchboard_websockets_closed_slow_total'), 1);
  } finally {
    for (const c of all) c.terminate();
    const exit = await srv.stop();
    assert.equal(exit.code, 0, srv.stderr());
  }
});

// The handshake answer for a socket that is refused: resolves with the HTTP status.
function refusedStatus(url, options) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
    ws.on('unexpected-response', (req, res) => { resolve(res.statusCode); req.destroy(); });
    ws.on('open', () => { ws.close(); reject(new Error('handshake unexpectedly accepted')); });
    ws.on('error', () => {});
  });
}

test('handshakes with a foreign Origin, an old version or bad credentials are refused', async () => {
  const token = 'ws-admin-token-0123456789abcdef0123456789';
  const srv = await startServer({ env: { SWITCHBOARD_SERVER_ADMIN_TOKEN: token } });
  try {
    assert.equal(await refusedStatus(srv.wsUrl, { origin: 'https://evil.example' }), 403);
    assert.equal(await refusedStatus(srv.wsUrl, { protocolVersion: 8 }), 426);
    assert.equal(await refusedStatus(srv.wsUrl, { headers: { authorization: 'Bearer wrong' } }), 401);
    const same = await connect(srv.wsUrl, { origin: `http://127.0.0.1:${srv.port}` });
    same.close();
  } finally {
    assert.equal((await srv.stop()).code, 0);
  }
});

test('an admin socket receives settings.changed; an anonymous one does not', async () => {
  const token = 'ws-admin-token-0123456789abcdef0123456789';
  const srv = await startServer({ env: { SWITCHBOARD_SERVER_ADMIN_TOKEN: token } });
  try {
    const admin = await connect(srv.wsUrl, { headers: { authorization: `Bearer ${token}` } });
    const anon = await connect(srv.wsUrl);
    const r = await srv.request('PATCH', '/api/v1/settings', {
      headers: { authorization: `Bearer ${token}` }, body: { 'general.rtl_support': true } });
    assert.equal(r.status, 200, r.text);
    await waitFor(() => admin.got.length > 0, 'settings.changed on the admin socket');
    assert.deepEqual(admin.got[0], { type: 'settings.changed', data: { keys: ['general.rtl_support'] } });
    // A broadcast to "all" after the change reaches the anonymous socket first in its order:
    // had the settings event been sent to it, it would be ahead of the broadcast.
    await srv.request('POST', '/api/v1/_test/broadcast', { body: { topic: 'all', message: { type: 'marker', data: {} } } });
    await waitFor(() => anon.got.length > 0, 'marker on the anonymous socket');
    assert.equal(anon.got[0].type, 'marker');
    admin.close();
    anon.close();
  } finally {
    assert.equal((await srv.stop()).code, 0);
  }
});

test('SIGTERM closes open sockets with 1001 and does not wait for them', async () => {
  const srv = await startServer({ env: { SWITCHBOARD_SERVER_SHUTDOWN_GRACE_MS: '60000' } });
  const sockets = await Promise.all([1, 2, 3].map(() => connect(srv.wsUrl)));
  const closes = sockets.map((ws) => new Promise((resolve) => ws.on('close', (code) => resolve(code))));
  const t0 = Date.now();
  srv.proc.kill('SIGTERM');
  assert.deepEqual(await Promise.all(closes), [1001, 1001, 1001]);
  const exit = await srv.exited;
  assert.equal(exit.code, 0, srv.stderr());
  // Not a timing threshold on the server's speed: only proof the 60 s grace was not spent
  // waiting for the sockets as if they were requests in flight.
  assert.ok(Date.now() - t0 < 30000, 'the drain did not wait for open WebSockets');
});

test('logout ends that session\'s sockets and no other', { timeout: 60000 }, async () => {
  const { adminClient, login, STRONG } = require('./lib/server');
  const srv = await startServer();
  try {
    await adminClient(srv);
    const a = await login(srv, 'admin', STRONG);
    const b = await login(srv, 'admin', STRONG);
    const wa = await connect(srv.wsUrl, { headers: { cookie: a.cookie } });
    const wb = await connect(srv.wsUrl, { headers: { cookie: b.cookie } });
    const closed = new Promise((resolve) => wa.on('close', (code) => resolve(code)));
    assert.equal((await a.request('POST', '/api/v1/auth/logout')).status, 204);
    assert.equal(await closed, 4001);
    // The other session's socket still works: the hub answers its ping.
    const pong = new Promise((resolve) => wb.once('message', (d) => resolve(JSON.parse(d.toString()))));
    wb.send('{"type":"ping"}');
    assert.equal((await pong).type, 'pong');
    assert.equal(wb.readyState, WebSocket.OPEN);
    wb.close();
  } finally {
    assert.equal((await srv.stop()).code, 0, srv.stderr());
  }
});
