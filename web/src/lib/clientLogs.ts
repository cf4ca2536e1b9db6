/**
 * Client logs (issue #4): when an administrator switches them on for this agent, the web client
 * sends what goes wrong in it to POST /api/v1/client-logs, from the minimum level up.
 *
 * Captured: window errors, unhandled promise rejections, and console.error / warn / info /
 * debug (ERROR, WARNING, INFO, DEBUG). Entries wait in a bounded buffer (the oldest are dropped
 * beyond MAX_BUFFER, and the next batch says how many) and go out in batches every FLUSH_MS and
 * when the page is hidden or left. sendBeacon cannot carry the CSRF header, so the batch that
 * leaves with the page uses fetch({keepalive: true}), whose body browsers cap at 64 KiB:
 * every batch stays under BATCH_CHARS.
 *
 * The state comes from GET /auth/me (at start, after login and after a WebSocket reconnection,
 * when an event may have been missed) and from the client_logs.enabled / client_logs.disabled
 * events.
 */
import { useEffect } from 'preact/hooks';
import { API_BASE } from './api';
import { currentCsrfToken, fetchMe, parseClientLogLevel, type ClientLogLevel, type ClientLogsState, type Session } from './auth';
import type { ServerMessage, SocketManager } from './socket';

export const MAX_BUFFER = 500;
export const FLUSH_MS = 5_000;
/** Per entry, in UTF-16 units: at most 3 bytes each, so under the server's 8 KiB. */
export const MESSAGE_CHARS = 2_000;
/** Per batch, in UTF-16 units of JSON: under keepalive's 64 KiB even at 3 bytes each. */
export const BATCH_CHARS = 20_000;
export const BATCH_ENTRIES = 200;

const RANK: Record<ClientLogLevel, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3 };
const CONSOLE: ReadonlyArray<[keyof Console & ('error' | 'warn' | 'info' | 'debug'), ClientLogLevel]> = [
  ['error', 'ERROR'],
  ['warn', 'WARNING'],
  ['info', 'INFO'],
  ['debug', 'DEBUG'],
];

export interface ClientLogEntry {
  level: ClientLogLevel;
  message: string;
  at: number;
  source?: string;
  url?: string;
}

/** What a POST came to: sent, retry later, or drop the batch (and stop, when told so). */
type SendOutcome = 'sent' | 'retry' | 'drop' | 'stop';

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/** One console argument as text (errors with their stack; objects as JSON when possible). */
export function describe(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Error) return v.stack && v.stack.includes(v.message) ? v.stack : `${v.name}: ${v.message}\n${v.stack ?? ''}`;
  try {
    const s = JSON.stringify(v);
    if (typeof s === 'string') return s;
  } catch {
    /* cyclic or exotic */
  }
  return String(v);
}

async function post(entries: ClientLogEntry[], keepalive: boolean): Promise<SendOutcome> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  const csrf = currentCsrfToken();
  if (csrf) headers['X-CSRF-Token'] = csrf;
  let res: Response;
  try {
    res = await fetch(`${API_BASE}/client-logs`, {
      method: 'POST',
      headers,
      credentials: 'same-origin',
      keepalive,
      body: JSON.stringify({ entries }),
    });
  } catch {
    return 'retry';
  }
  if (res.ok) return 'sent';
  if (res.status === 401 || res.status === 403) return 'stop';
  if (res.status >= 500 || res.status === 429) return 'retry';
  return 'drop'; /* 400/413/422: this batch will never pass */
}

export class ClientLogs {
  private state: ClientLogsState = { enabled: false, level: 'ERROR' };
  private buffer: ClientLogEntry[] = [];
  private dropped = 0;
  private sending = false;
  private recording = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private originals: Partial<Record<'error' | 'warn' | 'info' | 'debug', (...a: unknown[]) => void>> = {};

  constructor(private readonly send: (e: ClientLogEntry[], keepalive: boolean) => Promise<SendOutcome> = post) {}

  get enabled(): boolean {
    return this.state.enabled;
  }

  /** Switches capture on or off (null: not an agent / logged out). */
  apply(next: ClientLogsState | null): void {
    const on = next?.enabled === true;
    if (on && next) this.state = { enabled: true, level: next.level };
    else this.state = { enabled: false, level: next?.level ?? 'ERROR' };
    if (on) this.install();
    else this.uninstall();
  }

  /** The WebSocket events; anything else is ignored. */
  handleMessage(m: ServerMessage): void {
    if (m.type === 'client_logs.disabled') this.apply({ enabled: false, level: this.state.level });
    if (m.type !== 'client_logs.enabled') return;
    const data = m.data;
    const level = typeof data === 'object' && data !== null ? parseClientLogLevel((data as Record<string, unknown>)['level']) : null;
    if (level) this.apply({ enabled: true, level });
  }

