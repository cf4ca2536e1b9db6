'use strict';
/*
 * Idle WebSocket memory benchmark (called by bench/run.sh).
 *
 *   node bench/ws_idle.js --url ws://127.0.0.1:PORT/api/v1/ws [--count 10000] [--batch 500]
 *                         [--seconds 120] [--pid SERVER_PID] [--hold 2]
 *
 * Opens --count WebSockets in batches of --batch (each batch waits until all its handshakes
 * finish), stops starting batches once --seconds have passed, keeps them idle for --hold
 * seconds, reads the server's VmRSS from /proc/PID/status, then closes them all and reads it
 * again. Prints a readable report and a last line "RESULT {json}". Exit 0 if the run completed
 * (however many connected), 1 on bad arguments or a crash. Loopback URLs only.
 */
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

// `ws` is a dev dependency of the API tests; bench/run.sh installs it with `npm ci`.
const requireFromTests = createRequire(path.resolve(__dirname, '../tests/api/package.json'));
const WebSocket = requireFromTests('ws');

function parseArgs(argv) {
  const opts = { url: '', count: 10000, batch: 500, seconds: 120, pid: 0, hold: 2 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const val = argv[i + 1];
    if (val === undefined) throw new Error(`missing value for ${key}`);
    switch (key) {
      case '--url': opts.url = val; break;
      case '--count': opts.count = Number(val); break;
      case '--batch': opts.batch = Number(val); break;
      case '--seconds': opts.seconds = Number(val); break;
      case '--pid': opts.pid = Number(val); break;
      case '--hold': opts.hold = Number(val); break;
      default: throw new Error(`unknown option ${key}`);
    }
  }
  const u = new URL(opts.url);
  if (u.protocol !== 'ws:' || !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) {
    throw new Error('--url must be a ws:// URL on the loopback interface');
  }
  for (const k of ['count', 'batch', 'seconds']) {
    if (!Number.isInteger(opts[k]) || opts[k] < 1) throw new Error(`--${k} must be a positive integer`);
  }
  if (!Number.isInteger(opts.pid) || opts.pid < 0) throw new Error('--pid must be a process id');
  if (!(opts.hold >= 0 && opts.hold <= 60)) throw new Error('--hold must be 0..60 seconds');
  return opts;
}

/** Server VmRSS in kB, or null when no pid was given or it is gone. */
function rssKb(pid) {
  if (!pid) return null;
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const deadline = started + opts.seconds * 1000;
  const open = new Set();
  const errors = new Map(); // message -> count
  let failed = 0;
  let dropped = 0; // closed by the server while we held them
  let closing = false;

  const noteError = (msg) => errors.set(msg, (errors.get(msg) || 0) + 1);

  /** Resolves true when the handshake succeeded, false when it failed; never rejects. */
  function connectOne(timeoutMs) {
    return new Promise((resolve) => {
      let settled = false;
      const ws = new WebSocket(opts.url, {
        handshakeTimeout: Math.max(1000, Math.min(10000, timeoutMs)),
        perMessageDeflate: false,
      });
      ws.on('open', () => {
        settled = true;
        open.add(ws);
        resolve(true);
      });
      ws.on('message', () => {}); // events the server may push; ignored
      ws.on('error', (err) => {
        noteError(err && err.message ? err.message : String(err));
      });
      ws.on('close', () => {
        if (open.delete(ws) && !closing) dropped += 1;
        if (!settled) {
          settled = true;
          failed += 1;
          resolve(false);
        }
      });
    });
  }

  const rssBefore = rssKb(opts.pid);
  console.log(`opening ${opts.count} idle WebSockets to ${opts.url} (batches of ${opts.batch}, ` +
    `at most ${opts.seconds} s)`);

  let attempted = 0;
  let timedOut = false;
  while (attempted < opts.count) {
    const left = deadline - Date.now();
    if (left <= 0) {
      timedOut = true;
      break;
    }
    const n = Math.min(opts.batch, opts.count - attempted);
    const batch = [];
    for (let i = 0; i < n; i++) batch.push(connectOne(left));
    attempted += n;
    await Promise.all(batch);
    if (attempted % 2000 === 0 || attempted === opts.count) {
      console.log(`  ${attempted} attempted, ${open.size} open, ${failed} failed, ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }
  const connectMs = Date.now() - started;

  await sleep(opts.hold * 1000);
  const held = open.size;
  const rssOpen = rssKb(opts.pid);

  closing = true;
  const closeStarted = Date.now();
  const closes = [...open].map(
    (ws) => new Promise((resolve) => {
      ws.once('close', resolve);
      ws.close(1000, 'bench done');
    }),
  );
  const closeTimeout = sleep(15000).then(() => 'timeout');
  const closeResult = await Promise.race([Promise.all(closes), closeTimeout]);
  for (const ws of open) ws.terminate();
  const closeMs = Date.now() - closeStarted;
  await sleep(1000);
  const rssAfter = rssKb(opts.pid);

  const perConn = rssOpen !== null && rssBefore !== null && held > 0
    ? ((rssOpen - rssBefore) * 1024) / held
    : null;

  console.log(`connected:           ${held} of ${opts.count} (${failed} failed, ${dropped} dropped by ` +
    `the server while idle) in ${(connectMs / 1000).toFixed(1)} s${timedOut ? ' — time limit reached' : ''}`);
  if (errors.size > 0) {
    const top = [...errors.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
    for (const [msg, n] of top) console.log(`  error x${n}: ${msg}`);
  }
  if (opts.pid) {
    console.log(`server RSS before:   ${rssBefore} kB`);
    console.log(`server RSS open:     ${rssOpen} kB (${held} idle WebSockets)`);
    console.log(`RSS per connection:  ${perConn === null ? 'n/a' : `${(perConn / 1024).toFixed(2)} kB (${Math.round(perConn)} bytes)`}`);
    console.log(`server RSS closed:   ${rssAfter} kB (after closing, ${closeResult === 'timeout' ? 'close timed out' : `${closeMs} ms`})`);
  }
  console.log('RESULT ' + JSON.stringify({
    requested: opts.count,
    connected: held,
    failed,
    dropped,
    connect_ms: connectMs,
    time_limit_reached: timedOut,
    rss_before_kb: rssBefore,
    rss_open_kb: rssOpen,
    rss_closed_kb: rssAfter,
    rss_per_connection_bytes: perConn === null ? null : Math.round(perConn),
  }));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`ws_idle: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  },
);
