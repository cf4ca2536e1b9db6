'use strict';
// Fake SMS providers for the API tests: one loopback HTTP server that plays all eleven
// providers the way the real ones answer a send, and REFUSES what they would refuse (wrong
// auth, wrong method or path, bodies that break the provider's schema). Twilio's and
// Bandwidth's send operations are validated against their OpenAPI documents
// (fixtures/provider-specs/send_operations.json, extracted from reference/provider-specs); the
// others follow reference/sms-providers-and-security.md. Connectel, CSCTelecom and IntelePeer
// have no public format [NF]: their fakes accept what our adapters' documented defaults send
// (docs/providers.md) and nothing else.
//
// Point the server at it with the SMS test override (sms_env.test_base_url = fp.baseUrl):
// provider URLs become `${fp.baseUrl}/<provider><real path>`.
//
//   const { startFakeProviders, FAKE_CREDS, webhook } = require('./lib/fake_providers');
//   const fp = await startFakeProviders();          // or ({ creds: {...} })
//   fp.sent('twilio')          // messages accepted, in arrival order
//   fp.requests                // every request, accepted or refused, with its answer status
//   fp.fail('twilio', { status: 500, count: Infinity }); fp.recover('twilio');
//   fp.fail('twilio', { hang: true, count: 1 })  // never answers (the client times out);
//                              // fp.hung lists those requests with closedAt = when the client gave up
//   fp.expireSessions();       // Skebby: the next send with an old session gets 401
//   const w = webhook('twilio', 'inbound', { id, from, to, text }, { url });  // signed request
//   await fp.stop();
//
// As a process (for C tests): `node fake_providers.js` prints {"port":N} on stdout and serves
// until stdin closes; GET /_fake/sent?provider=x and POST /_fake/fail|recover|reset control it.
const http = require('node:http');
const crypto = require('node:crypto');
const path = require('node:path');
const fs = require('node:fs');

const specs = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'provider-specs', 'send_operations.json'), 'utf8'),
);

// RFC 8032 test 1 key pair: the reference's Telnyx vector uses it, so signed webhooks made here
// and the C unit tests agree.
const TELNYX_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';

// Credentials the fakes expect; field names are those of struct sms_account_creds.
const FAKE_CREDS = Object.freeze({
  twilio: { account_id: 'AC0123456789abcdef0123456789abcdef', auth_token: 'twilio-auth-token-0001', phone: '+15005550006' },
  plivo: { account_id: 'MAFAKEAUTHID00000000', auth_token: 'plivo-auth-token-0001', phone: '+14155550100' },
  telnyx: { api_key: 'KEYtelnyxFAKE0001', public_key: '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=', phone: '+13125550001' },
  bandwidth: {
    account_id: '9900000', application_id: '93de2206-9669-4e07-948d-329f4b722ee2',
    username: 'bw-api-user', password: 'bw-api-pass', phone: '+15554443333',
  },
  infobip: { username: 'ib-user', password: 'ib-pass', api_key: 'ib-api-key-0001', base_url: 'https://fake1.api.infobip.com', sender: 'Switchboard' },
  clicksend: { username: 'cs-user', api_key: 'cs-api-key-0001', password: 'cs-pass', sender: 'Switchboard' },
  clickatell: { api_key: 'ck-api-key-0001', phone: '+2799900000' },
  skebby: { username: 'sk-user', password: 'sk-pass', method: 'classic', sender: 'Switchboard' },
  connectel: { auth_token: 'cn-auth-token-0001', sender: 'Switchboard' },
  csctelecom: { api_key: 'csc-api-key-0001', base_url: 'https://sms.csc.example', phone: '+390612345678' },
  intelepeer: { api_key: 'ip-api-key-0001', phone: '+15551234567' },
});

const E164 = /^\+[1-9][0-9]{6,14}$/;
const DIGITS = /^[1-9][0-9]{6,14}$/;

// ---- a small JSON-schema check (the keywords the two OpenAPI documents use) ----

function isUri(s) {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

// Returns a list of "field: problem" strings. strict: properties not in the schema are errors
// (stricter than the providers, which ignore unknown fields: it catches our typos).
function check(value, schema, where, strict, errs = []) {
  if (!schema) return errs;
  const t = schema.type;
  const bad = (m) => errs.push(`${where || 'body'}: ${m}`);
  if (t === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('must be an object'), errs;
    for (const r of schema.required || []) if (value[r] === undefined) bad(`${r} is required`);
    for (const [k, v] of Object.entries(value)) {
      const ps = schema.properties && schema.properties[k];
      if (!ps) {
        if (strict && schema.additionalProperties !== true) bad(`${k} is not a known field`);
        continue;
      }
      check(v, ps, where ? `${where}.${k}` : k, strict, errs);
    }
    return errs;
  }
  if (t === 'array') {
    if (!Array.isArray(value)) return bad('must be an array'), errs;
    if (schema.minItems !== undefined && value.length < schema.minItems) bad(`needs ${schema.minItems}+ items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) bad(`at most ${schema.maxItems} items`);
    if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) bad('items must be unique');
    value.forEach((v, i) => check(v, schema.items, `${where}[${i}]`, strict, errs));
    return errs;
  }
  if (t === 'string') {
    if (typeof value !== 'string') return bad('must be a string'), errs;
    if (schema.minLength !== undefined && value.length < schema.minLength) bad(`shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) bad(`longer than ${schema.maxLength}`);
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) bad(`does not match ${schema.pattern}`);
    if (schema.format === 'uri' && !isUri(value)) bad('must be a URI');
    if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) bad('must be a date-time');
  } else if (t === 'integer') {
    if (!Number.isInteger(value)) return bad('must be an integer'), errs;
  } else if (t === 'number') {
    if (typeof value !== 'number') return bad('must be a number'), errs;
  } else if (t === 'boolean') {
    if (typeof value !== 'boolean') return bad('must be a boolean'), errs;
  }
  if (schema.enum && !schema.enum.includes(value)) bad(`must be one of ${schema.enum.join(', ')}`);
  return errs;
}

