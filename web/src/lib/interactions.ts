/**
 * The interaction lists of the console (docs/interactions-search.md): the list query with its
 * simple filters and the advanced search `q`, the CSV export streamed with progress, bulk
 * delete, spy (read + internal note) and the transcript download. Answers are untrusted:
 * shapes are checked before use. The pure parts (query strings, the CSV row counter) are
 * unit-tested in interactions.test.ts.
 */
import { API_BASE } from './api';
import { call, genericMessage, type ApiError, type ApiResult } from './auth';
import type { Q } from '../search/model';

export type ListChannel = 'sms' | 'openchannel';

export interface ListContact {
  id: number;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  email: string | null;
}

export interface ListItem {
  id: number;
  channel: string;
  account_id: number;
  status: 'open' | 'closed';
  unread: boolean;
  owner_id: number | null;
  owner_name: string | null;
  queue_id: number | null;
  tags: string[];
  disposition: string | null;
  created_at: string;
  closed_at: string | null;
  last_message_at: string | null;
  last_message: string | null;
  contact: ListContact;
}

export interface ListPage {
  items: ListItem[];
  total: number;
}

/** The simple filters above the list (strings as typed; '' = not filtered). */
export interface Filters {
  /** Start date range, yyyy-mm-dd (local days). */
  from: string;
  to: string;
  read: '' | 'true' | 'false';
  status: '' | 'open' | 'closed';
  agentId: string;
  /** Comma-separated tags. */
  tags: string;
}

export const emptyFilters: Filters = { from: '', to: '', read: '', status: '', agentId: '', tags: '' };

export const SORTABLE = ['id', 'created_at', 'last_message_at', 'closed_at', 'status'] as const;
export type SortField = (typeof SORTABLE)[number];
export interface Sort {
  field: SortField;
  desc: boolean;
}
export const defaultSort: Sort = { field: 'created_at', desc: true };

export const PAGE_SIZES = [25, 50, 100] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const intOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

export function parseListItem(v: unknown): ListItem | null {
  if (!isRecord(v) || intOrNull(v['id']) === null) return null;
  const c = isRecord(v['contact']) ? v['contact'] : {};
  return {
    id: v['id'] as number,
    channel: strOrNull(v['channel']) ?? '',
    account_id: intOrNull(v['account_id']) ?? 0,
    status: v['status'] === 'closed' ? 'closed' : 'open',
    unread: v['unread'] === true,
    owner_id: intOrNull(v['owner_id']),
    owner_name: strOrNull(v['owner_name']),
    queue_id: intOrNull(v['queue_id']),
    tags: Array.isArray(v['tags']) ? v['tags'].filter((t): t is string => typeof t === 'string') : [],
    disposition: strOrNull(v['disposition']),
    created_at: strOrNull(v['created_at']) ?? '',
    closed_at: strOrNull(v['closed_at']),
    last_message_at: strOrNull(v['last_message_at']),
    last_message: strOrNull(v['last_message']),
    contact: {
      id: intOrNull(c['id']) ?? 0,
      first_name: strOrNull(c['first_name']),
      last_name: strOrNull(c['last_name']),
      phone: strOrNull(c['phone']),
      email: strOrNull(c['email']),
    },
  };
}

export function parseListPage(v: unknown): ListPage | null {
  if (!isRecord(v) || !Array.isArray(v['items'])) return null;
  const items = v['items'].map(parseListItem).filter((x): x is ListItem => x !== null);
  return { items, total: intOrNull(v['total']) ?? items.length };
}

/** A local day "2026-12-01" → the ISO instant of its start (end: the start of the next day). */
export function dayToIso(day: string, end = false): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const [y, mo, da] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const start = new Date(y, mo, da);
  if (Number.isNaN(start.getTime()) || start.getMonth() !== mo || start.getDate() !== da) return null;
  return (end ? new Date(y, mo, da + 1) : start).toISOString();
}

