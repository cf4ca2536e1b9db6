'use strict';
// Helpers for the routing suites: agents with sessions and sockets, queues, Open Channel
// accounts with flows, a local reply-URL server, and waits with a hang guard.
const http = require('node:http');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { login, STRONG } = require('./server');

const AGENT_PW = 'Agent!Passw0rd1';

async function waitFor(cond, what, ms = 30000) {
  const t0 = Date.now();
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`hang guard expired waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// A socket the hub has adopted (its pong proves it); later messages land in ws.got.
function connect(srv, cookie) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(srv.wsUrl, { headers: { cookie }, perMessageDeflate: false });
    ws.got = [];
    let adopted = false;
    ws.on('open', () => ws.send('{"type":"ping"}'));
    ws.on('error', (e) => { if (!adopted) reject(e); });
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (!adopted && m.type === 'pong') { adopted = true; resolve(ws); return; }
      ws.got.push(m);
    });
  });
}

// Events of `type` on the socket (optionally about interaction `id`).
const events = (ws, type, id) => ws.got.filter((m) => m.type === type && (id === undefined || m.data.id === id));

// An agent created by the admin (extra settings allowed), logged in with its own password,
// with a socket. Returns the client with .agent and .ws.
async function agentDesk(srv, admin, username, settings = {}) {
  const r = await admin.request('POST', '/api/v1/agents', { body: { username, full_name: username, password: AGENT_PW, ...settings } });
  assert.equal(r.status, 201, r.text);
  const first = await login(srv, username, AGENT_PW);
  const p = await first.request('POST', '/api/v1/auth/password', { body: { current_password: AGENT_PW, new_password: STRONG } });
  assert.equal(p.status, 204, p.text);
  const c = await login(srv, username, STRONG);
  c.agent = r.json;
  c.ws = await connect(srv, c.cookie);
  return c;
}

async function queue(admin, name, body = {}) {
  const r = await admin.request('POST', '/api/v1/queues', { body: { channel: 'openchannel', name, ...body } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function addMembers(admin, q, agents) {
  const r = await admin.request('POST', `/api/v1/queues/${q.id}/agents`, { body: { agent_ids: agents.map((a) => a.agent.id) } });
  assert.equal(r.status, 200, r.text);
}

async function account(admin, name, body = {}) {
  const r = await admin.request('POST', '/api/v1/openchannel/accounts', { body: { name, ...body } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// Makes `agents` the agents of the account: only they are offered its interactions.
async function accountAgents(admin, acc, agents, channel = 'openchannel') {
  const r = await admin.request('PUT', `/api/v1/${channel}/accounts/${acc.id}/agents`, { body: { agent_ids: agents.map((a) => a.agent.id) } });
  assert.equal(r.status, 200, r.text);
}

async function setFlow(admin, acc, actions) {
  const r = await admin.request('PUT', `/api/v1/flows/openchannel/${acc.id}/actions`, { body: { actions } });
  assert.equal(r.status, 200, r.text);
}

function notify(srv, acc, body, token = acc.token) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  return srv.request('POST', `/api/openchannel/accounts/${acc.id}/notify`, { body, headers });
}

// A local reply-URL server that records each request (method, url, JSON body) and answers
// with the next status of `statuses` (then 200).
async function replyServer(statuses = []) {
  const got = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => {
      got.push({ method: req.method, url: req.url, type: req.headers['content-type'], body: JSON.parse(data) });
      res.statusCode = statuses.length ? statuses.shift() : 200;
      res.end('{}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { got, url: `http://127.0.0.1:${server.address().port}/replies`, close: () => new Promise((r) => server.close(r)) };
}

const advance = (srv, ms) => srv.request('POST', '/api/v1/_test/clock', { body: { advance_ms: ms } });

module.exports = { waitFor, connect, events, agentDesk, queue, addMembers, account, accountAgents, setFlow, notify, replyServer, advance, AGENT_PW };