// A form (repeated keys → arrays where the schema says array) coerced to the schema's types.
function formToObject(params, schema) {
  const out = {};
  const errs = [];
  for (const [k, v] of params) {
    const ps = schema.properties[k];
    if (ps && ps.type === 'array') (out[k] = out[k] || []).push(v);
    else if (out[k] !== undefined) errs.push(`${k}: given twice`);
    else if (ps && ps.type === 'boolean') out[k] = v === 'true' ? true : v === 'false' ? false : v;
    else if (ps && ps.type === 'integer') out[k] = /^-?[0-9]+$/.test(v) ? Number(v) : v;
    else if (ps && ps.type === 'number') out[k] = v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
    else out[k] = v;
  }
  return { out, errs };
}

// ---- helpers ----

function basic(req) {
  const h = req.headers.authorization || '';
  if (!h.startsWith('Basic ')) return null;
  const s = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const i = s.indexOf(':');
  return i < 0 ? null : { user: s.slice(0, i), pass: s.slice(i + 1) };
}

function eq(a, b) {
  const x = Buffer.from(String(a ?? '')), y = Buffer.from(String(b ?? ''));
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function isJson(req) {
  return /^application\/json\b/i.test(req.headers['content-type'] || '');
}

function parseJson(text) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const hex = (n) => crypto.randomBytes(n).toString('hex');

// ---- the providers: each returns [status, body, headers?] and maybe a message to record ----

function twilio(ctx) {
  const op = specs.twilio;
  const err = (status, code, message) => [status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }];
  const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(ctx.path);
  if (!m) return err(404, 20404, 'The requested resource was not found');
  if (ctx.method !== op.method) return err(405, 20004, 'Method not allowed');
  const sid = decodeURIComponent(m[1]);
  const pe = check(sid, op.pathParams.AccountSid, 'AccountSid', false);
  const b = basic(ctx.req);
  if (!b || !eq(b.user, ctx.creds.account_id) || !eq(b.pass, ctx.creds.auth_token)) return err(401, 20003, 'Authenticate');
  if (pe.length || sid !== ctx.creds.account_id) return err(404, 20404, 'The requested resource was not found');
  if (!/^application\/x-www-form-urlencoded\b/i.test(ctx.req.headers['content-type'] || ''))
    return err(415, 20001, 'Unsupported media type');
  const { out, errs } = formToObject(new URLSearchParams(ctx.body), op.schema);
  errs.push(...check(out, op.schema, '', true));
  if (errs.length) return err(400, 20001, errs.join('; '));
  if (!out.From && !out.MessagingServiceSid) return err(400, 21603, "A 'From' phone number is required");
  if (!out.Body && !out.MediaUrl && !out.ContentSid) return err(400, 21602, 'Message body is required');
  if (!E164.test(out.To)) return err(400, 21211, `The 'To' number ${out.To} is not a valid phone number`);
  if (out.Body && [...out.Body].length > 1600) return err(400, 21617, 'The concatenated message body exceeds the 1600 character limit');
  const id = 'SM' + hex(16);
  const body = { ...op.example, sid: id, account_sid: sid, to: out.To, from: out.From || null, body: out.Body || '', status: 'queued', num_media: String((out.MediaUrl || []).length), messaging_service_sid: out.MessagingServiceSid || null };
  return [op.status, body, null, { id, to: out.To, from: out.From, text: out.Body || '', media: out.MediaUrl || [], statusUrl: out.StatusCallback }];
}