/** Problems of the simple filters, by filter name ('' when fine). */
export function checkFilters(f: Filters): Partial<Record<keyof Filters, string>> {
  const out: Partial<Record<keyof Filters, string>> = {};
  if (f.from && !dayToIso(f.from)) out.from = 'Enter a date.';
  if (f.to && !dayToIso(f.to)) out.to = 'Enter a date.';
  if (!out.from && !out.to && f.from && f.to && f.from > f.to) out.to = 'The end date must not be before the start date.';
  if (f.agentId && !/^\d{1,15}$/.test(f.agentId.trim())) out.agentId = 'Choose an agent.';
  const tags = tagList(f.tags);
  if (tags.length > 20 || tags.some((t) => t.length > 64)) out.tags = 'At most 20 tags of at most 64 characters.';
  return out;
}

/** The comma-separated tags, trimmed, without empties and duplicates. */
export function tagList(s: string): string[] {
  const out: string[] = [];
  for (const t of s.split(',')) {
    const v = t.trim();
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}

export interface ListParams {
  channel: ListChannel;
  /** null: every account of the channel the caller may see. */
  accountId: number | null;
  filters: Filters;
  q: Q | null;
}

/**
 * The query string shared by the list, the export and (as a body) the bulk delete: channel,
 * account, the simple filters, q. `to` is exclusive of the next day (the whole end day counts).
 */
export function listQuery(p: ListParams, extra: { sort?: Sort; limit?: number; offset?: number; ids?: number[] } = {}): string {
  const u = new URLSearchParams();
  u.set('channel', p.channel);
  if (p.accountId !== null) u.set('account_id', String(p.accountId));
  const f = p.filters;
  const from = f.from ? dayToIso(f.from) : null;
  const to = f.to ? dayToIso(f.to, true) : null;
  if (from) u.set('from', from);
  if (to) u.set('to', to);
  if (f.read) u.set('read', f.read);
  if (f.status) u.set('status', f.status);
  if (f.agentId.trim()) u.set('agent_id', f.agentId.trim());
  const tags = tagList(f.tags);
  if (tags.length) u.set('tags', tags.join(','));
  if (p.q) u.set('q', JSON.stringify(p.q));
  if (extra.sort) u.set('sort', `${extra.sort.desc ? '-' : ''}${extra.sort.field}`);
  if (extra.limit !== undefined) u.set('limit', String(extra.limit));
  if (extra.offset !== undefined) u.set('offset', String(extra.offset));
  if (extra.ids?.length) u.set('ids', extra.ids.join(','));
  return u.toString();
}

/** The body of POST /interactions/delete: the ids, or the whole search. */
export function deleteBody(p: ListParams, ids: number[] | null): Record<string, unknown> {
  const base = { channel: p.channel, ...(p.accountId !== null ? { account_id: p.accountId } : {}) };
  if (ids) return { ...base, ids };
  const u = new URLSearchParams(listQuery(p));
  const body: Record<string, unknown> = { ...base };
  for (const k of ['from', 'to', 'read', 'status', 'agent_id', 'tags'] as const) {
    const v = u.get(k);
    if (v === null) continue;
    body[k] = k === 'agent_id' ? Number(v) : k === 'read' ? v === 'true' : v;
  }
  if (p.q) body['q'] = p.q;
  return body;
}

/** The next sort after a click on column `field`: same column flips, another starts descending. */
export function nextSort(s: Sort, field: SortField): Sort {
  return s.field === field ? { field, desc: !s.desc } : { field, desc: field !== 'status' };
}

/* ---- the list's state in the address (reload and back keep it) ------------------------------ */

export interface ListView {
  filters: Filters;
  q: Q | null;
  sort: Sort;
  limit: number;
  offset: number;
}

/** The address query of a list view: only what differs from the defaults. */
export function viewToQuery(v: ListView): string {
  const u = new URLSearchParams();
  const f = v.filters;
  if (f.from) u.set('from', f.from);
  if (f.to) u.set('to', f.to);
  if (f.read) u.set('read', f.read);
  if (f.status) u.set('status', f.status);
  if (f.agentId) u.set('agent', f.agentId);
  if (f.tags) u.set('tags', f.tags);
  if (v.q) u.set('q', JSON.stringify(v.q));
  if (v.sort.field !== defaultSort.field || v.sort.desc !== defaultSort.desc) u.set('sort', `${v.sort.desc ? '-' : ''}${v.sort.field}`);
  if (v.limit !== PAGE_SIZES[0]) u.set('limit', String(v.limit));
  if (v.offset) u.set('offset', String(v.offset));
  return u.toString();
}

/** A list view from the address query; anything malformed falls back to its default. */
export function viewFromQuery(search: string): ListView & { rawQ: unknown } {
  const u = new URLSearchParams(search);
  const day = (k: string) => {
    const v = u.get(k) ?? '';
    return dayToIso(v) ? v : '';
  };
  const pick = <T extends string>(k: string, allowed: readonly T[]): T | '' => {
    const v = u.get(k) ?? '';
    return (allowed as readonly string[]).includes(v) ? (v as T) : '';
  };
  const agent = u.get('agent') ?? '';
  const filters: Filters = {
    from: day('from'),
    to: day('to'),
    read: pick('read', ['true', 'false'] as const),
    status: pick('status', ['open', 'closed'] as const),
    agentId: /^\d{1,15}$/.test(agent) ? agent : '',
    tags: (u.get('tags') ?? '').slice(0, 1400),
  };
  const s = u.get('sort') ?? '';
  const field = s.replace(/^-/, '');
  const sort: Sort = (SORTABLE as readonly string[]).includes(field) ? { field: field as SortField, desc: s.startsWith('-') } : defaultSort;
  const limit = Number(u.get('limit'));
  const offset = Number(u.get('offset'));
  let rawQ: unknown = null;
  try {
    rawQ = JSON.parse(u.get('q') ?? 'null');
  } catch {
    rawQ = null;
  }
  return {
    filters,
    q: null,
    rawQ,
    sort,
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : PAGE_SIZES[0],
    offset: Number.isInteger(offset) && offset > 0 && offset < 1e9 ? offset : 0,
  };
}

/* ---- CSV progress ------------------------------------------------------------------------- */

/**
 * Counts the records of a CSV stream chunk by chunk (RFC 4180: a line break inside quotes is
 * data, "" inside quotes is a quote). `rows` excludes the header line. Feed it the decoded text
 * of each chunk, in order.
 */
export class CsvRowCounter {
  private quoted = false;
  private lines = 0;
  private pending = false; // a record started and not yet ended

  push(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 34 /* " */) {
        this.quoted = !this.quoted; // "" flips twice
        this.pending = true;
      } else if (ch === 10 /* \n */ && !this.quoted) {
        this.lines++;
        this.pending = false;
      } else if (ch !== 13) {
        this.pending = true;
      }
    }
  }

  /** Records after the header (a last record without its line break counts). */
  get rows(): number {
    return Math.max(0, this.lines + (this.pending ? 1 : 0) - 1);
  }
}

