'use strict';
// SMS durability (issue #6 "must show"), on the backend the suite runs with:
//  1. a provider that answers 500 for a minute, then recovers, gets every outbound message
//     exactly once, in the order the agent wrote them on each interaction, and the messages end
//     `sent` with their attempts visible in the API; a provider that never answers one request
//     (the 10 s client timeout) gets that message once, after the timeout;
//  2. a provider that hangs delays another account's replies by at most one attempt's time
//     limit (the outbox sends a batch's due rows at once), not one limit per hung send;
//  3. kill -9 in the middle of a burst of signed inbound webhooks (Twilio and Telnyx, several
//     concurrent clients): after a restart on the same database, every webhook that got a 2xx
//     is stored exactly once, and the provider retrying acknowledged and unanswered ones
//     stores nothing twice.
// docs/sms.md "Durability" says what this proves and what it does not.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { startServer, adminClient, login, STRONG, psql, backend } = require('./lib/server');
const { startFakeProviders, FAKE_CREDS, webhook } = require('./lib/fake_providers');
const d = require('./lib/desk');

function sql(srv, stmt) {
  if (backend === 'postgres') return psql(stmt, srv.pgDatabase);
  return execFileSync('sqlite3', [srv.sqlitePath, stmt], { encoding: 'utf8' }).trim();
}

// The account API's names for the fakes' credentials (as in sms_flow.test.js).
function accountBody(srv, p, key) {
  const c = { ...FAKE_CREDS[p] };
  const phone = c.phone;
  delete c.phone;
  if (p === 'twilio') { c.account_sid = c.account_id; delete c.account_id; }
  return { name: `Durable ${p} ${key}`, key, type: p, domain: srv.baseUrl, phone, credentials: c };
}

function send(srv, w) {
  const u = new URL(w.url);
  return srv.request(w.method, u.pathname + u.search, { body: w.body, headers: w.headers });
}

let fp;
before(async () => { fp = await startFakeProviders(); });
after(async () => { await fp.stop(); });