  /** Records one entry if capture is on and the level is at or above the minimum. */
  record(level: ClientLogLevel, message: string, source?: string): void {
    if (!this.state.enabled || RANK[level] < RANK[this.state.level] || this.recording) return;
    this.recording = true; // whatever runs below must not record itself
    try {
      const e: ClientLogEntry = { level, message: clip(message, MESSAGE_CHARS), at: Date.now(), url: clip(location.href, 1024) };
      if (source) e.source = clip(source, 256);
      this.buffer.push(e);
      if (this.buffer.length > MAX_BUFFER) {
        this.dropped += this.buffer.length - MAX_BUFFER;
        this.buffer.splice(0, this.buffer.length - MAX_BUFFER);
      }
    } finally {
      this.recording = false;
    }
  }

  /** Sends one batch (keepalive: the page is going away, so do not wait for a running one). */
  async flush(keepalive = false): Promise<void> {
    if ((this.sending && !keepalive) || this.buffer.length === 0) return;
    if (this.dropped > 0) {
      this.buffer.unshift({ level: 'WARNING', message: `client-logs: ${this.dropped} earlier entries were dropped (buffer full)`, at: Date.now() });
      this.dropped = 0;
    }
    let chars = 0;
    let n = 0;
    while (n < this.buffer.length && n < BATCH_ENTRIES) {
      const size = JSON.stringify(this.buffer[n]).length + 1;
      if (n > 0 && chars + size > BATCH_CHARS) break;
      chars += size;
      n += 1;
    }
    const batch = this.buffer.splice(0, n);
    this.sending = true;
    try {
      const outcome = await this.send(batch, keepalive);
      if (outcome === 'retry') {
        this.buffer.unshift(...batch);
        this.buffer.splice(0, Math.max(0, this.buffer.length - MAX_BUFFER));
      }
      if (outcome === 'stop') this.apply({ enabled: false, level: this.state.level });
    } finally {
      this.sending = false;
    }
  }

  private install(): void {
    if (this.timer !== null) return;
    for (const [name, level] of CONSOLE) {
      const original = console[name];
      this.originals[name] = original;
      console[name] = (...args: unknown[]) => {
        original.apply(console, args);
        this.record(level, args.map(describe).join(' '));
      };
    }
    window.addEventListener('error', this.onError);
    window.addEventListener('unhandledrejection', this.onRejection);
    window.addEventListener('pagehide', this.onLeave);
    document.addEventListener('visibilitychange', this.onVisibility);
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
  }

  private uninstall(): void {
    if (this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
    for (const [name] of CONSOLE) {
      const original = this.originals[name];
      if (original) console[name] = original;
    }
    this.originals = {};
    window.removeEventListener('error', this.onError);
    window.removeEventListener('unhandledrejection', this.onRejection);
    window.removeEventListener('pagehide', this.onLeave);
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.buffer = [];
    this.dropped = 0;
  }

  private readonly onError = (ev: ErrorEvent): void => {
    const where = ev.filename ? `${ev.filename}:${ev.lineno}:${ev.colno}` : undefined;
    this.record('ERROR', ev.error !== undefined && ev.error !== null ? describe(ev.error) : ev.message, where);
  };

  private readonly onRejection = (ev: PromiseRejectionEvent): void => {
    this.record('ERROR', `Unhandled rejection: ${describe(ev.reason)}`);
  };

  private readonly onLeave = (): void => {
    void this.flush(true);
  };

  private readonly onVisibility = (): void => {
    if (document.visibilityState === 'hidden') void this.flush(true);
  };
}

/** The page's one instance. */
export const clientLogs = new ClientLogs();

/**
 * Keeps `clientLogs` in step with the signed-in agent: on for agents whose logs are on (from
 * the session, else GET /auth/me), off for anyone else, updated by the WebSocket events and
 * re-read after each reconnection.
 */
export function useClientLogs(socket: SocketManager, session: Session | null): void {
  const agentId = session && session.user.role === 'agent' ? session.user.id : null;
  const known = session?.clientLogs ?? null;

  useEffect(() => socket.onMessage((m) => clientLogs.handleMessage(m)), [socket]);

  useEffect(() => {
    if (agentId === null) {
      clientLogs.apply(null);
      return undefined;
    }
    let live = true;
    const reload = () =>
      void fetchMe().then((r) => {
        if (live && r.ok && r.value?.user.id === agentId) clientLogs.apply(r.value.clientLogs);
      });
    if (known) clientLogs.apply(known);
    else reload();
    let wasOpen = socket.connected;
    const unsubscribe = socket.subscribe((s) => {
      if (s === 'open' && !wasOpen) reload();
      wasOpen = s === 'open';
    });
    return () => {
      live = false;
      unsubscribe();
    };
    // `known` is read once per agent: later changes arrive as events.
  }, [agentId, socket]);
}
