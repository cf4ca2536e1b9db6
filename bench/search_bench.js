'use strict';
/*
 * Interactions search and export benchmark (`make bench-search`; see bench/README.md).
 *
 *   node bench/search_bench.js [--interactions 1000000] [--repeat 5] [--bin build/release/switchboard]
 *                              [--pg-port PORT]
 *
 * With --pg-port the server runs on a new database of the PostgreSQL server at 127.0.0.1:PORT
 * (user postgres, trust: scripts/pg-test-server.sh), filled with psql and generate_series
 * instead; the database is dropped at the end.
 *
 * Starts the release server on a throw-away SQLite database (loopback, free port), then fills
 * that database from the side with the sqlite3 shell (one transaction of recursive CTEs, not
 * the API): --interactions interactions (90% sms over 7 accounts, 10% openchannel), one
 * message each (so the FTS5 trigram index holds as many bodies), 100,000 contacts, tags and
 * dispositions on a fraction. The triggers of migration 0021 index every body as it is
 * inserted, as in production.
 *
 * Queries (each run --repeat times after one warm-up; the median and the worst are printed):
 * typical list and advanced-search requests through the HTTP API, every one a page of 50 with
 * its total, against the reference GET /api/v1/interactions/{id} (one indexed row, same HTTP
 * path, same run). Ratios query/reference are what to compare between runs.
 *
 * Export: GET /api/v1/interactions/export.csv of one account (about a seventh of the rows),
 * read to the end by the client; rows/s, bytes, and the server's peak resident memory (VmHWM
 * in /proc/PID/status) before and after, so the export's own footprint is the difference.
 * Prints a last line "RESULT {json}". Stops the server whatever happens.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const { machine, startServer, client } = require('./lib');

const ROOT = path.resolve(__dirname, '..');
const PW = 'Bench!Passw0rd-42';

function parseArgs(argv) {
  const o = { interactions: 1000000, repeat: 5, bin: path.join(ROOT, 'build/release/switchboard'), 'pg-port': 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in o) || argv[i + 1] === undefined) throw new Error(`bad option ${argv[i]}`);
    o[k] = k === 'bin' ? argv[i + 1] : Number(argv[i + 1]);
  }
  if (!Number.isInteger(o['pg-port']) || o['pg-port'] < 0 || o['pg-port'] > 65535) throw new Error('--pg-port must be a TCP port');
  if (!Number.isInteger(o.interactions) || o.interactions < 1000 || o.interactions > 5000000) throw new Error('--interactions must be 1000..5000000');
  if (!Number.isInteger(o.repeat) || o.repeat < 1 || o.repeat > 100) throw new Error('--repeat must be 1..100');
  return o;
}

const T0 = Date.parse('2025-01-01T00:00:00Z');

function generate(dbPath, n) {
  const sql = `
PRAGMA busy_timeout = 60000;
PRAGMA synchronous = OFF;
BEGIN IMMEDIATE;
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 100000)
INSERT INTO contacts (id, list_id, first_name, last_name, phone, email, created_at, updated_at)
SELECT 1000 + n, 1, 'First' || (n % 5000), 'Last' || (n % 7919), '+1555' || printf('%07d', n),
       CASE WHEN n % 3 = 0 THEN NULL ELSE 'user' || n || '@example.com' END, 0, 0 FROM s;
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${n})
INSERT INTO interactions (id, channel, account_id, contact_id, status, unread, owner_id, queue_id,
                          disposition, tags, created_at, updated_at, closed_at, last_message_at,
                          route_state)
SELECT n, CASE WHEN n % 10 = 0 THEN 'openchannel' ELSE 'sms' END, 1 + n % 7, 1001 + n % 100000,
       CASE WHEN n <= 500 THEN 'open' ELSE 'closed' END, n % 3 = 0, CASE WHEN n % 4 = 0 THEN 1 END, NULL,
       CASE n % 5 WHEN 0 THEN 'Sold' WHEN 1 THEN 'Interested' END,
       CASE n % 4 WHEN 0 THEN '["vip"]' WHEN 1 THEN '["billing","late"]' ELSE '[]' END,
       ${T0} + n * 30000, ${T0} + n * 30000,
       CASE WHEN n <= 500 THEN NULL ELSE ${T0} + n * 30000 + 300000 END, ${T0} + n * 30000 + 120000, 'idle'
FROM s;
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${n})
INSERT INTO messages (interaction_id, direction, body, delivery_status, created_at, updated_at)
SELECT n, 'in', 'Hello, my order ' || n || ' ' ||
       CASE n % 6 WHEN 0 THEN 'has not arrived' WHEN 1 THEN 'was damaged in transit'
                  WHEN 2 THEN 'refund please' WHEN 3 THEN 'thanks for the quick help'
                  WHEN 4 THEN 'wrong size, exchange?' ELSE 'invoice question' END ||
       CASE WHEN n % 10007 = 0 THEN ' zebrafish' ELSE '' END,
       'received', ${T0} + n * 30000, ${T0} + n * 30000
FROM s;
COMMIT;
ANALYZE;
`;
  execFileSync('sqlite3', [dbPath], { input: sql, stdio: ['pipe', 'ignore', 'inherit'] });
}

const psqlArgs = (port, db) => ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-qAt'];

function generatePg(port, db, n) {
  const sql = `
BEGIN;
INSERT INTO contacts (id, list_id, first_name, last_name, phone, email, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT 1000 + n, 1, 'First' || (n % 5000), 'Last' || (n % 7919), '+1555' || lpad(n::text, 7, '0'),
       CASE WHEN n % 3 = 0 THEN NULL ELSE 'user' || n || '@example.com' END, 0, 0
FROM generate_series(1, 100000) n;
INSERT INTO interactions (id, channel, account_id, contact_id, status, unread, owner_id, queue_id,
                          disposition, tags, created_at, updated_at, closed_at, last_message_at,
                          route_state)
OVERRIDING SYSTEM VALUE
SELECT n, CASE WHEN n % 10 = 0 THEN 'openchannel' ELSE 'sms' END, 1 + n % 7, 1001 + n % 100000,
       CASE WHEN n <= 500 THEN 'open' ELSE 'closed' END, (n % 3 = 0)::int, CASE WHEN n % 4 = 0 THEN 1 END, NULL,
       CASE n % 5 WHEN 0 THEN 'Sold' WHEN 1 THEN 'Interested' END,
       CASE n % 4 WHEN 0 THEN '["vip"]' WHEN 1 THEN '["billing","late"]' ELSE '[]' END,
       ${T0}::bigint + n * 30000, ${T0}::bigint + n * 30000,
       CASE WHEN n <= 500 THEN NULL ELSE ${T0}::bigint + n * 30000 + 300000 END, ${T0}::bigint + n * 30000 + 120000, 'idle'
FROM generate_series(1::bigint, ${n}) n;
INSERT INTO messages (interaction_id, direction, body, delivery_status, created_at, updated_at)
SELECT n, 'in', 'Hello, my order ' || n || ' ' ||
       CASE n % 6 WHEN 0 THEN 'has not arrived' WHEN 1 THEN 'was damaged in transit'
                  WHEN 2 THEN 'refund please' WHEN 3 THEN 'thanks for the quick help'
                  WHEN 4 THEN 'wrong size, exchange?' ELSE 'invoice question' END ||
       CASE WHEN n % 10007 = 0 THEN ' zebrafish' ELSE '' END,
       'received', ${T0}::bigint + n * 30000, ${T0}::bigint + n * 30000
FROM generate_series(1::bigint, ${n}) n;
SELECT setval(pg_get_serial_sequence('interactions', 'id'), ${n} + 1);
SELECT setval(pg_get_serial_sequence('contacts', 'id'), 200000);
COMMIT;
VACUUM ANALYZE;
`;
  execFileSync('psql', psqlArgs(port, db), { input: sql, stdio: ['pipe', 'ignore', 'inherit'] });
}

function vm(pid, key) {
  const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : null;
}

async function timed(fn, repeat) {
  await fn(); // warm-up
  const t = [];
  for (let i = 0; i < repeat; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)], max: t[t.length - 1] };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const m = machine();
  console.log('interactions search and export benchmark');
  console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gib} GiB, ${m.kernel}, node ${m.node}`);
  console.log(`load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (other work on the cores skews the absolute figures; compare ratios)`);
  console.log(`sqlite3 ${execFileSync('sqlite3', ['--version'], { encoding: 'utf8' }).split(' ')[0]}, ${o.interactions} interactions, ${o.repeat} runs per query`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-search-'));
  let srv;
  const pg = o['pg-port'];
  const pgDb = `sb_bench_search_${process.pid}`;
  const extra = {};
  if (pg) {
    execFileSync('psql', psqlArgs(pg, 'postgres').concat(['-c', `CREATE DATABASE ${pgDb}`]));
    Object.assign(extra, { SWITCHBOARD_DB_BACKEND: 'postgres',
      SWITCHBOARD_DB_PG_CONNINFO: `host=127.0.0.1 port=${pg} user=postgres dbname=${pgDb}` });
    console.log(`database: PostgreSQL ${execFileSync('psql', psqlArgs(pg, 'postgres').concat(['-c', 'SHOW server_version']), { encoding: 'utf8' }).trim()} on 127.0.0.1:${pg}`);
  } else {
    console.log('database: SQLite (WAL, synchronous=FULL)');
  }
  try {
    srv = await startServer(o.bin, tmp, extra);
    const admin = client(srv.base);
    await admin.login('admin', srv.adminPassword);
    let r = await admin.request('POST', '/api/v1/auth/password', { current_password: srv.adminPassword, new_password: PW });
    if (r.status !== 204) throw new Error(`admin password: ${r.status}`);
    await admin.login('admin', PW);

    let t = performance.now();
    if (pg) generatePg(pg, pgDb, o.interactions);
    else generate(path.join(tmp, 'sb.db'), o.interactions);
    const genS = (performance.now() - t) / 1000;
    const size = pg
      ? Number(execFileSync('psql', psqlArgs(pg, pgDb).concat(['-c', 'SELECT pg_database_size(current_database())']), { encoding: 'utf8' }).trim())
      : fs.statSync(path.join(tmp, 'sb.db')).size + (fs.existsSync(path.join(tmp, 'sb.db-wal')) ? fs.statSync(path.join(tmp, 'sb.db-wal')).size : 0);
    console.log(`generated in ${genS.toFixed(1)} s (database ${(size / 2 ** 20).toFixed(0)} MiB, full-text index included)`);

    // The server closed the idle keep-alive connection while the data was written: the
    // first request on it may fail once.
    try { await admin.request('GET', '/api/v1/health'); } catch { /* a fresh connection next */ }
    const get = async (p) => {
      const res = await admin.request('GET', p);
      if (res.status !== 200) throw new Error(`${p}: ${res.status} ${JSON.stringify(res.json)}`);
      return res.json;
    };
    const enc = (q) => encodeURIComponent(JSON.stringify(q));
    const cond = (field, op, value) => ({ field, op, value });
    const queries = [
      ['reference: GET /interactions/{id}', `/api/v1/interactions/${Math.floor(o.interactions / 2)}`],
      ['list: one account, newest first', '/api/v1/interactions?channel=sms&account_id=3'],
      ['list: channel, unread, tag vip', '/api/v1/interactions?channel=sms&read=false&tags=vip'],
      ['search: message contains "zebrafish" (rare)', `/api/v1/interactions?channel=sms&q=${enc({ conditions: [cond('message', 'contains', 'zebrafish')] })}`],
      ['search: message contains "order 4242" + account', `/api/v1/interactions?channel=sms&account_id=1&q=${enc({ conditions: [cond('message', 'contains', 'order 4242')] })}`],
      ['search: phone starts with, all accounts', `/api/v1/interactions?channel=sms&q=${enc({ conditions: [cond('contact.phone', 'starts_with', '+15550042')] })}`],
      ['search: created between (1 day) + disposition', `/api/v1/interactions?channel=sms&q=${enc({ conditions: [cond('created_at', 'between', [new Date(T0 + 86400000 * 30).toISOString(), new Date(T0 + 86400000 * 31).toISOString()]), cond('disposition', 'equals', 'sold')] })}`],
      ['search: any(message "refund", tag "late"), one account', `/api/v1/interactions?channel=sms&account_id=5&q=${enc({ match: 'any', conditions: [cond('message', 'contains', 'refund'), cond('tags', 'equals', 'late')] })}`],
    ];
    const rows = [];
    let ref = null;
    for (const [name, p] of queries) {
      let total = null;
      const s = await timed(async () => { const j = await get(p); total = j.total ?? 1; }, o.repeat);
      if (!ref) ref = s.median;
      rows.push({ name, total, median_ms: +s.median.toFixed(2), max_ms: +s.max.toFixed(2), ratio: +(s.median / ref).toFixed(1) });
    }
    console.log('\nquery                                                  matches   median ms   max ms   ratio to reference');
    for (const x of rows)
      console.log(`${x.name.padEnd(55)}${String(x.total).padStart(8)}${x.median_ms.toFixed(2).padStart(12)}${x.max_ms.toFixed(2).padStart(9)}${x.ratio.toFixed(1).padStart(12)}`);

    // Export: read the streamed CSV to the end.
    const pid = srv.proc.pid;
    const hwmBefore = vm(pid, 'VmHWM'), rssBefore = vm(pid, 'VmRSS');
    t = performance.now();
    const res = await fetch(`${srv.base}/api/v1/interactions/export.csv?channel=sms&account_id=4`, { headers: { cookie: admin.cookie } });
    if (res.status !== 200) throw new Error(`export: ${res.status}`);
    let bytes = 0, lines = 0, rssPeakSeen = rssBefore;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
      const now = vm(pid, 'VmRSS');
      if (now > rssPeakSeen) rssPeakSeen = now;
    }
    const exportS = (performance.now() - t) / 1000;
    console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    const hwmAfter = vm(pid, 'VmHWM');
    const exportRows = lines - 1;
    console.log(`\nexport.csv of one account: ${exportRows} rows, ${(bytes / 2 ** 20).toFixed(1)} MiB in ${exportS.toFixed(2)} s = ${Math.round(exportRows / exportS)} rows/s (${(bytes / 2 ** 20 / exportS).toFixed(1)} MiB/s)`);
    console.log(`server memory: VmHWM ${hwmBefore} kB before, ${hwmAfter} kB after (+${hwmAfter - hwmBefore} kB); VmRSS ${rssBefore} kB before, at most ${rssPeakSeen} kB seen during`);
    console.log(`RESULT ${JSON.stringify({ machine: m, backend: pg ? 'postgres' : 'sqlite', interactions: o.interactions, generate_s: +genS.toFixed(1), queries: rows,
      export: { rows: exportRows, bytes, seconds: +exportS.toFixed(2), rows_per_s: Math.round(exportRows / exportS), vmhwm_before_kb: hwmBefore, vmhwm_after_kb: hwmAfter, vmrss_peak_seen_kb: rssPeakSeen } })}`);
  } finally {
    if (srv) {
      srv.proc.kill('SIGTERM');
      await new Promise((resolve) => { srv.proc.once('exit', resolve); setTimeout(resolve, 5000); });
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    if (pg) execFileSync('psql', psqlArgs(pg, 'postgres').concat(['-c', `DROP DATABASE IF EXISTS ${pgDb}`]));
  }
}

main().catch((e) => { console.error(e.stack || String(e)); process.exitCode = 1; });
