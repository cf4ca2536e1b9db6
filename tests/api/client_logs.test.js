'use strict';
// Agents' client logs (issue #4): only an agent whose logs an administrator switched on may
// send them; switching on/off reaches the agent's WebSocket; entries land as one JSON line each
// in <data>/client-logs/agent-<username>/client.log, below-minimum ones ignored, forged lines
// impossible; a bad batch is refused whole; files rotate at the configured cap; a write that
// fails acknowledges nothing.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const WebSocket = require('ws');
const { startServer, adminClient, accountClient } = require('./lib/server');

const GUARD_MS = 30000;

let srv, admin;
before(async () => { srv = await startServer(); admin = await adminClient(srv); });
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const dirOf = (s, username) => path.join(s.tmp, 'client-logs', `agent-${username}`);
const fileOf = (s, username, name = 'client.log') => path.join(dirOf(s, username), name);
const linesOf = (s, username, name) => {
  const text = fs.readFileSync(fileOf(s, username, name), 'utf8');
  assert.ok(text.endsWith('\n'), 'every line is terminated');
  return text.slice(0, -1).split('\n').map((l) => JSON.parse(l));
};
const send = (c, entries) => c.request('POST', '/api/v1/client-logs', { body: { entries } });
const entry = (level, message, extra = {}) => ({ level, message, at: 1767323045678, ...extra });
const fieldsOf = (r) => r.json.errors.map((e) => e.field).sort();
const setLogs = async (agent, body) => {
  const r = await admin.request('PATCH', `/api/v1/agents/${agent.id}`, { body });
  assert.equal(r.status, 200, r.text);
  return r.json;
};

// Opens the agent's WebSocket and resolves once the hub owns it (the pong proves adoption).
// Later messages are queued; next(type) waits for the next one.
function openSocket(client) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(srv.wsUrl, { perMessageDeflate: false, headers: { cookie: client.cookie } });
    const queue = [];
    const waiters = [];
    let adopted = false;
    ws.on('open', () => ws.send('{"type":"ping"}'));
    ws.on('error', (e) => { if (!adopted) reject(e); });
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (!adopted && m.type === 'pong') { adopted = true; resolve(ws); return; }
      if (waiters.length) waiters.shift()(m); else queue.push(m);
    });
    ws.next = () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error('hang guard: no WebSocket message')), GUARD_MS);
      waiters.push((m) => { clearTimeout(t); res(m); });
    }));
  });
}

test('a disabled agent is refused with 403 and nothing is created on disk', async () => {
  const agent = await accountClient(srv, 'off.agent', 'agent');
  const me = await agent.request('GET', '/api/v1/auth/me');
  assert.deepEqual(me.json.client_logs, { enabled: false, level: 'ERROR' });
  const r = await send(agent, [entry('ERROR', 'boom')]);
  assert.equal(r.status, 403);
  assert.match(r.headers.get('content-type'), /application\/problem\+json/);
  assert.equal(r.json.detail, 'client logs are not enabled for you');
  assert.equal(fs.existsSync(dirOf(srv, 'off.agent')), false);
  assert.equal(fs.existsSync(path.join(srv.tmp, 'client-logs')), false);
});

test('supervisors and admins get 403, anonymous callers 401, a missing CSRF token 403', async () => {
  const sup = await accountClient(srv, 'logs.user', 'user');
  for (const c of [sup, admin]) {
    const r = await send(c, [entry('ERROR', 'not mine')]);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.detail, 'client logs are sent by agents only');
    assert.equal('client_logs' in (await c.request('GET', '/api/v1/auth/me')).json, false);
  }
  assert.equal((await srv.request('POST', '/api/v1/client-logs', { body: { entries: [entry('ERROR', 'x')] } })).status, 401);
  const agent = await accountClient(srv, 'csrf.agent', 'agent');
  await setLogs(agent, { client_logs_enabled: true });
  const r = await agent.request('POST', '/api/v1/client-logs', { body: { entries: [entry('ERROR', 'x')] }, headers: { 'x-csrf-token': 'wrong' } });
  assert.equal(r.status, 403);
  assert.equal(fs.existsSync(dirOf(srv, 'csrf.agent')), false);
});

