'use strict';
// The fake SMS providers (lib/fake_providers.js) themselves: they accept what the real
// providers accept and refuse what they refuse (auth, method, path, schema), inject failures
// on demand, and the webhook signers reproduce the reference's test vectors, so a suite that
// passes against them means something. No Switchboard server is needed here.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startFakeProviders, FAKE_CREDS, webhook, twilioSignature, plivoV3Signature, telnyxSignature, PROVIDERS } = require('./lib/fake_providers');

const b64 = (s) => Buffer.from(s).toString('base64');
const basic = (u, p) => 'Basic ' + b64(`${u}:${p}`);
const C = FAKE_CREDS;

async function send(fp, provider, path, { method = 'POST', headers = {}, body } = {}) {
  const r = await fetch(`${fp.baseUrl}/${provider}${path}`, { method, headers, body });
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, text, json };
}

const json = (auth, obj) => ({ headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(obj) });

test('the webhook signers reproduce the reference test vectors', () => {
  const params = [['CallSid', 'CA1234567890ABCDE'], ['Digits', '1234'], ['From', '+14158675309'], ['To', '+18005551212'], ['Caller', '+14158675309']];
  assert.equal(twilioSignature('https://mycompany.com/myapp.php?foo=1&bar=2', params, '12345'), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  assert.equal(twilioSignature('https://mycompany.com:443/myapp.php?foo=1&bar=2', params, '12345'), 'kvajT1Ptam85bY51eRf/AJRuM3w=');
  assert.equal(twilioSignature('https://mycompany.com/myapp.php?foo=1&bar=2', [['Sid', 'CA123'], ['SidAccount', 'AC123'], ['Digits', '5678'], ['Digits', '1234']], '12345'), 'IK+Dwps556ElfBT0I3Rgjkr1wJU=');
  assert.equal(plivoV3Signature('https://example.com/plivo/sms', [['From', '14155550100'], ['To', '14155550199'], ['Text', 'hi'], ['MessageUUID', 'abc']], '12345', 'my_auth_token'), '3YmGendK1VT0KpMJvTIvdO4t3sITkFbin2AMaNkC4h4=');
  assert.equal(plivoV3Signature('https://example.com/plivo/sms?b=2&a=1', [['From', '14155550100'], ['Text', 'hi']], '12345', 'my_auth_token'), 'iqVK8yikOwTDlKVDjxeF065IQD6zmG82ZtHun+uMkh8=');
  assert.equal(telnyxSignature('1700000000', '{"data":{"event_type":"message.received","id":"evt-1","payload":{"id":"msg-1","text":"Hello"}}}'),
    'Lql4qn1bc5woDM1LV5N8k/fH7s1bs/+7VoDhusJTxFw5U9Mt0jw7S9B/hQY8Z0E7WV0FXQqSXbGs2FpVhTrFDA==');
});

test('every provider accepts a well-formed send and records it once', async (t) => {
  const fp = await startFakeProviders();
  t.after(() => fp.stop());
  const form = 'To=%2B393331234567&From=%2B15005550006&Body=Hello&MediaUrl=https%3A%2F%2Fsb.example%2F1.png&StatusCallback=https%3A%2F%2Fsb.example%2Fs';
  let r = await send(fp, 'twilio', `/2010-04-01/Accounts/${C.twilio.account_id}/Messages.json`, { headers: { authorization: basic(C.twilio.account_id, C.twilio.auth_token), 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.sid, /^SM[0-9a-f]{32}$/);
  assert.equal(r.json.status, 'queued');
  r = await send(fp, 'bandwidth', `/api/v2/users/${C.bandwidth.account_id}/messages`, json(basic(C.bandwidth.username, C.bandwidth.password), { applicationId: C.bandwidth.application_id, to: ['+393331234567'], from: C.bandwidth.phone, text: 'Hello', tag: 'm1' }));
  assert.equal(r.status, 202, r.text);
  assert.ok(r.json.id);
  r = await send(fp, 'plivo', `/v1/Account/${C.plivo.account_id}/Message/`, json(basic(C.plivo.account_id, C.plivo.auth_token), { src: 'Switchboard', dst: '393331234567', text: 'Hello' }));
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.message_uuid.length, 1);
  r = await send(fp, 'telnyx', '/v2/messages', json(`Bearer ${C.telnyx.api_key}`, { from: C.telnyx.phone, to: '+393331234567', text: 'Hello' }));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.to[0].status, 'queued');
  r = await send(fp, 'infobip', '/sms/3/messages', json(`App ${C.infobip.api_key}`, { messages: [{ sender: 'Switchboard', destinations: [{ to: '393331234567' }], content: { text: 'Hello' } }] }));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.messages[0].status.groupName, 'PENDING');
  r = await send(fp, 'infobip', '/sms/2/text/advanced', json(basic(C.infobip.username, C.infobip.password), { messages: [{ from: 'Switchboard', destinations: [{ to: '393331234567' }], text: 'Hello' }] }));
  assert.equal(r.status, 200, r.text);
  r = await send(fp, 'clicksend', '/v3/sms/send', json(basic(C.clicksend.username, C.clicksend.api_key), { messages: [{ source: 'switchboard', to: '+393331234567', body: 'Hello' }] }));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.messages[0].status, 'SUCCESS');
  r = await send(fp, 'clickatell', '/v1/message', json(C.clickatell.api_key, { messages: [{ channel: 'sms', to: '393331234567', content: 'Hello' }] }));
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.messages[0].accepted, true);
  const login = await send(fp, 'skebby', '/API/v1.0/REST/login', { method: 'GET', headers: { authorization: basic(C.skebby.username, C.skebby.password) } });
  assert.equal(login.status, 200);
  const [uk, sk] = login.text.split(';');
  r = await send(fp, 'skebby', '/API/v1.0/REST/sms', { headers: { user_key: uk, Session_key: sk, 'content-type': 'application/json' }, body: JSON.stringify({ message_type: 'TI', message: 'Hello', recipient: ['+393331234567'], sender: 'Switchboard' }) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.result, 'OK');
  for (const [p, path, key] of [['connectel', '/sms/v1/send', C.connectel.auth_token], ['csctelecom', '/api/sms/send', C.csctelecom.api_key], ['intelepeer', '/_rest/v4/app/sms/send', C.intelepeer.api_key]]) {
    r = await send(fp, p, path, json(`Bearer ${key}`, { to: '+393331234567', from: 'x', text: 'Hello' }));
    assert.equal(r.status, 200, `${p}: ${r.text}`);
  }
  for (const p of PROVIDERS) assert.equal(fp.sent(p).length, p === 'infobip' ? 2 : 1, p);
  assert.equal(fp.sent('twilio')[0].text, 'Hello');
  assert.deepEqual(fp.sent('twilio')[0].media, ['https://sb.example/1.png']);
});

