'use strict';
// Avatars: a real PNG (made here: node's zlib gives deflate and crc32) and a real JPEG
// (fixtures/avatar/agent.jpg, written by fixtures/avatar/make_jpeg.c with libjpeg-turbo) are
// accepted and served back byte for byte with a fixed type; a GIF renamed .png, a truncated
// PNG or JPEG, huge declared dimensions and 8 MiB + 1 byte are refused naming the field, and a
// refused upload changes nothing. Who may do what, caching, removal, and the files on disk.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const zlib = require('node:zlib');
const { execFileSync } = require('node:child_process');
const { startServer, adminClient, accountClient, psql, backend } = require('./lib/server');

const MiB = 1024 * 1024;
const fixtures = path.join(__dirname, 'fixtures', 'avatar');
const JPEG = fs.readFileSync(path.join(fixtures, 'agent.jpg'));
const JPEG_PROGRESSIVE = fs.readFileSync(path.join(fixtures, 'agent-progressive.jpg'));
// A 1×1 GIF89a: what a picture "renamed to .png" still is.
const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

// A w×h RGB PNG; `size` pads it with a private ancillary chunk ("prVt") to exactly that many
// bytes; `seed` changes the pixels so two pictures differ.
function makePng(w, h, { size = 0, seed = 0 } = {}) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc(h * (1 + 3 * w));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * (1 + 3 * w) + 1 + 3 * x;
      raw[o] = (x * 7 + seed) & 255; raw[o + 1] = (y * 5) & 255; raw[o + 2] = (x ^ y ^ seed) & 255;
    }
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const head = Buffer.concat([sig, pngChunk('IHDR', ihdr)]);
  const tail = Buffer.concat([pngChunk('IDAT', zlib.deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
  if (!size) return Buffer.concat([head, tail]);
  const padLen = size - head.length - tail.length - 12;
  assert.ok(padLen >= 0, 'padding fits');
  return Buffer.concat([head, pngChunk('prVt', Buffer.alloc(padLen, 0x61)), tail]);
}

// The PNG with other IHDR dimensions (CRC fixed, so only the dimension check can refuse it).
function withPngDims(png, w, h) {
  const out = Buffer.from(png);
  out.writeUInt32BE(w, 16);
  out.writeUInt32BE(h, 20);
  out.writeUInt32BE(zlib.crc32(out.subarray(12, 29)), 29);
  return out;
}

// The JPEG with another height in its SOF0 header.
function withJpegHeight(jpeg, h) {
  const out = Buffer.from(jpeg);
  const sof = out.indexOf(Buffer.from([0xff, 0xc0]));
  assert.ok(sof > 0, 'baseline SOF0 present');
  out.writeUInt16BE(h, sof + 5);
  return out;
}

let srv, admin, agentA, agentB, plain;
before(async () => {
  srv = await startServer();
  admin = await adminClient(srv);
  const mk = async (username) => {
    const r = await admin.request('POST', '/api/v1/agents', { body: { username, full_name: username, password: 'Agent!Passw0rd1' } });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  agentA = await mk('avatar.a');
  agentB = await mk('avatar.b');
  plain = await accountClient(srv, 'avatar.viewer', 'agent');
});
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const url = (id) => `/api/v1/agents/${id}/avatar`;
const put = (client, id, body, type) => client.request('PUT', url(id), { body, headers: { 'content-type': type } });
const fieldsOf = (r) => (r.json && r.json.errors ? r.json.errors.map((e) => e.field) : []);

// GET with the raw bytes (the harness reads bodies as text).
async function getBytes(client, p, headers = {}) {
  const res = await fetch(srv.base + p, { headers: client ? { cookie: client.cookie, ...headers } : headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

const avatarDir = () => path.join(srv.tmp, 'avatars');
const storedFiles = () => (fs.existsSync(avatarDir()) ? fs.readdirSync(avatarDir()).sort() : []);

function sql(statement) {
  if (backend === 'postgres') return psql(statement, srv.pgDatabase);
  return execFileSync('sqlite3', [srv.sqlitePath, statement], { encoding: 'utf8' }).trim();
}
const column = (id) => sql(`SELECT COALESCE(avatar, '') FROM staff WHERE id = ${id}`);

test('a real PNG is accepted and served back byte for byte with a fixed type', async () => {
  const png = makePng(64, 48);
  const r = await put(admin, agentA.id, png, 'image/png');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.content_type, 'image/png');
  assert.equal(r.json.width, 64);
  assert.equal(r.json.height, 48);
  assert.equal(r.json.bytes, png.length);
  assert.match(r.json.avatar_url, new RegExp(`^/api/v1/agents/${agentA.id}/avatar\\?v=[0-9a-f]{16}$`));
  const agent = (await admin.request('GET', `/api/v1/agents/${agentA.id}`)).json;
  assert.equal(agent.avatar_url, r.json.avatar_url);
  const listed = (await admin.request('GET', '/api/v1/agents?q=avatar.a')).json.items.find((a) => a.id === agentA.id);
  assert.equal(listed.avatar_url, r.json.avatar_url);

  const g = await getBytes(admin, r.json.avatar_url);
  assert.equal(g.status, 200);
  assert.ok(g.body.equals(png), 'the same bytes come back');
  assert.equal(g.headers.get('content-type'), 'image/png');
  assert.equal(g.headers.get('x-content-type-options'), 'nosniff');
  assert.match(g.headers.get('content-disposition'), /^inline/);
  assert.match(g.headers.get('cache-control'), /^private, max-age=\d+/);
  assert.match(g.headers.get('etag'), /^"[0-9a-f]{32}"$/);

  // On disk: one file with a generated name, 0600, in a 0700 directory.
  const files = storedFiles();
  assert.equal(files.length, 1);
  assert.match(files[0], /^[0-9a-f]{32}\.png$/);
  assert.equal(column(agentA.id), files[0]);
  assert.equal(fs.statSync(path.join(avatarDir(), files[0])).mode & 0o777, 0o600);
  assert.equal(fs.statSync(avatarDir()).mode & 0o777, 0o700);
});

test('a conditional GET answers 304; the bare URL is revalidated, a versioned one cached long', async () => {
  const avatarUrl = (await admin.request('GET', `/api/v1/agents/${agentA.id}`)).json.avatar_url;
  const first = await getBytes(admin, avatarUrl);
  const etag = first.headers.get('etag');
  const again = await getBytes(admin, avatarUrl, { 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers.get('etag'), etag);
  assert.equal((await getBytes(admin, avatarUrl, { 'if-none-match': '"0123"' })).status, 200);
  assert.match(first.headers.get('cache-control'), /max-age=[1-9]\d*/);
  const bare = await getBytes(admin, url(agentA.id));
  assert.equal(bare.status, 200);
  assert.match(bare.headers.get('cache-control'), /^private, max-age=0/);
});

test('any signed-in staff member may read a picture; nobody anonymous', async () => {
  const g = await getBytes(plain, url(agentA.id));
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('content-type'), 'image/png');
  assert.equal((await getBytes(null, url(agentA.id))).status, 401);
});

test('a real JPEG replaces the PNG; the old file is removed', async () => {
  const before = (await admin.request('GET', `/api/v1/agents/${agentA.id}`)).json.avatar_url;
  const r = await put(admin, agentA.id, JPEG, 'image/jpeg');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.content_type, 'image/jpeg');
  assert.equal(r.json.width, 48);
  assert.equal(r.json.height, 40);
  assert.notEqual(r.json.avatar_url, before, 'a new picture is a new URL');
  const g = await getBytes(admin, r.json.avatar_url);
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('content-type'), 'image/jpeg');
  assert.ok(g.body.equals(JPEG));
  const files = storedFiles();
  assert.equal(files.length, 1, files.join());
  assert.match(files[0], /^[0-9a-f]{32}\.jpg$/);
  const p = await put(admin, agentB.id, JPEG_PROGRESSIVE, 'image/jpg');
  assert.equal(p.status, 200, p.text);
  assert.equal(storedFiles().length, 2);
});

// Each refusal: status, the field named, and nothing changed (same column, same bytes served,
// no new file left behind).
async function assertRefused(body, type, status, messagePattern) {
  const column0 = column(agentA.id);
  const files0 = storedFiles();
  const r = await put(admin, agentA.id, body, type);
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  assert.deepEqual(fieldsOf(r), ['avatar'], r.text);
  if (messagePattern) assert.match(r.json.errors[0].message, messagePattern);
  assert.equal(column(agentA.id), column0);
  assert.deepEqual(storedFiles(), files0);
  const g = await getBytes(admin, url(agentA.id));
  assert.ok(g.body.equals(JPEG), 'the previous picture is still served');
  return r;
}

test('a GIF renamed to .png is refused whatever its Content-Type says', async () => {
  await assertRefused(GIF, 'image/png', 422, /PNG or JPEG/);
  await assertRefused(GIF, 'image/jpeg', 422, /PNG or JPEG/);
  await assertRefused(GIF, 'image/gif', 415, /Content-Type/);
  await assertRefused(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/png', 422);
  // The bytes decide, and must agree with the declared type.
  await assertRefused(makePng(8, 8), 'image/jpeg', 422, /PNG image but Content-Type says image\/jpeg/);
  await assertRefused(JPEG, 'image/png', 422, /JPEG image/);
  await assertRefused(makePng(8, 8), 'application/octet-stream', 415);
  await assertRefused(Buffer.alloc(0), 'image/png', 422, /empty/);
});

test('a truncated PNG and a truncated JPEG are refused', async () => {
  const png = makePng(32, 32);
  await assertRefused(png.subarray(0, png.length - 12), 'image/png', 422, /complete, valid PNG/); // no IEND
  await assertRefused(png.subarray(0, png.length - 30), 'image/png', 422, /complete, valid PNG/);
  // Without its last two bytes (EOI) libjpeg only warns and pads the picture: still refused.
  await assertRefused(JPEG.subarray(0, JPEG.length - 2), 'image/jpeg', 422, /complete, valid JPEG/);
  await assertRefused(JPEG.subarray(0, JPEG.length >> 1), 'image/jpeg', 422, /complete, valid JPEG/);
});

test('huge declared dimensions are refused before decoding', async () => {
  await assertRefused(withPngDims(makePng(4, 4), 60000, 60000), 'image/png', 422, /60000x60000/);
  await assertRefused(withPngDims(makePng(4, 4), 4097, 1), 'image/png', 422, /4096/);
  await assertRefused(withJpegHeight(JPEG, 50000), 'image/jpeg', 422, /48x50000/);
  await assertRefused(withPngDims(makePng(4, 4), 0, 4), 'image/png', 422);
});

test('exactly 8 MiB is accepted; 8 MiB + 1 byte is refused with 413 before the body is read', async () => {
  const exact = makePng(16, 16, { size: 8 * MiB });
  assert.equal(exact.length, 8388608);
  let r = await put(admin, agentB.id, exact, 'image/png');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.bytes, 8388608);
  const g = await getBytes(admin, url(agentB.id));
  assert.ok(g.body.equals(exact));

  // Declared too large: answered at once, before the client sends a byte of the body.
  const over = makePng(16, 16, { size: 8 * MiB + 1 });
  assert.equal(over.length, 8388609);
  const column0 = column(agentA.id);
  const early = await streamPut(agentA.id, { 'content-length': String(over.length) }, null);
  assert.equal(early.status, 413, early.text);
  assert.deepEqual(JSON.parse(early.text).errors.map((e) => e.field), ['avatar']);
  assert.match(JSON.parse(early.text).errors[0].message, /8388608 bytes/);
  // Without a Content-Length (chunked) the same cap holds while reading.
  const chunked = await streamPut(agentA.id, {}, over);
  assert.equal(chunked.status, 413, chunked.text);
  assert.deepEqual(JSON.parse(chunked.text).errors.map((e) => e.field), ['avatar']);
  assert.equal(column(agentA.id), column0, 'nothing changed');
  assert.ok((await getBytes(admin, url(agentA.id))).body.equals(JPEG));
});

// PUTs a picture through node:http: `body` null sends the headers only (the answer must not
// wait for a body); a body without content-length goes chunked, 1 MiB at a time. Resolves
// with the response; a write refused because the server already answered is no failure.
function streamPut(id, headers, body, method = 'PUT', p = url(id)) {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(srv.base + p, {
      method,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'image/png', ...headers },
    }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => { resolve({ status: res.statusCode, text }); req.destroy(); });
    });
    req.on('error', (e) => { if (!answered) reject(e); });
    if (!body) { req.flushHeaders(); return; }
    for (let o = 0; o < body.length; o += MiB) req.write(body.subarray(o, o + MiB));
    req.end();
  });
}

