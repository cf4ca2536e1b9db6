'use strict';
// "Mask Sensitive Data" in the serialization layer: every JSON answer that carries a contact's
// name, phone or e-mail is masked for an agent with the setting or a supervisor whose profile
// has it, with the number of characters of the security settings; administrators and other
// callers see the data. The test hook /_test/echo answers its body through the same serializer
// every endpoint uses.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, login, STRONG } = require('./lib/server');

let srv, admin;
const PW = 'Agent!Passw0rd1';
const payload = {
  items: [{ id: 1, contact_phone: '+15551234567', contact_email: 'ana@example.com', contact_name: 'Ana Lima',
    contact: { first_name: 'Ana', last_name: 'Lima', phone: '+15551234567' } }],
  agent: { full_name: 'Staff Name', email: 'staff@example.com' },
};

async function signIn(username) {
  const c = await login(srv, username, PW);
  assert.equal((await c.request('POST', '/api/v1/auth/password', { body: { current_password: PW, new_password: STRONG } })).status, 204);
  return c;
}

before(async () => { srv = await startServer(); admin = await adminClient(srv); });
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

test('masked for agents with the setting and supervisors whose profile has it, never for admins', async () => {
  let r = await admin.request('PATCH', '/api/v1/settings', { body: { 'security.mask_sensitive_characters': 4 } });
  assert.equal(r.status, 200, r.text);
  r = await admin.request('POST', '/api/v1/agents', { body: { username: 'masked.agent', full_name: 'M', password: PW, mask_sensitive_data: true } });
  assert.equal(r.status, 201, r.text);
  r = await admin.request('POST', '/api/v1/agents', { body: { username: 'clear.agent', full_name: 'C', password: PW } });
  assert.equal(r.status, 201, r.text);
  const prof = await admin.request('POST', '/api/v1/profiles', { body: { name: 'masking', mask_sensitive: true } });
  r = await admin.request('POST', '/api/v1/users', { body: { username: 'masked.sup', full_name: 'S', role: 'user', password: PW, profile_id: prof.json.id } });
  assert.equal(r.status, 201, r.text);

  const masked = await signIn('masked.agent');
  const clear = await signIn('clear.agent');
  const sup = await signIn('masked.sup');
  const echo = (c) => c.request('POST', '/api/v1/_test/echo', { body: payload });

  for (const c of [masked, sup]) {
    r = await echo(c);
    assert.equal(r.status, 200, r.text);
    const it = r.json.items[0];
    assert.equal(it.contact_phone, '+1555123****');
    assert.equal(it.contact_email, 'ana@example****');
    assert.equal(it.contact_name, 'Ana ****');
    assert.deepEqual(it.contact, { first_name: '***', last_name: '****', phone: '+1555123****' });
    assert.deepEqual(r.json.agent, payload.agent, 'staff data is not contact data');
  }
  for (const c of [admin, clear]) assert.deepEqual((await echo(c)).json, payload);

  // The setting applies at once; 0 masks every character.
  await admin.request('PATCH', '/api/v1/settings', { body: { 'security.mask_sensitive_characters': 0 } });
  r = await echo(masked);
  assert.equal(r.json.items[0].contact_phone, '************');
  // Switching the agent's setting off shows the data again.
  const id = masked.user.id;
  assert.equal((await admin.request('PATCH', `/api/v1/agents/${id}`, { body: { mask_sensitive_data: false } })).status, 200);
  assert.deepEqual((await echo(masked)).json, payload);
});