test('switching on and off reaches only that agent\'s sockets; levels below the minimum are ignored', async () => {
  const agent = await accountClient(srv, 'ws.agent', 'agent');
  const other = await accountClient(srv, 'ws.other', 'agent');
  const ws = await openSocket(agent);
  const otherWs = await openSocket(other);
  try {
    let a = await setLogs(agent, { client_logs_enabled: true, client_log_level: 'warning' });
    assert.equal(a.client_logs_enabled, true);
    assert.deepEqual(await ws.next(), { type: 'client_logs.enabled', data: { level: 'WARNING' } });
    assert.deepEqual((await agent.request('GET', '/api/v1/auth/me')).json.client_logs, { enabled: true, level: 'WARNING' });

    const r = await send(agent, [
      entry('DEBUG', 'debug detail'),
      entry('ERROR', 'TypeError: x is undefined', { source: 'app.js:12:5', url: 'https://sb.example/queue' }),
      entry('INFO', 'informational'),
      entry('WARNING', 'slow answer', { at: '2026-01-02T04:04:05.5+01:00' }),
    ]);
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(r.json, { written: 2, ignored: 2 });
    const lines = linesOf(srv, 'ws.agent');
    assert.deepEqual(lines.map((l) => [l.level, l.message]), [['ERROR', 'TypeError: x is undefined'], ['WARNING', 'slow answer']]);
    assert.equal(lines[0].client_time, '2026-01-02T03:04:05.678Z');
    assert.equal(lines[1].client_time, '2026-01-02T03:04:05.500Z', 'an offset time is stored in UTC');
    assert.equal(lines[0].source, 'app.js:12:5');
    assert.equal(lines[0].url, 'https://sb.example/queue');
    assert.equal('source' in lines[1], false);
    assert.ok(Math.abs(Date.parse(lines[0].time) - Date.now()) < 60000, `server time ${lines[0].time}`);
    assert.equal((fs.statSync(fileOf(srv, 'ws.agent')).mode & 0o777), 0o600);
    assert.equal((fs.statSync(dirOf(srv, 'ws.agent')).mode & 0o777), 0o700);

    // All ignored: 202 and the file is untouched.
    const size = fs.statSync(fileOf(srv, 'ws.agent')).size;
    const low = await send(agent, [entry('DEBUG', 'a'), entry('INFO', 'b')]);
    assert.deepEqual([low.status, low.json], [202, { written: 0, ignored: 2 }]);
    assert.equal(fs.statSync(fileOf(srv, 'ws.agent')).size, size);

    // The level changes while on: told again. An unrelated change, or none: nothing is sent
    // (the next message after it is the switch-off; the hub keeps the order).
    await setLogs(agent, { client_log_level: 'debug' });
    assert.deepEqual(await ws.next(), { type: 'client_logs.enabled', data: { level: 'DEBUG' } });
    await setLogs(agent, { sms_capacity: 2 });
    await setLogs(agent, { client_log_level: 'debug' });
    a = await setLogs(agent, { client_logs_enabled: false });
    assert.equal(a.client_logs_enabled, false);
    assert.deepEqual(await ws.next(), { type: 'client_logs.disabled', data: {} });
    assert.deepEqual((await agent.request('GET', '/api/v1/auth/me')).json.client_logs, { enabled: false, level: 'DEBUG' });
    assert.equal((await send(agent, [entry('ERROR', 'after off')])).status, 403);
    assert.equal(linesOf(srv, 'ws.agent').length, 2);
    // A change of level while off tells nobody either; the other agent heard nothing at all.
    await setLogs(agent, { client_log_level: 'info' });
    await setLogs(other, { client_logs_enabled: true });
    assert.deepEqual(await otherWs.next(), { type: 'client_logs.enabled', data: { level: 'ERROR' } });
    ws.send('{"type":"ping"}');
    assert.deepEqual(await ws.next(), { type: 'pong' }, 'nothing was queued before the pong');
  } finally {
    ws.close();
    otherWs.close();
  }
});

