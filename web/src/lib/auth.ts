/**
 * The authentication API (docs/openapi.json, tag auth). The session cookie is HttpOnly; the
 * CSRF token lives only in memory here and is recovered from GET /auth/me after a reload.
 * Responses are untrusted: shapes are checked before use.
 */
import { API_BASE } from './api';

export type Role = 'admin' | 'user' | 'agent';

export interface Account {
  id: number;
  username: string;
  full_name: string;
  role: string;
}

export interface PasswordState {
  must_change: boolean;
  expired: boolean;
  expires_in_days: number | null;
}

export type ClientLogLevel = 'ERROR' | 'WARNING' | 'INFO' | 'DEBUG';

/** An agent's client logs (GET /auth/me client_logs, and the client_logs.* WebSocket events). */
export interface ClientLogsState {
  enabled: boolean;
  level: ClientLogLevel;
}
/** A supervisor's allowed actions per enabled console section (from its user profile). */
export type SectionPermissions = Record<string, string[]>;

export interface Session {
  user: Account;
  password: PasswordState;
  mfaEnrollmentRequired: boolean;
  /** Agents only; null for other roles or an unreadable value. */
  clientLogs: ClientLogsState | null;
  /** Supervisors only; null for admins (everything) and agents (no console). */
  permissions: SectionPermissions | null;
  /** Agents only: where toasts go (agent setting notification_position); null otherwise. */
  notificationPosition: string | null;
}

export interface FieldError {
  field: string;
  message: string;
}