function bandwidth(ctx) {
  const op = specs.bandwidth;
  const err = (status, type, description, fieldErrors) => [status, { type, description, ...(fieldErrors ? { fieldErrors } : {}) }];
  const m = /^\/api\/v2\/users\/([^/]+)\/messages$/.exec(ctx.path);
  if (!m) return err(404, 'not-found', 'Not found');
  if (ctx.method !== op.method) return err(405, 'method-not-allowed', 'Method not allowed');
  const b = basic(ctx.req);
  if (!b || !eq(b.user, ctx.creds.username) || !eq(b.pass, ctx.creds.password)) return err(401, 'unauthorized', 'Authentication failed');
  if (decodeURIComponent(m[1]) !== ctx.creds.account_id) return err(403, 'forbidden', 'Access to this account is forbidden');
  if (!isJson(ctx.req)) return err(415, 'unsupported-media-type', 'Content-Type must be application/json');
  const j = parseJson(ctx.body);
  if (!j.ok) return err(400, 'request-validation', 'Malformed JSON');
  const errs = check(j.value, op.schema, '', true);
  if (errs.length) return err(400, 'request-validation', 'Your request could not be accepted', errs.map((e) => ({ description: e })));
  const v = j.value;
  if (v.applicationId !== ctx.creds.application_id) return err(400, 'request-validation', 'applicationId is not an application of this account');
  if (!v.to.length || v.to.length > 10 || !v.to.every((t) => E164.test(t))) return err(400, 'request-validation', "'to' must be 1 to 10 E.164 numbers");
  if (!E164.test(v.from)) return err(400, 'request-validation', "'from' must be an E.164 number");
  if (!v.text && !(v.media && v.media.length)) return err(400, 'request-validation', 'text or media is required');
  if (v.tag && v.tag.length > 1024) return err(400, 'request-validation', 'tag is longer than 1024 characters');
  const id = `${Date.now()}${hex(8)}`;
  const body = { ...op.example, id, owner: v.from, applicationId: v.applicationId, time: new Date().toISOString(), segmentCount: 1, direction: 'out', to: v.to, from: v.from, text: v.text || '', media: v.media || [], tag: v.tag };
  return [op.status, body, null, { id, to: v.to[0], from: v.from, text: v.text || '', media: v.media || [], reference: v.tag }];
}

function plivo(ctx) {
  const err = (status, error) => [status, { api_id: crypto.randomUUID(), error }];
  const m = /^\/v1\/Account\/([^/]+)\/Message\/$/.exec(ctx.path);
  if (!m) return err(404, 'not found');
  if (ctx.method !== 'POST') return err(405, 'method not allowed');
  const b = basic(ctx.req);
  if (!b || !eq(b.user, ctx.creds.account_id) || !eq(b.pass, ctx.creds.auth_token) || m[1] !== ctx.creds.account_id)
    return err(401, 'not authorized');
  if (!isJson(ctx.req)) return err(400, 'content type must be application/json');
  const j = parseJson(ctx.body);
  if (!j.ok || typeof j.value !== 'object' || Array.isArray(j.value)) return err(400, 'invalid json');
  const v = j.value;
  const known = ['src', 'dst', 'text', 'type', 'url', 'method', 'log', 'trackable', 'media_urls', 'powerpack_uuid'];
  const unknown = Object.keys(v).filter((k) => !known.includes(k));
  if (unknown.length) return err(400, `unexpected parameter(s): ${unknown.join(', ')}`);
  if (!v.src && !v.powerpack_uuid) return err(400, 'src or powerpack_uuid is required');
  if (typeof v.dst !== 'string' || !/^\+?[0-9]{7,15}(<\+?[0-9]{7,15})*$/.test(v.dst)) return err(400, 'invalid dst');
  if (v.type !== undefined && !['sms', 'mms', 'whatsapp'].includes(v.type)) return err(400, 'invalid type');
  if (v.type === 'mms' ? !(v.text || (Array.isArray(v.media_urls) && v.media_urls.length)) : typeof v.text !== 'string' || !v.text)
    return err(400, 'text is required');
  if (v.media_urls !== undefined && (!Array.isArray(v.media_urls) || !v.media_urls.every(isUri) || v.type !== 'mms'))
    return err(400, 'media_urls needs type mms and valid URLs');
  if (v.url !== undefined && !isUri(v.url)) return err(400, 'invalid url');
  if (v.method !== undefined && !['GET', 'POST'].includes(v.method)) return err(400, 'invalid method');
  const id = crypto.randomUUID();
  return [202, { message: 'message(s) queued', message_uuid: [id], api_id: crypto.randomUUID() }, null,
    { id, to: v.dst, from: v.src, text: v.text || '', media: v.media_urls || [], statusUrl: v.url }];
}

function telnyx(ctx) {
  const err = (status, code, title, pointer) => [status, { errors: [{ code, title, ...(pointer ? { source: { pointer } } : {}) }] }];
  if (ctx.path !== '/v2/messages') return err(404, '10007', 'Resource not found');
  if (ctx.method !== 'POST') return err(405, '10008', 'Method not allowed');
  if (!eq(ctx.req.headers.authorization, `Bearer ${ctx.creds.api_key}`)) return err(401, '10009', 'Authentication failed');
  if (!isJson(ctx.req)) return err(415, '10015', 'Unsupported content type');
  const j = parseJson(ctx.body);
  if (!j.ok || typeof j.value !== 'object' || Array.isArray(j.value)) return err(400, '10015', 'Invalid JSON');
  const v = j.value;
  const known = ['from', 'to', 'text', 'media_urls', 'subject', 'messaging_profile_id', 'webhook_url', 'webhook_failover_url', 'use_profile_webhooks', 'type'];
  const unknown = Object.keys(v).filter((k) => !known.includes(k));
  if (unknown.length) return err(422, '10005', 'Invalid parameter', `/${unknown[0]}`);
  if (typeof v.to !== 'string' || !E164.test(v.to)) return err(422, '40310', 'Invalid \'to\' address', '/to');
  if (typeof v.from !== 'string' || !(E164.test(v.from) || /^[A-Za-z0-9 ]{1,11}$/.test(v.from))) return err(422, '40305', 'Invalid \'from\' address', '/from');
  if (!/^\+/.test(v.from) && !v.messaging_profile_id) return err(422, '40305', 'An alphanumeric sender needs messaging_profile_id', '/messaging_profile_id');
  if (!v.text && !(Array.isArray(v.media_urls) && v.media_urls.length)) return err(422, '40002', 'text or media_urls is required', '/text');
  if (v.media_urls !== undefined && (!Array.isArray(v.media_urls) || v.media_urls.length > 10 || !v.media_urls.every(isUri)))
    return err(422, '10005', 'Invalid media_urls', '/media_urls');
  if (v.webhook_url !== undefined && !isUri(v.webhook_url)) return err(422, '10005', 'Invalid webhook_url', '/webhook_url');
  const id = crypto.randomUUID();
  const media = v.media_urls || [];
  const data = { record_type: 'message', id, direction: 'outbound', type: media.length ? 'MMS' : 'SMS', from: { phone_number: v.from }, to: [{ phone_number: v.to, status: 'queued' }], text: v.text || '', media: media.map((url) => ({ url })), webhook_url: v.webhook_url || null, errors: [] };
  return [200, { data }, null, { id, to: v.to, from: v.from, text: v.text || '', media, statusUrl: v.webhook_url }];
}

