/**
 * SMS accounts in the console (docs/sms.md): the eleven provider types and the credentials each
 * takes, the credentials body a save sends, the dispositions tree, list sorting. Pure: no DOM,
 * no fetch, so Vitest covers it (sms.test.ts).
 */

export const SMS_TYPES = ['twilio', 'skebby', 'connectel', 'clicksend', 'plivo', 'clickatell', 'csctelecom', 'infobip', 'intelepeer', 'bandwidth', 'telnyx'] as const;
export type SmsType = (typeof SMS_TYPES)[number];

export const SMS_TYPE_LABELS: Record<SmsType, string> = {
  twilio: 'Twilio',
  skebby: 'Skebby',
  connectel: 'Connectel',
  clicksend: 'ClickSend',
  plivo: 'Plivo',
  clickatell: 'Clickatell',
  csctelecom: 'CSCTelecom',
  infobip: 'Infobip',
  intelepeer: 'IntelePeer',
  bandwidth: 'Bandwidth',
  telnyx: 'Telnyx',
};

export function isSmsType(v: unknown): v is SmsType {
  return typeof v === 'string' && (SMS_TYPES as readonly string[]).includes(v);
}

/** text: 1–256 characters; secret: the same, masked in answers; bool: a toggle; method: Skebby's. */
export type CredKind = 'text' | 'secret' | 'bool' | 'method';

export interface CredField {
  name: string;
  label: string;
  kind: CredKind;
  required: boolean;
  hint?: string;
  /** Shown (and sent) only when this holds for the draft credentials; otherwise sent empty. */
  when?: (creds: Record<string, unknown>) => boolean;
}

export const SKEBBY_METHODS = [
  { value: 'basic', label: 'Basic' },
  { value: 'classic', label: 'Classic' },
  { value: 'classic_plus', label: 'Classic+' },
];

const SENDER_HINT = 'A phone number or 1–11 letters, digits or spaces: the name shown to the recipient.';
const DLR_HINT = 'The provider posts delivery reports to the Delivery URL shown below.';
const skebbyClassic = (c: Record<string, unknown>) => c['method'] === 'classic' || c['method'] === 'classic_plus';
const skebbyPlus = (c: Record<string, unknown>) => c['method'] === 'classic_plus';

/** Exactly the credentials the API takes for each type (src/channels/sms/sms_types.c). */
export const SMS_TYPE_FIELDS: Record<SmsType, CredField[]> = {
  twilio: [
    { name: 'account_sid', label: 'Account SID', kind: 'text', required: true, hint: '"AC" and 32 hexadecimal digits, from the Twilio console.' },
    { name: 'auth_token', label: 'Auth Token', kind: 'secret', required: true },
  ],
  skebby: [
    { name: 'method', label: 'Method', kind: 'method', required: true },
    { name: 'username', label: 'Username', kind: 'text', required: true },
    { name: 'password', label: 'Password', kind: 'secret', required: true },
    { name: 'sender', label: 'Sender', kind: 'text', required: false, hint: `${SENDER_HINT} Classic and Classic+ only.`, when: skebbyClassic },
    { name: 'delivery_report', label: 'Delivery report', kind: 'bool', required: false, hint: `${DLR_HINT} Classic+ only.`, when: skebbyPlus },
  ],
  connectel: [
    { name: 'auth_token', label: 'Auth Token', kind: 'secret', required: true },
    { name: 'sender', label: 'Sender', kind: 'text', required: false, hint: SENDER_HINT },
    { name: 'delivery_report', label: 'Delivery report', kind: 'bool', required: false, hint: DLR_HINT },
  ],
  clicksend: [
    { name: 'username', label: 'Username', kind: 'text', required: true },
    { name: 'password', label: 'Password', kind: 'secret', required: false, hint: 'The password or the API key.' },
    { name: 'api_key', label: 'API Key', kind: 'secret', required: false, hint: 'The API key or the password.' },
    { name: 'sender', label: 'Sender', kind: 'text', required: false, hint: SENDER_HINT },
    { name: 'delivery_report', label: 'Delivery report', kind: 'bool', required: false, hint: DLR_HINT },
  ],
  plivo: [
    { name: 'auth_id', label: 'Auth ID', kind: 'text', required: true, hint: '20 capital letters or digits, from the Plivo console.' },
    { name: 'auth_token', label: 'Auth Token', kind: 'secret', required: true },
    { name: 'sender', label: 'Sender', kind: 'text', required: false, hint: `${SENDER_HINT} Plivo must enable it.` },
  ],
  clickatell: [{ name: 'api_key', label: 'API Key', kind: 'secret', required: true, hint: 'The API key of the Clickatell integration.' }],
  csctelecom: [
    { name: 'api_key', label: 'API Key', kind: 'secret', required: true },
    { name: 'base_url', label: 'Base URL', kind: 'text', required: true, hint: 'https:// and a host name, from CSCTelecom.' },
  ],
  infobip: [
    { name: 'username', label: 'Username', kind: 'text', required: true },
    { name: 'password', label: 'Password', kind: 'secret', required: true },
    { name: 'base_url', label: 'Base URL', kind: 'text', required: true, hint: 'https://<your id>.api.infobip.com' },
  ],
  intelepeer: [{ name: 'api_key', label: 'API Key', kind: 'secret', required: true, hint: 'Generated on the IntelePeer Customer Portal.' }],
  bandwidth: [
    { name: 'account_id', label: 'Account ID', kind: 'text', required: true, hint: '1–16 digits.' },
    { name: 'username', label: 'Username', kind: 'text', required: true },
    { name: 'password', label: 'Password', kind: 'secret', required: true },
    { name: 'application_id', label: 'Application ID', kind: 'text', required: true },
  ],
  telnyx: [
    { name: 'api_key', label: 'API Key', kind: 'secret', required: true },
    { name: 'public_key', label: 'Webhook public key', kind: 'text', required: true, hint: 'The base64 Ed25519 public key of the Telnyx portal: webhooks are checked with it.' },
  ],
};

