'use strict';
// Messenger groups: who creates, sees, changes and deletes them; "Enable Writing" (a member of
// a read-only group is refused with 403 and nothing is stored; the creator and administrators
// still write); one message reaching every connected member exactly once; membership changes
// pushed to the members; unread counts per group; the member search from the third letter.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient } = require('./lib/server');
const { agent, supervisor, connect, close, sendGroup, json } = require('./lib/messenger');

let srv, admin, sup, sup2, ann, bob, mute;
before(async () => {
  srv = await startServer({ env: { SWITCHBOARD_MESSENGER_RATE_BURST: '1000' } });
  admin = await adminClient(srv);
  admin.id = admin.user.id;
  sup = await supervisor(srv, admin, 'grace.sup', 'Grace Supervisor');
  sup2 = await supervisor(srv, admin, 'other.sup', 'Other Supervisor');
  ann = await agent(srv, admin, 'ann.g', 'Ann Groupie');
  bob = await agent(srv, admin, 'bob.g', 'Bob Groupie');
  mute = await agent(srv, admin, 'mute.g', 'Mute Groupie', { perm_internal_messenger: false });
});
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const create = (c, body) => c.request('POST', '/api/v1/messenger/groups', { body });
const groupTotal = async (c, id) => (await json(c, `/api/v1/messenger/groups/${id}/messages`)).total;
const fields = (r) => r.json.errors.map((e) => e.field);

test('administrators and supervisors create groups; the creator is a member; agents may not', async () => {
  let r = await create(sup, { name: 'Night shift', member_ids: [ann.id, bob.id] });
  assert.equal(r.status, 201, r.text);
  const g = r.json;
  assert.equal(g.name, 'Night shift');
  assert.equal(g.writable, true, 'Enable Writing is on unless turned off');
  assert.equal(g.created_by.id, sup.id);
  assert.deepEqual(g.members.map((m) => m.id).sort((a, b) => a - b), [sup.id, ann.id, bob.id].sort((a, b) => a - b));
  assert.equal(g.member_count, 3);
  r = await create(ann, { name: 'Agents only', member_ids: [bob.id] });
  assert.equal(r.status, 403);
  // Who sees it: members, the creator, administrators; others get 404.
  assert.equal((await ann.request('GET', `/api/v1/messenger/groups/${g.id}`)).status, 200);
  assert.equal((await admin.request('GET', `/api/v1/messenger/groups/${g.id}`)).status, 200);
  assert.equal((await sup2.request('GET', `/api/v1/messenger/groups/${g.id}`)).status, 404);
  assert.ok((await json(ann, '/api/v1/messenger/groups')).items.some((x) => x.id === g.id));
  assert.ok(!(await json(sup2, '/api/v1/messenger/groups')).items.some((x) => x.id === g.id));
  assert.ok((await json(admin, '/api/v1/messenger/groups')).items.some((x) => x.id === g.id));
});

test('bad group input is refused naming each field, and nothing is created', async () => {
  const count = async () => (await json(admin, '/api/v1/messenger/groups')).total;
  const n0 = await count();
  let r = await create(sup, { name: '', member_ids: 'all', colour: 'red' });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r).sort(), ['colour', 'member_ids', 'name']);
  r = await create(sup, { name: 'x'.repeat(65) });
  assert.deepEqual(fields(r), ['name']);
  r = await create(sup, { name: 'Dups', member_ids: [ann.id, ann.id] });
  assert.deepEqual(fields(r), ['member_ids[1]']);
  r = await create(sup, { name: 'Muted', member_ids: [ann.id, mute.id] });
  assert.equal(r.status, 422);
  assert.deepEqual(r.json.errors, [{ field: 'member_ids[1]', message: 'is not a staff member who can use the messenger' }]);
  r = await create(sup, { name: 'Ghost', member_ids: [987654] });
  assert.deepEqual(fields(r), ['member_ids[0]']);
  r = await create(sup, { name: 'Flag', writable: 'no' });
  assert.deepEqual(fields(r), ['writable']);
  assert.equal(await count(), n0);
});