test('what the real providers refuse is refused, and nothing is recorded', async (t) => {
  const fp = await startFakeProviders();
  t.after(() => fp.stop());
  const tw = `/2010-04-01/Accounts/${C.twilio.account_id}/Messages.json`;
  const twAuth = basic(C.twilio.account_id, C.twilio.auth_token);
  const FORM = 'application/x-www-form-urlencoded';
  const cases = [
    ['twilio', tw, { headers: { authorization: basic(C.twilio.account_id, 'wrong'), 'content-type': FORM }, body: 'To=%2B393331234567&From=%2B1500&Body=x' }, 401],
    ['twilio', tw, { headers: { authorization: twAuth, 'content-type': FORM }, body: 'From=%2B15005550006&Body=x' }, 400], // To required by the spec
    ['twilio', tw, { headers: { authorization: twAuth, 'content-type': FORM }, body: 'To=%2B393331234567&Body=x' }, 400], // From
    ['twilio', tw, { headers: { authorization: twAuth, 'content-type': FORM }, body: 'To=%2B393331234567&From=%2B15005550006' }, 400], // Body
    ['twilio', tw, { headers: { authorization: twAuth, 'content-type': FORM }, body: 'To=393331234567&From=%2B15005550006&Body=x' }, 400], // not E.164
    ['twilio', tw, { headers: { authorization: twAuth, 'content-type': FORM }, body: 'To=%2B393331234567&From=%2B15005550006&Body=x&StatusCallback=notaurl' }, 400], // format uri
    ['twilio', tw, { headers: { authorization: twAuth, 'content-type': FORM }, body: 'To=%2B393331234567&From=%2B15005550006&Body=x&ContentRetention=forever' }, 400], // enum
    ['twilio', tw, { headers: { authorization: twAuth, 'content-type': 'application/json' }, body: '{}' }, 415],
    ['twilio', '/2010-04-01/Accounts/AC1/Messages.json', { headers: { authorization: basic('AC1', C.twilio.auth_token), 'content-type': FORM }, body: 'To=%2B393331234567&From=%2B1&Body=x' }, 401],
    ['twilio', tw, { method: 'PUT', headers: { authorization: twAuth, 'content-type': FORM }, body: 'To=%2B1' }, 405],
    ['bandwidth', `/api/v2/users/${C.bandwidth.account_id}/messages`, json(basic(C.bandwidth.username, C.bandwidth.password), { to: ['+393331234567'], from: C.bandwidth.phone, text: 'x' }), 400], // applicationId required
    ['bandwidth', `/api/v2/users/${C.bandwidth.account_id}/messages`, json(basic(C.bandwidth.username, C.bandwidth.password), { applicationId: C.bandwidth.application_id, to: '+393331234567', from: C.bandwidth.phone, text: 'x' }), 400], // to must be an array
    ['bandwidth', `/api/v2/users/${C.bandwidth.account_id}/messages`, json(basic(C.bandwidth.username, C.bandwidth.password), { applicationId: C.bandwidth.application_id, to: ['+393331234567'], from: C.bandwidth.phone, text: 'x'.repeat(2049) }), 400], // maxLength 2048
    ['bandwidth', `/api/v2/users/${C.bandwidth.account_id}/messages`, json(basic(C.bandwidth.username, C.bandwidth.password), { applicationId: C.bandwidth.application_id, to: ['+393331234567'], from: C.bandwidth.phone, text: 'x', priority: 'urgent' }), 400], // enum
    ['bandwidth', `/api/v2/users/${C.bandwidth.account_id}/messages`, json(`Bearer x`, { applicationId: C.bandwidth.application_id, to: ['+393331234567'], from: C.bandwidth.phone, text: 'x' }), 401],
    ['bandwidth', '/api/v2/users/1234567/messages', json(basic(C.bandwidth.username, C.bandwidth.password), { applicationId: C.bandwidth.application_id, to: ['+393331234567'], from: C.bandwidth.phone, text: 'x' }), 403],
    ['plivo', `/v1/Account/${C.plivo.account_id}/Message/`, json(basic(C.plivo.account_id, C.plivo.auth_token), { src: 'x', dst: 'abc', text: 'x' }), 400],
    ['plivo', `/v1/Account/${C.plivo.account_id}/Message`, json(basic(C.plivo.account_id, C.plivo.auth_token), { src: 'x', dst: '393331234567', text: 'x' }), 404], // the trailing slash matters
    ['telnyx', '/v2/messages', json(`Bearer nope`, { from: C.telnyx.phone, to: '+393331234567', text: 'x' }), 401],
    ['telnyx', '/v2/messages', json(`Bearer ${C.telnyx.api_key}`, { from: C.telnyx.phone, to: '393331234567', text: 'x' }), 422],
    ['infobip', '/sms/3/messages', json(`App ${C.infobip.api_key}`, { messages: [{ sender: 'S', destinations: [{ to: '+393331234567' }], content: { text: 'x' } }] }), 400],
    ['infobip', '/sms/3/messages', json(`Bearer ${C.infobip.api_key}`, { messages: [] }), 401],
    ['clicksend', '/v3/sms/send', json(basic(C.clicksend.username, 'nope'), { messages: [{ to: '+393331234567', body: 'x' }] }), 401],
    ['clickatell', '/v1/message', json(`Bearer ${C.clickatell.api_key}`, { messages: [{ channel: 'sms', to: '393331234567', content: 'x' }] }), 401],
    ['skebby', '/API/v1.0/REST/sms', { headers: { user_key: 'u', Session_key: 's', 'content-type': 'application/json' }, body: '{}' }, 401],
    ['connectel', '/sms/v1/send', json(`Bearer ${C.connectel.auth_token}`, { to: '+393331234567', text: 'x', body: 'renamed' }), 400],
  ];
  for (const [p, path, req, want] of cases) {
    const r = await send(fp, p, path, req);
    assert.equal(r.status, want, `${p} ${path} ${req.body && req.body.slice(0, 80)}: ${r.text}`);
  }
  // Refusals inside a 200/202, as these providers do it.
  let r = await send(fp, 'clicksend', '/v3/sms/send', json(basic(C.clicksend.username, C.clicksend.password), { messages: [{ to: '12', body: 'x' }] }));
  assert.equal(r.json.data.messages[0].status, 'INVALID_RECIPIENT');
  r = await send(fp, 'clickatell', '/v1/message', json(C.clickatell.api_key, { messages: [{ channel: 'sms', to: '+27', content: 'x' }] }));
  assert.equal(r.json.messages[0].accepted, false);
  for (const p of PROVIDERS) assert.equal(fp.sent(p).length, 0, p);
  assert.ok(fp.requests.every((q) => q.status >= 200));
});

