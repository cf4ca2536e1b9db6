'use strict';
// kill -9 in the middle of routing, then a restart on the same database: nothing is lost or
// stuck. Assigned interactions stay with their agent (and count as its open tabs), waiting ones
// are offered again, a queue step's timer resumes with the time it had left, logins and
// pauses survive, and the report rows stay one per (interaction, queue) attempt.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { startServer, adminClient, login, STRONG, psql, backend } = require('./lib/server');
const d = require('./lib/desk');

function sql(srv, stmt) {
  if (backend === 'postgres') return psql(stmt, srv.pgDatabase);
  return execFileSync('sqlite3', [srv.sqlitePath, stmt], { encoding: 'utf8' }).trim();
}

test('kill -9 while interactions wait, are offered and are assigned; restart resumes all', { timeout: 240000 }, async () => {
  let srv = await startServer();
  const admin = await adminClient(srv);
  const a = await d.agentDesk(srv, admin, 'rs.anna');
  const p = await d.agentDesk(srv, admin, 'rs.paul');
  const q = await d.queue(admin, 'Restart queue');
  const empty = await d.queue(admin, 'Nobody here');
  await d.addMembers(admin, q, [a, p]);
  const acc = await d.account(admin, 'Restart account');
  const slow = await d.account(admin, 'Slow account');
  for (const x of [acc, slow]) await d.accountAgents(admin, x, [a, p]);
  await d.setFlow(admin, acc, [{ application: 'queue', queue_id: q.id, timeout: 600 }]);
  await d.setFlow(admin, slow, [
    { application: 'queue', queue_id: empty.id, timeout: 120 },
    { application: 'tag', tag: 'overflow' },
  ]);
  await a.request('POST', '/api/v1/agent/login', { body: { channel: 'openchannel' } });
  await p.request('POST', '/api/v1/agent/login', { body: { channel: 'openchannel' } });
  await p.request('POST', '/api/v1/agent/pause', { body: { reason: 'Break' } });

  const ids = [];
  for (let i = 0; i < 6; i++) ids.push((await d.notify(srv, acc, { from: `rs-${i}`, body: `msg ${i}` })).json.interaction_id);
  const waiting = (await d.notify(srv, slow, { from: 'rs-slow', body: 'slow' })).json.interaction_id;
  // An agent holds one offer per queue at a time: they come one after the other.
  const assigned = ids.slice(0, 2);
  for (const id of assigned) {
    await d.waitFor(() => d.events(a.ws, 'interaction.offered', id).length, `${id} offered to anna`);
    assert.equal((await a.request('POST', `/api/v1/interactions/${id}/accept`)).status, 200);
  }
  await d.waitFor(() => d.events(a.ws, 'interaction.offered', ids[2]).length, 'the next one offered');
  // 60 of the 120 seconds of the slow account's queue step pass before the crash.
  await d.advance(srv, 60000);

  // More inbound traffic in flight while the process dies.
  const inflight = [];
  for (let i = 6; i < 30; i++) {
    inflight.push(d.notify(srv, acc, { from: `rs-${i}`, body: `msg ${i}` }).then((r) => (r.status === 200 ? r.json.interaction_id : null)).catch(() => null));
  }
  await new Promise((r) => setTimeout(r, 30));
  srv.proc.kill('SIGKILL');
  const acked = (await Promise.all(inflight)).filter((x) => x);
  await srv.exited;
  a.ws.terminate();
  p.ws.terminate();

  srv = await startServer({ tmp: srv.tmp, db: { sqlitePath: srv.sqlitePath, pgDatabase: srv.pgDatabase } });
  try {
    const admin2 = await login(srv, 'admin', STRONG);
    const a2 = await login(srv, 'rs.anna', STRONG);
    const p2 = await login(srv, 'rs.paul', STRONG);

    let st = (await a2.request('GET', '/api/v1/agent/state')).json;
    assert.equal(st.logged_in.openchannel, true, 'the login survived');
    assert.equal(st.open_tabs, 2, 'the two assigned interactions are still hers');
    st = (await p2.request('GET', '/api/v1/agent/state')).json;
    assert.equal(st.paused, true, 'the pause survived');
    assert.equal(st.pause_reason, 'Break');
    const mine = (await a2.request('GET', '/api/v1/agent/interactions')).json.items.map((x) => x.id).sort((x, y) => x - y);
    assert.deepEqual(mine, assigned);

    // Every acknowledged interaction is open, assigned or waiting in the queue; the first
    // waiting one is offered again (offers are not stored: they are made again).
    const all = [...ids, ...acked];
    for (const id of all) {
      const ix = (await admin2.request('GET', `/api/v1/interactions/${id}`)).json;
      assert.equal(ix.status, 'open', `interaction ${id} open`);
    }
    const offers = await d.waitFor(async () => {
      const items = (await a2.request('GET', '/api/v1/agent/offers')).json.items;
      return items.length ? items : null;
    }, 'anna offered again');
    assert.equal(offers.length, 1, 'one offer per queue at a time');
    assert.ok(all.includes(offers[0].id) && !assigned.includes(offers[0].id));
    const rq = (await admin2.request('GET', '/api/v1/realtime/queues')).json.queues.find((x) => x.queue_id === q.id);
    // A notify committed just before the kill may have lost its answer: it waits too.
    const open = Number(sql(srv, `SELECT COUNT(*) FROM interactions WHERE status = 'open' AND account_id = ${acc.id}`));
    assert.ok(open >= all.length);
    assert.equal(rq.waiting, open - assigned.length, 'every open interaction is waiting or assigned');

    // One report row per (interaction, queue): the restart did not open new ones.
    const rows = (await admin2.request('GET', `/api/v1/reports/openchannel/queue?limit=500`)).json.items;
    const per = new Map();
    for (const r of rows) per.set(`${r.interaction_id}/${r.queue_id}`, (per.get(`${r.interaction_id}/${r.queue_id}`) || 0) + 1);
    assert.ok([...per.values()].every((n) => n === 1), 'one row per attempt');
    assert.equal(rows.filter((r) => r.reason === 'accepted').length, 2);

    // The test clock's offset lives in the process: give the new one the 60 s back. The slow
    // step then has 60 s left: not over after 50 s, over after 61 s; the flow goes on.
    await d.advance(srv, 60000 + 50000);
    await new Promise((r) => setTimeout(r, 300));
    let slowRows = (await admin2.request('GET', `/api/v1/reports/openchannel/queue?interaction_id=${waiting}`)).json.items;
    assert.equal(slowRows.length, 1);
    assert.equal(slowRows[0].reason, null, 'still waiting');
    await d.advance(srv, 11000);
    await d.waitFor(async () => (await admin2.request('GET', `/api/v1/interactions/${waiting}`)).json.tags.includes('overflow'), 'the flow moved on after the timeout');
    slowRows = (await admin2.request('GET', `/api/v1/reports/openchannel/queue?interaction_id=${waiting}`)).json.items;
    assert.deepEqual(slowRows.map((r) => r.reason), ['timeout']);

    // And routing works on: anna accepts one more, paul unpauses and gets offers.
    const next = offers[0].id;
    assert.equal((await a2.request('POST', `/api/v1/interactions/${next}/accept`)).status, 200);
    await p2.request('POST', '/api/v1/agent/unpause');
    await d.waitFor(async () => (await p2.request('GET', '/api/v1/agent/offers')).json.items.length > 0, 'paul offered');
  } finally {
    assert.equal((await srv.stop()).code, 0, srv.stderr());
  }
});
