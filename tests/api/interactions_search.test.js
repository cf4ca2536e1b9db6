'use strict';
// The interactions list, its advanced search (q), the streamed CSV export and bulk/single
// delete (issue #6 §5, docs/interactions-search.md): filters, search results, 422s naming the
// condition, agents 403, supervisors' queue scope, export content, formula safety and
// selection, delete by ids and by search (a bad search deletes nothing), open interactions
// kept. The rows are written straight into the database (the search reads what the channels
// store; how they store it is tested elsewhere).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { startServer, adminClient, accountClient, login, STRONG, psql, backend } = require('./lib/server');

let srv, admin;
const ids = {};
const clients = {};
const PW = 'Agent!Passw0rd1';

function sql(text) {
  if (backend === 'postgres') return psql(text, srv.pgDatabase);
  return execFileSync('sqlite3', [srv.sqlitePath, text], { encoding: 'utf8' }).trim();
}

const fieldsOf = (r) => r.json.errors.map((e) => e.field).sort();
const idsOf = (r) => r.json.items.map((i) => i.id);
const ms = (iso) => Date.parse(iso);

async function supervisor(username, profileId) {
  const r = await admin.request('POST', '/api/v1/users', {
    body: { username, full_name: `Sup ${username}`, role: 'user', profile_id: profileId, password: PW },
  });
  assert.equal(r.status, 201, r.text);
  const c = await login(srv, username, PW);
  const ch = await c.request('POST', '/api/v1/auth/password', { body: { current_password: PW, new_password: STRONG } });
  assert.equal(ch.status, 204, ch.text);
  return c;
}

