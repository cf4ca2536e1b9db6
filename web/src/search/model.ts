/**
 * The advanced search of the interaction lists (docs/interactions-search.md, the `q` language):
 * a pure model of the builder — the fields the server offers (GET /interactions/search-fields),
 * the conditions the user adds, edits, disables and deletes, and their translation into the
 * `q` JSON with validation messages per condition. No DOM, no fetch: unit-tested in
 * model.test.ts.
 */

export type FieldType = 'integer' | 'text' | 'enum' | 'boolean' | 'datetime';

export const OPS = ['equals', 'not_equals', 'contains', 'starts_with', 'ends_with', 'gt', 'lt', 'between', 'empty', 'not_empty'] as const;
export type Op = (typeof OPS)[number];

export const OP_LABELS: Record<Op, string> = {
  equals: 'equals',
  not_equals: 'does not equal',
  contains: 'contains',
  starts_with: 'starts with',
  ends_with: 'ends with',
  gt: 'is greater than',
  lt: 'is less than',
  between: 'is between',
  empty: 'is empty',
  not_empty: 'is not empty',
};

/** Labels of the operators of date fields, where greater/less read as after/before. */
const DATE_OP_LABELS: Partial<Record<Op, string>> = { gt: 'is after', lt: 'is before' };

/** The operators each type allows, in menu order (the contract's lists). */
export const TYPE_OPS: Record<FieldType, readonly Op[]> = {
  text: ['equals', 'not_equals', 'contains', 'starts_with', 'ends_with', 'empty', 'not_empty'],
  integer: ['equals', 'not_equals', 'gt', 'lt', 'between', 'empty', 'not_empty'],
  datetime: ['equals', 'not_equals', 'gt', 'lt', 'between', 'empty', 'not_empty'],
  enum: ['equals', 'not_equals'],
  boolean: ['equals', 'not_equals'],
};

export interface SearchField {
  name: string;
  label: string;
  type: FieldType;
  /** Operators this field allows (a subset of its type's). */
  ops: Op[];
  /** Enum fields: the allowed values. */
  values: string[];
}

export const MAX_CONDITIONS = 20;
/** Longest text value the builder accepts (the server caps values too). */
export const MAX_TEXT = 256;

/**
 * A condition as the user typed it: values stay strings until `toQuery` checks and converts
 * them. `value2` is the upper bound of `between`. `key` identifies it in the list (stable while
 * editing; never sent).
 */
export interface Condition {
  key: number;
  field: string;
  op: Op;
  value: string;
  value2: string;
  disabled: boolean;
}

export type Draft = Omit<Condition, 'key' | 'disabled'>;

export interface Search {
  match: 'all' | 'any';
  conditions: Condition[];
}

export const emptySearch: Search = { match: 'all', conditions: [] };

/** The `q` JSON the API takes. */
export interface QCondition {
  field: string;
  op: Op;
  value?: string | number | boolean | [string | number, string | number];
  disabled: boolean;
}
export interface Q {
  match: 'all' | 'any';
  conditions: QCondition[];
}

/** A problem with one part of one condition (index into Search.conditions). */
export interface ConditionError {
  index: number;
  part: 'field' | 'op' | 'value';
  message: string;
}

/* ---- the fields ------------------------------------------------------------------------- */

const LABELS: Record<string, string> = {
  id: 'ID',
  status: 'Status',
  read: 'Read',
  'contact.first_name': 'Contact first name',
  'contact.last_name': 'Contact last name',
  'contact.phone': 'Contact phone',
  'contact.email': 'Contact e-mail',
  agent: 'Agent',
  queue: 'Queue',
  disposition: 'Disposition',
  tags: 'Tags',
  created_at: 'Created',
  closed_at: 'Closed',
  last_message_at: 'Last message',
  message: 'Message text',
};

