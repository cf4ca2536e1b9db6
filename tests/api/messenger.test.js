'use strict';
// The internal messenger, direct messages: two agents and a supervisor talking live over the
// WebSocket, unread counts and ordering across reconnects, paging, presence with its grace,
// the "Enable Internal Messenger" permission, the limits (size, rate, control characters),
// HTML kept as text, and a deleted account's history. Refused messages store nothing.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { startServer, adminClient } = require('./lib/server');
const { agent, supervisor, connect, subscribe, close, send, json, waitFor } = require('./lib/messenger');

let srv, admin, a1, a2, sup;
before(async () => {
  srv = await startServer({
    env: {
      SWITCHBOARD_MESSENGER_PRESENCE_GRACE_MS: '60000',
      SWITCHBOARD_MESSENGER_RATE_BURST: '1000',
      SWITCHBOARD_MESSENGER_MAX_MESSAGE_CHARS: '500',
    },
  });
  admin = await adminClient(srv);
  a1 = await agent(srv, admin, 'ann.agent', 'Ann Agent');
  a2 = await agent(srv, admin, 'bob.agent', 'Bob Agent');
  sup = await supervisor(srv, admin, 'sue.sup', 'Sue Supervisor');
});
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

// Sends only the headers of a request declaring `length` body bytes, and reads the answer.
function declaredTooBig(c, p, length) {
  return new Promise((resolve, reject) => {
    const req = http.request(srv.base + p, {
      method: 'POST',
      headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': 'application/json', 'content-length': String(length) },
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => { resolve({ status: res.statusCode, text }); req.destroy(); });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

const history = (c, peer, q = '') => json(c, `/api/v1/messenger/direct/${peer}/messages${q}`);
const unread = (c) => json(c, '/api/v1/messenger/unread');
const recipients = (c, q = '') => json(c, `/api/v1/messenger/recipients${q}`);

test('two agents and a supervisor exchange messages live; counts and order survive reconnects', async () => {
  const [w1, w2, ws] = await Promise.all([connect(srv, a1), connect(srv, a2), connect(srv, sup)]);
  let r = await send(a1, a2.id, 'hello Bob');
  assert.equal(r.status, 201, r.text);
  const m1 = r.json;
  assert.equal(m1.body, 'hello Bob');
  assert.deepEqual(m1.sender, { id: a1.id, name: 'Ann Agent', username: 'ann.agent', role: 'agent', deleted: false });
  assert.equal(m1.recipient_id, a2.id);
  assert.equal(m1.group_id, null);
  // The recipient gets it live, and so do the sender's own connections (its other devices).
  assert.deepEqual((await w2.next('messenger.message', (d) => d.id === m1.id)).data, m1);
  await w1.next('messenger.message', (d) => d.id === m1.id);
  assert.equal(ws.of('messenger.message').length, 0, 'a third party hears nothing');

  r = await send(sup, a2.id, 'Bob, a word please');
  assert.equal(r.status, 201, r.text);
  const m2 = r.json;
  await w2.next('messenger.message', (d) => d.id === m2.id);

  // Bob's badge: 2 unread, one per sender, the newest conversation first.
  let u = await unread(a2);
  assert.equal(u.total, 2, JSON.stringify(u));
  assert.deepEqual(u.direct, [{ peer_id: sup.id, count: 1 }, { peer_id: a1.id, count: 1 }]);
  let list = await recipients(a2);
  assert.deepEqual(list.items.slice(0, 2).map((x) => [x.id, x.unread]), [[sup.id, 1], [a1.id, 1]]);
  assert.ok(!list.items.some((x) => x.id === a2.id), 'nobody is their own recipient');
  assert.equal((await json(a2, '/api/v1/messenger/me')).unread_total, 2);

  // Bob answers Ann: a reply means Ann's message was read; Ann's conversation moves to the top.
  r = await send(a2, a1.id, 'hi Ann');
  assert.equal(r.status, 201);
  await w1.next('messenger.message', (d) => d.id === r.json.id);
  u = await unread(a2);
  assert.deepEqual(u, { total: 1, direct: [{ peer_id: sup.id, count: 1 }], groups: [] });
  list = await recipients(a2);
  assert.deepEqual(list.items.slice(0, 2).map((x) => x.id), [a1.id, sup.id]);

  // Bob goes away; Ann writes twice more; Bob comes back with a new socket.
  await close(w2);
  const later = [];
  for (const text of ['are you there?', 'ping me when back']) {
    r = await send(a1, a2.id, text);
    assert.equal(r.status, 201);
    later.push(r.json.id);
  }
  const w2b = await connect(srv, a2);
  u = await unread(a2);
  assert.equal(u.total, 3);
  assert.deepEqual(u.direct, [{ peer_id: a1.id, count: 2 }, { peer_id: sup.id, count: 1 }]);
  const h = await history(a2, a1.id);
  assert.equal(h.total, 4);
  assert.deepEqual(h.items.map((m) => m.body), ['ping me when back', 'are you there?', 'hi Ann', 'hello Bob']);
  assert.ok(h.items.every((m, i) => i === 0 || m.id < h.items[i - 1].id), 'newest first');

  // Reading on one device clears the badge on every other one.
  const other = await connect(srv, a2);
  r = await a2.request('POST', `/api/v1/messenger/direct/${a1.id}/read`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { peer_id: a1.id, last_read_id: later[1], unread_total: 1 });
  assert.deepEqual((await other.next('messenger.read')).data, r.json);
  await w2b.next('messenger.read');
  assert.equal((await unread(a2)).total, 1);
  // The marker never moves back.
  r = await a2.request('POST', `/api/v1/messenger/direct/${a1.id}/read`, { body: { up_to_id: m1.id } });
  assert.equal(r.json.last_read_id, later[1]);
  // Partial read of the supervisor's conversation up to a given id.
  r = await a2.request('POST', `/api/v1/messenger/direct/${sup.id}/read`, { body: { up_to_id: m2.id } });
  assert.deepEqual(r.json, { peer_id: sup.id, last_read_id: m2.id, unread_total: 0 });
  assert.equal([w1, ws, w2b, other].flatMap((w) => w.of('messenger.presence')).length, 0,
    'no presence without asking for it');
  for (const w of [w1, ws, w2b, other]) await close(w);
});

test('history pages go backwards with ?before and never repeat or skip', async () => {
  const c = await agent(srv, admin, 'page.agent', 'Page Agent');
  const ids = [];
  for (let i = 0; i < 7; i++) {
    const r = await send(c, sup.id, `n${i}`);
    assert.equal(r.status, 201);
    ids.push(r.json.id);
  }
  const seen = [];
  let q = '?limit=3';
  for (;;) {
    const p = await history(sup, c.id, q);
    assert.equal(p.total, 7);
    if (p.items.length === 0) break;
    seen.push(...p.items.map((m) => m.id));
    q = `?limit=3&before=${p.items[p.items.length - 1].id}`;
  }
  assert.deepEqual(seen, ids.reverse());
  for (const bad of ['?limit=0', '?limit=201', '?before=x', '?before=-1']) {
    const r = await sup.request('GET', `/api/v1/messenger/direct/${c.id}/messages${bad}`);
    assert.equal(r.status, 422, bad);
  }
});

test('presence: online with a socket, offline only after the grace, a reload does not flap', async () => {
  const watcher = await agent(srv, admin, 'watch.agent', 'Watch Agent');
  const p = await agent(srv, admin, 'pres.agent', 'Pres Agent');
  const extra = await agent(srv, admin, 'extra.agent', 'Extra Agent');
  const w = await connect(srv, watcher);
  // Presence is opt-in per socket: sockets of other features never hear it.
  assert.deepEqual(await subscribe(w), { type: 'messenger.subscribed', data: { topic: 'presence' } });
  const isOnline = async (id) => (await recipients(watcher, '?limit=500')).items.find((x) => x.id === id).online;
  assert.equal(await isOnline(p.id), false);

  const s1 = await connect(srv, p);
  await w.next('messenger.presence', (d) => d.user_id === p.id && d.online);
  assert.equal(await isOnline(p.id), true);
  let filtered = await recipients(watcher, '?status=online&limit=500');
  assert.ok(filtered.items.every((x) => x.online) && filtered.items.some((x) => x.id === p.id));
  filtered = await recipients(watcher, '?status=offline&limit=500');
  assert.ok(filtered.items.every((x) => !x.online) && !filtered.items.some((x) => x.id === p.id));

  // A reload: the last socket closes and a new one opens within the grace; then a second tab
  // opens and the first closes.
  await close(s1);
  const s2 = await connect(srv, p);
  const s3 = await connect(srv, p);
  await close(s2);
  // A later arrival is announced after everything above was handled (one presence thread).
  const e = await connect(srv, extra);
  await w.next('messenger.presence', (d) => d.user_id === extra.id && d.online);
  assert.deepEqual(w.of('messenger.presence', (d) => d.user_id === p.id).map((m) => m.data.online), [true]);
  assert.equal(await isOnline(p.id), true);

  // Last socket gone: still online during the grace; offline once the (server) clock passed it.
  await close(s3);
  assert.equal(await isOnline(p.id), true);
  await waitFor(async () => {
    if (w.of('messenger.presence', (d) => d.user_id === p.id && !d.online).length) return true;
    const r = await srv.request('POST', '/api/v1/_test/clock', { body: { advance_ms: 61000 } });
    assert.equal(r.status, 200, r.text);
    await new Promise((res) => setTimeout(res, 50));
    return false;
  }, 'offline after the grace');
  assert.equal(await isOnline(p.id), false);
  assert.equal(await isOnline(extra.id), true, 'a user with an open socket never expires');
  await close(e);
  await close(w);
});

test('an agent without "Enable Internal Messenger" can neither use it nor be listed; nothing is stored', async () => {
  const off = await agent(srv, admin, 'mute.agent', 'Mute Agent', { perm_internal_messenger: false });
  for (const [m, p] of [['GET', '/api/v1/messenger/me'], ['GET', '/api/v1/messenger/recipients'],
    ['GET', '/api/v1/messenger/unread'], ['GET', `/api/v1/messenger/direct/${a1.id}/messages`],
    ['GET', '/api/v1/messenger/groups']]) {
    const r = await off.request(m, p);
    assert.equal(r.status, 403, `${m} ${p}: ${r.text}`);
    assert.match(r.headers.get('content-type'), /problem\+json/);
  }
  let r = await send(off, a1.id, 'let me in');
  assert.equal(r.status, 403);
  const offWs = await connect(srv, off);
  assert.equal((await subscribe(offWs)).data.status, 403, 'no presence for it either');
  offWs.send('{"type":"messenger.bogus"}');
  await waitFor(() => offWs.of('messenger.error').length === 2, 'unknown command answered');
  assert.equal(offWs.of('messenger.error')[1].data.status, 400);
  await close(offWs);
  assert.ok(!(await recipients(a1, '?limit=500')).items.some((x) => x.id === off.id), 'not listed');
  assert.equal((await json(sup, '/api/v1/messenger/member-search?q=mute')).total, 0);

  const before = (await history(a1, off.id)).total;
  r = await send(a1, off.id, 'can you read this?');
  assert.equal(r.status, 403, r.text);
  assert.equal((await history(a1, off.id)).total, before);
  assert.equal(before, 0);

  // Turning the permission on applies at once; off again, and it is refused again.
  r = await admin.request('PATCH', `/api/v1/agents/${off.id}`, { body: { perm_internal_messenger: true } });
  assert.equal(r.status, 200, r.text);
  assert.equal((await send(a1, off.id, 'welcome')).status, 201);
  assert.equal((await json(off, '/api/v1/messenger/me')).unread_total, 1);
  await admin.request('PATCH', `/api/v1/agents/${off.id}`, { body: { perm_internal_messenger: false } });
  assert.equal((await send(a1, off.id, 'gone again')).status, 403);
  assert.equal((await history(a1, off.id)).total, 1);
  // The admin token has no staff account to talk as.
  const anon = await srv.request('GET', '/api/v1/messenger/me');
  assert.equal(anon.status, 401);
});

test('"Messenger sound notification" reaches the client as a flag', async () => {
  const quiet = await agent(srv, admin, 'quiet.agent', 'Quiet Agent', { perm_messenger_sound: false });
  assert.equal((await json(quiet, '/api/v1/messenger/me')).sound_notification, false);
  const me = await json(a1, '/api/v1/messenger/me');
  assert.deepEqual(me, { user_id: a1.id, enabled: true, sound_notification: true, can_create_groups: false,
    max_message_chars: 500, unread_total: me.unread_total });
  assert.equal((await json(sup, '/api/v1/messenger/me')).can_create_groups, true);
});

test('text limits: size cap, blank, control characters, unknown fields; nothing is stored', async () => {
  const c = await agent(srv, admin, 'limit.agent', 'Limit Agent');
  const total = async () => (await history(c, a1.id)).total;
  const refused = [
    [{ body: 'x'.repeat(501) }, 422, 'body'],
    [{ body: '   \n\t ' }, 422, 'body'],
    [{ body: 'bell\u0007' }, 422, 'body'],
    [{ body: 42 }, 422, 'body'],
    [{}, 422, 'body'],
    [{ body: 'hi', html: true }, 422, 'html'],
    [{ body: '', to: 3 }, 422, 'body,to'],
  ];
  for (const [payload, status, field] of refused) {
    const r = await c.request('POST', `/api/v1/messenger/direct/${a1.id}/messages`, { body: payload });
    assert.equal(r.status, status, JSON.stringify(payload));
    assert.deepEqual(r.json.errors.map((e) => e.field).sort(), field.split(','));
  }
  // 500 characters is the cap, counted in characters, not bytes.
  let r = await send(c, a1.id, 'é'.repeat(500));
  assert.equal(r.status, 201, r.text);
  // A request body over http.max_body_bytes is refused with 413 before it is read.
  r = await declaredTooBig(c, `/api/v1/messenger/direct/${a1.id}/messages`, 2 * 1024 * 1024);
  assert.equal(r.status, 413, r.text);
  r = await c.request('POST', `/api/v1/messenger/direct/${a1.id}/messages`, { body: '{"body":', headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 400);
  r = await c.request('POST', `/api/v1/messenger/direct/${c.id}/messages`, { body: { body: 'me?' } });
  assert.equal(r.status, 422);
  assert.equal(r.json.errors[0].field, 'peer_id');
  r = await c.request('POST', '/api/v1/messenger/direct/999999/messages', { body: { body: 'anyone?' } });
  assert.equal(r.status, 404);
  assert.equal(await total(), 1);
});

test('a storage failure answers 503, stores nothing and announces nothing', async () => {
  const w = await connect(srv, a2);
  const before = (await history(a1, a2.id)).total;
  let r = await srv.request('PUT', '/api/v1/_test/fault', { body: { kind: 'full', count: -1 } });
  assert.equal(r.status, 204);
  try {
    r = await send(a1, a2.id, 'lost?');
    assert.equal(r.status, 503);
    assert.match(r.headers.get('content-type'), /problem\+json/);
  } finally {
    assert.equal((await srv.request('DELETE', '/api/v1/_test/fault')).status, 204);
  }
  assert.equal((await history(a1, a2.id)).total, before);
  r = await send(a1, a2.id, 'after the fault');
  assert.equal(r.status, 201);
  // Events arrive in order: nothing came before the message that was stored.
  assert.deepEqual((await w.next('messenger.message')).data.body, 'after the fault');
  assert.equal(w.of('messenger.message').length, 1);
  await close(w);
});

test('HTML is stored and returned as text, byte for byte', async () => {
  const evil = '<img src=x onerror="alert(1)"><b>bold</b> & <script>x()</script> \u00e9\u{1F600}';
  const w = await connect(srv, a2);
  const r = await send(a1, a2.id, evil);
  assert.equal(r.status, 201);
  assert.equal(r.json.body, evil);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal((await w.next('messenger.message', (d) => d.id === r.json.id)).data.body, evil);
  assert.equal((await history(a2, a1.id, '?limit=1')).items[0].body, evil);
  await close(w);
});

test('a deleted account\'s messages stay readable as "deleted user"; it is no longer a recipient', async () => {
  const d = await agent(srv, admin, 'leaving.agent', 'Leaving Agent');
  const r = await send(d, a1.id, 'bye all');
  assert.equal(r.status, 201);
  assert.equal((await admin.request('DELETE', `/api/v1/agents/${d.id}`)).status, 204);
  const h = await history(a1, d.id);
  assert.equal(h.total, 1);
  assert.equal(h.items[0].body, 'bye all');
  assert.deepEqual(h.items[0].sender, { id: d.id, name: 'deleted user', username: null, role: 'agent', deleted: true });
  assert.ok(!(await recipients(a1, '?limit=500')).items.some((x) => x.id === d.id));
  assert.equal((await send(a1, d.id, 'hello?')).status, 404);
  assert.equal((await history(a1, d.id)).total, 1);
  // Its unread message can still be read and cleared.
  const rd = await a1.request('POST', `/api/v1/messenger/direct/${d.id}/read`, { body: {} });
  assert.equal(rd.status, 200, rd.text);
  assert.equal(rd.json.last_read_id, r.json.id);
});

test('recipients: search by name and paging', async () => {
  const all = await recipients(sup, '?limit=500');
  assert.equal(all.total, all.items.length);
  const found = await recipients(sup, '?q=BOB');
  assert.deepEqual(found.items.map((x) => x.id), [a2.id]);
  const page = await recipients(sup, '?limit=2&offset=1');
  assert.equal(page.total, all.total);
  assert.deepEqual(page.items.map((x) => x.id), all.items.slice(1, 3).map((x) => x.id));
  for (const bad of ['?status=away', '?limit=0', '?offset=-1', `?q=${'q'.repeat(65)}`]) {
    assert.equal((await sup.request('GET', `/api/v1/messenger/recipients${bad}`)).status, 422, bad);
  }
});

test('rate limit per sender: 429 with Retry-After, nothing stored, allowed again later', async () => {
  const s2 = await startServer({ env: { SWITCHBOARD_MESSENGER_RATE_BURST: '3', SWITCHBOARD_MESSENGER_RATE_PER_MINUTE: '2' } });
  try {
    const adm = await adminClient(s2);
    const x = await agent(s2, adm, 'fast.agent', 'Fast Agent');
    const y = await agent(s2, adm, 'slow.agent', 'Slow Agent');
    for (let i = 0; i < 3; i++) assert.equal((await send(x, y.id, `m${i}`)).status, 201);
    let r = await send(x, y.id, 'one too many');
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get('retry-after')) >= 1, r.headers.get('retry-after'));
    // Refused input does not spend the budget of another sender, nor is anything stored.
    assert.equal((await send(y, x.id, 'my own budget')).status, 201);
    assert.equal((await json(y, `/api/v1/messenger/direct/${x.id}/messages`)).total, 4);
    r = await s2.request('POST', '/api/v1/_test/clock', { body: { advance_ms: 30000 } });
    assert.equal(r.status, 200);
    assert.equal((await send(x, y.id, 'after a pause')).status, 201);
    assert.equal((await send(x, y.id, 'and again')).status, 429);
  } finally {
    assert.equal((await s2.stop()).code, 0, s2.stderr());
  }
});