test('a member of a read-only group is refused with 403 and nothing is stored; creator and admins write', async () => {
  let r = await create(sup, { name: 'Announcements', member_ids: [ann.id, bob.id], writable: false });
  assert.equal(r.status, 201, r.text);
  const g = r.json;
  const wa = await connect(srv, ann);
  r = await sendGroup(ann, g.id, 'can I speak?');
  assert.equal(r.status, 403, r.text);
  assert.match(r.json.detail, /read-only/);
  assert.equal(await groupTotal(sup, g.id), 0, 'nothing stored');
  r = await sendGroup(sup, g.id, 'Meeting at 3');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.group_id, g.id);
  assert.equal(r.json.recipient_id, null);
  await wa.next('messenger.message', (d) => d.body === 'Meeting at 3');
  r = await sendGroup(admin, g.id, 'Admin here');
  assert.equal(r.status, 201, 'an administrator writes without being a member');
  // Enable Writing turned on: members write.
  r = await sup.request('PATCH', `/api/v1/messenger/groups/${g.id}`, { body: { writable: true } });
  assert.equal(r.status, 200, r.text);
  assert.equal((await sendGroup(ann, g.id, 'thanks')).status, 201);
  assert.equal(await groupTotal(ann, g.id), 3);
  // Outsiders: 404, and their message is not stored either.
  assert.equal((await sendGroup(sup2, g.id, 'hi')).status, 404);
  assert.equal((await sendGroup(mute, g.id, 'hi')).status, 403);
  assert.equal(await groupTotal(ann, g.id), 3);
  await close(wa);
});