/** The contract's field list: used when the server does not offer GET …/search-fields. */
export const DEFAULT_FIELDS: SearchField[] = [
  f('id', 'integer'),
  f('status', 'enum', ['open', 'closed']),
  f('read', 'boolean'),
  f('contact.first_name', 'text'),
  f('contact.last_name', 'text'),
  f('contact.phone', 'text'),
  f('contact.email', 'text'),
  f('agent', 'integer'),
  f('queue', 'integer'),
  f('disposition', 'text'),
  f('tags', 'text'),
  { ...f('created_at', 'datetime'), ops: ['gt', 'lt', 'between', 'empty', 'not_empty'] },
  { ...f('closed_at', 'datetime'), ops: ['gt', 'lt', 'between', 'empty', 'not_empty'] },
  { ...f('last_message_at', 'datetime'), ops: ['gt', 'lt', 'between', 'empty', 'not_empty'] },
  { ...f('message', 'text'), ops: ['contains', 'equals', 'starts_with', 'ends_with'] },
];

function f(name: string, type: FieldType, values: string[] = []): SearchField {
  return { name, label: LABELS[name] ?? name, type, ops: [...TYPE_OPS[type]], values };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const TYPES: readonly string[] = ['integer', 'text', 'enum', 'boolean', 'datetime'];
const TYPE_ALIASES: Record<string, FieldType> = { number: 'integer', string: 'text', date: 'datetime', bool: 'boolean' };

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * The answer of GET /interactions/search-fields ({items|fields: [{name, type, ops, values?,
 * label?}]} or a bare array): untrusted, so unknown types and operators are dropped and the
 * operators are limited to those the type allows. Null when nothing usable is in it.
 */
export function parseFields(v: unknown): SearchField[] | null {
  const list = Array.isArray(v) ? v : isRecord(v) ? (Array.isArray(v['items']) ? v['items'] : Array.isArray(v['fields']) ? v['fields'] : null) : null;
  if (!list) return null;
  const out: SearchField[] = [];
  for (const x of list) {
    if (!isRecord(x)) continue;
    const name = typeof x['name'] === 'string' ? x['name'] : typeof x['field'] === 'string' ? x['field'] : '';
    const rawType = typeof x['type'] === 'string' ? x['type'] : '';
    const type = (TYPES.includes(rawType) ? rawType : TYPE_ALIASES[rawType]) as FieldType | undefined;
    if (!name || !type || out.some((o) => o.name === name)) continue;
    const allowed = TYPE_OPS[type];
    const given = strings(x['ops'] ?? x['operators']).filter((o): o is Op => (allowed as readonly string[]).includes(o));
    const ops = given.length ? allowed.filter((o) => given.includes(o)) : [...allowed];
    const values = strings(x['values'] ?? x['choices'] ?? x['enum']);
    if (type === 'enum' && !values.length) continue;
    const label = typeof x['label'] === 'string' && x['label'] ? x['label'] : (LABELS[name] ?? name);
    out.push({ name, label, type, ops, values });
  }
  return out.length ? out : null;
}

export function fieldOf(fields: SearchField[], name: string): SearchField | undefined {
  return fields.find((x) => x.name === name);
}

/** The operator's label for this field (dates read "is after / is before"). */
export function opLabel(field: SearchField | undefined, op: Op): string {
  return (field?.type === 'datetime' ? DATE_OP_LABELS[op] : undefined) ?? OP_LABELS[op];
}

/** What value input an operator needs: none, one, or two (between). */
export function arity(op: Op): 0 | 1 | 2 {
  return op === 'empty' || op === 'not_empty' ? 0 : op === 'between' ? 2 : 1;
}

/** A fresh draft on `field`: its first operator, its first enum value, else empty values. */
export function newDraft(field: SearchField): Draft {
  return { field: field.name, op: field.ops[0] ?? 'equals', value: defaultValue(field), value2: '' };
}

function defaultValue(field: SearchField): string {
  if (field.type === 'enum') return field.values[0] ?? '';
  if (field.type === 'boolean') return 'true';
  return '';
}

/**
 * The draft after the user picks another field: the operator is kept when the new field
 * allows it, values are kept when the type is the same.
 */
export function changeField(d: Draft, field: SearchField, fields: SearchField[]): Draft {
  const old = fieldOf(fields, d.field);
  const op = field.ops.includes(d.op) ? d.op : (field.ops[0] ?? 'equals');
  if (old && old.type === field.type && field.type !== 'enum') return { ...d, field: field.name, op };
  return { field: field.name, op, value: defaultValue(field), value2: '' };
}

/* ---- editing the list --------------------------------------------------------------------- */

let nextKey = 1;

/** The search with `d` added at the end (enabled). The caller validates first (`checkDraft`). */
export function addCondition(s: Search, d: Draft): Search {
  return { ...s, conditions: [...s.conditions, { ...d, key: nextKey++, disabled: false }] };
}

/** The search with condition `key` replaced by `d` (its place and disabled flag kept). */
export function updateCondition(s: Search, key: number, d: Draft): Search {
  return { ...s, conditions: s.conditions.map((c) => (c.key === key ? { ...c, ...d } : c)) };
}

/** Disables an enabled condition, enables a disabled one. */
export function toggleCondition(s: Search, key: number): Search {
  return { ...s, conditions: s.conditions.map((c) => (c.key === key ? { ...c, disabled: !c.disabled } : c)) };
}

export function removeCondition(s: Search, key: number): Search {
  return { ...s, conditions: s.conditions.filter((c) => c.key !== key) };
}

export function clearConditions(s: Search): Search {
  return { ...s, conditions: [] };
}

export function setMatch(s: Search, match: 'all' | 'any'): Search {
  return { ...s, match };
}

/* ---- values ---------------------------------------------------------------------------------- */

/** "2026-12-01T10:00" (a datetime-local input, the browser's zone) → ISO 8601 UTC, or null. */
export function localToIso(v: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(v)) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** ISO 8601 → the datetime-local form of the same instant in the browser's zone ("" if bad). */
export function isoToLocal(v: string): string {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

type One = { ok: true; value: string | number | boolean } | { ok: false; message: string };

function convert(field: SearchField, raw: string): One {
  const v = raw.trim();
  switch (field.type) {
    case 'integer':
      if (!/^-?\d{1,15}$/.test(v)) return { ok: false, message: 'Enter a whole number.' };
      return { ok: true, value: Number(v) };
    case 'datetime': {
      const iso = localToIso(v);
      return iso ? { ok: true, value: iso } : { ok: false, message: 'Enter a date and time.' };
    }
    case 'enum':
      return field.values.includes(v) ? { ok: true, value: v } : { ok: false, message: 'Choose a value.' };
    case 'boolean':
      return v === 'true' || v === 'false' ? { ok: true, value: v === 'true' } : { ok: false, message: 'Choose a value.' };
    case 'text':
      if (!v) return { ok: false, message: 'Enter a value.' };
      if (v.length > MAX_TEXT) return { ok: false, message: `At most ${MAX_TEXT} characters.` };
      return { ok: true, value: v };
  }
}

/**
 * Checks one condition against the fields and converts it to its `q` form. Errors name the
 * part to fix (field, op, value) with a sentence for the user.
 */
export function compileCondition(c: Draft & { disabled?: boolean }, fields: SearchField[]): { ok: true; q: QCondition } | { ok: false; errors: Omit<ConditionError, 'index'>[] } {
  const field = fieldOf(fields, c.field);
  if (!field) return { ok: false, errors: [{ part: 'field', message: 'Choose a field.' }] };
  if (!field.ops.includes(c.op)) return { ok: false, errors: [{ part: 'op', message: `Choose an operator ${field.label} allows.` }] };
  const base = { field: field.name, op: c.op, disabled: c.disabled === true };
  const n = arity(c.op);
  if (n === 0) return { ok: true, q: base };
  const a = convert(field, c.value);
  if (n === 1) return a.ok ? { ok: true, q: { ...base, value: a.value } } : { ok: false, errors: [{ part: 'value', message: a.message }] };
  const b = convert(field, c.value2);
  if (!a.ok || !b.ok) return { ok: false, errors: [{ part: 'value', message: `Enter both bounds. ${!a.ok ? a.message : (b as { message: string }).message}` }] };
  const lo = a.value as string | number;
  const hi = b.value as string | number;
  if (typeof lo === 'number' ? lo > (hi as number) : Date.parse(lo as string) > Date.parse(hi as string)) {
    return { ok: false, errors: [{ part: 'value', message: 'The first bound must not be after the second.' }] };
  }
  return { ok: true, q: { ...base, value: [lo, hi] } };
}

/** Errors of a draft about to be added or saved (empty when it may be). */
export function checkDraft(d: Draft, fields: SearchField[], s: Search, editing: number | null): Omit<ConditionError, 'index'>[] {
  if (editing === null && s.conditions.length >= MAX_CONDITIONS) return [{ part: 'field', message: `At most ${MAX_CONDITIONS} conditions.` }];
  const r = compileCondition(d, fields);
  return r.ok ? [] : r.errors;
}

/**
 * The `q` JSON of the whole search, or the problems of its conditions. Disabled conditions are
 * sent (with disabled: true) so the server's answer and a reload keep them; they must still be
 * well-formed. Null q when there is no condition at all (the list is not filtered).
 */
export function toQuery(s: Search, fields: SearchField[]): { ok: true; q: Q | null } | { ok: false; errors: ConditionError[] } {
  if (s.conditions.length > MAX_CONDITIONS) return { ok: false, errors: [{ index: MAX_CONDITIONS, part: 'field', message: `At most ${MAX_CONDITIONS} conditions.` }] };
  const out: QCondition[] = [];
  const errors: ConditionError[] = [];
  s.conditions.forEach((c, index) => {
    const r = compileCondition(c, fields);
    if (r.ok) out.push(r.q);
    else errors.push(...r.errors.map((e) => ({ ...e, index })));
  });
  if (errors.length) return { ok: false, errors };
  return { ok: true, q: out.length ? { match: s.match, conditions: out } : null };
}

/** How many conditions take part in the search (enabled ones). */
export function activeCount(s: Search): number {
  return s.conditions.filter((c) => !c.disabled).length;
}

/**
 * The place a server error names: "q.conditions[2].value" → {index 2, part value}. Null for
 * anything else (a simple filter, "q" itself).
 */
export function serverErrorPlace(field: string): { index: number; part: 'field' | 'op' | 'value' } | null {
  const m = /^q\.conditions\[(\d+)\](?:\.(field|op|value))?(?:\[\d+\])?$/.exec(field);
  if (!m) return null;
  return { index: Number(m[1]), part: (m[2] as 'field' | 'op' | 'value' | undefined) ?? 'value' };
}

/* ---- words ---------------------------------------------------------------------------------- */

function shown(field: SearchField | undefined, raw: string): string {
  if (!field) return raw;
  if (field.type === 'boolean') return field.name === 'read' ? (raw === 'true' ? 'read' : 'unread') : raw === 'true' ? 'yes' : 'no';
  if (field.type === 'datetime') {
    const iso = localToIso(raw);
    return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : raw;
  }
  if (field.type === 'text') return `“${raw.trim()}”`;
  return raw.trim();
}

/** A condition in words, for its chip: "Contact last name contains “Rossi”". */
export function describe(c: Draft, fields: SearchField[]): string {
  const field = fieldOf(fields, c.field);
  const head = `${field?.label ?? c.field} ${opLabel(field, c.op)}`;
  const n = arity(c.op);
  if (n === 0) return head;
  if (n === 1) return `${head} ${shown(field, c.value)}`;
  return `${head} ${shown(field, c.value)} and ${shown(field, c.value2)}`;
}

/* ---- restoring from a q (the URL) ----------------------------------------------------------- */

/**
 * The builder's search from a `q` JSON (e.g. kept in the page's address): conditions whose
 * field or operator is unknown are dropped. Datetime values come back in the local zone.
 */
export function fromQuery(v: unknown, fields: SearchField[]): Search {
  if (!isRecord(v) || !Array.isArray(v['conditions'])) return emptySearch;
  const match = v['match'] === 'any' ? 'any' : 'all';
  const conditions: Condition[] = [];
  for (const c of v['conditions'].slice(0, MAX_CONDITIONS)) {
    if (!isRecord(c) || typeof c['field'] !== 'string' || typeof c['op'] !== 'string') continue;
    const field = fieldOf(fields, c['field']);
    const op = c['op'] as Op;
    if (!field || !field.ops.includes(op)) continue;
    const raw = (x: unknown): string => (x === undefined || x === null ? '' : field.type === 'datetime' && typeof x === 'string' ? isoToLocal(x) : String(x));
    const val = c['value'];
    const [a, b] = Array.isArray(val) ? [raw(val[0]), raw(val[1])] : [raw(val), ''];
    conditions.push({ key: nextKey++, field: field.name, op, value: a, value2: b, disabled: c['disabled'] === true });
  }
  return { match, conditions };
}