test('a provider answering 500 for a minute, then recovering, gets every reply exactly once and in order', { timeout: 300000 }, async () => {
  const srv = await startServer({ env: { SWITCHBOARD_SMS_TEST_BASE_URL: fp.baseUrl } });
  const agents = [];
  try {
    const admin = await adminClient(srv);
    let r = await admin.request('POST', '/api/v1/sms/accounts', { body: accountBody(srv, 'twilio', 'dur1') });
    assert.equal(r.status, 201, r.text);
    const acc = r.json;
    r = await admin.request('POST', '/api/v1/queues', { body: { channel: 'sms', name: 'Durable SMS' } });
    assert.equal(r.status, 201, r.text);
    const q = r.json;
    r = await admin.request('PUT', `/api/v1/flows/sms/${acc.id}/actions`, { body: { actions: [{ application: 'queue', queue_id: q.id, timeout: 600 }] } });
    assert.equal(r.status, 200, r.text);
    // One agent per conversation: each holds one interaction and writes into it.
    const N_INTERACTIONS = 3, N_REPLIES = 20;
    for (let k = 0; k < N_INTERACTIONS; k++) agents.push(await d.agentDesk(srv, admin, `dur.agent${k}`));
    await d.addMembers(admin, q, agents);
    await d.accountAgents(admin, acc, agents, 'sms'); // only an account's agents get its offers
    const phones = [], ids = [];
    for (let k = 0; k < N_INTERACTIONS; k++) {
      const a = agents[k];
      assert.equal((await a.request('POST', '/api/v1/agent/login', { body: { channel: 'sms' } })).status, 200);
      const from = `+1555600${String(k).padStart(4, '0')}`;
      phones.push(from);
      r = await send(srv, webhook('twilio', 'inbound', { id: `SMdur${k}`, from, text: `customer ${k}` }, { url: acc.receive_url }));
      assert.equal(r.status, 200, r.text);
      const offer = await d.waitFor(() => a.ws.got.find((m) => m.type === 'interaction.offered' && m.data.contact.phone === from), `offer ${k}`);
      assert.equal((await a.request('POST', `/api/v1/interactions/${offer.data.id}/accept`)).status, 200);
      ids.push(offer.data.id);
    }

    // The provider goes down; the agents go on writing, turn by turn.
    fp.fail('twilio', { status: 500 });
    const downAt = Date.now();
    const written = ids.map(() => []);
    for (let n = 0; n < N_REPLIES; n++) {
      for (let k = 0; k < N_INTERACTIONS; k++) {
        const body = `i${k} reply ${String(n).padStart(2, '0')}`;
        r = await agents[k].request('POST', `/api/v1/interactions/${ids[k]}/messages`, { body: { body } });
        assert.equal(r.status, 201, r.text);
        written[k].push({ id: r.json.id, body });
      }
    }
    // While it is down: the API shows the first reply of each conversation retrying, with the
    // reason, and the later ones waiting behind it (not tried: they would overtake it).
    const retrying = await d.waitFor(async () => {
      const items = (await agents[0].request('GET', `/api/v1/interactions/${ids[0]}/messages?limit=200`)).json.items;
      const first = items.find((m) => m.id === written[0][0].id);
      return first.attempts >= 2 ? items : null;
    }, 'the first reply retried while the provider answers 500');
    const head = retrying.find((m) => m.id === written[0][0].id);
    assert.equal(head.delivery_status, 'queued');
    assert.ok(head.last_error, 'the reason of the last failed attempt is shown');
    for (const w of written[0].slice(1)) {
      const m = retrying.find((x) => x.id === w.id);
      assert.equal(m.delivery_status, 'queued');
      assert.equal(m.attempts, 0, `${w.body} waits behind the first reply`);
    }
    assert.equal(fp.sent('twilio').filter((m) => /^i\d reply/.test(m.text)).length, 0, 'nothing accepted while down');

    // A minute of 500s (real time), then the provider recovers.
    await new Promise((res) => setTimeout(res, Math.max(0, 60000 - (Date.now() - downAt))));
    const failedAttempts = fp.requests.filter((x) => x.provider === 'twilio' && x.status === 500).length;
    fp.recover('twilio');
    const total = N_INTERACTIONS * N_REPLIES;
    // The outbox backoff (1, 2, 4 … s) puts the next attempt of each first reply at most about a
    // minute after the failure it follows: within the hang guard.
    await d.waitFor(() => fp.sent('twilio').filter((m) => /^i\d reply/.test(m.text)).length >= total, 'every reply accepted after the recovery', 150000);
    await new Promise((res) => setTimeout(res, 1500)); // would-be duplicates have time to arrive

    const accepted = fp.sent('twilio').filter((m) => /^i\d reply/.test(m.text));
    assert.equal(accepted.length, total, 'no message accepted twice');
    const count = new Map();
    for (const m of accepted) count.set(m.text, (count.get(m.text) || 0) + 1);
    for (let k = 0; k < N_INTERACTIONS; k++) {
      for (const w of written[k]) assert.equal(count.get(w.body), 1, `${w.body} accepted exactly once`);
      // In order per conversation, both among the accepted messages and among every request the
      // provider saw (a later reply is never even tried before an earlier one is accepted).
      assert.deepEqual(accepted.filter((m) => m.to === phones[k]).map((m) => m.text), written[k].map((w) => w.body), `conversation ${k} in order`);
      const tried = fp.requests.filter((x) => x.provider === 'twilio' && new URLSearchParams(x.body).get('To') === phones[k])
        .map((x) => new URLSearchParams(x.body).get('Body')).filter((b) => /^i\d reply/.test(b));
      const order = written[k].map((w) => w.body);
      for (let i = 1; i < tried.length; i++) assert.ok(order.indexOf(tried[i]) >= order.indexOf(tried[i - 1]), `conversation ${k}: ${tried[i]} tried after ${tried[i - 1]}`);
      assert.equal(tried[0], order[0]);
      assert.ok(tried.filter((b) => b === order[0]).length >= 2, 'the first reply was retried');
    }
    assert.ok(failedAttempts >= N_INTERACTIONS * 5, `the outbox kept trying during the minute (${failedAttempts} refused attempts)`);

    // The API: every reply `sent` with the provider's id stored; attempts visible.
    for (let k = 0; k < N_INTERACTIONS; k++) {
      const items = (await agents[k].request('GET', `/api/v1/interactions/${ids[k]}/messages?limit=200`)).json.items;
      for (const [i, w] of written[k].entries()) {
        const m = items.find((x) => x.id === w.id);
        assert.equal(m.delivery_status, 'sent', `${w.body} sent`);
        assert.equal(m.last_error, null);
        if (i === 0) assert.ok(m.attempts >= 5, `first reply of ${k}: ${m.attempts} attempts`);
        else assert.equal(m.attempts, 1, `${w.body}: one attempt once the way was clear`);
      }
    }
    const ids2 = Number(sql(srv, `SELECT COUNT(DISTINCT provider_id) FROM messages WHERE direction = 'out' AND provider_id IS NOT NULL AND interaction_id IN (${ids.join(',')})`));
    assert.equal(ids2, total, "each reply stores the provider's own id");

    // A provider that never answers one request: the attempt ends at the client's timeout, the
    // message is sent once by the next attempt, and the attempts say so.
    fp.fail('twilio', { hang: true, count: 1 });
    r = await agents[0].request('POST', `/api/v1/interactions/${ids[0]}/messages`, { body: { body: 'i0 after a hang' } });
    assert.equal(r.status, 201, r.text);
    const hangId = r.json.id;
    const got = await d.waitFor(() => fp.sent('twilio').find((m) => m.text === 'i0 after a hang'), 'sent after the hung attempt', 60000);
    const hung = fp.hung.filter((h) => h.provider === 'twilio');
    assert.equal(hung.length, 1);
    assert.ok(hung[0].closedAt !== null && hung[0].closedAt <= got.at, 'the server gave up on the hung request before sending again');
    const m = await d.waitFor(async () => {
      const x = (await agents[0].request('GET', `/api/v1/interactions/${ids[0]}/messages?limit=5`)).json.items.find((y) => y.id === hangId);
      return x.delivery_status === 'sent' ? x : null;
    }, 'the message marked sent');
    assert.equal(m.attempts, 2);
    await new Promise((res) => setTimeout(res, 1000));
    assert.equal(fp.sent('twilio').filter((x) => x.text === 'i0 after a hang').length, 1);
  } finally {
    for (const a of agents) a.ws.close();
    fp.reset();
    assert.equal((await srv.stop()).code, 0, srv.stderr());
  }
});

