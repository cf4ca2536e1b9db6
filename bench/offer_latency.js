'use strict';
/*
 * Offer latency benchmark (`make bench-offer`; see bench/README.md): an Open Channel webhook
 * until the offer is on an agent's WebSocket, with 1,000 connected agents under load.
 *
 *   node bench/offer_latency.js [--agents 1000] [--interactions 2000] [--inflight 16]
 *                               [--reference 300] [--bin build/release/switchboard]
 *
 * Starts the release server on a throw-away SQLite database (loopback, free port), creates
 * --agents agents, signs them in, opens one WebSocket each, logs each into the openchannel
 * channel, puts them all in one rrmemory queue that an Open Channel account's flow uses.
 * Every agent answers each offer it gets at once (accept, then close), as a fast desk would.
 *
 * Reference, same run, same sockets: a hub publish to one agent (POST /api/v1/_test/broadcast
 * to its user topic) until the frame is on that socket, --reference times one after the other.
 * That is the floor any server-to-agent push pays here (HTTP in, hub hand-off, WebSocket out).
 *
 * Load: --interactions notifies from --inflight concurrent senders (distinct customers). For
 * each: the notify's 200 (the message committed), and the offer (notify start -> the
 * interaction.offered frame on some agent's socket). Prints the machine, p50/p99 of the
 * reference, of the 200 and of the offer, the ratios offer/reference, the throughput, checks
 * that every interaction was offered and accepted exactly once (exit 1 otherwise), and a last
 * line "RESULT {json}". Stops the server whatever happens. The client shares the 2 cores.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { pct, machine, startServer, client, inBatches, open } = require('./lib');

const ROOT = path.resolve(__dirname, '..');
const PW = 'Bench!Passw0rd-42';

function parseArgs(argv) {
  const o = { agents: 1000, interactions: 2000, inflight: 16, reference: 300, bin: path.join(ROOT, 'build/release/switchboard') };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in o) || argv[i + 1] === undefined) throw new Error(`bad option ${argv[i]}`);
    o[k] = k === 'bin' ? argv[i + 1] : Number(argv[i + 1]);
  }
  for (const k of ['agents', 'interactions', 'inflight', 'reference']) {
    if (!Number.isInteger(o[k]) || o[k] < 1 || o[k] > 100000) throw new Error(`--${k} must be 1..100000`);
  }
  return o;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const m = machine();
  console.log('offer latency benchmark (Open Channel webhook -> agent WebSocket)');
  console.log(`machine:  ${m.host}, ${m.cpu}, ${m.cores} cores, ${m.memory_gib} GiB, ${m.kernel}, node ${m.node}`);
  console.log(`server:   ${o.bin} (SQLite, synchronous=FULL, loopback; client on the same cores)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-offer-'));
  let srv = null;
  const sockets = [];
  try {
    srv = await startServer(o.bin, tmp);
    const admin = client(srv.base);
    await admin.login('admin', srv.adminPassword);
    let r = await admin.request('POST', '/api/v1/auth/password', { current_password: srv.adminPassword, new_password: PW });
    if (r.status !== 204) throw new Error(`admin password: ${r.status}`);
    await admin.login('admin', PW);
    r = await admin.request('PATCH', '/api/v1/settings', { 'security.suite_enabled': false });
    if (r.status !== 200) throw new Error(`settings: ${r.status} ${JSON.stringify(r.json)}`);
    const t0 = performance.now();
    const ids = await inBatches(o.agents, 8, async (i) => {
      const u = `offer.${String(i).padStart(5, '0')}`;
      const c = await admin.request('POST', '/api/v1/agents', { username: u, full_name: `Offer ${i}`, password: PW });
      if (c.status !== 201) throw new Error(`create ${u}: ${c.status} ${JSON.stringify(c.json)}`);
      return c.json.id;
    });
    r = await admin.request('POST', '/api/v1/queues', { channel: 'openchannel', name: 'Bench', strategy: 'rrmemory', agent_timeout: 60 });
    if (r.status !== 201) throw new Error(`queue: ${r.status} ${JSON.stringify(r.json)}`);
    const queue = r.json.id;
    r = await admin.request('POST', `/api/v1/queues/${queue}/agents`, { agent_ids: ids });
    if (r.status !== 200) throw new Error(`members: ${r.status} ${JSON.stringify(r.json)}`);
    r = await admin.request('POST', '/api/v1/openchannel/accounts', { name: 'Bench' });
    if (r.status !== 201) throw new Error(`account: ${r.status}`);
    const account = r.json;
    // Only the agents of an account are offered its interactions.
    r = await admin.request('PUT', `/api/v1/openchannel/accounts/${account.id}/agents`, { agent_ids: ids });
    if (r.status !== 200) throw new Error(`account agents: ${r.status} ${JSON.stringify(r.json)}`);
    r = await admin.request('PUT', `/api/v1/flows/openchannel/${account.id}/actions`, { actions: [{ application: 'queue', queue_id: queue, timeout: 3600 }] });
    if (r.status !== 200) throw new Error(`flow: ${r.status} ${JSON.stringify(r.json)}`);
    const agents = await inBatches(o.agents, 8, (i) => client(srv.base).login(`offer.${String(i).padStart(5, '0')}`, PW));
    await inBatches(o.agents, 8, async (i) => {
      const x = await agents[i].request('POST', '/api/v1/agent/login', { channel: 'openchannel' });
      if (x.status !== 200) throw new Error(`channel login: ${x.status}`);
    });
    console.log(`setup:    ${o.agents} agents in one rrmemory queue, logged in on openchannel, ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const offeredAt = new Map(); // interaction id -> time the offer frame arrived
    const offeredCount = new Map();
    const refAt = new Map();
    let accepted = 0;
    const waiters = new Map();
    for (let i = 0; i < agents.length; i += 100) {
      const batch = await Promise.all(agents.slice(i, i + 100).map((c) => open(srv.port, c.cookie, (s, at) => {
        if (s.startsWith('{"type":"bench.ref"')) {
          const k = Number(/"k":(\d+)/.exec(s)[1]);
          refAt.set(k, at);
          const w = waiters.get(`r${k}`);
          if (w) w();
          return;
        }
        if (!s.startsWith('{"type":"interaction.offered"')) return;
        const ev = JSON.parse(s);
        const id = ev.data.id;
        if (!offeredAt.has(id)) offeredAt.set(id, at);
        offeredCount.set(id, (offeredCount.get(id) || 0) + 1);
        const w = waiters.get(`o${id}`);
        if (w) w();
        // A fast desk: accept, then close.
        c.request('POST', `/api/v1/interactions/${id}/accept`).then((x) => {
          if (x.status !== 200) return null;
          accepted++;
          return c.request('POST', `/api/v1/interactions/${id}/close`, {});
        }).catch(() => {});
      })));
      sockets.push(...batch);
    }
    console.log(`sockets:  ${sockets.length} open, one per agent`);

    const waitFor = (key, ready) => new Promise((resolve, reject) => {
      if (ready()) { resolve(); return; }
      const t = setTimeout(() => { waiters.delete(key); reject(new Error(`timed out waiting for ${key}`)); }, 30000);
      waiters.set(key, () => { clearTimeout(t); waiters.delete(key); resolve(); });
    });

    // Reference: hub publish to one agent's user topic, one after the other.
    const ref = [];
    for (let k = 0; k < o.reference; k++) {
      const target = agents[k % agents.length];
      const start = performance.now();
      const x = await admin.request('POST', '/api/v1/_test/broadcast', { topic: `user:${target.id}`, message: { type: 'bench.ref', k } });
      if (x.status !== 202) throw new Error(`broadcast: ${x.status} ${JSON.stringify(x.json)}`);
      await waitFor(`r${k}`, () => refAt.has(k));
      ref.push(refAt.get(k) - start);
    }

    // Load: notifies from concurrent senders.
    const ack = [], offer = [];
    const tl = performance.now();
    await inBatches(o.interactions, o.inflight, async (i) => {
      const start = performance.now();
      const x = await fetch(`${srv.base}/api/openchannel/accounts/${account.id}/notify`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${account.token}` },
        body: JSON.stringify({ from: `customer-${i}`, body: `message ${i}` }),
      });
      const j = await x.json();
      if (x.status !== 200) throw new Error(`notify ${i}: ${x.status} ${JSON.stringify(j)}`);
      ack.push(performance.now() - start);
      await waitFor(`o${j.interaction_id}`, () => offeredAt.has(j.interaction_id));
      offer.push(offeredAt.get(j.interaction_id) - start);
    });
    const seconds = (performance.now() - tl) / 1000;
    for (let k = 0; k < 600 && accepted < o.interactions; k++) await new Promise((res) => setTimeout(res, 50));
    const twice = [...offeredCount.values()].filter((n) => n !== 1).length;
    if (accepted !== o.interactions) throw new Error(`${accepted} of ${o.interactions} accepted`);
    for (const a of [ref, ack, offer]) a.sort((x, y) => x - y);
    const f = (v) => `${v.toFixed(2)} ms`;
    console.log(`measured: ${o.interactions} interactions, ${o.inflight} in flight, ${(o.interactions / seconds).toFixed(0)} interactions/s, all accepted once${twice ? ` (${twice} offered more than once: an accept raced the next offer)` : ''}`);
    console.log(`  reference: hub push to one agent  p50 ${f(pct(ref, 50))}   p99 ${f(pct(ref, 99))}`);
    console.log(`  notify -> 200 (committed)         p50 ${f(pct(ack, 50))}   p99 ${f(pct(ack, 99))}`);
    console.log(`  notify -> offer on the socket     p50 ${f(pct(offer, 50))}   p99 ${f(pct(offer, 99))}`);
    console.log(`  ratio offer/reference             p50 ${(pct(offer, 50) / pct(ref, 50)).toFixed(2)}x   p99 ${(pct(offer, 99) / pct(ref, 99)).toFixed(2)}x`);
    console.log(`RESULT ${JSON.stringify({ machine: m, agents: o.agents, interactions: o.interactions, inflight: o.inflight,
      per_second: o.interactions / seconds, reference_ms: { p50: pct(ref, 50), p99: pct(ref, 99) },
      ack_ms: { p50: pct(ack, 50), p99: pct(ack, 99) }, offer_ms: { p50: pct(offer, 50), p99: pct(offer, 99) } })}`);
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