/** A failed call, reduced to what the views show. */
export interface ApiError {
  status: number;
  /** The problem's machine code (e.g. account_locked), if any. */
  code: string | null;
  detail: string | null;
  errors: FieldError[];
  /** Seconds, from Retry-After on 429. */
  retryAfter: number | null;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface MfaChallenge {
  mfaToken: string;
  methods: string[];
}

export type LoginOutcome = { kind: 'session'; session: Session } | { kind: 'mfa'; challenge: MfaChallenge };

export interface LoginOptions {
  activeDirectory: boolean;
  passwordReset: boolean;
}

let csrfToken: string | null = null;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const CLIENT_LOG_LEVELS: readonly string[] = ['ERROR', 'WARNING', 'INFO', 'DEBUG'];

export function parseClientLogLevel(v: unknown): ClientLogLevel | null {
  return typeof v === 'string' && CLIENT_LOG_LEVELS.includes(v) ? (v as ClientLogLevel) : null;
}

export function parseClientLogsState(v: unknown): ClientLogsState | null {
  if (!isRecord(v) || typeof v['enabled'] !== 'boolean') return null;
  const level = parseClientLogLevel(v['level']);
  return level ? { enabled: v['enabled'], level } : null;
}

/** The session's CSRF token (for requests made outside this module), or null. */
export function currentCsrfToken(): string | null {
  return csrfToken;
}

function parseFieldErrors(v: unknown): FieldError[] {
  if (!Array.isArray(v)) return [];
  const out: FieldError[] = [];
  for (const e of v) {
    if (isRecord(e) && typeof e['field'] === 'string' && typeof e['message'] === 'string') {
      out.push({ field: e['field'], message: e['message'] });
    }
  }
  return out;
}

function networkError(): ApiError {
  return { status: 0, code: null, detail: null, errors: [], retryAfter: null };
}

/** One JSON API call with the session's CSRF token; errors come back as values. */
export async function call(method: string, path: string, body?: unknown): Promise<ApiResult<unknown>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`${API_BASE}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    return { ok: false, error: networkError() };
  }
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    /* empty (204) or not JSON */
  }
  if (res.ok) return { ok: true, value: json };
  const retry = Number(res.headers.get('Retry-After'));
  return {
    ok: false,
    error: {
      status: res.status,
      code: isRecord(json) && typeof json['code'] === 'string' ? json['code'] : null,
      detail: isRecord(json) && typeof json['detail'] === 'string' ? json['detail'] : null,
      errors: isRecord(json) ? parseFieldErrors(json['errors']) : [],
      retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null,
    },
  };
}

function unexpected(): ApiResult<never> {
  return { ok: false, error: { ...networkError(), status: -1 } };
}

function parseSession(v: unknown): Session | null {
  if (!isRecord(v)) return null;
  const u = v['user'];
  if (
    !isRecord(u) ||
    typeof u['id'] !== 'number' ||
    typeof u['username'] !== 'string' ||
    typeof u['full_name'] !== 'string' ||
    typeof u['role'] !== 'string'
  ) {
    return null;
  }
  if (typeof v['csrf_token'] === 'string') csrfToken = v['csrf_token'];
  const p = isRecord(v['password']) ? v['password'] : {};
  const m = isRecord(v['mfa']) ? v['mfa'] : {};
  const days = p['expires_in_days'];
  return {
    user: { id: u['id'], username: u['username'], full_name: u['full_name'], role: u['role'] },
    password: {
      must_change: p['must_change'] === true,
      expired: p['expired'] === true,
      expires_in_days: typeof days === 'number' ? days : null,
    },
    mfaEnrollmentRequired: m['enrollment_required'] === true,
    clientLogs: parseClientLogsState(v['client_logs']),
    permissions: parsePermissions(v['permissions']),
    notificationPosition: typeof v['notification_position'] === 'string' ? v['notification_position'] : null,
  };
}

function parsePermissions(v: unknown): SectionPermissions | null {
  if (!isRecord(v) || !isRecord(v['sections'])) return null;
  const out: SectionPermissions = {};
  for (const [k, a] of Object.entries(v['sections'])) {
    if (Array.isArray(a)) out[k] = a.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

function parseLogin(v: unknown): LoginOutcome | null {
  if (isRecord(v) && v['mfa_required'] === true) {
    if (typeof v['mfa_token'] !== 'string') return null;
    const methods = Array.isArray(v['methods']) ? v['methods'].filter((x): x is string => typeof x === 'string') : [];
    return { kind: 'mfa', challenge: { mfaToken: v['mfa_token'], methods } };
  }
  const session = parseSession(v);
  return session ? { kind: 'session', session } : null;
}

export async function fetchOptions(): Promise<LoginOptions> {
  const r = await call('GET', '/auth/options');
  if (!r.ok || !isRecord(r.value)) return { activeDirectory: false, passwordReset: false };
  return { activeDirectory: r.value['active_directory'] === true, passwordReset: r.value['password_reset'] === true };
}

/** The current session, or null when not logged in (401). */
export async function fetchMe(): Promise<ApiResult<Session | null>> {
  const r = await call('GET', '/auth/me');
  if (!r.ok) return r.error.status === 401 ? { ok: true, value: null } : r;
  const s = parseSession(r.value);
  return s ? { ok: true, value: s } : unexpected();
}

export async function login(username: string, password: string): Promise<ApiResult<LoginOutcome>> {
  const r = await call('POST', '/auth/login', { username, password });
  if (!r.ok) return r;
  const o = parseLogin(r.value);
  return o ? { ok: true, value: o } : unexpected();
}

export async function loginMfa(mfaToken: string, code: string): Promise<ApiResult<Session>> {
  const r = await call('POST', '/auth/login/mfa', { mfa_token: mfaToken, code });
  if (!r.ok) return r;
  const s = parseSession(r.value);
  return s ? { ok: true, value: s } : unexpected();
}

export async function logout(): Promise<ApiResult<null>> {
  const r = await call('POST', '/auth/logout');
  csrfToken = null;
  return r.ok ? { ok: true, value: null } : r;
}

export async function changePassword(current: string, next: string): Promise<ApiResult<null>> {
  const r = await call('POST', '/auth/password', { current_password: current, new_password: next });
  return r.ok ? { ok: true, value: null } : r;
}

export async function requestPasswordReset(email: string): Promise<ApiResult<null>> {
  const r = await call('POST', '/auth/password-reset', { email });
  return r.ok ? { ok: true, value: null } : r;
}

export async function completePasswordReset(token: string, next: string): Promise<ApiResult<null>> {
  const r = await call('POST', '/auth/password-reset/complete', { token, new_password: next });
  return r.ok ? { ok: true, value: null } : r;
}

/** Messages of the errors on one field, first letter capitalised. */
export function fieldMessages(errors: FieldError[], field: string): string[] {
  return errors
    .filter((e) => e.field === field)
    .map((e) => e.message.charAt(0).toUpperCase() + e.message.slice(1));
}

/** "30 seconds", "2 minutes", "1 hour". */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.ceil(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.ceil(m / 60);
  return `${h} hour${h === 1 ? '' : 's'}`;
}

/** A sentence for an error no view handles specially. */
export function genericMessage(e: ApiError): string {
  if (e.status === 0) return 'The server cannot be reached. Check your network connection and try again.';
  if (e.status === -1) return 'The server sent an unexpected response. Try again.';
  if (e.status === 429) {
    return e.retryAfter !== null
      ? `Too many attempts. Try again in ${formatWait(e.retryAfter)}.`
      : 'Too many attempts. Try again later.';
  }
  if (e.status === 503) return 'The service is temporarily unavailable. Try again in a moment.';
  return e.detail ? e.detail.charAt(0).toUpperCase() + e.detail.slice(1) + '.' : `The server answered ${e.status}.`;
}

/** Administrators and supervisors work in the console; agents in the desk. */
export function isStaffConsole(session: Session): boolean {
  return session.user.role === 'admin' || session.user.role === 'user';
}
