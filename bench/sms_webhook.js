'use strict';
/*
 * SMS inbound webhook benchmark (`make bench-sms`; see bench/README.md): throughput and ack
 * latency of signed provider webhooks that are acknowledged only after their commit.
 *
 *   node bench/sms_webhook.js [--levels 1,4,16,64] [--seconds 8] [--bin build/release/switchboard]
 *                             [--provider twilio|telnyx]
 *
 * Starts the release server on a throw-away SQLite database (synchronous=FULL, WAL, loopback,
 * free port) and creates an SMS account of the provider (Twilio: HMAC-SHA1 over the public URL
 * and the sorted form; Telnyx: Ed25519 over timestamp|body), with the credentials of
 * tests/api/lib/fake_providers.js so the requests are signed exactly as the provider signs them.
 *
 * For each concurrency level (that many requests in flight, keep-alive connections):
 *  - reference: GET /api/v1/health for --seconds (the HTTP layer alone: routing, the response,
 *    a cheap database read), requests/s and p50/p99;
 *  - load: inbound webhooks for --seconds, each a new provider message id from one of 200
 *    senders (so most join an open interaction, as a conversation does): messages/s and p50/p99
 *    of request start -> 2xx (which the server sends only after the commit).
 * Webhooks are built and signed before each run, so the client's signing is not measured.
 * Afterwards it checks in the database that every acknowledged webhook is stored exactly once
 * (exit 1 otherwise) and prints the group-commit writer's batches (messages per fsync).
 * Prints the machine (lscpu model, cores), then a table and a last line "RESULT {json}".
 * Bounded: levels × 2 × --seconds plus set-up; the server is stopped whatever happens.
 */
const fs = require('node:fs');
const os = require('node:os');
const http = require('node:http');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const { pct, machine, startServer, client } = require('./lib');
const { FAKE_CREDS, webhook } = require('../tests/api/lib/fake_providers');

const ROOT = path.resolve(__dirname, '..');
const PW = 'Bench!Passw0rd-42';

function parseArgs(argv) {
  const o = { levels: '1,4,16,64', seconds: 8, provider: 'twilio', bin: path.join(ROOT, 'build/release/switchboard') };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in o) || argv[i + 1] === undefined) throw new Error(`bad option ${argv[i]}`);
    o[k] = k === 'seconds' ? Number(argv[i + 1]) : argv[i + 1];
  }
  o.levels = String(o.levels).split(',').map(Number);
  if (o.levels.some((n) => !Number.isInteger(n) || n < 1 || n > 1024)) throw new Error('--levels: integers 1..1024');
  if (!Number.isFinite(o.seconds) || o.seconds < 1 || o.seconds > 60) throw new Error('--seconds must be 1..60');
  if (!['twilio', 'telnyx'].includes(o.provider)) throw new Error('--provider twilio or telnyx');
  return o;
}

function cpuModel() {
  try {
    const out = execFileSync('lscpu', { encoding: 'utf8' });
    const get = (k) => (new RegExp(`^${k}:\\s*(.+)$`, 'm').exec(out) || [])[1];
    return { model: get('Model name') || os.cpus()[0].model, cpus: Number(get('CPU\\(s\\)')) || os.cpus().length,
      threads_per_core: Number(get('Thread\\(s\\) per core')) || null };
  } catch {
    return { model: os.cpus()[0].model, cpus: os.cpus().length, threads_per_core: null };
  }
}

// CPU seconds (user + system) the server process used so far.
function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

// One request on a keep-alive agent; resolves with {status, ms}.
function request(agent, port, { method, path: p, headers, body }) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - start }));
    });
    req.on('error', reject);
    if (body) req.end(body);
    else req.end();
  });
}