/** Types whose account needs the phone number (the API refuses them without). */
export const PHONE_REQUIRED: ReadonlySet<string> = new Set(['intelepeer', 'bandwidth']);

/** What to do with the Receive URL (seed 004, per provider). */
export const RECEIVE_HELP: Record<SmsType, string> = {
  twilio: 'Paste the Receive URL in the Twilio number’s messaging webhook. Requests are checked with the Auth Token’s signature.',
  skebby: 'Paste the Receive URL in the Skebby provider setup.',
  connectel: 'Paste the Receive URL in the Connectel provider setup.',
  clicksend: 'Paste the Receive URL in the ClickSend inbound rule.',
  plivo: 'Paste the Receive URL as the message URL of the Plivo application. Requests are checked with the Auth Token’s signature.',
  clickatell: 'Paste the Receive URL in the Clickatell integration.',
  csctelecom: 'Paste the Receive URL and the Delivery URL in the CSCTelecom setup. The Delivery URL ends with <Message-Id> and <State>: CSCTelecom fills them in; do not change them.',
  infobip: 'Send the Receive URL to the Infobip Support Team and wait for it to be activated before using the account.',
  intelepeer: 'On the IntelePeer Customer Portal, open the number’s webhook editor and paste the Receive URL.',
  bandwidth: 'Paste the Receive URL as the callback URL of the Bandwidth application, with this account’s username and password as its callback credentials.',
  telnyx: 'Paste the Receive URL as the webhook URL of the Telnyx messaging profile. Requests are checked with the webhook public key.',
};

/** The fields of `type` shown for the draft credentials (Skebby's depend on the method). */
export function visibleFields(type: string, creds: Record<string, unknown>): CredField[] {
  if (!isSmsType(type)) return [];
  return SMS_TYPE_FIELDS[type].filter((f) => !f.when || f.when(creds));
}

/** The empty draft of a type: Skebby starts with the Basic method, toggles off. */
export function emptyCredentials(type: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isSmsType(type)) return out;
  for (const f of SMS_TYPE_FIELDS[type]) out[f.name] = f.kind === 'bool' ? false : f.kind === 'method' ? 'basic' : '';
  return out;
}

/**
 * The draft of a stored account's credentials: non-secret values as the API answers them,
 * secrets empty (the API only answers their masked form; empty = unchanged).
 */
export function draftCredentials(type: string, answered: unknown): Record<string, unknown> {
  const out = emptyCredentials(type);
  if (!isSmsType(type) || typeof answered !== 'object' || answered === null) return out;
  const a = answered as Record<string, unknown>;
  for (const f of SMS_TYPE_FIELDS[type]) {
    const v = a[f.name];
    if (f.kind === 'secret') continue;
    if (f.kind === 'bool') out[f.name] = v === true;
    else if (typeof v === 'string') out[f.name] = v;
  }
  return out;
}

/**
 * The `credentials` member of a save. Text fields: the draft's value, empty = null (the API
 * names a required one). Secrets: sent only when typed, so an edit keeps the stored one —
 * unless `fresh` (a new account, or a change of type: the API starts from empty credentials).
 * Fields hidden for the draft (Skebby's sender with Basic) are sent empty so a stale stored
 * value does not make the save fail.
 */
export function credentialsBody(type: string, draft: Record<string, unknown>, fresh: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isSmsType(type)) return out;
  for (const f of SMS_TYPE_FIELDS[type]) {
    const shown = !f.when || f.when(draft);
    const v = draft[f.name];
    if (f.kind === 'bool') {
      out[f.name] = shown && v === true;
      continue;
    }
    const s = typeof v === 'string' ? v.trim() : '';
    if (!shown) {
      out[f.name] = null;
    } else if (f.kind === 'secret') {
      if (s) out[f.name] = s;
      else if (fresh && !f.required) out[f.name] = null;
      // empty secret of an edit: omitted, the stored one is kept; of a new account: omitted,
      // the API answers "is required" for a required one.
    } else {
      out[f.name] = s ? s : null;
    }
  }
  return out;
}

