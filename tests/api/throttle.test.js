'use strict';
// Per-address throttling: past the allowance, attempts wait (429 + Retry-After) without the
// password being checked, so guessing is slow but nobody's account gets locked by it.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, STRONG } = require('./lib/server');

test('failed logins from one address are throttled, then allowed again after the delay', async () => {
  const srv = await startServer({ env: { SWITCHBOARD_AUTH_THROTTLE_ADDRESS_FAILURES: '3', SWITCHBOARD_AUTH_THROTTLE_BASE_DELAY_MS: '60000' } });
  try {
    await adminClient(srv);
    const attempt = (password) => srv.request('POST', '/api/v1/auth/login', { body: { username: 'someone', password } });
    // Three failures are free; the fourth is answered but starts the delay.
    for (let i = 0; i < 4; i++) assert.equal((await attempt('Wrong!pass1')).status, 401);
    const t = await attempt('Wrong!pass1');
    assert.equal(t.status, 429);
    assert.equal(t.headers.get('retry-after'), '60');
    const right = await srv.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: STRONG } });
    assert.equal(right.status, 429, 'throttled before the password is looked at');
    await srv.request('POST', '/api/v1/_test/clock', { body: { advance_ms: 61000 } });
    const later = await srv.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: STRONG } });
    assert.equal(later.status, 200);
  } finally {
    assert.equal((await srv.stop()).code, 0);
  }
});
