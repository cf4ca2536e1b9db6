'use strict';
// Asterisk provisioning (docs/asterisk.md): pjsip.conf parsed as INI by Python carries each
// agent's transport, codecs (in order), context and an md5_cred that matches the secret the
// agent's own softphone is given; the ps_* realtime views say the same; the CLI prints the
// same text; rotation, access rules, and the start-up backfill after a realm change.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { execFileSync, spawnSync } = require('node:child_process');
const { startServer, adminClient, accountClient, createAccount, login, cli, psql, backend, binary, STRONG } = require('./lib/server');

let srv, admin;
before(async () => { srv = await startServer(); admin = await adminClient(srv); });
after(async () => { if (srv) assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const AGENT_PW = 'Agent!Passw0rd1';
const md5 = (s) => crypto.createHash('md5').update(s).digest('hex');

// pjsip.conf as [[section, {key: value}], ...] in file order. Each section is parsed by its own
// strict configparser (PJSIP names an endpoint and its AOR alike); the whole text must also
// parse as one INI document with strict=False.
const PARSER = `
import configparser, json, re, sys
text = sys.stdin.read()
configparser.ConfigParser(strict=False, interpolation=None).read_string(text)
out = []
for chunk in re.split(r'(?m)^(?=\\[)', text):
    if not chunk.startswith('['):
        continue
    cp = configparser.ConfigParser(strict=True, interpolation=None)
    cp.optionxform = str
    cp.read_string(chunk)
    (name,) = cp.sections()
    out.append([name, dict(cp[name])])
print(json.dumps(out))
`;
const parseIni = (text) => JSON.parse(execFileSync('/usr/bin/python3', ['-c', PARSER], { input: text, encoding: 'utf8' }));

// The sections of one agent: endpoint, auth, aor.
function sectionsOf(parsed, username) {
  const of = (name, type) => parsed.filter(([n, o]) => n === name && o.type === type).map(([, o]) => o);
  const endpoint = of(username, 'endpoint'), auth = of(`${username}-auth`, 'auth'), aor = of(username, 'aor');
  assert.ok(endpoint.length <= 1 && auth.length <= 1 && aor.length <= 1, `one of each for ${username}`);
  return { endpoint: endpoint[0], auth: auth[0], aor: aor[0] };
}

async function fetchConf(client = admin) {
  const r = await client.request('GET', '/api/v1/provisioning/asterisk/pjsip.conf');
  assert.equal(r.status, 200, r.text);
  return r;
}

const byFirst = (x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0);

// Rows of a query on the server's database, as arrays of strings ('' for NULL).
function dbRows(server, sql) {
  const out = backend === 'postgres'
    ? psql(sql, server.pgDatabase)
    : execFileSync('sqlite3', [server.sqlitePath, sql], { encoding: 'utf8' }).trim();
  return out ? out.split('\n').map((l) => l.split('|')) : [];
}

async function createAgent(body) {
  const r = await admin.request('POST', '/api/v1/agents', { body: { password: AGENT_PW, ...body } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// Logs the agent in (choosing its own password when it must) and returns its client.
async function agentClient(username) {
  let c = await login(srv, username, AGENT_PW);
  if (c.response.json.password.must_change) {
    const r = await c.request('POST', '/api/v1/auth/password', { body: { current_password: AGENT_PW, new_password: STRONG } });
    assert.equal(r.status, 204, r.text);
    c = await login(srv, username, STRONG);
  }
  return c;
}

// Several typologies, transports, codecs and contexts; one caller id with '[' and ';'.
const specs = [
  { username: 'pb.one', full_name: 'Phonebar One', caller_id: 'Sales [EU]; desk' },
  { username: 'pb.two', full_name: 'Phonebar "Two"', transport: ['tcp', 'udp'], codecs: ['alaw', 'gsm', 'ulaw'],
    context: 'sales_1', nat: 'comedia', call_group: '1,3-5', pickup_group: '2', record_calls: 'wav' },
  { username: 'ext.one', full_name: 'External One', typology: 'external', transport: ['tls', 'udp'],
    codecs: ['g729', 'g722', 'ulaw'], context: 'ext-in', encryption: true, host: '192.0.2.7', voicemail: true },
  { username: 'web.one', full_name: 'WebRTC One', typology: 'webrtc', webrtc_sip_expires: 600 },
];
const agents = {}; // username -> {id, internal, settings, client, secret}

test('agents are created with a SIP secret only they can read', async () => {
  for (const s of specs) {
    const a = await createAgent(s);
    agents[s.username] = { id: a.id, internal: a.internal, settings: a };
    // Made with the agent, in the same transaction: sealed, and as md5_cred for the realm.
    const [[sealed, cred, realm]] = dbRows(srv, `SELECT sip_secret, md5_cred, sip_realm FROM agents WHERE staff_id = ${a.id}`);
    assert.match(sealed, /^v1:/);
    assert.match(cred, /^[0-9a-f]{32}$/);
    assert.equal(realm, 'switchboard');
    agents[s.username].stored = { sealed, cred };
  }
  for (const [username, a] of Object.entries(agents)) {
    a.client = await agentClient(username);
    const r = await a.client.request('GET', '/api/v1/auth/me/sip');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal(r.json.username, username);
    assert.equal(r.json.realm, 'switchboard');
    assert.equal(r.json.typology, a.settings.typology);
    assert.deepEqual(r.json.transports, a.settings.transport);
    assert.match(r.json.secret, /^[A-Za-z0-9]{24,}$/);
    a.secret = r.json.secret;
    assert.equal(a.stored.cred, md5(`${username}:switchboard:${a.secret}`), 'the secret made at creation');
    const row = dbRows(srv, `SELECT * FROM agents WHERE staff_id = ${a.id}`)[0].join('|');
    assert.ok(!row.includes(a.secret), 'never stored in clear');
  }
  assert.equal(new Set(Object.values(agents).map((a) => a.secret)).size, specs.length, 'one secret each');
  // Nobody else reads it: not an administrator (no SIP account), not anonymous.
  assert.equal((await admin.request('GET', '/api/v1/auth/me/sip')).status, 404);
  assert.equal((await srv.request('GET', '/api/v1/auth/me/sip')).status, 401);
  // The agent's details never carry it.
  const got = await admin.request('GET', `/api/v1/agents/${agents['pb.one'].id}`);
  assert.ok(!got.text.includes(agents['pb.one'].secret));
});

test('a caller id with CR/LF is refused naming the field, and no agent is created', async () => {
  const r = await admin.request('POST', '/api/v1/agents', {
    body: { username: 'evil.agent', full_name: 'Evil', password: AGENT_PW, caller_id: 'x\r\n[evil]\ntype=endpoint' },
  });
  assert.equal(r.status, 422);
  assert.deepEqual(r.json.errors.map((e) => e.field), ['caller_id']);
  assert.equal((await admin.request('GET', '/api/v1/agents?q=evil.agent')).json.total, 0);
});

test('pjsip.conf parses as INI with each agent\'s transport, codecs, context and md5_cred', async () => {
  const r = await fetchConf();
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="[^"]+\.conf"$/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const parsed = parseIni(r.text);
  for (const [username, a] of Object.entries(agents)) {
    assert.ok(!r.text.includes(a.secret), `no plaintext secret of ${username}`);
    const { endpoint, auth, aor } = sectionsOf(parsed, username);
    assert.ok(endpoint && auth && aor, `${username} has endpoint, auth and aor`);
    const st = a.settings;
    assert.equal(endpoint.transport, `transport-${st.transport[0]}`, username);
    assert.equal(endpoint.disallow, 'all');
    assert.equal(endpoint.allow, st.codecs.join(','), `${username} codecs in order`);
    assert.equal(endpoint.context, st.context);
    assert.equal(endpoint.aors, username);
    assert.equal(endpoint.auth, `${username}-auth`);
    assert.equal(auth.auth_type, 'md5');
    assert.equal(auth.username, username);
    assert.equal(auth.realm, 'switchboard');
    assert.equal(auth.md5_cred, md5(`${username}:switchboard:${a.secret}`));
    assert.equal('password' in auth, false);
    assert.equal(aor.max_contacts, '1');
    assert.equal(aor.remove_existing, 'yes');
  }
  const pb1 = sectionsOf(parsed, 'pb.one'), pb2 = sectionsOf(parsed, 'pb.two');
  const ext = sectionsOf(parsed, 'ext.one'), web = sectionsOf(parsed, 'web.one');
  assert.equal(pb1.endpoint.callerid, 'Sales (EU), desk', '[ ] ; cannot break the file');
  assert.equal(pb2.endpoint.callerid, `"Phonebar 'Two'" <${agents['pb.two'].internal}>`);
  assert.equal(pb1.aor.default_expiration, '3600');
  assert.equal(pb2.endpoint.rtp_symmetric, 'yes');
  assert.equal(pb2.endpoint.force_rport, 'no');
  assert.equal(pb2.endpoint.call_group, '1,3-5');
  assert.equal(pb2.endpoint.pickup_group, '2');
  assert.equal(pb2.endpoint.set_var, 'SB_RECORD_FORMAT=wav');
  assert.equal(ext.endpoint.media_encryption, 'sdes');
  assert.equal(ext.endpoint.mailboxes, `${agents['ext.one'].internal}@default`);
  assert.equal(ext.aor.contact, 'sip:ext.one@192.0.2.7');
  assert.equal('default_expiration' in ext.aor, false);
  assert.equal(web.endpoint.webrtc, 'yes');
  assert.equal(web.endpoint.media_encryption, 'dtls');
  assert.equal(web.aor.maximum_expiration, '600');
  // Exactly the agents' sections: nothing else (the first admin is no agent).
  const names = new Set(parsed.map(([n]) => n.replace(/-auth$/, '')));
  assert.deepEqual([...names].sort(), Object.keys(agents).sort());
  assert.equal(parsed.length, 3 * specs.length);
});

// Every column of the three views, against the same-named option of the file.
const VIEW_COLUMNS = {
  ps_endpoints: ['id', 'transport', 'aors', 'auth', 'context', 'disallow', 'allow', 'force_rport', 'rewrite_contact',
    'rtp_symmetric', 'direct_media', 'media_encryption', 'webrtc', 'callerid', 'call_group', 'pickup_group',
    'mailboxes', 'set_var'],
  ps_auths: ['id', 'auth_type', 'username', 'realm', 'md5_cred'],
  ps_aors: ['id', 'max_contacts', 'remove_existing', 'default_expiration', 'maximum_expiration', 'contact'],
};
const VIEW_TYPES = { ps_endpoints: 'endpoint', ps_auths: 'auth', ps_aors: 'aor' };

// Asserts the views hold exactly the file's sections, value for value; returns the row count.
function assertViewsMatch(server, text) {
  const parsed = parseIni(text);
  let rows = 0;
  for (const [view, cols] of Object.entries(VIEW_COLUMNS)) {
    const fromDb = dbRows(server, `SELECT ${cols.join(', ')} FROM ${view}`).sort(byFirst);
    const fromFile = parsed.filter(([, o]) => o.type === VIEW_TYPES[view])
      .map(([name, o]) => cols.map((c) => (c === 'id' ? name : o[c] ?? '')))
      .sort(byFirst);
    assert.deepEqual(fromDb, fromFile, `${view} equals the file`);
    rows += fromDb.length;
  }
  return rows;
}

test('the ps_endpoints, ps_auths and ps_aors views say what the file says', async () => {
  const r = await fetchConf();
  assert.equal(assertViewsMatch(srv, r.text), 3 * specs.length);
});

test('the CLI prints the same text', async () => {
  const r = await fetchConf();
  const c = cli(srv, ['asterisk-pjsip']);
  assert.equal(c.status, 0, c.stderr);
  assert.equal(c.stdout, r.text);
});

test('deleted and disabled agents are absent from the file and the views', async () => {
  const gone = await createAgent({ username: 'gone.agent', full_name: 'Gone' });
  const off = await createAgent({ username: 'off.agent', full_name: 'Off' });
  let parsed = parseIni((await fetchConf()).text);
  assert.ok(sectionsOf(parsed, 'gone.agent').endpoint && sectionsOf(parsed, 'off.agent').endpoint);
  assert.equal((await admin.request('DELETE', `/api/v1/agents/${gone.id}`)).status, 204);
  assert.equal((await admin.request('PATCH', `/api/v1/agents/${off.id}`, { body: { disabled: true } })).status, 200);
  const text = (await fetchConf()).text;
  parsed = parseIni(text);
  for (const u of ['gone.agent', 'off.agent']) {
    const s = sectionsOf(parsed, u);
    assert.ok(!s.endpoint && !s.auth && !s.aor, `${u} absent`);
    assert.equal(dbRows(srv, `SELECT id FROM ps_endpoints WHERE id LIKE '${u.split('.')[0]}%'`).length, 0);
  }
  assert.equal(assertViewsMatch(srv, text), 3 * specs.length);
  // Enabled again, it is back.
  assert.equal((await admin.request('PATCH', `/api/v1/agents/${off.id}`, { body: { disabled: false } })).status, 200);
  assert.ok(sectionsOf(parseIni((await fetchConf()).text), 'off.agent').endpoint);
  assert.equal((await admin.request('DELETE', `/api/v1/agents/${off.id}`)).status, 204);
});

test('only administrators get pjsip.conf or rotate a secret', async () => {
  const sup = await accountClient(srv, 'sup.asterisk', 'user');
  const agent = agents['pb.one'];
  const before = (await fetchConf()).text;
  for (const c of [sup, agent.client]) {
    assert.equal((await c.request('GET', '/api/v1/provisioning/asterisk/pjsip.conf')).status, 403);
    assert.equal((await c.request('POST', `/api/v1/agents/${agent.id}/sip-secret`)).status, 403);
  }
  assert.equal((await srv.request('GET', '/api/v1/provisioning/asterisk/pjsip.conf')).status, 401);
  assert.equal((await srv.request('POST', `/api/v1/agents/${agent.id}/sip-secret`)).status, 401);
  assert.equal((await admin.request('POST', '/api/v1/agents/999999/sip-secret')).status, 404);
  assert.equal((await admin.request('POST', `/api/v1/agents/${sup.id}/sip-secret`)).status, 404, 'a supervisor is no agent');
  const withBody = await admin.request('POST', `/api/v1/agents/${agent.id}/sip-secret`, { body: { secret: 'mine' } });
  assert.equal(withBody.status, 400, 'a chosen secret is not accepted');
  assert.equal((await fetchConf()).text, before, 'refused requests changed nothing');
  assert.equal((await agent.client.request('GET', '/api/v1/auth/me/sip')).json.secret, agent.secret);
});

test('rotation returns a new secret once; the old one no longer matches', async () => {
  const a = agents['pb.one'];
  const r = await admin.request('POST', `/api/v1/agents/${a.id}/sip-secret`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.json.username, 'pb.one');
  assert.equal(r.json.realm, 'switchboard');
  assert.match(r.json.secret, /^[A-Za-z0-9]{24,}$/);
  assert.notEqual(r.json.secret, a.secret);
  const text = (await fetchConf()).text;
  const { auth } = sectionsOf(parseIni(text), 'pb.one');
  assert.equal(auth.md5_cred, md5(`pb.one:switchboard:${r.json.secret}`));
  assert.notEqual(auth.md5_cred, md5(`pb.one:switchboard:${a.secret}`));
  const [[viewCred]] = dbRows(srv, "SELECT md5_cred FROM ps_auths WHERE id = 'pb.one-auth'");
  assert.equal(viewCred, auth.md5_cred);
  // The others are untouched; the agent's softphone now gets the new one.
  const other = sectionsOf(parseIni(text), 'pb.two').auth;
  assert.equal(other.md5_cred, md5(`pb.two:switchboard:${agents['pb.two'].secret}`));
  assert.equal((await a.client.request('GET', '/api/v1/auth/me/sip')).json.secret, r.json.secret);
  a.secret = r.json.secret;
  // Both actions are audited, never with the secret.
  for (const action of ['agent.sip_secret.rotate', 'agent.sip_secret.read', 'asterisk.pjsip_conf']) {
    const au = await admin.request('GET', `/api/v1/audit?action=${action}`);
    assert.equal(au.status, 200);
    assert.ok(au.json.total >= 1, action);
    assert.ok(!au.text.includes(a.secret));
  }
  const rot = await admin.request('GET', `/api/v1/audit?action=agent.sip_secret.rotate&target_id=${a.id}`);
  assert.equal(rot.json.total, 1);
});

test('restart with another realm: md5_cred follows it, secrets stay; agents without one get one', async () => {
  // An agent from before SIP secrets: no credentials at all.
  const old = await createAgent({ username: 'old.agent', full_name: 'Old' });
  const clear = `UPDATE agents SET sip_secret = NULL, md5_cred = NULL, sip_realm = NULL WHERE staff_id = ${old.id}`;
  if (backend === 'postgres') psql(clear, srv.pgDatabase);
  else execFileSync('sqlite3', [srv.sqlitePath, clear]);
  // `switchboard admin create` makes an agent with its secret when the key file is there.
  const made = createAccount(srv, 'cli.agent', 'agent');
  const [[cliCred, cliRealm]] = dbRows(srv, `SELECT md5_cred, sip_realm FROM agents WHERE staff_id = ${made.id}`);
  assert.match(cliCred, /^[0-9a-f]{32}$/);
  assert.equal(cliRealm, 'switchboard');
  // The CLI reads only: it leaves that agent out, by id only.
  const c = cli(srv, ['asterisk-pjsip']);
  assert.equal(c.status, 0, c.stderr);
  assert.ok(!sectionsOf(parseIni(c.stdout), 'old.agent').endpoint);
  assert.match(c.stdout, new RegExp(`; agent id ${old.id} left out: no SIP credentials yet`));
  // A realm that could break the file is refused at start-up.
  const badRealm = spawnSync(binary, ['config'],
    { env: { ...srv.env, SWITCHBOARD_ASTERISK_REALM: 'bad realm;x' }, encoding: 'utf8' });
  assert.equal(badRealm.status, 1);
  assert.match(badRealm.stderr, /asterisk\.realm/);

  assert.equal((await srv.stop()).code, 0, srv.stderr());
  const first = srv;
  srv = null;
  srv = await startServer({ tmp: first.tmp, db: { sqlitePath: first.sqlitePath, pgDatabase: first.pgDatabase },
    env: { SWITCHBOARD_ASTERISK_REALM: 'pbx.example.com' } });
  admin = await login(srv, 'admin', STRONG);
  const text = (await fetchConf()).text;
  const parsed = parseIni(text);
  for (const [username, a] of Object.entries(agents)) {
    const { auth } = sectionsOf(parsed, username);
    assert.equal(auth.realm, 'pbx.example.com');
    assert.equal(auth.md5_cred, md5(`${username}:pbx.example.com:${a.secret}`), `${username} keeps its secret`);
  }
  const oldClient = await agentClient('old.agent');
  const sip = await oldClient.request('GET', '/api/v1/auth/me/sip');
  assert.equal(sip.status, 200, sip.text);
  assert.equal(sip.json.realm, 'pbx.example.com');
  assert.equal(sectionsOf(parsed, 'old.agent').auth.md5_cred, md5(`old.agent:pbx.example.com:${sip.json.secret}`));
  assert.ok(sectionsOf(parsed, 'cli.agent').auth.md5_cred.match(/^[0-9a-f]{32}$/));
  assert.equal(assertViewsMatch(srv, text), 3 * (specs.length + 2));
  const c2 = cli(srv, ['asterisk-pjsip']);
  assert.equal(c2.stdout, text);
});
