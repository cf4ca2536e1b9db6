'use strict';
// Time intervals: the installation's two, CRUD with sub-intervals, field-level validation that
// changes nothing, unique names, matching in the server's time zone across a DST change with
// the inclusive end minute, refusing to delete an interval a flow uses, and who may do what.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, adminClient, accountClient } = require('./lib/server');

// The server runs in Rome's time zone (as a POSIX rule: no tzdata needed).
const TZ = 'CET-1CEST,M3.5.0,M10.5.0/3';

let srv, admin;
before(async () => {
  srv = await startServer({ env: { TZ } });
  admin = await adminClient(srv);
});
after(async () => { assert.equal((await srv.stop()).code, 0, srv.stderr()); });

const fields = (r) => r.json.errors.map((e) => e.field).sort();
const list = async () => (await admin.request('GET', '/api/v1/intervals')).json;

test('the installation creates "working time" and "holidays"', async () => {
  const l = await list();
  assert.deepEqual(l.items.map((i) => i.name), ['holidays', 'working time']);
  const wt = l.items[1];
  assert.equal(wt.sub_intervals.length, 1);
  assert.deepEqual(wt.sub_intervals[0], {
    name: 'office hours', type: 'custom', time_range: '09:00-18:00', week_days: 'mon-fri', month_days: '*', months: '*',
  });
  assert.equal(wt.flows, 0);
  assert.deepEqual(l.items[0].sub_intervals, []);
});

test('create, read, change and delete an interval with sub-intervals', async () => {
  let r = await admin.request('POST', '/api/v1/intervals', {
    body: {
      name: 'Support', description: 'first half of Q1 and summer evenings',
      sub_intervals: [
        { name: 'Q1', time_range: '8:30-12:30', week_days: 'Mon-Fri', month_days: '1-15', months: 'jan-mar' },
        { type: 'custom', time_range: '22:00-06:00', week_days: 'fri-mon', months: 'jun,jul,aug' },
        { type: 'always' },
      ],
    },
  });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  assert.equal(r.json.name, 'Support');
  assert.deepEqual(r.json.sub_intervals.map((s) => [s.type, s.time_range, s.week_days, s.month_days, s.months]), [
    ['custom', '8:30-12:30', 'mon-fri', '1-15', 'jan-mar'],
    ['custom', '22:00-06:00', 'fri-mon', '*', 'jun,jul,aug'],
    ['always', '*', '*', '*', '*'],
  ]);
  assert.equal((await admin.request('GET', `/api/v1/intervals/${id}`)).json.sub_intervals.length, 3);
  // A change without sub_intervals keeps them; with them, replaces them.
  r = await admin.request('PATCH', `/api/v1/intervals/${id}`, { body: { description: null } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.description, null);
  assert.equal(r.json.sub_intervals.length, 3);
  r = await admin.request('PATCH', `/api/v1/intervals/${id}`, { body: { name: 'Support 2', sub_intervals: [{ time_range: '10:00-11:00' }] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, 'Support 2');
  assert.deepEqual(r.json.sub_intervals, [{ name: null, type: 'custom', time_range: '10:00-11:00', week_days: '*', month_days: '*', months: '*' }]);
  assert.equal((await admin.request('GET', '/api/v1/intervals?q=SUPPORT')).json.total, 1);
  assert.equal((await admin.request('DELETE', `/api/v1/intervals/${id}`)).status, 204);
  assert.equal((await admin.request('GET', `/api/v1/intervals/${id}`)).status, 404);
  assert.equal((await admin.request('PATCH', `/api/v1/intervals/${id}`, { body: { name: 'x' } })).status, 404);
  assert.equal((await admin.request('DELETE', `/api/v1/intervals/${id}`)).status, 404);
  assert.equal((await admin.request('GET', '/api/v1/intervals/abc')).status, 404);
});

test('every bad field is named and nothing is stored', async () => {
  const before = (await list()).total;
  let r = await admin.request('POST', '/api/v1/intervals', {
    body: {
      name: '', color: 'red',
      sub_intervals: [
        { time_range: '9:00-25:00' },
        { type: 'always', week_days: 'mon' },
        { week_days: 'mon-fry', month_days: '0-3' },
        { months: 'jan-foo', extra: true },
        { type: 'sometimes' },
        'mornings',
      ],
    },
  });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), [
    'color', 'name', 'sub_intervals[0].time_range', 'sub_intervals[1].week_days', 'sub_intervals[2].month_days',
    'sub_intervals[2].week_days',
    'sub_intervals[3].extra', 'sub_intervals[3].months', 'sub_intervals[4].type', 'sub_intervals[5]',
  ]);
  r = await admin.request('POST', '/api/v1/intervals', { body: { name: 'x', sub_intervals: Array(101).fill({ type: 'always' }) } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['sub_intervals']);
  r = await admin.request('POST', '/api/v1/intervals', { body: { name: 'x'.repeat(65) } });
  assert.deepEqual(fields(r), ['name']);
  assert.equal((await list()).total, before);
  // A refused change leaves the interval as it was.
  const wt = (await list()).items.find((i) => i.name === 'working time');
  r = await admin.request('PATCH', `/api/v1/intervals/${wt.id}`, { body: { name: 'renamed', sub_intervals: [{ months: '13' }] } });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['sub_intervals[0].months']);
  const again = (await admin.request('GET', `/api/v1/intervals/${wt.id}`)).json;
  assert.equal(again.name, 'working time');
  assert.equal(again.sub_intervals[0].time_range, '09:00-18:00');
  r = await admin.request('GET', '/api/v1/intervals?limit=0&offset=-1');
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['limit', 'offset']);
});

