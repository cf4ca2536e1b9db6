'use strict';
/*
 * Messenger group fan-out benchmark (`make bench-messenger`; see bench/README.md).
 *
 *   node bench/messenger_fanout.js [--members 1000] [--messages 200] [--warmup 10]
 *                                  [--bin build/release/switchboard]
 *
 * Starts the server on a throw-away SQLite database (loopback, a free port), creates
 * members - 1 agents, signs every member in (the administrator who sends is the last one),
 * creates one group of all of them, opens one WebSocket per member, then sends --messages group
 * messages one after the other: each is sent when every member got the previous one. For each
 * message it records, on the same monotonic clock, when the POST started, when the 201 came
 * back (the commit) and when each member's socket received the event. Prints the machine, then
 * p50/p99 of: the 201 (send -> committed), one delivery (send -> one member has it), the last
 * delivery (send -> every member has it); checks that every member got every message exactly
 * once (exit 1 otherwise); prints a last line "RESULT {json}". Stops the server it started
 * (SIGTERM) whatever happens.
 *
 * The client runs on the same cores as the server: receiving 1,000 frames per message costs
 * this process too, so the figures are an upper bound of the server's share.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { createRequire } = require('node:module');

const requireFromTests = createRequire(path.resolve(__dirname, '../tests/api/package.json'));
const WebSocket = requireFromTests('ws');

const ROOT = path.resolve(__dirname, '..');
const PW = 'Bench!Passw0rd-42';

function parseArgs(argv) {
  const o = { members: 1000, messages: 200, warmup: 10, bin: path.join(ROOT, 'build/release/switchboard') };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in o) || argv[i + 1] === undefined) throw new Error(`bad option ${argv[i]}`);
    o[k] = k === 'bin' ? argv[i + 1] : Number(argv[i + 1]);
  }
  for (const k of ['members', 'messages']) {
    if (!Number.isInteger(o[k]) || o[k] < 2 || o[k] > 5000) throw new Error(`--${k} must be 2..5000`);
  }
  if (!Number.isInteger(o.warmup) || o.warmup < 0) throw new Error('--warmup must be >= 0');
  return o;
}

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function machine() {
  const cpu = os.cpus();
  return {
    host: os.hostname(), cpu: cpu.length ? cpu[0].model : 'unknown', cores: cpu.length,
    memory_gib: Math.round(os.totalmem() / 2 ** 30), kernel: `${os.type()} ${os.release()}`, node: process.version,
  };
}

async function startServer(bin, tmp) {
  const env = {
    ...process.env,
    SWITCHBOARD_HTTP_ADDRESS: '127.0.0.1', SWITCHBOARD_HTTP_PORT: '0',
    SWITCHBOARD_DB_BACKEND: 'sqlite', SWITCHBOARD_DB_SQLITE_PATH: path.join(tmp, 'sb.db'),
    SWITCHBOARD_SERVER_DATA_DIR: tmp, SWITCHBOARD_WEB_ROOT: tmp, SWITCHBOARD_LOG_ACCESS: '0',
    // Sign-in cost is not what is measured: cheap hashes (allowed with test hooks only).
    SWITCHBOARD_SERVER_TEST_HOOKS: '1', SWITCHBOARD_AUTH_ARGON2_OPSLIMIT: '1', SWITCHBOARD_AUTH_ARGON2_MEMLIMIT_KIB: '8192',
    SWITCHBOARD_MESSENGER_RATE_BURST: '1000000', SWITCHBOARD_MESSENGER_RATE_PER_MINUTE: '1000000',
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
    async request(method, p, body) {
      const headers = { cookie: c.cookie };
      if (method !== 'GET') headers['x-csrf-token'] = c.csrf;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const r = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
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

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const m = machine();
  console.log('messenger fan-out benchmark');
  console.log(`machine:  ${m.host}, ${m.cpu}, ${m.cores} cores, ${m.memory_gib} GiB, ${m.kernel}, node ${m.node}`);
  console.log(`server:   ${o.bin} (SQLite, synchronous=FULL, loopback; client on the same cores)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-msg-'));
  let srv = null;
  const sockets = [];
  try {
    srv = await startServer(o.bin, tmp);
    const admin = client(srv.base);
    await admin.login('admin', srv.adminPassword);
    let r = await admin.request('POST', '/api/v1/auth/password', { current_password: srv.adminPassword, new_password: PW });
    if (r.status !== 204) throw new Error(`admin password: ${r.status}`);
    await admin.login('admin', PW);
    // No forced password change for the agents created below (the suite's composition rules
    // are not what is measured).
    r = await admin.request('PATCH', '/api/v1/settings', { 'security.suite_enabled': false });
    if (r.status !== 200) throw new Error(`settings: ${r.status} ${JSON.stringify(r.json)}`);
    const t0 = performance.now();
    const nAgents = o.members - 1;
    const ids = await inBatches(nAgents, 8, async (i) => {
      const u = `fan.${String(i).padStart(5, '0')}`;
      const c = await admin.request('POST', '/api/v1/agents', { username: u, full_name: `Fan ${i}`, password: PW });
      if (c.status !== 201) throw new Error(`create ${u}: ${c.status} ${JSON.stringify(c.json)}`);
      return c.json.id;
    });
    const agents = await inBatches(nAgents, 8, (i) => client(srv.base).login(`fan.${String(i).padStart(5, '0')}`, PW));
    r = await admin.request('POST', '/api/v1/messenger/groups', { name: 'Everyone', member_ids: ids });
    if (r.status !== 201 || r.json.member_count !== o.members) throw new Error(`group: ${r.status} ${JSON.stringify(r.json)}`);
    const groupId = r.json.id;
    console.log(`setup:    ${o.members} members (${nAgents} agents + the sending administrator) in one group, ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // received.get(messageId) = array of receive times, one per member socket.
    const received = new Map();
    const counts = new Array(o.members).fill(0);
    let waiting = null;
    const members = [...agents, admin];
    for (let i = 0; i < members.length; i += 100) {
      const batch = await Promise.all(members.slice(i, i + 100).map((c, j) => open(srv.port, c.cookie, (s, at) => {
        if (!s.startsWith('{"type":"messenger.message"')) return;
        const id = Number(/"id":(\d+)/.exec(s)[1]);
        counts[i + j]++;
        let list = received.get(id);
        if (!list) received.set(id, (list = []));
        list.push(at);
        if (waiting && waiting.id === id && list.length === o.members) waiting.done();
      })));
      sockets.push(...batch);
    }
    console.log(`sockets:  ${sockets.length} open, one per member`);

    const ack = [], one = [], last = [];
    for (let k = 0; k < o.warmup + o.messages; k++) {
      const start = performance.now();
      const res = await admin.request('POST', `/api/v1/messenger/groups/${groupId}/messages`, { body: `message ${k}` });
      const acked = performance.now();
      if (res.status !== 201) throw new Error(`send ${k}: ${res.status} ${JSON.stringify(res.json)}`);
      const id = res.json.id;
      await new Promise((resolve, reject) => {
        const list = received.get(id);
        if (list && list.length === o.members) { resolve(); return; }
        const t = setTimeout(() => reject(new Error(`message ${k}: ${(received.get(id) || []).length} of ${o.members} after 30 s`)), 30000);
        waiting = { id, done: () => { clearTimeout(t); waiting = null; resolve(); } };
      });
      if (k < o.warmup) continue;
      const times = received.get(id);
      ack.push(acked - start);
      for (const at of times) one.push(at - start);
      last.push(Math.max(...times) - start);
    }
    const want = o.warmup + o.messages;
    const wrong = counts.filter((c) => c !== want).length;
    if (wrong) throw new Error(`${wrong} member socket(s) did not get exactly ${want} messages`);
    for (const a of [ack, one, last]) a.sort((x, y) => x - y);
    const f = (v) => `${v.toFixed(2)} ms`;
    console.log(`measured: ${o.messages} messages after ${o.warmup} warm-up, ${one.length} deliveries, every member got every message once`);
    console.log(`  send -> 201 (committed)        p50 ${f(pct(ack, 50))}   p99 ${f(pct(ack, 99))}`);
    console.log(`  send -> a member has it (each) p50 ${f(pct(one, 50))}   p99 ${f(pct(one, 99))}`);
    console.log(`  send -> all ${o.members} members have it  p50 ${f(pct(last, 50))}   p99 ${f(pct(last, 99))}`);
    const result = {
      machine: m, members: o.members, messages: o.messages,
      ack_ms: { p50: pct(ack, 50), p99: pct(ack, 99) },
      delivery_ms: { p50: pct(one, 50), p99: pct(one, 99) },
      all_members_ms: { p50: pct(last, 50), p99: pct(last, 99) },
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    for (const s of sockets) s.terminate();
    if (srv && srv.proc.exitCode === null) {
      srv.proc.kill('SIGTERM');
      await new Promise((r) => srv.proc.on('exit', r));
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(`bench: ${e.message}`); process.exit(1); });
