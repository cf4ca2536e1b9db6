'use strict';
// Fixtures for the SMS suites: valid credentials of every provider type, an account maker,
// and a reader of the raw database row (to prove what is stored is sealed).
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { backend, psql } = require('./server');

// A 32-byte Ed25519 public key in base64 (any 32 bytes are accepted as a key's shape).
const TELNYX_KEY = Buffer.alloc(32, 7).toString('base64');

// Valid credentials (and the phone where the type needs one) of every type. Secrets are long
// and distinctive so a test can search every answer and log for them.
const VALID = {
  twilio: { credentials: { account_sid: 'AC0123456789abcdef0123456789abcdef', auth_token: 'twilio-SECRET-token-0001' } },
  skebby: { credentials: { method: 'classic_plus', username: 'sk.user', password: 'skebby-SECRET-pass-0002', sender: 'Shop', delivery_report: true } },
  connectel: { credentials: { auth_token: 'connectel-SECRET-tok-0003', sender: '+393331234567' } },
  clicksend: { credentials: { username: 'cs.user', api_key: 'clicksend-SECRET-key-0004' } },
  plivo: { credentials: { auth_id: 'MAXXXXXXXXXXXXXXXXXX', auth_token: 'plivo-SECRET-token-0005' } },
  clickatell: { credentials: { api_key: 'clickatell-SECRET-key-0006' } },
  csctelecom: { credentials: { api_key: 'csctelecom-SECRET-key-0007', base_url: 'https://sms.csctelecom.example/api/' } },
  infobip: { credentials: { username: 'ib.user', password: 'infobip-SECRET-pass-0008', base_url: 'https://abc123.api.infobip.com/' } },
  intelepeer: { phone: '+15551234567', credentials: { api_key: 'intelepeer-SECRET-key-0009' } },
  bandwidth: { phone: '+15557654321', credentials: { account_id: '9900000', username: 'bw.user', password: 'bandwidth-SECRET-pass-0010', application_id: '93de2206-9669-4e07-948d-329f4b722ee2' } },
  telnyx: { credentials: { api_key: 'telnyx-SECRET-key-0011', public_key: TELNYX_KEY } },
};
const TYPES = Object.keys(VALID);
// Every secret of VALID: none may ever appear in an answer, a log line or the database.
const SECRETS = TYPES.flatMap((t) => Object.entries(VALID[t].credentials)
  .filter(([k]) => ['auth_token', 'password', 'api_key'].includes(k)).map(([, v]) => v));

let seq = 0;
// Creates an SMS account of `type` (default twilio) with a fresh name and key.
async function smsAccount(admin, type = 'twilio', extra = {}) {
  seq += 1;
  const body = { name: `SMS ${type} ${seq}`, key: `k${seq}`, type, ...VALID[type], ...extra };
  const r = await admin.request('POST', '/api/v1/sms/accounts', { body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// The raw stored columns of an SMS account (credentials, proxy_token) as text.
function rawAccountRow(srv, id) {
  const sql = `SELECT credentials || '|' || proxy_token FROM sms_accounts WHERE id = ${Number(id)}`;
  if (backend === 'postgres') return psql(sql, srv.pgDatabase);
  return execFileSync('sqlite3', [srv.sqlitePath, sql], { encoding: 'utf8' }).trim();
}

module.exports = { VALID, TYPES, SECRETS, TELNYX_KEY, smsAccount, rawAccountRow };
