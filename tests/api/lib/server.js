'use strict';
// Test harness: spawns the real `switchboard serve` on a free loopback port with a fresh
// database (SQLite file or a new PostgreSQL database on the cluster `make check` started), and
// gives tests a small HTTP client. Used by every API suite; see README.md beside this file.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const binary = process.env.SB_BINARY || path.join(repoRoot, 'build', 'asan', 'switchboard');
const backend = process.env.SB_TEST_BACKEND || 'sqlite';
const fixturesWeb = path.join(__dirname, '..', 'fixtures', 'web');

function pgArgs() {
  const port = process.env.SB_TEST_PG_PORT;
  if (!port) throw new Error('SB_TEST_PG_PORT is not set: run the suites through `make check`');
  return ['-h', '127.0.0.1', '-p', port, '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qAt'];
}

// Runs one SQL statement on the test cluster and returns its text output.
function psql(sql, dbname = 'postgres') {
  return execFileSync('psql', [...pgArgs(), '-d', dbname, '-c', sql], { encoding: 'utf8' }).trim();
}

function createPgDatabase() {
  const name = 'sb_' + crypto.randomBytes(6).toString('hex');
  psql(`CREATE DATABASE ${name}`);
  return name;
}

// Starts a server. Options: env (extra SWITCHBOARD_* variables), webRoot, testHooks (default
// true), db: {sqlitePath} or {pgDatabase} to reuse an existing database (restart tests).
async function startServer(opts = {}) {
  const tmp = opts.tmp || fs.mkdtempSync(path.join(os.tmpdir(), 'sb-api-'));
  const env = {
    ...process.env,
    SWITCHBOARD_HTTP_ADDRESS: '127.0.0.1',
    SWITCHBOARD_HTTP_PORT: '0',
    SWITCHBOARD_WEB_ROOT: opts.webRoot || fixturesWeb,
    SWITCHBOARD_SERVER_DATA_DIR: tmp,
    SWITCHBOARD_SERVER_TEST_HOOKS: opts.testHooks === false ? '0' : '1',
    SWITCHBOARD_LOG_LEVEL: 'info',
    // Cheap hashes keep the suites fast; production cost is covered by the unit tests and
    // refused by the config check unless test hooks are on.
    SWITCHBOARD_AUTH_ARGON2_OPSLIMIT: '1',
    SWITCHBOARD_AUTH_ARGON2_MEMLIMIT_KIB: '8192',
  };
  if (opts.testHooks === false) {
    delete env.SWITCHBOARD_AUTH_ARGON2_OPSLIMIT;
    delete env.SWITCHBOARD_AUTH_ARGON2_MEMLIMIT_KIB;
  }
  let pgDatabase = null;
  if (backend === 'postgres') {
    pgDatabase = (opts.db && opts.db.pgDatabase) || createPgDatabase();
    env.SWITCHBOARD_DB_BACKEND = 'postgres';
    env.SWITCHBOARD_DB_PG_CONNINFO =
      `host=127.0.0.1 port=${process.env.SB_TEST_PG_PORT} user=postgres dbname=${pgDatabase}`;
  } else {
    env.SWITCHBOARD_DB_BACKEND = 'sqlite';
    env.SWITCHBOARD_DB_SQLITE_PATH = (opts.db && opts.db.sqlitePath) || path.join(tmp, 'sb.db');
  }
  Object.assign(env, opts.env || {});
  const proc = spawn(binary, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs = [];
  let stderrText = '';
  let stdoutText = '';
  proc.stdout.on('data', (c) => { stdoutText += c.toString(); });
  let buffered = '';
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start in 30 s:\n' + stderrText)), 30000);
    proc.stderr.on('data', (chunk) => {
      const s = chunk.toString();
      stderrText += s;
      buffered += s;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let obj = null;
        try { obj = JSON.parse(line); } catch { obj = { raw: line }; }
        logs.push(obj);
        if (obj.msg === 'listening') { clearTimeout(timer); resolve(obj.port); }
      }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${stderrText}`)); });
  });
  const base = `http://127.0.0.1:${port}`;
  // A fresh database prints the first admin's one-time password on stdout before listening;
  // the two pipes are read independently, so wait for it.
  for (let i = 0; !opts.db && i < 500 && !/password: \S+/.test(stdoutText); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const m = /username: admin\n\s+password: (\S+)/.exec(stdoutText);
  const server = {
    port, base, tmp, proc, logs, pgDatabase, env,
    firstAdminPassword: m ? m[1] : null,
    stdout: () => stdoutText,
    wsUrl: `ws://127.0.0.1:${port}/api/v1/ws`,
    baseUrl: base,
    sqlitePath: env.SWITCHBOARD_DB_SQLITE_PATH,
    exited,
    stderr: () => stderrText,
    // Sends a request. body: object (sent as JSON) or string/Buffer (sent raw).
    async request(method, p, { body, headers = {} } = {}) {
      const h = { ...headers };
      let payload;
      if (body !== undefined && typeof body === 'object' && !Buffer.isBuffer(body)) {
        payload = JSON.stringify(body);
        if (!h['content-type']) h['content-type'] = 'application/json';
      } else {
        payload = body;
      }
      const res = await fetch(base + p, { method, headers: h, body: payload, redirect: 'manual' });
      const text = await res.text();
      let json = null;
      const type = res.headers.get('content-type') || '';
      if (type.includes('json')) { try { json = JSON.parse(text); } catch { json = null; } }
      return { status: res.status, headers: res.headers, text, json };
    },
    // Sends SIGTERM (or `signal`) and resolves with {code, signal} when the process is gone.
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const r = await exited;
      return r;
    },
  };
  return server;
}

// Runs `switchboard <args>` against the same database as `srv` (CLI tests).
function cli(srv, args) {
  const r = require('node:child_process').spawnSync(binary, args, { env: srv.env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Logs in and returns a client whose requests carry the session cookie and the CSRF token.
async function login(srv, username, password, { expect = 200 } = {}) {
  const r = await srv.request('POST', '/api/v1/auth/login', { body: { username, password } });
  if (r.status !== expect) throw new Error(`login ${username}: ${r.status} ${r.text}`);
  if (r.status !== 200) return { response: r };
  const setCookie = r.headers.get('set-cookie');
  const cookie = setCookie.split(';')[0];
  const client = {
    response: r, cookie, csrf: r.json.csrf_token, user: r.json.user,
    request(method, p, opts = {}) {
      const headers = { cookie: client.cookie, ...(opts.headers || {}) };
      if (!['GET', 'HEAD'].includes(method) && !('x-csrf-token' in headers)) headers['x-csrf-token'] = client.csrf;
      return srv.request(method, p, { ...opts, headers });
    },
  };
  return client;
}

const STRONG = 'Str0ng!Passw0rd-42';

// Logs in as the first admin and replaces the one-time password with `STRONG`.
async function adminClient(srv) {
  const c = await login(srv, 'admin', srv.firstAdminPassword);
  const r = await c.request('POST', '/api/v1/auth/password', { body: { current_password: srv.firstAdminPassword, new_password: STRONG } });
  if (r.status !== 204) throw new Error(`admin password change: ${r.status} ${r.text}`);
  srv.firstAdminPassword = null;
  return c;
}

// Creates an account through the CLI and returns {id, password} (a one-time password).
function createAccount(srv, username, role, fullName = username) {
  const r = cli(srv, ['admin', 'create', '--username', username, '--role', role, '--full-name', fullName]);
  if (r.status !== 0) throw new Error(`admin create: ${r.stderr}`);
  const id = Number(/id (\d+)/.exec(r.stdout)[1]);
  const password = /one-time password: (\S+)/.exec(r.stdout)[1];
  return { id, password };
}

// Creates an account and sets its password to `STRONG` (logged in once); returns the client.
async function accountClient(srv, username, role) {
  const { id, password } = createAccount(srv, username, role);
  const c = await login(srv, username, password);
  const r = await c.request('POST', '/api/v1/auth/password', { body: { current_password: password, new_password: STRONG } });
  if (r.status !== 204) throw new Error(`password change: ${r.status} ${r.text}`);
  c.id = id;
  return c;
}

// Sets an account's e-mail address directly in the database (the staff API that edits it
// arrives with the staff issue).
function setEmail(srv, username, email) {
  const sql = `UPDATE staff SET email = '${email}' WHERE username = '${username}'`;
  if (backend === 'postgres') psql(sql, srv.pgDatabase);
  else execFileSync('sqlite3', [srv.sqlitePath, sql]);
}

module.exports = { setEmail, startServer, psql, backend, repoRoot, binary, cli, login, adminClient, createAccount, accountClient, STRONG };