function infobip(ctx) {
  const err = (status, messageId, text) => [status, { requestError: { serviceException: { messageId, text } } }];
  const v3 = ctx.path === '/sms/3/messages', v2 = ctx.path === '/sms/2/text/advanced';
  if (!v3 && !v2) return err(404, 'NOT_FOUND', 'Requested URL not found');
  if (ctx.method !== 'POST') return err(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
  const a = ctx.req.headers.authorization || '';
  const b = basic(ctx.req);
  const okAuth = eq(a, `App ${ctx.creds.api_key}`) || (b && eq(b.user, ctx.creds.username) && eq(b.pass, ctx.creds.password));
  if (!okAuth) return err(401, 'UNAUTHORIZED', 'Invalid login details');
  if (!isJson(ctx.req)) return err(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type');
  const j = parseJson(ctx.body);
  const msgs = j.ok && j.value && j.value.messages;
  if (!Array.isArray(msgs) || !msgs.length || msgs.length > 1000) return err(400, 'BAD_REQUEST', 'messages must be a non-empty array');
  const out = [];
  const recs = [];
  for (const m of msgs) {
    const known = v3 ? ['sender', 'destinations', 'content', 'webhooks', 'options'] : ['from', 'destinations', 'text', 'notifyUrl', 'notifyContentType', 'callbackData', 'flash'];
    const unknown = Object.keys(m || {}).filter((k) => !known.includes(k));
    if (unknown.length) return err(400, 'BAD_REQUEST', `unknown field(s): ${unknown.join(', ')}`);
    const text = v3 ? m.content && m.content.text : m.text;
    const sender = v3 ? m.sender : m.from;
    if (typeof text !== 'string' || !text) return err(400, 'BAD_REQUEST', 'text is required');
    if (sender !== undefined && (typeof sender !== 'string' || !/^([A-Za-z0-9 ]{1,11}|[0-9]{3,15})$/.test(sender)))
      return err(400, 'BAD_REQUEST', 'invalid sender');
    if (!Array.isArray(m.destinations) || !m.destinations.length) return err(400, 'BAD_REQUEST', 'destinations are required');
    for (const d of m.destinations) {
      if (!d || typeof d.to !== 'string' || !DIGITS.test(d.to)) return err(400, 'BAD_REQUEST', 'destination must be an international number without +');
      const id = hex(12);
      out.push({ messageId: id, status: { groupId: 1, groupName: 'PENDING', id: 26, name: 'PENDING_ACCEPTED', description: 'Message sent to next instance' }, [v3 ? 'destination' : 'to']: d.to });
      const wh = v3 ? m.webhooks && m.webhooks.delivery && m.webhooks.delivery.url : m.notifyUrl;
      recs.push({ id, to: d.to, from: sender, text, media: [], statusUrl: wh, reference: v3 ? m.webhooks && m.webhooks.callbackData : m.callbackData });
    }
  }
  return [200, { bulkId: hex(8), messages: out }, null, recs];
}

function clicksend(ctx) {
  const err = (status, code, msg) => [status, { http_code: status, response_code: code, response_msg: msg, data: null }];
  if (ctx.path !== '/v3/sms/send') return err(404, 'NOT_FOUND', 'Resource not found');
  if (ctx.method !== 'POST') return err(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
  const b = basic(ctx.req);
  if (!b || !eq(b.user, ctx.creds.username) || !(eq(b.pass, ctx.creds.api_key) || eq(b.pass, ctx.creds.password)))
    return err(401, 'UNAUTHORIZED', 'Your credentials are invalid');
  if (!isJson(ctx.req)) return err(400, 'BAD_REQUEST', 'JSON body expected');
  const j = parseJson(ctx.body);
  const msgs = j.ok && j.value && j.value.messages;
  if (!Array.isArray(msgs) || !msgs.length) return err(400, 'BAD_REQUEST', 'messages is required');
  const data = [];
  const recs = [];
  for (const m of msgs) {
    const known = ['source', 'from', 'to', 'body', 'custom_string', 'schedule', 'list_id', 'country', 'from_email'];
    const unknown = Object.keys(m || {}).filter((k) => !known.includes(k));
    if (unknown.length) return err(400, 'BAD_REQUEST', `unknown field(s): ${unknown.join(', ')}`);
    if (typeof m.body !== 'string' || !m.body || typeof m.to !== 'string') return err(400, 'BAD_REQUEST', 'to and body are required');
    // ClickSend answers 200 and puts a refusal in the message's own status.
    if (!E164.test(m.to)) {
      data.push({ message_id: crypto.randomUUID(), status: 'INVALID_RECIPIENT', to: m.to, body: m.body });
      continue;
    }
    const id = crypto.randomUUID().toUpperCase();
    data.push({ message_id: id, status: 'SUCCESS', to: m.to, from: m.from || null, body: m.body, custom_string: m.custom_string || '' });
    recs.push({ id, to: m.to, from: m.from, text: m.body, media: [], reference: m.custom_string });
  }
  return [200, { http_code: 200, response_code: 'SUCCESS', response_msg: 'Messages queued for delivery.', data: { total_count: data.length, queued_count: recs.length, messages: data } }, null, recs];
}

function clickatell(ctx) {
  const err = (status, code, description) => [status, { messages: [], error: { code, description } }];
  if (ctx.path !== '/v1/message') return err(404, '404', 'Not found');
  if (ctx.method !== 'POST') return err(405, '405', 'Method not allowed');
  // The raw key, no scheme: "Bearer <key>" is refused like the real One API does.
  if (!eq(ctx.req.headers.authorization, ctx.creds.api_key)) return err(401, '001', 'Authentication failed');
  if (!isJson(ctx.req)) return err(400, '101', 'Invalid or missing parameters');
  const j = parseJson(ctx.body);
  const msgs = j.ok && j.value && j.value.messages;
  if (!Array.isArray(msgs) || !msgs.length) return err(400, '101', 'messages is required');
  const out = [];
  const recs = [];
  for (const m of msgs) {
    const known = ['channel', 'to', 'content', 'from', 'clientMessageId', 'validityPeriod', 'binary', 'charset'];
    const unknown = Object.keys(m || {}).filter((k) => !known.includes(k));
    if (unknown.length) return err(400, '101', `unknown field(s): ${unknown.join(', ')}`);
    if (m.channel !== 'sms' && m.channel !== 'whatsapp') return err(400, '101', 'channel must be sms or whatsapp');
    if (typeof m.content !== 'string' || !m.content) return err(400, '101', 'content is required');
    if (typeof m.to !== 'string' || !DIGITS.test(m.to)) {
      out.push({ apiMessageId: null, accepted: false, to: m.to, error: { code: '105', description: 'Invalid destination address' } });
      continue;
    }
    const id = hex(16);
    out.push({ apiMessageId: id, accepted: true, to: m.to, error: null });
    recs.push({ id, to: m.to, from: m.from, text: m.content, media: [], reference: m.clientMessageId });
  }
  return [202, { messages: out, error: null }, null, recs];
}

function skebby(ctx, state) {
  const err = (status, text) => [status, { result: 'KO', error: text }];
  if (ctx.path === '/API/v1.0/REST/login') {
    if (ctx.method !== 'GET') return err(405, 'method not allowed');
    const b = basic(ctx.req);
    if (!b || !eq(b.user, ctx.creds.username) || !eq(b.pass, ctx.creds.password)) return [401, 'Unauthorized', { 'content-type': 'text/plain' }];
    const userKey = `U${hex(6)}`, sessionKey = `S${hex(12)}`;
    state.skebbySessions.set(sessionKey, userKey);
    return [200, `${userKey};${sessionKey}`, { 'content-type': 'text/plain' }];
  }
  if (ctx.path !== '/API/v1.0/REST/sms') return err(404, 'not found');
  if (ctx.method !== 'POST') return err(405, 'method not allowed');
  const sk = ctx.req.headers.session_key, uk = ctx.req.headers.user_key;
  if (!sk || !uk || state.skebbySessions.get(sk) !== uk) return [401, 'Unauthorized', { 'content-type': 'text/plain' }];
  if (!isJson(ctx.req)) return err(400, 'JSON body expected');
  const j = parseJson(ctx.body);
  const v = j.ok ? j.value : null;
  if (!v || typeof v !== 'object') return err(400, 'invalid JSON');
  const known = ['message_type', 'message', 'recipient', 'sender', 'scheduled_delivery_time', 'order_id', 'returnCredits', 'returnRemaining', 'allowInvalidRecipients', 'encoding'];
  const unknown = Object.keys(v).filter((k) => !known.includes(k));
  if (unknown.length) return err(400, `unknown field(s): ${unknown.join(', ')}`);
  if (!['GP', 'TI', 'SI', 'EE', 'AD'].includes(v.message_type)) return err(400, 'invalid message_type');
  if (typeof v.message !== 'string' || !v.message) return err(400, 'message is required');
  if (!Array.isArray(v.recipient) || !v.recipient.length || !v.recipient.every((r) => E164.test(r))) return err(400, 'invalid recipient');
  if (v.sender !== undefined && (typeof v.sender !== 'string' || !/^([A-Za-z0-9 ]{1,11}|\+?[0-9]{3,16})$/.test(v.sender))) return err(400, 'invalid sender');
  if (v.order_id !== undefined && !/^[A-Za-z0-9]{1,32}$/.test(String(v.order_id))) return err(400, 'invalid order_id');
  const id = v.order_id || hex(8);
  return [201, { result: 'OK', order_id: id, total_sent: v.recipient.length, internal_order_id: hex(10) }, null,
    { id, to: v.recipient[0], from: v.sender, text: v.message, media: [], reference: v.order_id }];
}

// Connectel, CSCTelecom, IntelePeer: formats not public [NF]; these accept our documented
// defaults (docs/providers.md) and refuse anything else.
function custom(pathWanted, secretField) {
  return (ctx) => {
    const err = (status, message) => [status, { error: message }];
    if (ctx.path !== pathWanted) return err(404, 'not found');
    if (ctx.method !== 'POST') return err(405, 'method not allowed');
    if (!eq(ctx.req.headers.authorization, `Bearer ${ctx.creds[secretField]}`)) return err(401, 'unauthorized');
    if (!isJson(ctx.req)) return err(415, 'JSON body expected');
    const j = parseJson(ctx.body);
    const v = j.ok ? j.value : null;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return err(400, 'invalid JSON');
    const known = ['to', 'from', 'text', 'status_url', 'reference', 'media_urls'];
    const unknown = Object.keys(v).filter((k) => !known.includes(k));
    if (unknown.length) return err(400, `unknown field(s): ${unknown.join(', ')}`);
    if (typeof v.to !== 'string' || !(E164.test(v.to) || /^[0-9]{1,3}-[A-Za-z0-9]{3,11}$/.test(v.to))) return err(400, 'invalid to');
    if (typeof v.text !== 'string' || !v.text) return err(400, 'text is required');
    const id = crypto.randomUUID();
    return [200, { id, status: 'queued' }, null, { id, to: v.to, from: v.from, text: v.text, media: v.media_urls || [], statusUrl: v.status_url, reference: v.reference }];
  };
}

const HANDLERS = {
  twilio, bandwidth, plivo, telnyx, infobip, clicksend, clickatell, skebby,
  connectel: custom('/sms/v1/send', 'auth_token'),
  csctelecom: custom('/api/sms/send', 'api_key'),
  intelepeer: custom('/_rest/v4/app/sms/send', 'api_key'),
};

const BODY_MAX = 1 << 20;

async function startFakeProviders(opts = {}) {
  const creds = {};
  for (const p of Object.keys(HANDLERS)) creds[p] = { ...FAKE_CREDS[p], ...((opts.creds || {})[p] || {}) };
  const state = { skebbySessions: new Map() };
  const sent = Object.fromEntries(Object.keys(HANDLERS).map((p) => [p, []]));
  const failing = {};
  const requests = [];
  // Requests held without an answer (fail with hang): { provider, openedAt, closedAt, res }.
  const hung = [];

  function answer(res, status, body, headers) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', ...(headers || {}) });
    res.end(text);
  }

  function control(req, res, url, body) {
    const p = url.searchParams.get('provider');
    if (req.method === 'GET' && url.pathname === '/_fake/sent') return answer(res, 200, p ? sent[p] || [] : sent);
    if (req.method === 'GET' && url.pathname === '/_fake/requests') return answer(res, 200, requests);
    if (req.method === 'POST' && url.pathname === '/_fake/fail') {
      const o = body ? JSON.parse(body) : {};
      fp.fail(p, { status: o.status || 500, count: o.count === undefined ? Infinity : o.count, hang: !!o.hang });
      return answer(res, 204, '');
    }
    if (req.method === 'POST' && url.pathname === '/_fake/recover') return fp.recover(p), answer(res, 204, '');
    if (req.method === 'POST' && url.pathname === '/_fake/reset') return fp.reset(), answer(res, 204, '');
    return answer(res, 404, { error: 'no such control' });
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= BODY_MAX) chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url, 'http://fake');
      if (url.pathname.startsWith('/_fake/')) return control(req, res, url, body);
      const [, provider, ...rest] = url.pathname.split('/');
      const handler = HANDLERS[provider];
      const rec = { provider, method: req.method, path: '/' + rest.join('/'), query: url.search, headers: req.headers, body, status: 0 };
      requests.push(rec);
      if (!handler) return answer(res, (rec.status = 404), { error: 'unknown provider' });
      if (size > BODY_MAX) return answer(res, (rec.status = 413), { error: 'too large' });
      const f = failing[provider];
      if (f && f.count > 0) {
        f.count--;
        if (f.hang) {
          // Not processed, never answered: the client's timeout ends it (or recover/stop).
          const h = { provider, openedAt: Date.now(), closedAt: null, res };
          hung.push(h);
          res.on('close', () => { h.closedAt = Date.now(); });
          return undefined;
        }
        return answer(res, (rec.status = f.status), { error: 'injected failure' });
      }
      const ctx = { req, method: req.method, path: rec.path, body, creds: creds[provider] };
      let out;
      try {
        out = handler(ctx, state);
      } catch (e) {
        out = [500, { error: String(e && e.message) }];
      }
      const [status, resBody, headers, msg] = out;
      rec.status = status;
      if (msg) for (const m of [].concat(msg)) sent[provider].push({ ...m, at: Date.now() });
      answer(res, status, resBody, headers);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  const fp = {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    creds,
    requests,
    hung,
    sent: (p) => sent[p],
    fail(p, { status = 500, count = Infinity, hang = false } = {}) {
      failing[p] = { status, count, hang };
    },
    recover(p) {
      delete failing[p];
      for (const h of hung) if (h.provider === p && h.closedAt === null) h.res.destroy();
    },
    expireSessions() {
      state.skebbySessions.clear();
    },
    reset() {
      for (const p of Object.keys(sent)) sent[p].length = 0;
      for (const p of Object.keys(failing)) delete failing[p];
      for (const h of hung) if (h.closedAt === null) h.res.destroy();
      hung.length = 0;
      requests.length = 0;
      state.skebbySessions.clear();
    },
    stop: () => new Promise((resolve) => {
      for (const h of hung) if (h.closedAt === null) h.res.destroy();
      server.close(resolve);
    }),
  };
  return fp;
}

// ---- webhooks as each provider sends them (signed where the provider signs) ----

function twilioSignature(url, params, token) {
  const keys = [...new Set(params.map(([k]) => k))].sort();
  let data = url;
  for (const k of keys) for (const v of [...new Set(params.filter(([x]) => x === k).map(([, v]) => v))].sort()) data += k + v;
  return crypto.createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

function plivoV3Signature(url, params, nonce, token, method = 'POST') {
  const u = new URL(url);
  const base = `${u.protocol}//${u.host}${u.pathname}`;
  const sorted = (pairs) => pairs.slice().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const q = sorted([...u.searchParams]).map(([k, v]) => `${k}=${v}`).join('&');
  let msg;
  if (method === 'POST' && params.length) msg = `${base}?${q}${q ? '.' : ''}${sorted(params).map(([k, v]) => k + v).join('')}`;
  else msg = base + (q ? `?${q}` : '');
  return crypto.createHmac('sha256', token).update(`${msg}.${nonce}`, 'utf8').digest('base64');
}

function telnyxSignature(timestamp, body, seedHex = TELNYX_SEED) {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')]);
  const key = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return crypto.sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), key).toString('base64');
}