test('a message with newlines and quotes stays one line and cannot forge another', async () => {
  const agent = await accountClient(srv, 'forge.agent', 'agent');
  await setLogs(agent, { client_logs_enabled: true, client_log_level: 'debug' });
  const evil = 'first\n{"time":"2000-01-01T00:00:00.000Z","level":"ERROR","message":"forged"}\r\n"quoted" \\ \u2028 end';
  const r = await send(agent, [entry('INFO', evil, { source: 'x\ny' }), entry('DEBUG', 'é ✓ 🙂')]);
  assert.equal(r.status, 202, r.text);
  const raw = fs.readFileSync(fileOf(srv, 'forge.agent'), 'utf8');
  assert.equal(raw.split('\n').length, 3, 'two lines and the final newline');
  const lines = linesOf(srv, 'forge.agent');
  assert.equal(lines[0].message, evil);
  assert.equal(lines[0].source, 'x\ny');
  assert.equal(lines[1].message, 'é ✓ 🙂');
});

test('a bad entry answers 422 naming the field, and nothing of the batch is written', async () => {
  const agent = await accountClient(srv, 'bad.agent', 'agent');
  await setLogs(agent, { client_logs_enabled: true, client_log_level: 'debug' });
  const ok = entry('ERROR', 'fine');
  let r = await send(agent, [ok, ok, ok, { ...ok, level: 'TRACE' }]);
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['entries[3].level']);
  r = await send(agent, [
    { ...ok, level: 'error' },
    { level: 'INFO', at: 1 },
    { ...ok, message: 42 },
    { ...ok, at: 'yesterday' },
    { ...ok, at: '2026-02-30T00:00:00Z' },
    { ...ok, at: '2026-01-02T03:04:05' },
    { ...ok, at: -1 },
    { ...ok, at: 1.5 },
    { ...ok, source: '' },
    { ...ok, source: 's'.repeat(257) },
    { ...ok, url: 7 },
    { ...ok, colour: 'red' },
    { ...ok, message: 'm'.repeat(8193) },
    'not an object',
  ]);
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), [
    'entries[0].level', 'entries[1].message', 'entries[2].message', 'entries[3].at', 'entries[4].at',
    'entries[5].at', 'entries[6].at', 'entries[7].at', 'entries[8].source', 'entries[9].source',
    'entries[10].url', 'entries[11].colour', 'entries[12].message', 'entries[13]',
  ].sort());
  // 8192 bytes of multi-byte text is fine; 8193 bytes is not, even in fewer characters.
  assert.equal((await send(agent, [{ ...ok, message: 'é'.repeat(4097) }])).status, 422);
  for (const body of [{ entries: [] }, { entries: Array(201).fill(ok) }, { entries: ok }, {}]) {
    r = await agent.request('POST', '/api/v1/client-logs', { body });
    assert.equal(r.status, 422, JSON.stringify(body).slice(0, 80));
    assert.deepEqual(fieldsOf(r), ['entries']);
  }
  r = await agent.request('POST', '/api/v1/client-logs', { body: { entries: [ok], extra: 1 } });
  assert.deepEqual([r.status, fieldsOf(r)], [422, ['extra']]);
  r = await agent.request('POST', '/api/v1/client-logs', { body: '{"entries":[', headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 400);
  assert.equal(fs.existsSync(dirOf(srv, 'bad.agent')), false, 'nothing was written');
  // The limits themselves pass.
  r = await send(agent, [...Array(199).fill(ok), { ...ok, message: 'é'.repeat(4096), source: 's'.repeat(256), url: 'u'.repeat(1024) }]);
  assert.deepEqual([r.status, r.json], [202, { written: 200, ignored: 0 }]);
  assert.equal(linesOf(srv, 'bad.agent').length, 200);
});