async function make(path, body) {
  const r = await admin.request('POST', path, { body });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

before(async () => {
  srv = await startServer();
  admin = await adminClient(srv);
  ids.qIn = await make('/api/v1/queues', { name: 'search-in', channel: 'sms' });
  ids.qOut = await make('/api/v1/queues', { name: 'search-out', channel: 'sms' });
  ids.aIn = await make('/api/v1/agents', { username: 'search.a1', full_name: 'Alice Agent', password: PW });
  ids.aIn2 = await make('/api/v1/agents', { username: 'search.a2', full_name: 'Bruno Agent', password: PW });
  const pFull = await make('/api/v1/profiles', { name: 'search full', default_permission: 'read_edit_delete',
    sections: { queues: 'default' }, queue_ids: [ids.qIn] });
  const pRead = await make('/api/v1/profiles', { name: 'search read', default_permission: 'read',
    sections: { queues: 'read' }, queue_ids: [ids.qIn] });
  const pMask = await make('/api/v1/profiles', { name: 'search masked', default_permission: 'read',
    sections: { queues: 'read' }, queue_ids: [ids.qIn], mask_sensitive: true });
  clients.masked = await supervisor('search.masked', pMask);
  clients.sup = await supervisor('search.sup', pFull);
  clients.reader = await supervisor('search.reader', pRead);
  clients.agent = await accountClient(srv, 'search.agent', 'agent');

  const now = ms('2026-01-10T00:00:00Z');
  const L = (s) => (s === null ? 'NULL' : `'${s.replace(/'/g, "''")}'`);
  const contacts = [
    [9001, 'Ann', 'Smith', '+15550001', 'ann@example.com'],
    [9002, 'Bob', null, '+15550002', null],
    [9003, 'Émile', 'Zola', null, 'emile@x.fr'],
  ];
  // id, channel, account, contact, status, unread, owner, queue, tags, disposition, created, closed, last
  const ixs = [
    [1, 'sms', 1, 9001, 'closed', 0, ids.aIn, ids.qIn, '["vip","billing"]', 'Sold', '2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z', '2026-01-01T10:30:00Z'],
    [2, 'sms', 1, 9002, 'open', 1, null, ids.qIn, '[]', null, '2026-01-02T10:00:00Z', null, '2026-01-02T10:05:00Z'],
    [3, 'sms', 1, 9003, 'closed', 0, ids.aIn2, ids.qOut, '["=cmd"]', '=HYPERLINK("x")', '2026-01-03T10:00:00Z', '2026-01-03T12:00:00Z', null],
    [4, 'sms', 2, 9001, 'closed', 0, null, ids.qIn, '[]', null, '2026-01-04T10:00:00Z', '2026-01-04T10:10:00Z', '2026-01-04T10:01:00Z'],
    [5, 'openchannel', 1, 9002, 'closed', 0, null, null, '[]', null, '2026-01-05T10:00:00Z', '2026-01-05T11:00:00Z', null],
  ];
  const msgs = [
    [1, 'in', 'Hello, I need help with my INVOICE'], [1, 'out', 'Sure, 100% done'],
    [2, 'in', 'ciao'], [3, 'in', 'Ça va? Crème brûlée'], [4, 'in', 'invoice again'],
    [5, 'in', 'invoice from the open channel'],
  ];
  const stmts = [];
  for (const c of contacts)
    stmts.push(`INSERT INTO contacts (id, list_id, first_name, last_name, phone, email, created_at, updated_at) VALUES (${c[0]}, 1, ${L(c[1])}, ${L(c[2])}, ${L(c[3])}, ${L(c[4])}, ${now}, ${now})`);
  for (const i of ixs)
    stmts.push(`INSERT INTO interactions (id, channel, account_id, contact_id, status, unread, owner_id, queue_id, tags, disposition, created_at, updated_at, closed_at, last_message_at, route_state) VALUES (${i[0]}, '${i[1]}', ${i[2]}, ${i[3]}, '${i[4]}', ${i[5]}, ${i[6] ?? 'NULL'}, ${i[7] ?? 'NULL'}, ${L(i[8])}, ${L(i[9])}, ${ms(i[10])}, ${now}, ${i[11] ? ms(i[11]) : 'NULL'}, ${i[12] ? ms(i[12]) : 'NULL'}, '${i[4] === 'open' ? 'idle' : 'flow'}')`);
  for (const [k, m] of msgs.entries())
    stmts.push(`INSERT INTO messages (interaction_id, direction, body, delivery_status, created_at, updated_at) VALUES (${m[0]}, '${m[1]}', ${L(m[2])}, 'received', ${now + k}, ${now + k})`);
  // What goes with an interaction: the outbox row of its reply, its queue report row.
  stmts.push(`INSERT INTO outbox (channel, account_id, message_id, url, method, body, status, next_attempt_at, created_at, updated_at) SELECT 'sms', 1, id, 'http://127.0.0.1:9/', 'POST', '{}', 'sent', 0, 0, 0 FROM messages WHERE interaction_id = 1 AND direction = 'out'`);
  stmts.push(`INSERT INTO report_queue (channel, interaction_id, queue_id, joined_at, accepted_at, left_at, reason, agent_id) VALUES ('sms', 1, ${ids.qIn}, ${now}, ${now}, ${now}, 'accepted', ${ids.aIn})`);
  if (backend === 'postgres') stmts.push("SELECT setval(pg_get_serial_sequence('interactions', 'id'), 100)");
  sql(stmts.join(';\n'));
});
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

function list(client, params) {
  const qs = new URLSearchParams(params);
  return client.request('GET', `/api/v1/interactions?${qs}`);
}
const q = (match, conditions) => JSON.stringify({ match, conditions });
const c = (field, op, value, disabled) => ({ field, op, ...(value === undefined ? {} : { value }), ...(disabled ? { disabled } : {}) });

test('list: items, total, paging, sort and the simple filters', async () => {
  let r = await list(admin, { channel: 'sms' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(idsOf(r), [4, 3, 2, 1], 'newest first by default');
  assert.equal(r.json.total, 4);
  const one = r.json.items.find((i) => i.id === 1);
  assert.equal(one.owner_name, 'Alice Agent');
  assert.deepEqual(one.tags, ['vip', 'billing']);
  assert.equal(one.last_message, 'Sure, 100% done');
  assert.equal(one.unread, false);
  assert.equal(one.created_at, '2026-01-01T10:00:00.000Z');
  assert.deepEqual(one.contact, { id: 9001, first_name: 'Ann', last_name: 'Smith', phone: '+15550001', email: 'ann@example.com' });
  r = await list(admin, { channel: 'sms', limit: 2, offset: 1, sort: 'id' });
  assert.deepEqual(idsOf(r), [2, 3]);
  assert.equal(r.json.total, 4);
  assert.equal(r.json.limit, 2);
  r = await list(admin, { channel: 'sms', sort: '-last_message_at' });
  assert.deepEqual(idsOf(r), [4, 2, 1, 3], 'no last message sorts last');
  assert.deepEqual(idsOf(await list(admin, { channel: 'sms', account_id: 1 })), [3, 2, 1]);
  assert.deepEqual(idsOf(await list(admin, { channel: 'sms', status: 'closed', account_id: 1 })), [3, 1]);
  assert.deepEqual(idsOf(await list(admin, { channel: 'sms', read: 'false' })), [2]);
  assert.deepEqual(idsOf(await list(admin, { channel: 'sms', agent_id: ids.aIn })), [1]);
  assert.deepEqual(idsOf(await list(admin, { channel: 'sms', tags: 'VIP,none' })), [1], 'tags: any of, any case');
  assert.deepEqual(idsOf(await list(admin, { channel: 'sms', from: '2026-01-02', to: '2026-01-04' })), [3, 2]);
  assert.deepEqual(idsOf(await list(admin, { channel: 'openchannel' })), [5]);
});

test('search: message, contact, tags, times, all/any and disabled conditions', async () => {
  const s = async (query) => idsOf(await list(admin, { channel: 'sms', q: query, sort: 'id' }));
  assert.deepEqual(await s(q('all', [c('message', 'contains', 'invoice')])), [1, 4], 'full text, any case');
  assert.deepEqual(await s(q('all', [c('message', 'contains', '100%')])), [1], '% is a character, not a wildcard');
  assert.deepEqual(await s(q('all', [c('message', 'contains', '0_')])), [], '_ too');
  assert.deepEqual(await s(q('all', [c('message', 'starts_with', 'ci')])), [2], 'shorter than a trigram');
  assert.deepEqual(await s(q('all', [c('message', 'equals', 'INVOICE AGAIN')])), [4]);
  assert.deepEqual(await s(q('all', [c('message', 'contains', 'crème')])), [3]);
  assert.deepEqual(await s(q('all', [c('message', 'contains', 'CRÈME')])), [], 'non-ASCII letters compare exactly');
  assert.deepEqual(await s(q('all', [c('contact.first_name', 'equals', 'ann')])), [1, 4]);
  assert.deepEqual(await s(q('all', [c('contact.last_name', 'empty')])), [2]);
  assert.deepEqual(await s(q('all', [c('contact.email', 'ends_with', '.COM')])), [1, 4]);
  assert.deepEqual(await s(q('all', [c('contact.phone', 'not_equals', '+15550001')])), [2, 3], 'not equals includes empty');
  assert.deepEqual(await s(q('all', [c('tags', 'equals', 'billing')])), [1]);
  assert.deepEqual(await s(q('all', [c('tags', 'empty')])), [2, 4]);
  assert.deepEqual(await s(q('all', [c('tags', 'not_equals', 'vip')])), [2, 3, 4]);
  assert.deepEqual(await s(q('all', [c('agent', 'empty')])), [2, 4]);
  assert.deepEqual(await s(q('all', [c('queue', 'equals', ids.qOut)])), [3]);
  assert.deepEqual(await s(q('all', [c('read', 'equals', false)])), [2]);
  assert.deepEqual(await s(q('all', [c('status', 'not_equals', 'open')])), [1, 3, 4]);
  assert.deepEqual(await s(q('all', [c('id', 'between', [2, 3])])), [2, 3]);
  assert.deepEqual(await s(q('all', [c('closed_at', 'empty')])), [2]);
  assert.deepEqual(await s(q('all', [c('created_at', 'gt', '2026-01-02T10:00:00Z')])), [3, 4]);
  assert.deepEqual(await s(q('all', [c('last_message_at', 'between', ['2026-01-01', '2026-01-02T23:00:00Z'])])), [1, 2]);
  assert.deepEqual(await s(q('all', [c('disposition', 'equals', 'sold'), c('message', 'contains', 'invoice')])), [1]);
  assert.deepEqual(await s(q('any', [c('disposition', 'equals', 'sold'), c('status', 'equals', 'open')])), [1, 2]);
  assert.deepEqual(await s(q('all', [c('disposition', 'equals', 'sold'), c('status', 'equals', 'open', true)])), [1], 'disabled ignored');
  assert.deepEqual(await s(q('any', [c('status', 'equals', 'open', true)])), [1, 2, 3, 4], 'nothing enabled = everything');
  const r = await list(admin, { channel: 'sms', account_id: 1, q: q('all', [c('message', 'contains', 'invoice')]) });
  assert.deepEqual(idsOf(r), [1], 'the search and the filters together');
  assert.equal(r.json.total, 1);
});

test('bad searches and filters: 422 naming the place', async () => {
  const bad = async (params, fields) => {
    const r = await list(admin, { channel: 'sms', ...params });
    assert.equal(r.status, 422, r.text);
    assert.match(r.headers.get('content-type'), /problem\+json/);
    assert.deepEqual(fieldsOf(r), fields.sort(), r.text);
  };
  await bad({ q: q('all', [c('colour', 'equals', 'x')]) }, ['q.conditions[0].field']);
  await bad({ q: q('all', [c('status', 'equals', 'x'), c('id', 'contains', 'x')]) },
    ['q.conditions[0].value', 'q.conditions[1].op']);
  await bad({ q: q('all', [c('message', 'not_equals', 'x')]) }, ['q.conditions[0].op']);
  await bad({ q: q('all', [c('created_at', 'gt', 'yesterday')]) }, ['q.conditions[0].value']);
  await bad({ q: q('all', [c('id', 'between', [3, 2])]) }, ['q.conditions[0].value']);
  await bad({ q: q('all', [c('contact.phone', 'empty', 'x')]) }, ['q.conditions[0].value']);
  await bad({ q: q('all', [c('disposition', 'equals', 'x'.repeat(257))]) }, ['q.conditions[0].value']);
  await bad({ q: q('all', [c('colour', 'equals', 'x', true)]) }, ['q.conditions[0].field']);
  await bad({ q: q('some', []) }, ['q.match']);
  await bad({ q: '{"conditions": [' }, ['q']);
  await bad({ q: JSON.stringify({ conditions: [{ field: 'id', op: 'equals', value: 1, extra: 1 }] }) }, ['q.conditions[0].extra']);
  await bad({ q: q('all', Array.from({ length: 21 }, () => c('id', 'equals', 1))) }, ['q.conditions']);
  assert.equal((await list(admin, { channel: 'sms', q: q('all', Array.from({ length: 20 }, () => c('id', 'gt', 0))) })).status, 200, '20 is fine');
  await bad({ sort: 'colour', limit: 0, read: 'maybe', status: 'pending', from: 'x' }, ['sort', 'limit', 'read', 'status', 'from']);
  const r = await admin.request('GET', '/api/v1/interactions');
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['channel']);
});

test('who: agents 403, anonymous 401, supervisors only their queues', async () => {
  for (const path of ['/api/v1/interactions?channel=sms', '/api/v1/interactions/export.csv?channel=sms',
    '/api/v1/interactions/search-fields']) {
    assert.equal((await clients.agent.request('GET', path)).status, 403, path);
    assert.equal((await srv.request('GET', path)).status, 401, path);
  }
  assert.equal((await clients.agent.request('POST', '/api/v1/interactions/delete', { body: { channel: 'sms', ids: [1] } })).status, 403);
  assert.equal((await clients.agent.request('DELETE', '/api/v1/interactions/3')).status, 403);
  assert.deepEqual(idsOf(await list(clients.sup, { channel: 'sms' })), [4, 2, 1], 'queue 3 is out of scope');
  assert.deepEqual(idsOf(await list(clients.reader, { channel: 'sms', q: q('all', [c('message', 'contains', 'o')]) })), [4, 2, 1]);
  const e = await clients.sup.request('GET', '/api/v1/interactions/export.csv?channel=sms');
  assert.deepEqual(e.text.trim().split('\r\n').slice(1).map((l) => Number(l.split(',')[0].replace(/"/g, ''))), [4, 2, 1]);
  const r = await clients.reader.request('POST', '/api/v1/interactions/delete', { body: { channel: 'sms', ids: [4] } });
  assert.equal(r.status, 403, 'read-only profile cannot delete');
  assert.equal((await clients.sup.request('DELETE', '/api/v1/interactions/3')).status, 404, 'out of scope');
  const d = await clients.sup.request('POST', '/api/v1/interactions/delete', { body: { channel: 'sms', ids: [3] } });
  assert.equal(d.status, 422);
  assert.deepEqual(fieldsOf(d), ['ids[0]']);
});

test('masked supervisors: contacts masked in the list and the export, not searchable', async () => {
  let r = await list(clients.masked, { channel: 'sms', sort: 'id' });
  assert.equal(r.status, 200, r.text);
  const one = r.json.items.find((i) => i.id === 1);
  assert.notEqual(one.contact.phone, '+15550001');
  assert.match(one.contact.phone, /\*/);
  r = await clients.masked.request('GET', '/api/v1/interactions/export.csv?channel=sms&ids=1');
  const row = parseCsv(r.text)[1];
  assert.equal(row[0], '1');
  assert.ok(!r.text.includes('15550001') && !r.text.includes('ann@example.com'), r.text);
  r = await list(clients.masked, { channel: 'sms', q: q('all', [c('status', 'equals', 'closed'), c('contact.phone', 'starts_with', '+1555')]) });
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['q.conditions[1].field']);
});

test('search fields describe the language', async () => {
  const r = await admin.request('GET', '/api/v1/interactions/search-fields');
  assert.equal(r.status, 200, r.text);
  const by = Object.fromEntries(r.json.items.map((f) => [f.field, f]));
  assert.deepEqual(Object.keys(by).sort(), ['agent', 'closed_at', 'contact.email', 'contact.first_name',
    'contact.last_name', 'contact.phone', 'created_at', 'disposition', 'id', 'last_message_at', 'message',
    'queue', 'read', 'status', 'tags']);
  assert.deepEqual(by.status.values, ['open', 'closed']);
  assert.deepEqual(by.message.ops, ['equals', 'contains', 'starts_with', 'ends_with']);
  assert.equal(by.created_at.type, 'datetime');
  assert.ok(by['contact.phone'].ops.includes('not_empty'));
});

function parseCsv(text) {
  const rows = [];
  for (const line of text.split('\r\n')) {
    if (!line) continue;
    const cells = [];
    const re = /"((?:[^"]|"")*)"(,|$)/g;
    let m;
    while ((m = re.exec(line)) && m[0]) cells.push(m[1].replace(/""/g, '"'));
    rows.push(cells);
  }
  return rows;
}

test('export: streamed CSV of the search, formula-safe, or of a selection', async () => {
  let r = await admin.request('GET', `/api/v1/interactions/export.csv?channel=sms&sort=id&q=${encodeURIComponent(q('all', [c('id', 'lt', 4)]))}`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.equal(r.headers.get('transfer-encoding'), 'chunked', 'streamed, not built then sent');
  assert.match(r.headers.get('content-disposition'), /attachment; filename="interactions_sms.csv"/);
  const rows = parseCsv(r.text);
  assert.deepEqual(rows[0], ['id', 'channel', 'account_id', 'status', 'read', 'owner_id', 'owner_name', 'queue_id',
    'tags', 'disposition', 'created_at', 'closed_at', 'last_message_at', 'last_message', 'contact_id',
    'first_name', 'last_name', 'phone', 'email']);
  assert.deepEqual(rows.slice(1).map((x) => x[0]), ['1', '2', '3']);
  assert.deepEqual(rows[1].slice(0, 10), ['1', 'sms', '1', 'closed', 'true', String(ids.aIn), 'Alice Agent', String(ids.qIn), 'vip, billing', 'Sold']);
  assert.equal(rows[1][17], "'+15550001", 'a phone starting with + is not a formula');
  assert.equal(rows[3][9], "'=HYPERLINK(\"x\")", 'formula-safe');
  assert.equal(rows[3][8], "'=cmd");
  assert.equal(rows[3][15], 'Émile', 'UTF-8');
  assert.equal(rows[2][11], '', 'no close time');
  r = await admin.request('GET', '/api/v1/interactions/export.csv?channel=sms&ids=4,1,5');
  assert.deepEqual(parseCsv(r.text).slice(1).map((x) => x[0]), ['4', '1'], 'the selection within the channel');
  r = await admin.request('GET', '/api/v1/interactions/export.csv?channel=sms&ids=1,x');
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['ids']);
  r = await admin.request('GET', `/api/v1/interactions/export.csv?channel=sms&q=${encodeURIComponent(q('all', [c('id', 'gt', 'x')]))}`);
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['q.conditions[0].value']);
});

test('delete: by ids, by search, one; bad input and open interactions delete nothing', async () => {
  const count = () => Number(sql('SELECT COUNT(*) FROM interactions'));
  const before = count();
  assert.equal(Number(sql('SELECT COUNT(*) FROM outbox')), 1);
  assert.equal(Number(sql('SELECT COUNT(*) FROM report_queue WHERE interaction_id = 1')), 1);
  const del = (body) => admin.request('POST', '/api/v1/interactions/delete', { body });
  let r = await del({ channel: 'sms', ids: [1, 999] });
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['ids[1]']);
  r = await del({ channel: 'sms', ids: [1, 2] });
  assert.equal(r.status, 422, 'an open interaction is refused');
  assert.deepEqual(fieldsOf(r), ['ids[1]']);
  r = await del({ channel: 'sms', q: { conditions: [{ field: 'message', op: 'contains', value: 'invoice' }, { field: 'nope', op: 'equals', value: 1 }] } });
  assert.equal(r.status, 422);
  assert.deepEqual(fieldsOf(r), ['q.conditions[1].field']);
  r = await del({ channel: 'sms', ids: [1], q: {} });
  assert.equal(r.status, 422);
  r = await del({ channel: 'sms' });
  assert.equal(r.status, 422);
  r = await del({ ids: [1], colour: 'red' });
  assert.deepEqual(fieldsOf(r), ['channel', 'colour']);
  assert.equal(count(), before, 'nothing deleted');

  r = await del({ channel: 'sms', q: { conditions: [{ field: 'message', op: 'contains', value: 'INVOICE' }] } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { deleted: 2, skipped_open: 0 });
  assert.equal(count(), before - 2);
  assert.equal(Number(sql('SELECT COUNT(*) FROM messages WHERE interaction_id IN (1, 4)')), 0, 'messages go with it');
  assert.equal(Number(sql('SELECT COUNT(*) FROM outbox')), 0, 'and their outbox rows');
  assert.equal(Number(sql('SELECT COUNT(*) FROM report_queue WHERE interaction_id = 1')), 0, 'and the report rows');
  assert.deepEqual(idsOf(await list(admin, { channel: 'sms', q: q('all', [c('message', 'contains', 'invoice')]) })), [], 'and leave the index');
  assert.deepEqual(idsOf(await list(admin, { channel: 'openchannel', q: q('all', [c('message', 'contains', 'invoice')]) })), [5], 'another channel is untouched');

  r = await del({ channel: 'sms', q: {} });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { deleted: 1, skipped_open: 1 }, 'open interactions stay');
  assert.equal((await admin.request('DELETE', '/api/v1/interactions/2')).status, 409);
  assert.equal((await admin.request('DELETE', '/api/v1/interactions/5')).status, 204);
  assert.equal((await admin.request('DELETE', '/api/v1/interactions/5')).status, 404);
  assert.equal(count(), 1);
  const audit = await admin.request('GET', '/api/v1/audit?action=interactions.delete');
  assert.equal(audit.status, 200, audit.text);
  const counts = audit.json.items.map((a) => a.detail && a.detail.deleted).sort();
  assert.deepEqual(counts, [1, 1, 2], 'one record per delete, with its count; none for refusals');
  const exp = await admin.request('GET', '/api/v1/audit?action=interactions.export');
  assert.ok(exp.json.items.length >= 1, exp.text);
});