test('the upload cap is the avatar route\'s alone: other routes keep http.max_body_bytes', async () => {
  const r = await streamPut(agentB.id, { 'content-type': 'application/json', 'content-length': String(2 * MiB) }, null,
    'PATCH', `/api/v1/agents/${agentB.id}`);
  assert.equal(r.status, 413, r.text);
  // A body just over http.max_body_bytes (1 MiB) on the avatar path with another method is
  // not an upload either: DELETE takes no body, and its cap stays the generic one.
  const d = await streamPut(agentB.id, { 'content-length': String(MiB + 1) }, null, 'DELETE');
  assert.equal(d.status, 413, d.text);
  // …while a 2 MiB picture (twice the generic cap) is fine.
  const p = await put(admin, agentB.id, makePng(16, 16, { size: 2 * MiB }), 'image/png');
  assert.equal(p.status, 200, p.text);
});

test('anonymous callers get 401, agents 403, unknown agents 404', async () => {
  const png = makePng(8, 8);
  assert.equal((await srv.request('PUT', url(agentA.id), { body: png, headers: { 'content-type': 'image/png' } })).status, 401);
  assert.equal((await srv.request('DELETE', url(agentA.id))).status, 401);
  assert.equal((await put(plain, agentA.id, png, 'image/png')).status, 403);
  assert.equal((await plain.request('DELETE', url(agentA.id))).status, 403);
  assert.equal(column(agentA.id).endsWith('.jpg'), true, 'nothing changed');
  assert.equal((await put(admin, 999999, png, 'image/png')).status, 404);
  assert.equal((await admin.request('DELETE', url(999999))).status, 404);
  assert.equal((await admin.request('GET', url(999999))).status, 404);
  assert.equal((await admin.request('GET', url('abc'))).status, 404);
  // An account that is not an agent has no avatar route.
  assert.equal((await put(admin, admin.user.id, png, 'image/png')).status, 404);
});

