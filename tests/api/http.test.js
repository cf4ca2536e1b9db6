'use strict';
// HTTP conventions: problem+json errors, size caps, strict JSON, headers, metrics — and that no
// rejected request writes anything.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('./lib/server');
const { rawRequest } = require('./lib/raw');

let srv;
before(async () => { srv = await startServer({ env: { SWITCHBOARD_HTTP_MAX_BODY_BYTES: '2048' } }); });
after(async () => { const r = await srv.stop(); assert.equal(r.code, 0, srv.stderr()); });

async function probeCount() {
  const r = await srv.request('GET', '/api/v1/_test/probes/count');
  assert.equal(r.status, 200);
  return r.json.count;
}

function assertProblem(r, status) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  assert.equal(r.json.status, status);
  assert.equal(typeof r.json.title, 'string');
  assert.equal(r.json.type, 'about:blank');
}

test('health reports the database, version and uptime', async () => {
  const r = await srv.request('GET', '/api/v1/health');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ok');
  assert.match(r.json.version, /^\d+\.\d+\.\d+$/);
  assert.equal(typeof r.json.uptime_seconds, 'number');
  assert.equal(r.json.database.ok, true);
  assert.equal(r.json.database.backend, process.env.SB_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite');
  assert.ok(r.json.database.schema_version >= 1);
});

test('every response carries a request id and the security headers', async () => {
  const a = await srv.request('GET', '/api/v1/health');
  const b = await srv.request('GET', '/api/v1/nope');
  for (const r of [a, b]) {
    assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
    assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
  }
  assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
  // The id is in the access log line of that request.
  const id = a.headers.get('x-request-id');
  await new Promise((res) => setTimeout(res, 50));
  const line = srv.logs.find((l) => l.msg === 'request' && l.request_id === id);
  assert.ok(line, 'access log line with the request id');
  assert.equal(line.status, 200);
  assert.equal(line.path, '/api/v1/health');
});

test('unknown API route gives 404 problem+json', async () => {
  const r = await srv.request('GET', '/api/v1/does-not-exist');
  assertProblem(r, 404);
});

test('wrong method gives 405 with Allow', async () => {
  const r = await srv.request('DELETE', '/api/v1/health');
  assertProblem(r, 405);
  assert.equal(r.headers.get('allow'), 'GET');
});

test('a valid write is stored through the group-commit writer', async () => {
  const before = await probeCount();
  const r = await srv.request('POST', '/api/v1/_test/probes', { body: { note: 'hello' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.note, 'hello');
  assert.ok(Number.isInteger(r.json.id));
  assert.equal(await probeCount(), before + 1);
});

test('malformed JSON gives 400 naming the body and writes nothing', async () => {
  const before = await probeCount();
  for (const raw of ['{"note": "x"', '{"note": "x"} trailing', '[1,2]', '', '{"note":"a","note":"b"}',
    Buffer.from('{"note":"\xff"}', 'latin1')]) {
    const r = await srv.request('POST', '/api/v1/_test/probes', { body: raw, headers: { 'content-type': 'application/json' } });
    assertProblem(r, 400);
    assert.equal(r.json.errors[0].field, 'body');
  }
  assert.equal(await probeCount(), before);
});

test('a body that is not JSON gives 415 and writes nothing', async () => {
  const before = await probeCount();
  const r = await srv.request('POST', '/api/v1/_test/probes', { body: 'note=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assertProblem(r, 415);
  assert.equal(await probeCount(), before);
});

test('an invalid field gives 422 naming the field and writes nothing', async () => {
  const before = await probeCount();
  for (const body of [{}, { note: '' }, { note: 7 }, { note: 'x'.repeat(201) }]) {
    const r = await srv.request('POST', '/api/v1/_test/probes', { body });
    assertProblem(r, 422);
    assert.deepEqual(r.json.errors.map((e) => e.field), ['note']);
  }
  assert.equal(await probeCount(), before);
});

test('a body over the cap gives 413 and writes nothing (declared and chunked)', async () => {
  const before = await probeCount();
  const big = JSON.stringify({ note: 'x'.repeat(5000) });
  const r = await srv.request('POST', '/api/v1/_test/probes', { body: big, headers: { 'content-type': 'application/json' } });
  assertProblem(r, 413);
  const chunk = big.length.toString(16);
  const raw = await rawRequest(srv.port,
    'POST /api/v1/_test/probes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk}\r\n${big}\r\n0\r\n\r\n`);
  assert.equal(raw.status, 413, raw.raw.slice(0, 300));
  assert.match(raw.head, /application\/problem\+json/i);
  assert.equal(await probeCount(), before);
});

test('a body on a route that takes none is refused', async () => {
  const r = await srv.request('GET', '/api/v1/_test/probes/count', { body: undefined });
  assert.equal(r.status, 200);
  const raw = await rawRequest(srv.port, 'DELETE /api/v1/_test/fault HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
  assert.equal(raw.status, 400);
});

test('oversized headers are refused', async () => {
  const raw = await rawRequest(srv.port, `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`);
  assert.ok([413, 414, 431].includes(raw.status) || raw.status === 0, `got ${raw.status}`);
  assert.notEqual(raw.status, 200);
});

test('many concurrent writes are all acknowledged and all stored', async () => {
  const before = await probeCount();
  const n = 200;
  const results = await Promise.all(Array.from({ length: n }, (_, i) =>
    srv.request('POST', '/api/v1/_test/probes', { body: { note: `n${i}` } })));
  assert.deepEqual(results.map((r) => r.status), Array(n).fill(201));
  assert.equal(new Set(results.map((r) => r.json.id)).size, n);
  assert.equal(await probeCount(), before + n);
});

test('openapi.json is served and lists the routes', async () => {
  const r = await srv.request('GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.equal(r.json.openapi, '3.1.0');
  for (const p of ['/api/v1/health', '/api/v1/ws', '/metrics', '/api/v1/_test/probes'])
    assert.ok(r.json.paths[p], p);
});

test('metrics in Prometheus format, for direct loopback peers only', async () => {
  await srv.request('GET', '/api/v1/health');
  const r = await srv.request('GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  assert.match(r.text, /switchboard_http_requests_total\{route="GET \/api\/v1\/health",status="2xx"\} \d+/);
  assert.match(r.text, /switchboard_http_request_duration_seconds_bucket\{route="GET \/api\/v1\/health",le="\+Inf"\} \d+/);
  assert.match(r.text, /switchboard_websockets_open \d+/);
  assert.match(r.text, /switchboard_hub_queue_depth \d+/);
  assert.match(r.text, /switchboard_db_operations_total [1-9]\d*/);
  const proxied = await srv.request('GET', '/metrics', { headers: { 'x-forwarded-for': '203.0.113.9' } });
  assert.equal(proxied.status, 404);
});

test('test hooks do not exist unless enabled', async () => {
  const prod = await startServer({ testHooks: false });
  try {
    const r = await prod.request('PUT', '/api/v1/_test/fault', { body: { kind: 'busy' } });
    assertProblem(r, 404);
    const h = await prod.request('GET', '/api/v1/health');
    assert.equal(h.status, 200);
  } finally {
    assert.equal((await prod.stop()).code, 0);
  }
});