test("a provider that hangs holds up its own messages, not another account's beyond one attempt's time limit", { timeout: 240000 }, async (t) => {
  fp.reset();
  const srv = await startServer({ env: { SWITCHBOARD_SMS_TEST_BASE_URL: fp.baseUrl } });
  const agents = [];
  try {
    const admin = await adminClient(srv);
    // Account A (Twilio): three conversations; account B (Plivo): one. One agent each.
    const convs = [];
    for (const [p, key, n] of [['twilio', 'hngA', 3], ['plivo', 'hngB', 1]]) {
      const body = accountBody(srv, p, key);
      if (p === 'plivo') { body.credentials.auth_id = body.credentials.account_id; delete body.credentials.account_id; }
      let r = await admin.request('POST', '/api/v1/sms/accounts', { body });
      assert.equal(r.status, 201, r.text);
      const acc = r.json;
      r = await admin.request('POST', '/api/v1/queues', { body: { channel: 'sms', name: `Hang ${p}` } });
      assert.equal(r.status, 201, r.text);
      const q = r.json;
      r = await admin.request('PUT', `/api/v1/flows/sms/${acc.id}/actions`, { body: { actions: [{ application: 'queue', queue_id: q.id, timeout: 600 }] } });
      assert.equal(r.status, 200, r.text);
      const accountAgents = [];
      for (let k = 0; k < n; k++) {
        const a = await d.agentDesk(srv, admin, `hang.${p}${k}`);
        agents.push(a);
        accountAgents.push(a);
        await d.addMembers(admin, q, [a]);
        await d.accountAgents(admin, acc, accountAgents, 'sms');
        assert.equal((await a.request('POST', '/api/v1/agent/login', { body: { channel: 'sms' } })).status, 200);
        const from = `+1555610${p === 'twilio' ? 0 : 1}${String(k).padStart(3, '0')}`;
        r = await send(srv, webhook(p, 'inbound', { id: `hang-${p}-${k}`, from, text: `hello ${k}` }, { url: acc.receive_url }));
        assert.ok(r.status >= 200 && r.status < 300, r.text);
        const offer = await d.waitFor(() => a.ws.got.find((m) => m.type === 'interaction.offered' && m.data.contact.phone === from), `offer ${p} ${k}`);
        assert.equal((await a.request('POST', `/api/v1/interactions/${offer.data.id}/accept`)).status, 200);
        convs.push({ p, agent: a, id: offer.data.id });
      }
    }
    // A's provider stops answering; A's three agents reply; once A's sends hang, B's agent does.
    fp.fail('twilio', { hang: true });
    const aConvs = convs.filter((c) => c.p === 'twilio');
    for (const [k, c] of aConvs.entries()) {
      const r = await c.agent.request('POST', `/api/v1/interactions/${c.id}/messages`, { body: { body: `A reply ${k}` } });
      assert.equal(r.status, 201, r.text);
    }
    await d.waitFor(() => fp.hung.some((h) => h.closedAt === null), "A's send in flight");
    const b = convs.find((c) => c.p === 'plivo');
    const postedB = Date.now();
    let r = await b.agent.request('POST', `/api/v1/interactions/${b.id}/messages`, { body: { body: 'B reply' } });
    assert.equal(r.status, 201, r.text);
    const gotB = await d.waitFor(() => fp.sent('plivo').find((m) => m.text === 'B reply'), "B's reply at its provider", 90000);
    // What B waited for: the hung attempts of A that ended before B's reply went out. They
    // were in flight together (one attempt's time limit), not one after the other.
    const before = fp.hung.filter((h) => h.closedAt !== null && h.closedAt <= gotB.at);
    t.diagnostic(`B's reply went out ${gotB.at - postedB} ms after it was written; ${before.length} hung attempt(s) of A ended before it`);
    if (before.length > 1) {
      const lastOpened = Math.max(...before.map((h) => h.openedAt));
      const firstClosed = Math.min(...before.map((h) => h.closedAt));
      assert.ok(lastOpened < firstClosed, `A's hung attempts ran one after the other (${before.map((h) => `${h.openedAt - postedB}..${h.closedAt - postedB} ms`).join(', ')}): B waited for each`);
    }
    // A recovers: each of its replies is accepted once, in spite of the timed-out attempts.
    fp.recover('twilio');
    await d.waitFor(() => aConvs.every((c, k) => fp.sent('twilio').some((m) => m.text === `A reply ${k}`)), "A's replies after the recovery", 90000);
    await new Promise((res) => setTimeout(res, 1000));
    for (let k = 0; k < aConvs.length; k++) assert.equal(fp.sent('twilio').filter((m) => m.text === `A reply ${k}`).length, 1);
    assert.equal(fp.sent('plivo').filter((m) => m.text === 'B reply').length, 1);
  } finally {
    for (const a of agents) a.ws.close();
    fp.reset();
    assert.equal((await srv.stop()).code, 0, srv.stderr());
  }
});