test('concurrent batches of one agent neither interleave nor lose lines', async () => {
  const agent = await accountClient(srv, 'conc.agent', 'agent');
  await setLogs(agent, { client_logs_enabled: true, client_log_level: 'debug' });
  const B = 20, N = 10;
  const rs = await Promise.all(Array.from({ length: B }, (_, b) =>
    send(agent, Array.from({ length: N }, (_, i) => entry('INFO', `b${b}-${i}`)))));
  assert.deepEqual(rs.map((r) => r.status), Array(B).fill(202));
  const lines = linesOf(srv, 'conc.agent');
  assert.equal(lines.length, B * N);
  for (let k = 0; k < lines.length; k += N) {
    const batch = /^b(\d+)-0$/.exec(lines[k].message);
    assert.ok(batch, `line ${k} starts a batch: ${lines[k].message}`);
    for (let i = 0; i < N; i++) assert.equal(lines[k + i].message, `b${batch[1]}-${i}`);
  }
  assert.equal(new Set(lines.map((l) => l.message)).size, B * N);
});

test('a write that fails answers 503 and acknowledges nothing', async () => {
  const agent = await accountClient(srv, 'io.agent', 'agent');
  await setLogs(agent, { client_logs_enabled: true });
  // Something that is not a file where client.log must be: open(2) fails like a broken disk.
  fs.mkdirSync(fileOf(srv, 'io.agent'), { recursive: true });
  const r = await send(agent, [entry('ERROR', 'lost?')]);
  assert.equal(r.status, 503);
  assert.match(r.headers.get('content-type'), /application\/problem\+json/);
  assert.equal(r.json.detail, 'the log entries were not written');
  fs.rmdirSync(fileOf(srv, 'io.agent'));
  const again = await send(agent, [entry('ERROR', 'kept')]);
  assert.deepEqual([again.status, again.json], [202, { written: 1, ignored: 0 }]);
  assert.deepEqual(linesOf(srv, 'io.agent').map((l) => l.message), ['kept']);
});

test('files rotate at client_logs.max_file_bytes, client_logs.max_files kept', async () => {
  const small = await startServer({ env: { SWITCHBOARD_CLIENT_LOGS_MAX_FILE_BYTES: '1024', SWITCHBOARD_CLIENT_LOGS_MAX_FILES: '3' } });
  try {
    const sAdmin = await adminClient(small);
    const agent = await accountClient(small, 'rot.agent', 'agent');
    const p = await sAdmin.request('PATCH', `/api/v1/agents/${agent.id}`, { body: { client_logs_enabled: true } });
    assert.equal(p.status, 200, p.text);
    // ~300-byte lines: three fit under 1024 bytes. 20 entries in batches of 1..6.
    const msg = (i) => `seq-${String(i).padStart(3, '0')}-` + 'x'.repeat(200);
    let i = 0;
    for (let b = 1; i < 20; b++) {
      const n = Math.min(b, 20 - i);
      const r = await send(agent, Array.from({ length: n }, (_, k) => entry('ERROR', msg(i + k))));
      assert.deepEqual([r.status, r.json], [202, { written: n, ignored: 0 }]);
      i += n;
    }
    const names = fs.readdirSync(dirOf(small, 'rot.agent')).sort();
    assert.deepEqual(names, ['client.log', 'client.log.1', 'client.log.2']);
    for (const n of names) assert.ok(fs.statSync(fileOf(small, 'rot.agent', n)).size <= 1024, n);
    // Oldest to newest: consecutive entries ending with the last one sent (20 = 6 x 3 + 2).
    const kept = ['client.log.2', 'client.log.1', 'client.log'].flatMap((n) => linesOf(small, 'rot.agent', n));
    assert.deepEqual(kept.map((l) => l.message), [12, 13, 14, 15, 16, 17, 18, 19].map(msg));
  } finally {
    assert.equal((await small.stop()).code, 0, small.stderr());
  }
});

test('an agent\'s /auth/me says where its toasts go (notification_position); others have none', async () => {
  const agent = await accountClient(srv, 'toast.agent', 'agent');
  assert.equal((await agent.request('GET', '/api/v1/auth/me')).json.notification_position, 'top-right', 'the seed default');
  await setLogs(agent, { notification_position: 'bottom-left' });
  assert.equal((await agent.request('GET', '/api/v1/auth/me')).json.notification_position, 'bottom-left');
  const sup = await accountClient(srv, 'toast.user', 'user');
  for (const c of [sup, admin]) assert.equal('notification_position' in (await c.request('GET', '/api/v1/auth/me')).json, false);
});