export interface Progress {
  bytes: number;
  rows: number;
}

/** "1.2 MB", "530 B". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function problem(status: number, body: unknown): ApiError {
  const detail = isRecord(body) && typeof body['detail'] === 'string' ? body['detail'] : isRecord(body) && typeof body['title'] === 'string' ? body['title'] : null;
  return { status, code: null, detail, errors: [], retryAfter: null };
}

async function failure(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  return problem(res.status, body);
}

/**
 * GET export.csv, read as a stream: `onProgress` after each chunk with the bytes and rows so
 * far. Resolves with the whole file (a Blob) once the server ends it. An abort rejects.
 */
export async function exportCsv(query: string, onProgress: (p: Progress) => void, signal?: AbortSignal): Promise<ApiResult<Blob>> {
  let res: Response;
  try {
    res = await fetch(`${API_BASE}/interactions/export.csv?${query}`, { credentials: 'same-origin', headers: { Accept: 'text/csv' }, ...(signal ? { signal } : {}) });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    return { ok: false, error: problem(0, null) };
  }
  if (!res.ok) return { ok: false, error: await failure(res) };
  if (!res.body) {
    const blob = await res.blob();
    const counter = new CsvRowCounter();
    counter.push(await blob.text());
    onProgress({ bytes: blob.size, rows: counter.rows });
    return { ok: true, value: blob };
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const counter = new CsvRowCounter();
  const parts: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    let step: ReadableStreamReadResult<Uint8Array>;
    try {
      step = await reader.read();
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      return { ok: false, error: { status: 0, code: null, detail: 'The export was cut off before its end.', errors: [], retryAfter: null } };
    }
    if (step.done) break;
    parts.push(step.value);
    bytes += step.value.byteLength;
    counter.push(decoder.decode(step.value, { stream: true }));
    onProgress({ bytes, rows: counter.rows });
  }
  counter.push(decoder.decode());
  onProgress({ bytes, rows: counter.rows });
  return { ok: true, value: new Blob(parts as BlobPart[], { type: 'text/csv;charset=utf-8' }) };
}