test('kill -9 during a burst of inbound webhooks: every webhook that got a 2xx is stored exactly once after restart', { timeout: 300000 }, async (t) => {
  let srv = await startServer({ env: { SWITCHBOARD_SMS_TEST_BASE_URL: fp.baseUrl } });
  let admin = await adminClient(srv);
  const accounts = {};
  for (const [p, key] of [['twilio', 'bur1'], ['telnyx', 'bur2']]) {
    const r = await admin.request('POST', '/api/v1/sms/accounts', { body: accountBody(srv, p, key) });
    assert.equal(r.status, 201, r.text);
    accounts[p] = r.json;
  }
  // 2,000 webhooks: 40 senders per provider, ids unique per provider; 16 concurrent clients.
  const TOTAL = 2000, CLIENTS = 16, SENDERS = 40;
  const items = Array.from({ length: TOTAL }, (_, i) => {
    const p = i % 2 ? 'telnyx' : 'twilio';
    const s = Math.floor(i / 2) % SENDERS;
    return { i, p, id: p === 'twilio' ? `SMburst${String(i).padStart(6, '0')}` : `tx-burst-${i}`,
      from: `+1555${p === 'twilio' ? 7 : 8}00${String(s).padStart(4, '0')}`, text: `burst ${i}`, status: null };
  });
  const make = (it) => webhook(it.p, 'inbound', { id: it.id, from: it.from, text: it.text }, { url: accounts[it.p].receive_url });
  let acked = 0, killed = false, next = 0;
  const KILL_AFTER = 700;
  const killedAt = new Promise((resolve) => {
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (next < TOTAL && !killed) {
        const it = items[next++];
        try {
          const r = await send(srv, make(it));
          it.status = r.status;
          if (r.status >= 200 && r.status < 300 && ++acked === KILL_AFTER && !killed) {
            killed = true;
            srv.proc.kill('SIGKILL');
            resolve();
          }
        } catch (e) {
          it.status = 'error'; // no answer: the connection died with the process
        }
      }
    });
    Promise.all(clients).then(resolve);
  });
  await killedAt;
  const exit = await srv.exited;
  assert.equal(exit.signal, 'SIGKILL', 'the server was killed mid-burst');
  // Let the in-flight requests of the other clients fail.
  assert.ok(killed, 'the burst was still running when the server was killed');
  await d.waitFor(() => items.slice(0, next).every((it) => it.status !== null), 'in-flight requests ended', 10000);
  const ok = items.filter((it) => typeof it.status === 'number' && it.status >= 200 && it.status < 300);
  const unanswered = items.filter((it) => !(typeof it.status === 'number' && it.status >= 200 && it.status < 300));
  assert.ok(ok.length >= KILL_AFTER && unanswered.length > 0, `killed mid-burst: ${ok.length} acknowledged, ${unanswered.length} not`);
  // Usually some requests are cut by the kill (no answer); when the server had already answered
  // every outstanding one before the client read them, none is. Either way the checks below
  // hold: what got a 2xx is stored once, and resending what got none stores no duplicate.
  t.diagnostic(`requests cut by the kill: ${items.filter((it) => it.status === 'error').length}`);
  assert.deepEqual([...new Set(ok.map((it) => it.status))].sort(), [200], 'acknowledged = 200');

  srv = await startServer({ tmp: srv.tmp, db: { sqlitePath: srv.sqlitePath, pgDatabase: srv.pgDatabase }, env: { SWITCHBOARD_SMS_TEST_BASE_URL: fp.baseUrl } });
  try {
    const stored = () => {
      const out = sql(srv, "SELECT provider_id, COUNT(*) FROM messages WHERE direction = 'in' AND provider_id IS NOT NULL GROUP BY provider_id");
      return new Map(out ? out.split('\n').map((l) => { const [k, v] = l.split('|'); return [k, Number(v)]; }) : []);
    };
    let seen = stored();
    for (const it of ok) assert.equal(seen.get(it.id), 1, `acknowledged ${it.p} webhook ${it.id} stored once`);
    for (const [k, v] of seen) assert.equal(v, 1, `${k} stored once`);
    const lost = unanswered.filter((it) => seen.has(it.id)).length;

    // The providers retry: 200 acknowledged ones again, and every unanswered one.
    const retry = [...ok.slice(0, 100), ...ok.slice(-100), ...unanswered];
    let next2 = 0;
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (next2 < retry.length) {
        const it = retry[next2++];
        const r = await send(srv, make(it));
        assert.equal(r.status, 200, `${it.id}: ${r.status} ${r.text}`);
      }
    }));
    seen = stored();
    assert.equal(seen.size, TOTAL, 'every webhook stored once the providers retried');
    for (const it of items) assert.equal(seen.get(it.id), 1, `${it.id} stored exactly once`);
    // The bodies are the ones sent, on the right account.
    const twilioCount = Number(sql(srv, `SELECT COUNT(*) FROM messages m JOIN interactions i ON i.id = m.interaction_id WHERE m.direction = 'in' AND i.account_id = ${accounts.twilio.id} AND m.body LIKE 'burst %'`));
    assert.equal(twilioCount, TOTAL / 2);
    // For the report: how many unanswered webhooks had been committed before the kill.
    t.diagnostic(`acknowledged before the kill: ${ok.length}; unanswered: ${unanswered.length}, of which already stored: ${lost}`);
    admin = await login(srv, 'admin', STRONG);
    const r = await admin.request('GET', `/api/v1/health`);
    assert.equal(r.status, 200);
  } finally {
    assert.equal((await srv.stop()).code, 0, srv.stderr());
  }
});