test('a supervisor changes pictures only of agents in its queues', async () => {
  const sup = await accountClient(srv, 'avatar.sup', 'user');
  const png = makePng(8, 8);
  // No profile: the agents section is not enabled.
  assert.equal((await put(sup, agentA.id, png, 'image/png')).status, 403);
  const q = await admin.request('POST', '/api/v1/queues', { body: { channel: 'chat', name: 'avatar-queue' } });
  assert.equal(q.status, 201, q.text);
  assert.equal((await admin.request('POST', `/api/v1/queues/${q.json.id}/agents`, { body: { agent_ids: [agentB.id] } })).status < 300, true);
  sql(`INSERT INTO profiles (name, default_permission, sections, created_at, updated_at) VALUES ('avatar-editors', 'read_edit', '{"agents":"default"}', 0, 0)`);
  const pid = Number(sql(`SELECT id FROM profiles WHERE name = 'avatar-editors'`));
  sql(`INSERT INTO profile_resources (profile_id, kind, resource_id) VALUES (${pid}, 'queue', ${q.json.id})`);
  sql(`UPDATE staff SET profile_id = ${pid} WHERE id = ${sup.id}`);
  const inScope = await put(sup, agentB.id, png, 'image/png');
  assert.equal(inScope.status, 200, inScope.text);
  const outside = await put(sup, agentA.id, png, 'image/png');
  assert.equal(outside.status, 404, 'an agent outside its queues does not exist for it');
  assert.equal(column(agentA.id).endsWith('.jpg'), true);
  // A read-only profile may look but not change.
  sql(`UPDATE profiles SET default_permission = 'read' WHERE id = ${pid}`);
  assert.equal((await sup.request('DELETE', url(agentB.id))).status, 403);
});

