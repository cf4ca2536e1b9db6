'use strict';
// GET /api/v1/agents/schema: the one settings table described for the console's agent form —
// every setting of a fresh agent's JSON is described with the default it really gets, per
// typology; who may read it; and GET /api/v1/auth/me's permissions for supervisors.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, accountClient, login, STRONG } = require('./lib/server');

let srv, admin;
before(async () => { srv = await startServer(); admin = await adminClient(srv); });
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const PW = 'Agent!Passw0rd1';
// Keys of the agent JSON that are identity or bookkeeping columns, not settings.
const IDENTITY = new Set(['id', 'username', 'full_name', 'email', 'alias', 'description', 'typology',
  'internal', 'disabled', 'locked', 'locked_at', 'mfa_enabled', 'ad_sso', 'created_at', 'updated_at',
  'last_password_reset_at', 'role', 'avatar_url', 'last_login_at', 'password_must_change']);

test('every setting of a fresh agent is described with its real default, for every typology', async () => {
  const r = await admin.request('GET', '/api/v1/agents/schema');
  assert.equal(r.status, 200, r.text);
  const s = r.json;
  assert.deepEqual(s.typologies, ['phonebar', 'external', 'webrtc', 'mobile']);
  const sections = s.sections.map((x) => x.id);
  assert.deepEqual(sections, ['personal', 'security', 'voice', 'other_channels', 'phonebar', 'webrtc',
    'mobile', 'permissions', 'client_logs']);
  const byName = new Map(s.fields.map((f) => [f.name, f]));
  assert.equal(byName.size, s.fields.length, 'field names are unique');
  for (const f of s.fields) {
    assert.ok(sections.includes(f.section), `${f.name}: section ${f.section}`);
    assert.ok(typeof f.label === 'string' && f.label.length > 0, `${f.name}: label`);
    assert.ok(f.typologies.length > 0 && f.typologies.every((t) => s.typologies.includes(t)), f.name);
    if (f.type === 'integer') assert.ok(Number.isInteger(f.min) && f.max >= f.min, f.name);
    if (['enum', 'enum_list', 'bool_map'].includes(f.type)) assert.ok(f.choices.length > 0, f.name);
    assert.deepEqual(f.default, f.defaults.phonebar, f.name);
  }
  const created = {};
  for (const typology of ['phonebar', 'external', 'webrtc']) {
    const c = await admin.request('POST', '/api/v1/agents', {
      body: { username: `schema.${typology}`, full_name: `Schema ${typology}`, typology, password: PW },
    });
    assert.equal(c.status, 201, c.text);
    created[typology] = c.json;
    const settings = Object.keys(c.json).filter((k) => !IDENTITY.has(k));
    assert.ok(settings.length >= 70, `${settings.length} settings`);
    for (const k of settings) {
      assert.ok(byName.has(k), `${k} of the agent JSON is described`);
      assert.deepEqual(byName.get(k).defaults[typology], c.json[k], `${typology} default of ${k}`);
    }
    assert.equal(settings.length, s.fields.length, 'and nothing described is missing from the agent');
  }
  // Spot checks against the seed, so a wrong table cannot describe itself into passing.
  assert.deepEqual(byName.get('transport').defaults.webrtc, ['wss']);
  assert.equal(byName.get('phonebar_sip_destination_port').default, 5060);
  assert.deepEqual(byName.get('phonebar_sip_destination_port').typologies, ['phonebar']);
  assert.equal(byName.get('webrtc_sip_expires').section, 'webrtc');
  assert.deepEqual(byName.get('client_log_level').choices, ['error', 'warning', 'info', 'debug']);
  assert.equal(byName.get('chat_capacity').max, 1000);
  assert.equal(byName.get('context').max_length, 80);
});

test('who may read the schema; /auth/me tells a supervisor what its profile allows', async () => {
  assert.equal((await srv.request('GET', '/api/v1/agents/schema')).status, 401);
  const agent = await accountClient(srv, 'schema.agent', 'agent');
  assert.equal((await agent.request('GET', '/api/v1/agents/schema')).status, 403);
  const me = await agent.request('GET', '/api/v1/auth/me');
  assert.equal(me.status, 200);
  assert.equal('permissions' in me.json, false, 'agents get no console permissions');
  const adminMe = await admin.request('GET', '/api/v1/auth/me');
  assert.equal('permissions' in adminMe.json, false, 'an admin may do everything');

  const mk = async (name, body) => {
    const r = await admin.request('POST', '/api/v1/profiles', { body: { name, ...body } });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  const sup = async (username, profileId) => {
    const r = await admin.request('POST', '/api/v1/users', {
      body: { username, full_name: `Sup ${username}`, role: 'user', profile_id: profileId, password: PW } });
    assert.equal(r.status, 201, r.text);
    const c = await login(srv, username, PW);
    assert.equal((await c.request('POST', '/api/v1/auth/password', { body: { current_password: PW, new_password: STRONG } })).status, 204);
    return c;
  };
  const reader = await sup('schema.reader', await mk('schema readers', {
    default_permission: 'read_delete', sections: { agents: 'read', queues: 'default' } }));
  let r = await reader.request('GET', '/api/v1/auth/me');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.permissions, { sections: { agents: ['read'], queues: ['read', 'delete'] } });
  assert.equal((await reader.request('GET', '/api/v1/agents/schema')).status, 200);

  const none = await sup('schema.none', await mk('schema none', { default_permission: 'read', sections: { queues: 'default' } }));
  r = await none.request('GET', '/api/v1/auth/me');
  assert.deepEqual(r.json.permissions, { sections: { queues: ['read'] } });
  assert.equal((await none.request('GET', '/api/v1/agents/schema')).status, 403, 'no agents section');
});