/** GET a file (the transcript zip) as a Blob; errors as values. */
export async function fetchFile(path: string): Promise<ApiResult<Blob>> {
  let res: Response;
  try {
    res = await fetch(`${API_BASE}${path}`, { credentials: 'same-origin' });
  } catch {
    return { ok: false, error: problem(0, null) };
  }
  if (!res.ok) return { ok: false, error: await failure(res) };
  return { ok: true, value: await res.blob() };
}

/** Offers `blob` to the user as a download named `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** "interactions-sms-3-20261203-1745.csv" */
export function exportName(channel: string, accountId: number | null, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `interactions-${channel}-${accountId ?? 'all'}-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}.csv`;
}

/**
 * Why a delete was refused, in a sentence: the server names each id it refuses (ids[i]: "is
 * open: close it first", "no such interaction"); nothing was deleted then.
 */
export function deleteRefusal(e: ApiError, ids: number[]): string {
  const named = e.errors
    .map((x) => ({ m: /^ids\[(\d+)\]$/.exec(x.field), message: x.message }))
    .filter((x) => x.m)
    .map((x) => `interaction ${ids[Number(x.m![1])] ?? '?'} ${x.message}`);
  if (named.length) return `Nothing was deleted: ${named.slice(0, 5).join('; ')}${named.length > 5 ? '; …' : ''}.`;
  return genericMessage(e);
}

/* ---- calls ---------------------------------------------------------------------------------- */

function bad(): ApiResult<never> {
  return { ok: false, error: { status: -1, code: null, detail: null, errors: [], retryAfter: null } };
}

export const interactionsApi = {
  async list(query: string): Promise<ApiResult<ListPage>> {
    const r = await call('GET', `/interactions?${query}`);
    if (!r.ok) return r;
    const page = parseListPage(r.value);
    return page ? { ok: true, value: page } : bad();
  },
  searchFields: () => call('GET', '/interactions/search-fields'),
  async bulkDelete(body: Record<string, unknown>): Promise<ApiResult<number>> {
    const r = await call('POST', '/interactions/delete', body);
    if (!r.ok) return r;
    return isRecord(r.value) && typeof r.value['deleted'] === 'number' ? { ok: true, value: r.value['deleted'] } : bad();
  },
  remove: (id: number) => call('DELETE', `/interactions/${id}`),
  note: (id: number, body: string) => call('POST', `/interactions/${id}/notes`, { body }),
};