const form = (pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
const FORM = 'application/x-www-form-urlencoded';

// Builds the request provider `p` would make for an inbound message ('inbound': {id, from, to,
// text, media:[urls]}) or a delivery report ('status': {id, status: the provider's own word or
// code, error}). o: {url (the account's receive or status URL, with ?token= where needed),
// creds (default FAKE_CREDS[p]), now (Unix s, Telnyx), basic: {user, pass} (Bandwidth,
// Clickatell, Infobip callbacks)}. Returns {method, url, headers, body}.
function webhook(p, kind, f, o) {
  const c = { ...FAKE_CREDS[p], ...(o.creds || {}) };
  let url = o.url;
  const headers = {};
  let body = '';
  let method = 'POST';
  const media = f.media || [];
  switch (p) {
    case 'twilio': {
      const params = kind === 'inbound'
        ? [['MessageSid', f.id], ['SmsMessageSid', f.id], ['SmsSid', f.id], ['AccountSid', c.account_id], ['From', f.from], ['To', f.to || c.phone], ['Body', f.text || ''], ['NumMedia', String(media.length)], ['SmsStatus', 'received'], ['ApiVersion', '2010-04-01'],
          ...media.flatMap((m, i) => [[`MediaUrl${i}`, m], [`MediaContentType${i}`, 'image/jpeg']])]
        : [['MessageSid', f.id], ['SmsSid', f.id], ['MessageStatus', f.status], ['SmsStatus', f.status], ['AccountSid', c.account_id], ['ApiVersion', '2010-04-01'], ...(f.error ? [['ErrorCode', String(f.error)]] : [])];
      body = form(params);
      headers['content-type'] = FORM;
      headers['x-twilio-signature'] = twilioSignature(url, params, c.auth_token);
      break;
    }
    case 'plivo': {
      const params = kind === 'inbound'
        ? [['From', f.from.replace(/^\+/, '')], ['To', (f.to || c.phone).replace(/^\+/, '')], ['Type', media.length ? 'mms' : 'sms'], [media.length ? 'Body' : 'Text', f.text || ''], ['MessageUUID', f.id], ['MediaCount', String(media.length)], ...media.map((m, i) => [`Media${i + 1}`, m])]
        : [['MessageUUID', f.id], ['Status', f.status], ['To', '14155550199'], ['From', '14155550100'], ...(f.error ? [['ErrorCode', String(f.error)]] : [])];
      body = form(params);
      const nonce = String(crypto.randomInt(1e9));
      headers['content-type'] = FORM;
      headers['x-plivo-signature-v3'] = plivoV3Signature(url, params, nonce, c.auth_token);
      headers['x-plivo-signature-v3-nonce'] = nonce;
      break;
    }
    case 'telnyx': {
      const payload = kind === 'inbound'
        ? { id: f.id, record_type: 'message', direction: 'inbound', type: media.length ? 'MMS' : 'SMS', from: { phone_number: f.from }, to: [{ phone_number: f.to || c.phone, status: 'webhook_delivered' }], text: f.text || '', media: media.map((m) => ({ url: m, content_type: 'image/jpeg' })) }
        : { id: f.id, record_type: 'message', direction: 'outbound', to: [{ phone_number: '+13125550002', status: f.status }], errors: f.error ? [{ code: String(f.error), title: 'error' }] : [] };
      body = JSON.stringify({ data: { record_type: 'event', id: crypto.randomUUID(), event_type: kind === 'inbound' ? 'message.received' : f.event || 'message.finalized', occurred_at: new Date().toISOString(), payload } });
      const ts = String(o.now ?? Math.floor(Date.now() / 1000));
      headers['content-type'] = 'application/json';
      headers['telnyx-timestamp'] = ts;
      headers['telnyx-signature-ed25519'] = telnyxSignature(ts, body, o.seed);
      break;
    }
    case 'bandwidth':
      body = JSON.stringify([kind === 'inbound'
        ? { type: 'message-received', time: new Date().toISOString(), description: 'Incoming message received', to: f.to || c.phone, message: { id: f.id, owner: f.to || c.phone, applicationId: c.application_id, time: new Date().toISOString(), segmentCount: 1, direction: 'in', to: [f.to || c.phone], from: f.from, text: f.text || '', media } }
        : { type: f.status, time: new Date().toISOString(), description: f.status, to: '+15552223333', ...(f.error ? { errorCode: Number(f.error) } : {}), message: { id: f.id, owner: c.phone, applicationId: c.application_id, direction: 'out', to: ['+15552223333'], from: c.phone, text: '' } }]);
      headers['content-type'] = 'application/json';
      break;
    case 'infobip':
      body = JSON.stringify(kind === 'inbound'
        ? { results: [{ messageId: f.id, from: f.from.replace(/^\+/, ''), to: (f.to || '').replace(/^\+/, ''), text: f.text || '', cleanText: f.text || '', keyword: '', receivedAt: new Date().toISOString(), smsCount: 1, price: { pricePerMessage: 0, currency: 'EUR' } }], messageCount: 1, pendingMessageCount: 0 }
        : { results: [{ bulkId: 'b', messageId: f.id, to: '393331234567', sentAt: new Date().toISOString(), doneAt: new Date().toISOString(), smsCount: 1, status: f.status, error: f.error || { groupId: 0, groupName: 'OK', id: 0, name: 'NO_ERROR', permanent: false } }] });
      headers['content-type'] = 'application/json';
      break;
    case 'clicksend':
      body = form(kind === 'inbound'
        ? [['timestamp', String(Math.floor(Date.now() / 1000))], ['from', f.from], ['to', f.to || ''], ['body', f.text || ''], ['message_id', f.id], ['custom_string', ''], ['user_id', '1']]
        : [['message_id', f.id], ['status', f.status], ['status_code', String(f.code || '')], ['error_code', String(f.error || '')], ['timestamp', String(Math.floor(Date.now() / 1000))]]);
      headers['content-type'] = FORM;
      break;
    case 'clickatell':
      body = JSON.stringify(kind === 'inbound'
        ? { integrationId: 'i', integrationName: 'switchboard', event: { moText: [{ channel: 'sms', messageId: f.id, relatedMessageId: null, from: f.from.replace(/^\+/, ''), to: (f.to || '').replace(/^\+/, ''), timestamp: Date.now(), content: f.text || '', charset: 'UTF-8' }] } }
        : { integrationId: 'i', integrationName: 'switchboard', event: { messageStatusUpdate: [{ channel: 'sms', messageId: f.id, status: f.statusName || '', statusCode: Number(f.status), timestamp: Date.now() }] } });
      headers['content-type'] = 'application/json';
      break;
    case 'skebby':
      body = form(kind === 'inbound'
        ? [['sender', f.from], ['receiver', f.to || ''], ['text', f.text || ''], ['date', new Date().toISOString().slice(0, 10)], ['time', new Date().toISOString().slice(11, 19)], ...(f.id ? [['id_message', f.id]] : [])]
        : [['order_id', f.id], ['status', f.status]]);
      headers['content-type'] = FORM;
      break;
    case 'csctelecom':
      if (kind === 'status') {
        // The provider fills the placeholders of the delivery URL and calls it.
        url = url.replace('<Message-Id>', encodeURIComponent(f.id)).replace('<State>', encodeURIComponent(f.status));
        method = 'GET';
        break;
      }
    // falls through: inbound as JSON like the other custom formats
    case 'connectel':
    case 'intelepeer':
      body = JSON.stringify(kind === 'inbound' ? { id: f.id, from: f.from, to: f.to || '', text: f.text || '' } : { id: f.id, status: f.status, ...(f.error ? { error_code: String(f.error) } : {}) });
      headers['content-type'] = 'application/json';
      break;
    default:
      throw new Error(`unknown provider ${p}`);
  }
  if (o.basic) headers.authorization = 'Basic ' + Buffer.from(`${o.basic.user}:${o.basic.pass}`).toString('base64');
  return { method, url, headers, body };
}

module.exports = { startFakeProviders, FAKE_CREDS, webhook, twilioSignature, plivoV3Signature, telnyxSignature, PROVIDERS: Object.keys(HANDLERS) };

if (require.main === module) {
  startFakeProviders().then((fp) => {
    process.stdout.write(JSON.stringify({ port: fp.port }) + '\n');
    process.stdin.resume();
    process.stdin.on('end', () => fp.stop().then(() => process.exit(0)));
    process.stdin.on('close', () => fp.stop().then(() => process.exit(0)));
  });
}
