/**
 * Fetch helpers for the JSON API. Every response is treated as untrusted input: the shape is
 * checked before use, and errors come back as values, not exceptions, so views render them.
 */

export const API_BASE = '/api/v1';

export interface Health {
  status: string;
  version: string;
  uptime_seconds: number;
  database: { backend: string; ok: boolean };
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseHealth(v: unknown): Health | null {
  if (!isRecord(v)) return null;
  const db = v['database'];
  if (
    typeof v['status'] !== 'string' ||
    typeof v['version'] !== 'string' ||
    typeof v['uptime_seconds'] !== 'number' ||
    !isRecord(db) ||
    typeof db['backend'] !== 'string' ||
    typeof db['ok'] !== 'boolean'
  ) {
    return null;
  }
  return {
    status: v['status'],
    version: v['version'],
    uptime_seconds: v['uptime_seconds'],
    database: { backend: db['backend'], ok: db['ok'] },
  };
}

/** The title (or detail) of an RFC 9457 problem body, if it is one. */
function problemText(body: unknown): string | null {
  if (!isRecord(body)) return null;
  const detail = body['detail'];
  const title = body['title'];
  if (typeof detail === 'string' && detail) return detail;
  if (typeof title === 'string' && title) return title;
  return null;
}

export async function getJson<T>(
  path: string,
  parse: (v: unknown) => T | null,
  signal?: AbortSignal,
): Promise<Result<T>> {
  let res: Response;
  try {
    res = await fetch(`${API_BASE}${path}`, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    return { ok: false, error: 'The server cannot be reached.' };
  }
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    return { ok: false, error: problemText(body) ?? `The server answered ${res.status}.` };
  }
  const value = parse(body);
  if (value === null) return { ok: false, error: 'The server sent an unexpected response.' };
  return { ok: true, value };
}

export function fetchHealth(signal?: AbortSignal): Promise<Result<Health>> {
  return getJson('/health', parseHealth, signal);
}