test('concurrent uploads leave exactly one file, the one the agent points at', async () => {
  const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => put(admin, agentB.id, makePng(24, 24, { seed: i + 1 }), 'image/png')));
  assert.deepEqual(rs.map((r) => r.status), Array(8).fill(200), rs.map((r) => r.text).join('\n'));
  const mine = column(agentB.id);
  const files = storedFiles();
  assert.ok(files.includes(mine));
  assert.equal(files.length, 2, `agentA's and agentB's only: ${files.join()}`);
});

test('DELETE removes the picture and its file; uploads and removals are audited', async () => {
  const r = await admin.request('DELETE', url(agentB.id));
  assert.equal(r.status, 204, r.text);
  assert.equal((await admin.request('GET', url(agentB.id))).status, 404);
  assert.equal((await admin.request('GET', `/api/v1/agents/${agentB.id}`)).json.avatar_url, null);
  assert.equal(column(agentB.id), '');
  assert.equal(storedFiles().length, 1);
  assert.equal((await admin.request('DELETE', url(agentB.id))).status, 204, 'idempotent');
  const audit = (await admin.request('GET', `/api/v1/audit?target_id=${agentB.id}&limit=100`)).json.items.map((e) => e.action);
  assert.ok(audit.includes('agent.avatar.set'), audit.join());
  assert.equal(audit.filter((a) => a === 'agent.avatar.remove').length, 1, audit.join());
});