/** The placeholder of a secret input: what is stored, masked, or that nothing is. */
export function secretPlaceholder(masked: unknown, fresh: boolean): string {
  if (fresh) return '';
  if (typeof masked === 'string' && masked) return `unchanged (${masked})`;
  return 'not set';
}

/* ---- dispositions tree -------------------------------------------------------------------- */

export interface TreeItem {
  id: number;
  parent_id: number | null;
  name: string;
}

export interface TreeNode<T extends TreeItem> {
  item: T;
  level: number;
  children: TreeNode<T>[];
}

/**
 * Nests a flat list by parent_id, keeping the list's order among siblings. An item whose parent
 * is not in the list becomes a root; cycles (which the API never answers) are cut.
 */
export function buildTree<T extends TreeItem>(items: T[]): TreeNode<T>[] {
  const byId = new Map<number, TreeNode<T>>();
  for (const item of items) if (!byId.has(item.id)) byId.set(item.id, { item, level: 1, children: [] });
  const roots: TreeNode<T>[] = [];
  for (const node of byId.values()) {
    const p = node.item.parent_id;
    const parent = p === null ? undefined : byId.get(p);
    if (!parent || parent === node || isAncestor(node, parent)) roots.push(node);
    else parent.children.push(node);
  }
  const setLevels = (nodes: TreeNode<T>[], level: number) => {
    for (const n of nodes) {
      n.level = level;
      setLevels(n.children, level + 1);
    }
  };
  setLevels(roots, 1);
  return roots;
}

function isAncestor<T extends TreeItem>(node: TreeNode<T>, of: TreeNode<T>): boolean {
  const stack = [...node.children];
  while (stack.length) {
    const n = stack.pop() as TreeNode<T>;
    if (n === of) return true;
    stack.push(...n.children);
  }
  return false;
}

/** How many nodes are below `node` (children, grandchildren). */
export function descendantCount<T extends TreeItem>(node: TreeNode<T>): number {
  let n = 0;
  for (const c of node.children) n += 1 + descendantCount(c);
  return n;
}

/** Dispositions have at most three levels: a level-3 one takes no child. */
export const MAX_DISPOSITION_LEVEL = 3;

/* ---- list sorting ------------------------------------------------------------------------- */

export type SmsSortKey = 'name' | 'key' | 'type' | 'phone' | 'created_at';

/** A copy of `items` sorted by `key` (text case-insensitively, empty last), then by name. */
export function sortAccounts<T extends Record<string, unknown>>(items: T[], key: SmsSortKey, desc: boolean): T[] {
  const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  const cmp = (a: T, b: T) => {
    const x = text(a[key]);
    const y = text(b[key]);
    if (!x !== !y) return x ? -1 : 1; // empty values last, whatever the direction
    const c = x.localeCompare(y, undefined, { sensitivity: 'base', numeric: true });
    const r = desc ? -c : c;
    return r || text(a['name']).localeCompare(text(b['name']), undefined, { sensitivity: 'base' });
  };
  return items.slice().sort(cmp);
}

/* ---- canned answers ----------------------------------------------------------------------- */

/** The variables a canned answer's body may use (docs/sms.md). */
export const CANNED_VARIABLES: { name: string; meaning: string }[] = [
  { name: 'agent.alias', meaning: 'the agent’s alias, or full name when it has none' },
  { name: 'agent.full_name', meaning: 'the agent’s full name' },
  { name: 'agent.username', meaning: 'the agent’s username' },
  { name: 'agent.internal', meaning: 'the agent’s extension' },
  { name: 'agent.email', meaning: 'the agent’s e-mail' },
  { name: 'contact.first_name', meaning: 'the contact’s first name' },
  { name: 'contact.last_name', meaning: 'the contact’s last name' },
  { name: 'contact.full_name', meaning: 'the contact’s full name' },
  { name: 'contact.phone', meaning: 'the contact’s phone' },
  { name: 'contact.email', meaning: 'the contact’s e-mail' },
  { name: 'interaction.id', meaning: 'the interaction’s number' },
  { name: 'interaction.channel', meaning: 'the interaction’s channel' },
  { name: 'account.name', meaning: 'this account’s name' },
  { name: 'account.key', meaning: 'this account’s key' },
];

/** `text` with `{{name}}` inserted at [start, end) (a selection is replaced); the new caret. */
export function insertVariable(text: string, name: string, start: number, end: number): { text: string; caret: number } {
  const s = Math.max(0, Math.min(start, text.length));
  const e = Math.max(s, Math.min(end, text.length));
  const v = `{{${name}}}`;
  return { text: text.slice(0, s) + v + text.slice(e), caret: s + v.length };
}