// `width` loops issuing next() until `seconds` pass; returns latencies (ms), statuses and rate.
async function drive(port, width, seconds, next, pid) {
  const cpu0 = pid ? cpuSeconds(pid) : 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: width });
  const lat = [];
  const bad = new Map();
  const ok = [];
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: width }, async () => {
    while (performance.now() < end) {
      const item = next();
      const r = await request(agent, port, item.req);
      if (r.status >= 200 && r.status < 300) {
        lat.push(r.ms);
        if (item.id) ok.push(item.id);
      } else {
        bad.set(r.status, (bad.get(r.status) || 0) + 1);
      }
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = pid ? cpuSeconds(pid) - cpu0 : NaN;
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { n: lat.length, per_second: lat.length / elapsed, p50: pct(lat, 50), p99: pct(lat, 99), bad: Object.fromEntries(bad), ok,
    cpu_ms_each: lat.length ? (cpu * 1000) / lat.length : NaN };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const m = machine();
  const cpu = cpuModel();
  console.log('SMS inbound webhook benchmark (signed webhook -> 2xx after the commit)');
  console.log(`machine:  ${m.host}, ${cpu.model}, ${cpu.cpus} CPUs (${cpu.threads_per_core || '?'} threads per core), ${m.memory_gib} GiB, ${m.kernel}, node ${m.node}`);
  console.log(`server:   ${o.bin} (SQLite, synchronous=FULL, WAL, loopback; the client shares the cores)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-sms-'));
  let srv = null;
  try {
    srv = await startServer(o.bin, tmp, { SWITCHBOARD_LOG_LEVEL: 'info' });
    const admin = client(srv.base);
    await admin.login('admin', srv.adminPassword);
    let r = await admin.request('POST', '/api/v1/auth/password', { current_password: srv.adminPassword, new_password: PW });
    if (r.status !== 204) throw new Error(`admin password: ${r.status}`);
    await admin.login('admin', PW);
    const c = { ...FAKE_CREDS[o.provider] };
    const phone = c.phone;
    delete c.phone;
    if (o.provider === 'twilio') { c.account_sid = c.account_id; delete c.account_id; }
    r = await admin.request('POST', '/api/v1/sms/accounts', { name: 'Bench', key: 'bench', type: o.provider, domain: srv.base, phone, credentials: c });
    if (r.status !== 201) throw new Error(`account: ${r.status} ${JSON.stringify(r.json)}`);
    const account = r.json;
    console.log(`account:  ${o.provider}, webhooks signed as the provider signs them; 200 senders`);

    let seq = 0;
    const build = (count) => Array.from({ length: count }, () => {
      const i = seq++;
      const id = o.provider === 'twilio' ? `SMbench${String(i).padStart(9, '0')}` : `bench-${i}`;
      const w = webhook(o.provider, 'inbound', { id, from: `+1555900${String(i % 200).padStart(4, '0')}`, text: `bench message ${i}` }, { url: account.receive_url });
      const u = new URL(w.url);
      return { id, req: { method: w.method, path: u.pathname + u.search, headers: { ...w.headers, 'content-length': Buffer.byteLength(w.body) }, body: w.body } };
    });
    const health = { req: { method: 'GET', path: '/api/v1/health', headers: {} } };
    // Warm-up (not counted): connections, prepared statements, the account's caches.
    await drive(srv.port, 4, 1, () => health);
    const warm = build(200);
    let wi = 0;
    const warmed = await drive(srv.port, 4, 1, () => warm[wi++ % warm.length]);
    const acked = new Set(warmed.ok);

    const rows = [];
    for (const level of o.levels) {
      const ref = await drive(srv.port, level, o.seconds, () => health, srv.proc.pid);
      // Enough signed webhooks for the run: a generous bound on what the server could take.
      const pool = build(Math.min(200000, Math.max(2000, Math.ceil(Math.max(ref.per_second, 500) * o.seconds * 1.2))));
      let k = 0;
      const hook = await drive(srv.port, level, o.seconds, () => {
        if (k >= pool.length) pool.push(...build(2000));
        return pool[k++];
      }, srv.proc.pid);
      for (const id of hook.ok) acked.add(id);
      rows.push({ level, ref, hook });
      const bad = Object.keys(hook.bad).length ? ` non-2xx ${JSON.stringify(hook.bad)}` : '';
      console.log(`  ${String(level).padStart(4)} in flight: health ${ref.per_second.toFixed(0).padStart(6)} req/s p50 ${ref.p50.toFixed(2)} ms p99 ${ref.p99.toFixed(2)} ms | webhook ${hook.per_second.toFixed(0).padStart(5)} msg/s p50 ${hook.p50.toFixed(2)} ms p99 ${hook.p99.toFixed(2)} ms | ratio msg/req ${(hook.per_second / ref.per_second).toFixed(3)} | server CPU per request: health ${ref.cpu_ms_each.toFixed(3)} ms, webhook ${hook.cpu_ms_each.toFixed(3)} ms${bad}`);
    }

    // Durability check: every acknowledged webhook is stored, once.
    const db = path.join(tmp, 'sb.db');
    const stored = execFileSync('sqlite3', [db, "SELECT provider_id || '|' || COUNT(*) FROM messages WHERE direction = 'in' AND provider_id IS NOT NULL GROUP BY provider_id"], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const counts = new Map(stored.trim().split('\n').filter(Boolean).map((l) => { const [a, b] = l.split('|'); return [a, Number(b)]; }));
    const missing = [...acked].filter((id) => counts.get(id) !== 1).length;
    const twice = [...counts.values()].filter((n) => n > 1).length;
    const metrics = await (await fetch(`${srv.base}/metrics`).catch(() => null))?.text?.().catch(() => '') || '';
    const batches = Number((/^switchboard_db_writer_commits_total\s+(\d+)/m.exec(metrics) || [])[1]) || null;
    const items = Number((/^switchboard_db_writer_writes_total\s+(\d+)/m.exec(metrics) || [])[1]) || null;
    console.log(`checked:  ${acked.size} acknowledged webhooks, ${missing} not stored exactly once, ${twice} stored twice`);
    if (batches && items) console.log(`writer:   ${items} writes in ${batches} commits (${(items / batches).toFixed(1)} per commit)`);
    console.log(`RESULT ${JSON.stringify({ machine: { ...m, cpu: cpu.model, cpus: cpu.cpus }, provider: o.provider, seconds: o.seconds,
      levels: rows.map((x) => ({ in_flight: x.level, health_rps: x.ref.per_second, health_p50_ms: x.ref.p50, health_p99_ms: x.ref.p99,
        webhook_mps: x.hook.per_second, webhook_p50_ms: x.hook.p50, webhook_p99_ms: x.hook.p99, health_cpu_ms: x.ref.cpu_ms_each, webhook_cpu_ms: x.hook.cpu_ms_each, non_2xx: x.hook.bad })),
      acknowledged: acked.size, missing, twice, writer: batches && items ? { commits: batches, writes: items } : null })}`);
    if (missing || twice) process.exitCode = 1;
  } finally {
    if (srv && srv.proc.exitCode === null) {
      srv.proc.kill('SIGTERM');
      await new Promise((res) => srv.proc.on('exit', res));
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(`bench: ${e.message}`); process.exit(1); });
