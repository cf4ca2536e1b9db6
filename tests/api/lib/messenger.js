'use strict';
// Helpers for the messenger suites: staff accounts with their own password, WebSockets that
// carry the session cookie, and waits with a hang guard only (nothing asserts how fast).
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { login, STRONG } = require('./server');

const PW = 'Agent!Passw0rd1';
const GUARD_MS = 60000;

async function waitFor(cond, what) {
  const t0 = Date.now();
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() - t0 > GUARD_MS) throw new Error(`hang guard expired waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// Logs in with the admin-set password, sets its own, and returns the signed-in client.
async function signIn(srv, username, id) {
  let c = await login(srv, username, PW);
  if (c.response.json.password && c.response.json.password.must_change) {
    const r = await c.request('POST', '/api/v1/auth/password', { body: { current_password: PW, new_password: STRONG } });
    assert.equal(r.status, 204, r.text);
    c = await login(srv, username, STRONG);
  }
  c.id = id;
  c.username = username;
  return c;
}

// An agent (extra agent settings in `settings`) created by `admin`, signed in.
async function agent(srv, admin, username, fullName, settings = {}) {
  const r = await admin.request('POST', '/api/v1/agents', { body: { username, full_name: fullName, password: PW, ...settings } });
  assert.equal(r.status, 201, r.text);
  return signIn(srv, username, r.json.id);
}

// A supervisor (role user, the default profile) created by `admin`, signed in.
async function supervisor(srv, admin, username, fullName) {
  const r = await admin.request('POST', '/api/v1/users', { body: { username, full_name: fullName, role: 'user', profile_id: 1, password: PW } });
  assert.equal(r.status, 201, r.text);
  return signIn(srv, username, r.json.id);
}

// A WebSocket with `client`'s session cookie, resolved once the hub adopted it (the hub's own
// pong proves adoption). Events land in ws.got; ws.next(type, pred) waits for one.
function connect(srv, client) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(srv.wsUrl, { perMessageDeflate: false, headers: client ? { cookie: client.cookie } : {} });
    ws.got = [];
    let adopted = false;
    ws.on('open', () => ws.send('{"type":"ping"}'));
    ws.on('error', (e) => { if (!adopted) reject(e); });
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (!adopted && m.type === 'pong') { adopted = true; resolve(ws); return; }
      ws.got.push(m);
    });
    ws.of = (type, pred = () => true) => ws.got.filter((m) => m.type === type && pred(m.data));
    ws.next = (type, pred = () => true) => waitFor(() => ws.of(type, pred)[0], `${type} event`);
    ws.closed = new Promise((r) => ws.on('close', r));
  });
}

// Asks for presence events on `ws` and waits for the answer (subscribed or error).
async function subscribe(ws) {
  ws.send('{"type":"messenger.subscribe"}');
  return waitFor(() => ws.got.find((m) => m.type === 'messenger.subscribed' || m.type === 'messenger.error'), 'subscription answer');
}

async function close(ws) {
  ws.close();
  await ws.closed;
}

const send = (c, peer, body) => c.request('POST', `/api/v1/messenger/direct/${peer}/messages`, { body: { body } });
const sendGroup = (c, g, body) => c.request('POST', `/api/v1/messenger/groups/${g}/messages`, { body: { body } });

async function json(c, path) {
  const r = await c.request('GET', path);
  assert.equal(r.status, 200, `${path}: ${r.text}`);
  return r.json;
}

module.exports = { PW, waitFor, agent, supervisor, connect, subscribe, close, send, sendGroup, json };
