'use strict';
// The binary's command line: help, version, configuration errors, migrate.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { binary } = require('./lib/server');

function run(args, env = {}) {
  return spawnSync(binary, args, { encoding: 'utf8', env: { ...process.env, ...env } });
}

test('--help on the binary and on every command', () => {
  const top = run(['--help']);
  assert.equal(top.status, 0);
  for (const c of ['serve', 'migrate', 'config', 'version']) assert.match(top.stdout, new RegExp(`\\b${c}\\b`));
  for (const c of ['serve', 'migrate', 'config', 'version']) {
    const r = run([c, '--help']);
    assert.equal(r.status, 0, c);
    assert.match(r.stdout, new RegExp(`Usage: switchboard ${c}`));
  }
});

test('version prints the version', () => {
  const r = run(['version']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^switchboard \d+\.\d+\.\d+\n$/);
});

test('unknown commands and arguments exit 2', () => {
  assert.equal(run(['frobnicate']).status, 2);
  assert.equal(run(['serve', '--bogus']).status, 2);
  assert.equal(run([]).status, 2);
});

test('configuration errors name the option and stop start-up', () => {
  let r = run(['config'], { SWITCHBOARD_HTTP_PORT: 'eighty' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /SWITCHBOARD_HTTP_PORT: must be an integer from 0 to 65535/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cfg-'));
  const ini = path.join(dir, 'sb.ini');
  fs.writeFileSync(ini, '[http]\nport = 9000\n[nope]\nx = 1\n');
  r = run(['config', '-c', ini]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /nope\.x: unknown option/);
  fs.writeFileSync(ini, '[http]\nport = 9000\n[db]\nbackend = postgres\npg_conninfo = host=x password=hunter2\n');
  r = run(['config', '-c', ini]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /port = 9000/);
  assert.doesNotMatch(r.stdout, /hunter2/, 'secrets are not printed');
  r = run(['config', '-c', ini], { SWITCHBOARD_SMTP_PASSWORD: 'smtp-hunter3', SWITCHBOARD_LDAP_SERVICE_PASSWORD: 'ldap-hunter4',
    SWITCHBOARD_SERVER_ADMIN_TOKEN: 'token-hunter5-0123456789abcdef0123456789' });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /hunter[345]/, 'no password or token is printed');
  assert.equal((r.stdout.match(/\(set, not shown\)/g) || []).length, 4);
  r = run(['config', '-c', ini], { SWITCHBOARD_HTTP_PORT: '9100' });
  assert.match(r.stdout, /port = 9100/, 'environment overrides the file');
});

test('argon2 below OWASP cost is refused unless test hooks are on', () => {
  const low = { SWITCHBOARD_AUTH_ARGON2_MEMLIMIT_KIB: '8192', SWITCHBOARD_AUTH_ARGON2_OPSLIMIT: '1' };
  let r = run(['config'], low);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /auth\.argon2_memlimit_kib: below OWASP/);
  r = run(['config'], { ...low, SWITCHBOARD_SERVER_TEST_HOOKS: '1' });
  assert.equal(r.status, 0, r.stderr);
});

test('docs/configuration.md documents every option', () => {
  const r = run(['config', '--markdown']);
  assert.equal(r.status, 0);
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
  for (const m of r.stdout.matchAll(/^\| `([a-z_]+\.[a-z_]+)`/gm)) assert.ok(doc.includes('`' + m[1] + '`'), m[1]);
});

test('migrate is idempotent', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-mig-'));
  const env = { SWITCHBOARD_DB_BACKEND: 'sqlite', SWITCHBOARD_DB_SQLITE_PATH: path.join(dir, 'sub', 'sb.db') };
  const a = run(['migrate'], env);
  assert.equal(a.status, 0, a.stderr);
  const b = run(['migrate'], env);
  assert.equal(b.status, 0, b.stderr);
  assert.ok(fs.existsSync(path.join(dir, 'sub', 'sb.db')));
});
