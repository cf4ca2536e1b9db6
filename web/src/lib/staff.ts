/**
 * The staff API of the admin console (docs/openapi.json, tags agents, queues, users, profiles).
 * Answers are untrusted: lists and objects are shape-checked before the views use them.
 */
import { call, type ApiError, type ApiResult, type Session } from './auth';

export type Json = Record<string, unknown>;

export interface Page<T> {
  items: T[];
  total: number;
}

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(): ApiResult<never> {
  return { ok: false, error: { status: -1, code: null, detail: null, errors: [], retryAfter: null } };
}

/** A call whose answer must be an object. */
export async function getObject(method: string, path: string, body?: unknown): Promise<ApiResult<Json>> {
  const r = await call(method, path, body);
  if (!r.ok) return r;
  return isRecord(r.value) ? { ok: true, value: r.value } : bad();
}

/** A call answering 204 (or anything) whose body is not used. */
export async function send(method: string, path: string, body?: unknown): Promise<ApiResult<null>> {
  const r = await call(method, path, body);
  return r.ok ? { ok: true, value: null } : r;
}

/** A {items, total} list of objects with a numeric id. */
export async function getPage(path: string): Promise<ApiResult<Page<Json>>> {
  const r = await call('GET', path);
  if (!r.ok) return r;
  const v = r.value;
  if (!isRecord(v) || !Array.isArray(v['items'])) return bad();
  const items = v['items'].filter((x): x is Json => isRecord(x) && typeof x['id'] === 'number');
  const total = typeof v['total'] === 'number' ? v['total'] : items.length;
  return { ok: true, value: { items, total } };
}

/** True when the route is not there (a feature another part of the server brings). */
export function isMissingRoute(e: ApiError): boolean {
  return e.status === 404 || e.status === 405;
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
export const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/* ---- agents settings schema (GET /agents/schema) ---------------------------------------- */

export type FieldType = 'boolean' | 'integer' | 'string' | 'enum' | 'enum_list' | 'bool_map';

export interface SettingField {
  name: string;
  label: string;
  section: string;
  type: FieldType;
  nullable: boolean;
  defaults: Record<string, unknown>;
  typologies: string[];
  min: number | null;
  max: number | null;
  maxLength: number | null;
  choices: string[];
}

export interface AgentSchema {
  typologies: string[];
  sections: { id: string; label: string }[];
  fields: SettingField[];
}

const FIELD_TYPES = new Set(['boolean', 'integer', 'string', 'enum', 'enum_list', 'bool_map']);

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function parseSchema(v: unknown): AgentSchema | null {
  if (!isRecord(v) || !Array.isArray(v['fields']) || !Array.isArray(v['sections'])) return null;
  const sections = v['sections']
    .filter(isRecord)
    .map((s) => ({ id: str(s['id']), label: str(s['label']) }))
    .filter((s) => s.id);
  const fields: SettingField[] = [];
  for (const f of v['fields']) {
    if (!isRecord(f) || typeof f['name'] !== 'string' || !FIELD_TYPES.has(str(f['type']))) continue;
    fields.push({
      name: f['name'],
      label: str(f['label']) || f['name'],
      section: str(f['section']),
      type: f['type'] as FieldType,
      nullable: f['nullable'] === true,
      defaults: isRecord(f['defaults']) ? f['defaults'] : {},
      typologies: strings(f['typologies']),
      min: num(f['min']),
      max: num(f['max']),
      maxLength: num(f['max_length']),
      choices: strings(f['choices']),
    });
  }
  return { typologies: strings(v['typologies']), sections, fields };
}

let schemaCache: Promise<ApiResult<AgentSchema>> | null = null;

/** The agent settings schema, fetched once per page load (it changes only with the server). */
export function fetchAgentSchema(): Promise<ApiResult<AgentSchema>> {
  if (!schemaCache) {
    schemaCache = call('GET', '/agents/schema').then((r) => {
      if (!r.ok) {
        schemaCache = null;
        return r;
      }
      const s = parseSchema(r.value);
      return s ? { ok: true as const, value: s } : bad();
    });
  }
  return schemaCache;
}

/* ---- roles and sections ------------------------------------------------------------------ */

/** May the session do `action` (read, edit, delete) in console section `section`? */
export function can(session: Session, section: string, action: string): boolean {
  if (session.user.role === 'admin') return true;
  if (session.user.role !== 'user' || !session.permissions) return false;
  return (session.permissions[section] ?? []).includes(action);
}

export const CHANNELS = ['voice', 'chat', 'email', 'sms', 'openchannel', 'fax', 'whatsapp'] as const;
export const CHANNEL_LABELS: Record<string, string> = {
  voice: 'Voice',
  chat: 'Chat',
  email: 'E-mail',
  sms: 'SMS',
  openchannel: 'Open Channel',
  fax: 'Fax',
  whatsapp: 'WhatsApp',
};
export const TYPOLOGY_LABELS: Record<string, string> = {
  phonebar: 'Phonebar',
  external: 'External',
  webrtc: 'WebRTC',
  mobile: 'Mobile',
};

/** Every queue (all pages), for pickers. */
export async function fetchAllQueues(): Promise<ApiResult<Json[]>> {
  const out: Json[] = [];
  for (let offset = 0; offset < 100000; offset += 500) {
    const r = await getPage(`/queues?limit=500&offset=${offset}`);
    if (!r.ok) return r;
    out.push(...r.value.items);
    if (r.value.items.length < 500) break;
  }
  return { ok: true, value: out };
}
