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
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { pct, machine, startServer, client, inBatches, open } = require('./lib');

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
    srv = await startServer(o.bin, tmp, {
      SWITCHBOARD_MESSENGER_RATE_BURST: '1000000', SWITCHBOARD_MESSENGER_RATE_PER_MINUTE: '1000000',
    });
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
