'use strict';
// White label and licence notice (seed 000 "Customizations", seed 001 "License Expiration
// Notification at Login"): the customization.* settings through the admin settings API, shown
// to everyone (before login too) by GET /auth/options; logos are small PNG/JPEG data: URLs
// decoded in full, anything else refused naming the field with nothing changed; the licence
// notice appears license.notice_days before license.expires and says when it has expired.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const zlib = require('node:zlib');
const { startServer } = require('./lib/server');

const token = 'test-admin-token-0123456789abcdef0123456789';
const auth = { authorization: `Bearer ${token}` };
let srv;
before(async () => { srv = await startServer({ env: { SWITCHBOARD_SERVER_ADMIN_TOKEN: token } }); });
after(async () => { if (srv) assert.equal((await srv.stop()).code, 0); });

function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

// A w×h grey PNG.
function makePng(w, h) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc(h * (1 + w), 0x80);
  for (let y = 0; y < h; y++) raw[y * (1 + w)] = 0;
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}
const dataUrl = (buf, type = 'image/png') => `data:${type};base64,${buf.toString('base64')}`;

const patch = (body) => srv.request('PATCH', '/api/v1/settings', { headers: auth, body });
const options = async (s = srv) => {
  const r = await s.request('GET', '/api/v1/auth/options');
  assert.equal(r.status, 200, r.text);
  return r.json;
};

test('until set, the white label is the default and there is no licence notice', async () => {
  const o = await options();
  assert.deepEqual(o.branding, { page_title: '', header_text: '', system_logo: '', login_logo: '', favicon: '' });
  assert.equal(o.license, null);
});

test('an admin sets the page title, header text and logos; anyone sees them before login', async () => {
  const logo = dataUrl(makePng(40, 20));
  const r = await patch({ 'customization.page_title': 'Acme Care', 'customization.header_text': 'Acme · Support', 'customization.login_logo': logo });
  assert.equal(r.status, 200, r.text);
  const o = await options();
  assert.equal(o.branding.page_title, 'Acme Care');
  assert.equal(o.branding.header_text, 'Acme · Support');
  assert.equal(o.branding.login_logo, logo);
  assert.equal(o.branding.system_logo, '');
  // Back to the default with an empty string.
  assert.equal((await patch({ 'customization.page_title': '', 'customization.login_logo': '' })).status, 200);
  const back = await options();
  assert.equal(back.branding.page_title, '');
  assert.equal(back.branding.login_logo, '');
  assert.equal(back.branding.header_text, 'Acme · Support');
});

test('bad titles and logos are refused field by field and change nothing', async () => {
  const beforeOptions = await options();
  const png = makePng(8, 8);
  const truncated = png.subarray(0, png.length - 20);
  const gif = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
  const r = await patch({
    'customization.page_title': 'two\nlines',
    'customization.header_text': 'x'.repeat(65),
    'customization.system_logo': 'https://evil.example/logo.png',
    'customization.login_logo': dataUrl(truncated),
    'customization.favicon': dataUrl(gif),
  });
  assert.equal(r.status, 422);
  const fields = Object.fromEntries(r.json.errors.map((e) => [e.field, e.message]));
  assert.deepEqual(Object.keys(fields).sort(), ['customization.favicon', 'customization.header_text',
    'customization.login_logo', 'customization.page_title', 'customization.system_logo']);
  assert.match(fields['customization.page_title'], /control characters/);
  assert.match(fields['customization.header_text'], /at most 64/);
  assert.match(fields['customization.system_logo'], /PNG or JPEG/);
  assert.match(fields['customization.login_logo'], /not a usable image/);
  assert.match(fields['customization.favicon'], /not the kind of image/, 'a GIF is not the PNG it claims');
  // A JPEG label on PNG bytes, broken base64, too many pixels, too many bytes.
  const more = await patch({
    'customization.system_logo': dataUrl(png, 'image/jpeg'),
    'customization.login_logo': 'data:image/png;base64,%%%',
    'customization.favicon': dataUrl(makePng(1025, 1)),
  });
  assert.equal(more.status, 422);
  const m = Object.fromEntries(more.json.errors.map((e) => [e.field, e.message]));
  assert.match(m['customization.system_logo'], /not the kind of image/);
  assert.match(m['customization.login_logo'], /base64/);
  assert.match(m['customization.favicon'], /1024/);
  const big = await patch({ 'customization.system_logo': dataUrl(Buffer.concat([png, Buffer.alloc(50000)])) });
  assert.equal(big.status, 422);
  assert.deepEqual(await options(), beforeOptions, 'nothing changed');
});

test('the settings need an admin', async () => {
  const r = await srv.request('PATCH', '/api/v1/settings', { body: { 'customization.page_title': 'x' } });
  assert.equal(r.status, 401);
  assert.notEqual((await options()).branding.page_title, 'x');
});

test('the licence notice: none far from the end, days left near it, expired after it', async () => {
  const day = 86400000;
  const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
  const today = Date.now();
  const cases = [
    { expires: iso(today + 60 * day), want: null },
    { expires: iso(today + 10 * day), want: { days_left: 10, expired: false } },
    { expires: iso(today), want: { days_left: 0, expired: false } },
    { expires: iso(today - 2 * day), want: { days_left: 0, expired: true } },
  ];
  for (const c of cases) {
    const s = await startServer({ env: { SWITCHBOARD_LICENSE_EXPIRES: c.expires, SWITCHBOARD_LICENSE_NOTICE_DAYS: '30' } });
    try {
      const o = await options(s);
      if (c.want === null) assert.equal(o.license, null, c.expires);
      else assert.deepEqual(o.license, { expires_on: c.expires, ...c.want }, c.expires);
    } finally {
      assert.equal((await s.stop()).code, 0);
    }
  }
});

test('a licence date that is not YYYY-MM-DD stops the server at start', async () => {
  await assert.rejects(startServer({ env: { SWITCHBOARD_LICENSE_EXPIRES: '31/12/2026' } }), /license\.expires/);
});
