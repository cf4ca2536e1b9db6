import { describe, expect, it } from 'vitest';
import { buildTree, credentialsBody, descendantCount, draftCredentials, emptyCredentials, insertVariable, secretPlaceholder, SMS_TYPE_FIELDS, SMS_TYPES, sortAccounts, visibleFields } from './sms';

describe('per-type credential fields', () => {
  it('has the eleven types with exactly the fields the API takes', () => {
    expect(SMS_TYPES).toHaveLength(11);
    const names = Object.fromEntries(SMS_TYPES.map((t) => [t, SMS_TYPE_FIELDS[t].map((f) => f.name)]));
    expect(names).toEqual({
      twilio: ['account_sid', 'auth_token'],
      skebby: ['method', 'username', 'password', 'sender', 'delivery_report'],
      connectel: ['auth_token', 'sender', 'delivery_report'],
      clicksend: ['username', 'password', 'api_key', 'sender', 'delivery_report'],
      plivo: ['auth_id', 'auth_token', 'sender'],
      clickatell: ['api_key'],
      csctelecom: ['api_key', 'base_url'],
      infobip: ['username', 'password', 'base_url'],
      intelepeer: ['api_key'],
      bandwidth: ['account_id', 'username', 'password', 'application_id'],
      telnyx: ['api_key', 'public_key'],
    });
  });

  it('marks as secret what the API masks', () => {
    const secrets = SMS_TYPES.flatMap((t) => SMS_TYPE_FIELDS[t].filter((f) => f.kind === 'secret').map((f) => `${t}.${f.name}`));
    expect(secrets).toEqual([
      'twilio.auth_token',
      'skebby.password',
      'connectel.auth_token',
      'clicksend.password',
      'clicksend.api_key',
      'plivo.auth_token',
      'clickatell.api_key',
      'csctelecom.api_key',
      'infobip.password',
      'intelepeer.api_key',
      'bandwidth.password',
      'telnyx.api_key',
    ]);
  });

  it("shows Skebby's sender for Classic and Classic+, the delivery report for Classic+ only", () => {
    const names = (method: string) => visibleFields('skebby', { method }).map((f) => f.name);
    expect(names('basic')).toEqual(['method', 'username', 'password']);
    expect(names('classic')).toEqual(['method', 'username', 'password', 'sender']);
    expect(names('classic_plus')).toEqual(['method', 'username', 'password', 'sender', 'delivery_report']);
    expect(visibleFields('nope', {})).toEqual([]);
  });
});

describe('credentials body', () => {
  it('a new account sends every field, empty ones as null, secrets as typed', () => {
    const d = { ...emptyCredentials('clicksend'), username: ' u ', api_key: 'k1' };
    expect(credentialsBody('clicksend', d, true)).toEqual({ username: 'u', password: null, api_key: 'k1', sender: null, delivery_report: false });
  });

  it('an edit leaves out the secrets not typed, so the stored ones are kept', () => {
    const d = draftCredentials('twilio', { account_sid: 'AC' + '0'.repeat(32), auth_token: '****abcd' });
    expect(d).toEqual({ account_sid: 'AC' + '0'.repeat(32), auth_token: '' });
    expect(credentialsBody('twilio', d, false)).toEqual({ account_sid: 'AC' + '0'.repeat(32) });
    expect(credentialsBody('twilio', { ...d, auth_token: 'new-token' }, false)).toEqual({ account_sid: 'AC' + '0'.repeat(32), auth_token: 'new-token' });
  });

  it('a new account leaves out an empty required secret (the API names it)', () => {
    expect(credentialsBody('csctelecom', { api_key: '', base_url: 'https://x.example' }, true)).toEqual({ base_url: 'https://x.example' });
  });

  it('sends the fields a method hides as empty, so stale values do not fail the save', () => {
    const d = draftCredentials('skebby', { method: 'classic_plus', username: 'u', password: '****', sender: 'Shop', delivery_report: true });
    expect(credentialsBody('skebby', { ...d, method: 'basic' }, false)).toEqual({ method: 'basic', username: 'u', sender: null, delivery_report: false });
    expect(credentialsBody('skebby', d, false)).toEqual({ method: 'classic_plus', username: 'u', sender: 'Shop', delivery_report: true });
  });

  it('says what a secret input keeps', () => {
    expect(secretPlaceholder('****abcd', false)).toBe('unchanged (****abcd)');
    expect(secretPlaceholder(null, false)).toBe('not set');
    expect(secretPlaceholder('****abcd', true)).toBe('');
  });
});

describe('dispositions tree', () => {
  const flat = [
    { id: 1, parent_id: null, name: 'Sale' },
    { id: 2, parent_id: 1, name: 'Online' },
    { id: 3, parent_id: 2, name: 'Card' },
    { id: 4, parent_id: null, name: 'No sale' },
    { id: 5, parent_id: 1, name: 'Shop' },
    { id: 6, parent_id: 99, name: 'Orphan' },
  ];

  it('nests children under parents, keeping the order, with levels', () => {
    const roots = buildTree(flat);
    expect(roots.map((n) => n.item.name)).toEqual(['Sale', 'No sale', 'Orphan']);
    const sale = roots[0]!;
    expect(sale.children.map((n) => [n.item.name, n.level])).toEqual([
      ['Online', 2],
      ['Shop', 2],
    ]);
    expect(sale.children[0]!.children.map((n) => [n.item.name, n.level])).toEqual([['Card', 3]]);
    expect(descendantCount(sale)).toBe(3);
    expect(descendantCount(roots[1]!)).toBe(0);
  });

  it('nests a child listed before its parent', () => {
    const shape = (items: typeof flat) => JSON.stringify(buildTree(items).map(function f(n): unknown {
      return [n.item.id, n.level, n.children.map(f)];
    }));
    const children = shape([flat[2]!, flat[1]!, flat[0]!]);
    expect(children).toBe('[[1,1,[[2,2,[[3,3,[]]]]]]]');
  });

  it('cuts a cycle instead of looping', () => {
    const roots = buildTree([
      { id: 1, parent_id: 2, name: 'a' },
      { id: 2, parent_id: 1, name: 'b' },
    ]);
    expect(roots.length).toBeGreaterThan(0);
  });
});

describe('sorting and variables', () => {
  const items = [
    { name: 'b', key: 'K2', type: 'twilio', phone: '' },
    { name: 'A', key: 'k10', type: 'plivo', phone: '+391' },
    { name: 'c', key: 'K1', type: 'plivo', phone: '+390' },
  ];
  it('sorts case-insensitively with empty values last, then by name', () => {
    expect(sortAccounts(items, 'name', false).map((x) => x.name)).toEqual(['A', 'b', 'c']);
    expect(sortAccounts(items, 'name', true).map((x) => x.name)).toEqual(['c', 'b', 'A']);
    expect(sortAccounts(items, 'key', false).map((x) => x.key)).toEqual(['K1', 'K2', 'k10']);
    expect(sortAccounts(items, 'type', false).map((x) => x.name)).toEqual(['A', 'c', 'b']);
    expect(sortAccounts(items, 'phone', true).map((x) => x.name)).toEqual(['A', 'c', 'b']);
  });

  it('inserts a variable at the caret, replacing a selection', () => {
    expect(insertVariable('Hi !', 'agent.alias', 3, 3)).toEqual({ text: 'Hi {{agent.alias}}!', caret: 18 });
    expect(insertVariable('Hi XX', 'contact.first_name', 3, 5)).toEqual({ text: 'Hi {{contact.first_name}}', caret: 25 });
    expect(insertVariable('', 'account.key', 10, 10).text).toBe('{{account.key}}');
  });
});
