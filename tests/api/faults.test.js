'use strict';
// Storage faults: the server answers 503 problem+json, stays up, and recovers when the fault
// clears. Injected faults on both backends; on PostgreSQL also a real killed connection.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, psql, backend } = require('./lib/server');

let srv;
before(async () => { srv = await startServer(); });
after(async () => { assert.equal((await srv.stop()).code, 0); });

async function count() {
  return srv.request('GET', '/api/v1/_test/probes/count');
}

for (const kind of ['busy', 'full', 'lost']) {
  test(`injected ${kind} fault gives 503 problem+json, then recovery`, async () => {
    const base = (await count()).json.count;
    let r = await srv.request('PUT', '/api/v1/_test/fault', { body: { kind, count: -1 } });
    assert.equal(r.status, 204);
    for (const req of [
      () => srv.request('POST', '/api/v1/_test/probes', { body: { note: 'during fault' } }),
      () => srv.request('GET', '/api/v1/health'),
      () => count(),
    ]) {
      r = await req();
      assert.equal(r.status, 503, r.text);
      assert.match(r.headers.get('content-type'), /problem\+json/);
      assert.equal(r.json.status, 503);
      assert.doesNotMatch(r.text, /sqlite|SQLITE|postgres|PQ|errmsg/, 'no internals leak');
    }
    const m = await srv.request('GET', '/metrics');
    const errs = Number(/switchboard_db_errors_total (\d+)/.exec(m.text)[1]);
    assert.ok(errs >= 3, `the failed operations are counted (${errs})`);
    r = await srv.request('DELETE', '/api/v1/_test/fault');
    assert.equal(r.status, 204);
    // Recovery: the first call after a lost connection may reconnect; give it a few tries.
    let ok = null;
    for (let i = 0; i < 5 && !ok; i++) {
      const h = await srv.request('GET', '/api/v1/health');
      if (h.status === 200) ok = h;
    }
    assert.ok(ok, 'health recovers');
    r = await srv.request('POST', '/api/v1/_test/probes', { body: { note: 'after fault' } });
    assert.equal(r.status, 201, r.text);
    assert.equal((await count()).json.count, base + 1, 'the write during the fault was not stored');
  });
}

test('invalid fault requests are refused with the field named', async () => {
  let r = await srv.request('PUT', '/api/v1/_test/fault', { body: { kind: 'meteor' } });
  assert.equal(r.status, 422);
  assert.equal(r.json.errors[0].field, 'kind');
  r = await srv.request('GET', '/api/v1/health');
  assert.equal(r.status, 200, 'nothing was armed');
});

test('a really killed PostgreSQL connection is survived', { skip: backend !== 'postgres' && 'PostgreSQL only' }, async () => {
  assert.equal((await srv.request('GET', '/api/v1/health')).status, 200);
  const killed = psql(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${srv.pgDatabase}'`);
  assert.ok(Number(killed) >= 1, `terminated ${killed}`);
  const statuses = [];
  let recovered = false;
  for (let i = 0; i < 10 && !recovered; i++) {
    const r = await srv.request('POST', '/api/v1/_test/probes', { body: { note: `after kill ${i}` } });
    statuses.push(r.status);
    if (r.status !== 201) assert.equal(r.status, 503, r.text);
    recovered = r.status === 201;
  }
  assert.ok(recovered, `statuses: ${statuses}`);
  let h;
  for (let i = 0; i < 5; i++) { h = await srv.request('GET', '/api/v1/health'); if (h.status === 200) break; }
  assert.equal(h.status, 200);
});