test('names are unique', async () => {
  assert.equal((await admin.request('POST', '/api/v1/intervals', { body: { name: 'Night' } })).status, 201);
  const r = await admin.request('POST', '/api/v1/intervals', { body: { name: 'Night' } });
  assert.equal(r.status, 409);
  assert.deepEqual(fields(r), ['name']);
  const other = (await admin.request('POST', '/api/v1/intervals', { body: { name: 'Day' } })).json;
  const p = await admin.request('PATCH', `/api/v1/intervals/${other.id}`, { body: { name: 'Night' } });
  assert.equal(p.status, 409);
});

test('matching in the server time zone, across the DST change, end minute included', async () => {
  const r = await admin.request('POST', '/api/v1/intervals', {
    body: { name: 'Office', sub_intervals: [{ time_range: '09:00-17:00', week_days: 'mon-fri' }, { time_range: '22:00-06:00', week_days: 'sat' }] },
  });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  const at = async (iso) => {
    const m = await admin.request('GET', `/api/v1/intervals/${id}/match?at=${iso}`);
    assert.equal(m.status, 200, m.text);
    return m.json;
  };
  // Friday 27 March 2026: CET, UTC+1.
  let m = await at('2026-03-27T07:59:59Z');
  assert.equal(m.matches, false);
  assert.equal(m.local_time, '2026-03-27T08:59:59+01:00');
  m = await at('2026-03-27T08:00:00Z');
  assert.equal(m.matches, true);
  assert.deepEqual(m.sub_intervals, [0]);
  assert.equal(m.time_zone, 'CET');
  // Monday 30 March, after the change: CEST, UTC+2; 17:00:59 is in, 17:01 is out.
  m = await at('2026-03-30T07:00:00Z');
  assert.equal(m.matches, true);
  assert.equal(m.local_time, '2026-03-30T09:00:00+02:00');
  assert.equal(m.time_zone, 'CEST');
  assert.equal((await at('2026-03-30T15:00:59.999Z')).matches, true);
  assert.equal((await at('2026-03-30T15:01:00Z')).matches, false);
  assert.equal((await at('2026-03-30T06:59:00Z')).matches, false);
  // Saturday night crossing midnight: the early hours of that Saturday, and its late evening.
  assert.deepEqual((await at('2026-04-04T03:00:00Z')).sub_intervals, [1]); // 05:00 CEST
  assert.equal((await at('2026-04-04T20:30:00Z')).matches, true); // 22:30
  assert.equal((await at('2026-04-05T03:00:00Z')).matches, false); // Sunday 05:00
  // Without `at`: the server's now; a bad `at` is named.
  assert.equal(typeof (await admin.request('GET', `/api/v1/intervals/${id}/match`)).json.matches, 'boolean');
  const bad = await admin.request('GET', `/api/v1/intervals/${id}/match?at=2026-02-30T10:00:00Z`);
  assert.equal(bad.status, 422);
  assert.deepEqual(fields(bad), ['at']);
  assert.equal((await admin.request('GET', '/api/v1/intervals/999999/match')).status, 404);
});

test('an interval a flow uses cannot be deleted', async () => {
  const acc = (await admin.request('POST', '/api/v1/openchannel/accounts', { body: { name: 'Interval user' } })).json;
  const iv = (await admin.request('POST', '/api/v1/intervals', { body: { name: 'Used', sub_intervals: [{ type: 'always' }] } })).json;
  let r = await admin.request('PUT', `/api/v1/flows/openchannel/${acc.id}/actions`, {
    body: { actions: [{ application: 'tag', tag: 'in hours', interval_id: iv.id }] },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal((await admin.request('GET', `/api/v1/intervals/${iv.id}`)).json.flows, 1);
  r = await admin.request('DELETE', `/api/v1/intervals/${iv.id}`);
  assert.equal(r.status, 409);
  assert.match(r.json.detail, /used by 1 flow action/);
  assert.equal((await admin.request('GET', `/api/v1/intervals/${iv.id}`)).status, 200);
  r = await admin.request('PUT', `/api/v1/flows/openchannel/${acc.id}/actions`, { body: { actions: [] } });
  assert.equal(r.status, 200);
  assert.equal((await admin.request('DELETE', `/api/v1/intervals/${iv.id}`)).status, 204);
});

test('administrators edit, supervisors read, agents and strangers get nothing', async () => {
  const sup = await accountClient(srv, 'iv.sup', 'user');
  const agent = await accountClient(srv, 'iv.agent', 'agent');
  const wt = (await list()).items.find((i) => i.name === 'working time');
  assert.equal((await sup.request('GET', '/api/v1/intervals')).status, 200);
  assert.equal((await sup.request('GET', `/api/v1/intervals/${wt.id}`)).status, 200);
  assert.equal((await sup.request('GET', `/api/v1/intervals/${wt.id}/match`)).status, 200);
  assert.equal((await sup.request('POST', '/api/v1/intervals', { body: { name: 'sup' } })).status, 403);
  assert.equal((await sup.request('PATCH', `/api/v1/intervals/${wt.id}`, { body: { name: 'sup' } })).status, 403);
  assert.equal((await sup.request('DELETE', `/api/v1/intervals/${wt.id}`)).status, 403);
  assert.equal((await agent.request('GET', '/api/v1/intervals')).status, 403);
  assert.equal((await agent.request('GET', `/api/v1/intervals/${wt.id}`)).status, 403);
  assert.equal((await srv.request('GET', '/api/v1/intervals')).status, 401);
  assert.equal((await srv.request('DELETE', `/api/v1/intervals/${wt.id}`)).status, 401);
  assert.equal((await admin.request('GET', `/api/v1/intervals/${wt.id}`)).json.name, 'working time');
});