test('one message reaches every connected member exactly once; unread per group', async () => {
  const N = 40;
  const members = [];
  for (let i = 0; i < N; i++) members.push(await agent(srv, admin, `fan.${i}`, `Fan ${String(i).padStart(2, '0')}`));
  let r = await create(admin, { name: 'Everyone', member_ids: members.map((m) => m.id) });
  assert.equal(r.status, 201, r.text);
  const g = r.json;
  assert.equal(g.member_count, N + 1);
  const sockets = await Promise.all(members.map((m) => connect(srv, m)));
  const outsider = await connect(srv, bob);
  r = await sendGroup(admin, g.id, 'all hands');
  assert.equal(r.status, 201);
  const id = r.json.id;
  // A marker after it: events arrive in order, so a duplicate would show before the marker.
  const r2 = await sendGroup(admin, g.id, 'marker');
  await Promise.all(sockets.map((s) => s.next('messenger.message', (d) => d.id === r2.json.id)));
  for (const s of sockets) {
    assert.deepEqual(s.of('messenger.message').map((m) => m.data.id), [id, r2.json.id]);
    assert.equal(s.of('messenger.message')[0].data.body, 'all hands');
  }
  assert.equal(outsider.of('messenger.message', (d) => d.group_id === g.id).length, 0);
  // Each member has 2 unread in the group; reading clears it for that member only.
  let u = await json(members[0], '/api/v1/messenger/unread');
  assert.deepEqual(u.groups, [{ group_id: g.id, count: 2 }]);
  r = await members[0].request('POST', `/api/v1/messenger/groups/${g.id}/read`, { body: { up_to_id: id } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { group_id: g.id, last_read_id: id, unread_total: 1 });
  assert.equal((await json(members[1], `/api/v1/messenger/groups/${g.id}`)).unread, 2);
  assert.equal((await json(members[0], `/api/v1/messenger/groups/${g.id}`)).unread, 1);
  // The sender has nothing unread in its own group.
  u = await json(admin, '/api/v1/messenger/unread');
  assert.ok(!u.groups.some((x) => x.group_id === g.id));
  for (const s of [...sockets, outsider]) await close(s);
});

test('membership changes are pushed to the members; deletion too', async () => {
  const [wa, wb, ws] = await Promise.all([connect(srv, ann), connect(srv, bob), connect(srv, sup)]);
  let r = await create(sup, { name: 'Team B', member_ids: [ann.id] });
  const g = r.json;
  const created = await wa.next('messenger.group', (d) => d.action === 'created' && d.group.id === g.id);
  assert.equal(created.data.group.name, 'Team B');
  await ws.next('messenger.group', (d) => d.action === 'created' && d.group.id === g.id);
  assert.equal(wb.of('messenger.group', (d) => d.group.id === g.id).length, 0, 'not a member yet');
  r = await sendGroup(sup, g.id, 'before bob');
  assert.equal(r.status, 201);
  r = await sup.request('PATCH', `/api/v1/messenger/groups/${g.id}`, { body: { name: 'Team Bravo', member_ids: [sup.id, bob.id] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, 'Team Bravo');
  let ev = await wb.next('messenger.group', (d) => d.action === 'updated' && d.group.id === g.id);
  assert.equal(ev.data.action, 'updated');
  assert.equal(ev.data.group.name, 'Team Bravo');
  assert.equal('unread' in ev.data.group, false);
  await ws.next('messenger.group', (d) => d.action === 'updated' && d.group.id === g.id);
  ev = await wa.next('messenger.group', (d) => d.action !== 'created' && d.group.id === g.id);
  assert.deepEqual(ev.data, { action: 'removed', group: { id: g.id } });
  // Ann lost access; Bob joined with the earlier messages read.
  assert.equal((await ann.request('GET', `/api/v1/messenger/groups/${g.id}`)).status, 404);
  assert.equal((await json(bob, `/api/v1/messenger/groups/${g.id}`)).unread, 0);
  assert.equal((await json(bob, `/api/v1/messenger/groups/${g.id}/messages`)).total, 1);
  // Only the creator and administrators change or delete it.
  assert.equal((await bob.request('PATCH', `/api/v1/messenger/groups/${g.id}`, { body: { name: 'Mine' } })).status, 403);
  assert.equal((await bob.request('DELETE', `/api/v1/messenger/groups/${g.id}`)).status, 403);
  r = await admin.request('DELETE', `/api/v1/messenger/groups/${g.id}`);
  assert.equal(r.status, 204);
  ev = await wb.next('messenger.group', (d) => d.action === 'deleted');
  assert.deepEqual(ev.data, { action: 'deleted', group: { id: g.id } });
  assert.equal((await sup.request('GET', `/api/v1/messenger/groups/${g.id}`)).status, 404);
  assert.equal((await sendGroup(sup, g.id, 'anyone?')).status, 404);
  assert.equal((await admin.request('DELETE', `/api/v1/messenger/groups/${g.id}`)).status, 404);
  // Who did it is in the audit log.
  const audit = await json(admin, `/api/v1/audit?target_id=${g.id}&limit=100`);
  const mine = audit.items.filter((e) => e.target_type === 'messenger_group').map((e) => [e.action, e.actor_id]);
  assert.deepEqual(mine.sort(), [['messenger_group.create', sup.id], ['messenger_group.delete', admin.id],
    ['messenger_group.update', sup.id]]);
  for (const w of [wa, wb, ws]) await close(w);
});

test('member search answers from the third typed letter, for those who manage groups', async () => {
  let r = await sup.request('GET', '/api/v1/messenger/member-search?q=gr');
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['q']);
  r = await sup.request('GET', '/api/v1/messenger/member-search');
  assert.equal(r.status, 422);
  r = await sup.request('GET', '/api/v1/messenger/member-search?q=GRO');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((x) => x.username).sort(), ['ann.g', 'bob.g'], 'the muted agent is not offered');
  r = await sup.request('GET', '/api/v1/messenger/member-search?q=%C3%A9t%C3%A9');
  assert.equal(r.status, 200, 'three characters, whatever their bytes');
  assert.equal((await ann.request('GET', '/api/v1/messenger/member-search?q=gro')).status, 403);
});