test('deleting an agent removes its picture file', async () => {
  assert.equal(storedFiles().length, 1);
  const r = await admin.request('DELETE', `/api/v1/agents/${agentA.id}`);
  assert.equal(r.status, 204, r.text);
  assert.deepEqual(storedFiles(), []);
  assert.equal(column(agentA.id), '');
  assert.equal((await admin.request('GET', url(agentA.id))).status, 404);
});

test('a bulk delete removes the picture file of every agent it deletes', async () => {
  const ids = [];
  for (const name of ['avatar.bulk1', 'avatar.bulk2']) {
    const c = await admin.request('POST', '/api/v1/agents', { body: { username: name, full_name: name, password: 'Agent!Passw0rd1' } });
    assert.equal(c.status, 201, c.text);
    assert.equal((await put(admin, c.json.id, makePng(8, 8), 'image/png')).status, 200);
    ids.push(c.json.id);
  }
  assert.equal(storedFiles().length, 2);
  const r = await admin.request('POST', '/api/v1/agents/delete', { body: { ids } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(storedFiles(), []);
});

test('avatar_url is read-only in a change of the agent', async () => {
  const r = await admin.request('PATCH', `/api/v1/agents/${agentB.id}`, { body: { avatar_url: '/elsewhere.png' } });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r), ['avatar_url']);
  assert.equal((await admin.request('GET', `/api/v1/agents/${agentB.id}`)).json.avatar_url, null);
});

test('a picture that cannot be written is a 503 that changes nothing', async () => {
  const c = await admin.request('POST', '/api/v1/agents', { body: { username: 'avatar.c', full_name: 'C', password: 'Agent!Passw0rd1' } });
  assert.equal(c.status, 201, c.text);
  fs.rmSync(avatarDir(), { recursive: true, force: true });
  fs.writeFileSync(avatarDir(), 'not a directory'); // the store cannot create its directory
  try {
    const r = await put(admin, c.json.id, makePng(8, 8), 'image/png');
    assert.equal(r.status, 503, r.text);
    assert.equal(column(c.json.id), '');
    assert.equal((await admin.request('GET', url(c.json.id))).status, 404);
  } finally {
    fs.rmSync(avatarDir());
  }
  const ok = await put(admin, c.json.id, makePng(8, 8), 'image/png');
  assert.equal(ok.status, 200, ok.text);
  assert.equal(fs.statSync(avatarDir()).mode & 0o777, 0o700, 'created again, 0700');
});
