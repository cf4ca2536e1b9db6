'use strict';
// Shared by the benchmarks that drive a real server over HTTP and WebSockets
// (messenger_fanout.js, offer_latency.js): the machine's description, percentiles, a release
// server on a throw-away SQLite database, a small signed-in HTTP client, bounded parallelism and
// adopted WebSockets.
const { spawn } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { createRequire } = require('node:module');

const requireFromTests = createRequire(path.resolve(__dirname, '../tests/api/package.json'));
const WebSocket = requireFromTests('ws');

const pct = (s, p) => (s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN);

function machine() {
  const cpu = os.cpus();
  return { host: os.hostname(), cpu: cpu.length ? cpu[0].model : 'unknown', cores: cpu.length,
    memory_gib: Math.round(os.totalmem() / 2 ** 30), kernel: `${os.type()} ${os.release()}`, node: process.version };
}

async function startServer(bin, tmp, extraEnv = {}) {
  const env = {
    ...process.env,
    SWITCHBOARD_HTTP_ADDRESS: '127.0.0.1', SWITCHBOARD_HTTP_PORT: '0',
    SWITCHBOARD_DB_BACKEND: 'sqlite', SWITCHBOARD_DB_SQLITE_PATH: path.join(tmp, 'sb.db'),
    SWITCHBOARD_SERVER_DATA_DIR: tmp, SWITCHBOARD_WEB_ROOT: tmp, SWITCHBOARD_LOG_ACCESS: '0',
    // Sign-in cost is not what is measured: cheap hashes (allowed with test hooks only).
    SWITCHBOARD_SERVER_TEST_HOOKS: '1', SWITCHBOARD_AUTH_ARGON2_OPSLIMIT: '1', SWITCHBOARD_AUTH_ARGON2_MEMLIMIT_KIB: '8192',
    ...extraEnv, // last: a bench may choose another database (search_bench.js --pg-port)
  };
  const proc = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stdout.on('data', (c) => { out += c; });
  const port = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 30000);
    proc.stderr.on('data', (c) => {
      err += c;
      const m = /"msg":"listening".*?"port":(\d+)/.exec(err);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => { clearTimeout(t); reject(new Error(`server exited ${code}:\n${err}`)); });
  });
  for (let i = 0; i < 500 && !/password: \S+/.test(out); i++) await new Promise((r) => setTimeout(r, 10));
  return { proc, port, base: `http://127.0.0.1:${port}`, adminPassword: /password: (\S+)/.exec(out)[1] };
}

function client(base) {
  const c = {
    cookie: '', csrf: '',
    async request(method, p, body, headers = {}) {
      const h = { cookie: c.cookie, ...headers };
      if (method !== 'GET') h['x-csrf-token'] = c.csrf;
      if (body !== undefined) h['content-type'] = 'application/json';
      const r = await fetch(base + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : null, headers: r.headers };
    },
    async login(username, password) {
      const r = await c.request('POST', '/api/v1/auth/login', { username, password });
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.json)}`);
      c.cookie = r.headers.get('set-cookie').split(';')[0];
      c.csrf = r.json.csrf_token;
      c.id = r.json.user.id;
      return c;
    },
  };
  return c;
}

async function inBatches(n, width, fn) {
  const out = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) { const i = next++; out[i] = await fn(i); }
  }));
  return out;
}

function open(port, cookie, onMessage) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws`, { perMessageDeflate: false, headers: { cookie } });
    let adopted = false;
    ws.on('open', () => ws.send('{"type":"ping"}'));
    ws.on('error', (e) => { if (!adopted) reject(e); });
    ws.on('message', (data) => {
      const s = data.toString();
      if (!adopted && s === '{"type":"pong"}') { adopted = true; resolve(ws); return; }
      onMessage(s, performance.now());
    });
  });
}

module.exports = { pct, machine, startServer, client, inBatches, open, WebSocket };