test('failures on demand, recovery, and Skebby sessions that expire', async (t) => {
  const fp = await startFakeProviders();
  t.after(() => fp.stop());
  const req = () => send(fp, 'telnyx', '/v2/messages', json(`Bearer ${C.telnyx.api_key}`, { from: C.telnyx.phone, to: '+393331234567', text: 'x' }));
  fp.fail('telnyx', { status: 503, count: 2 });
  assert.equal((await req()).status, 503);
  assert.equal((await req()).status, 503);
  assert.equal((await req()).status, 200);
  fp.fail('telnyx', { status: 500 });
  for (let i = 0; i < 3; i++) assert.equal((await req()).status, 500);
  fp.recover('telnyx');
  assert.equal((await req()).status, 200);
  assert.equal(fp.sent('telnyx').length, 2);

  const login = await send(fp, 'skebby', '/API/v1.0/REST/login', { method: 'GET', headers: { authorization: basic(C.skebby.username, C.skebby.password) } });
  const [uk, sk] = login.text.split(';');
  const sms = () => send(fp, 'skebby', '/API/v1.0/REST/sms', { headers: { user_key: uk, Session_key: sk, 'content-type': 'application/json' }, body: JSON.stringify({ message_type: 'SI', message: 'x', recipient: ['+393331234567'] }) });
  assert.equal((await sms()).status, 201);
  fp.expireSessions();
  assert.equal((await sms()).status, 401);
  assert.equal((await send(fp, 'skebby', '/API/v1.0/REST/login', { method: 'GET', headers: { authorization: basic(C.skebby.username, 'x') } })).status, 401);
});

test('webhook() builds each provider\'s own format', () => {
  const url = 'https://sb.example/api/sms/accounts/1/receive?token=t';
  for (const p of PROVIDERS) {
    const w = webhook(p, 'inbound', { id: 'id-1', from: '+393331234567', to: '+390612345678', text: 'hi' }, { url });
    assert.ok(w.body.length > 0, p);
    assert.ok(w.headers['content-type'], p);
  }
  const tw = webhook('twilio', 'inbound', { id: 'SM1', from: '+1', text: 'x' }, { url });
  const params = [...new URLSearchParams(tw.body)];
  assert.equal(tw.headers['x-twilio-signature'], twilioSignature(url, params, C.twilio.auth_token));
  const csc = webhook('csctelecom', 'status', { id: 'c 1', status: 'DELIVRD' }, { url: 'https://sb.example/s?token=t&message_id=<Message-Id>&state=<State>' });
  assert.equal(csc.method, 'GET');
  assert.equal(csc.url, 'https://sb.example/s?token=t&message_id=c%201&state=DELIVRD');
});
