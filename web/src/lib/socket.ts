/**
 * Connection manager for the server's WebSocket push channel (/api/v1/ws).
 *
 * One instance per page. It keeps one socket open, reconnects after any loss with exponential
 * backoff plus jitter (capped at 30 s, so a server restart does not get a thundering herd of
 * clients at the same instant), sends a {"type":"ping"} heartbeat every 25 s so idle proxies
 * (nginx's proxy_read_timeout defaults to 60 s) keep the connection, and publishes its state
 * so the UI can warn the user while the connection is down.
 *
 * Server messages are {"type": string, "data": ...}; anything else is dropped.
 */

export type SocketState =
  /** First attempt after start(), nothing has failed yet. */
  | 'connecting'
  | 'open'
  /** The connection failed or was lost; a retry is scheduled or under way. */
  | 'reconnecting'
  /** stop() was called. */
  | 'stopped';

export interface ServerMessage {
  type: string;
  data?: unknown;
}

export interface ClientMessage {
  type: string;
  [key: string]: unknown;
}

/** The part of the WebSocket API the manager uses; tests pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: Event) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SocketOptions {
  url?: string;
  heartbeatMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** After a pong was seen on a connection, how long to wait for the next one. */
  pongTimeoutMs?: number;
  createSocket?: (url: string) => SocketLike;
  random?: () => number;
}

const OPEN = 1;
/** Hard cap on one incoming message; the server's events are small. */
const MAX_MESSAGE_CHARS = 1 << 20;

export const HEARTBEAT_MS = 25_000;
export const BASE_DELAY_MS = 500;
export const MAX_DELAY_MS = 30_000;
export const PONG_TIMEOUT_MS = 10_000;

/** ws: or wss: URL of the push channel on the page's own origin. */
export function socketUrl(loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/v1/ws`;
}

/**
 * Delay before retry number `attempt` (0-based): the exponential step min(max, base * 2^n),
 * then "equal jitter": half of it fixed, half random, so retries are never immediate and
 * clients spread out. Never exceeds maxMs.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + random() * (step / 2));
}

type Listener<T> = (value: T) => void;

export class SocketManager {
  private readonly url: string;
  private readonly heartbeatMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly pongTimeoutMs: number;
  private readonly createSocket: (url: string) => SocketLike;
  private readonly random: () => number;

  private ws: SocketLike | null = null;
  private current: SocketState = 'stopped';
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;
  /** The server answered a ping on this connection, so a missing answer means it is dead. */
  private pongSeen = false;
  private readonly stateListeners = new Set<Listener<SocketState>>();
  private readonly messageListeners = new Set<Listener<ServerMessage>>();

  constructor(opts: SocketOptions = {}) {
    this.url = opts.url ?? socketUrl();
    this.heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
    this.baseDelayMs = opts.baseDelayMs ?? BASE_DELAY_MS;
    this.maxDelayMs = opts.maxDelayMs ?? MAX_DELAY_MS;
    this.pongTimeoutMs = opts.pongTimeoutMs ?? PONG_TIMEOUT_MS;
    this.createSocket = opts.createSocket ?? ((url) => new WebSocket(url));
    this.random = opts.random ?? Math.random;
  }

  get state(): SocketState {
    return this.current;
  }

  get connected(): boolean {
    return this.current === 'open';
  }

  /** Start connecting. Idempotent. */
  start(): void {
    if (this.current !== 'stopped') return;
    this.attempt = 0;
    this.setState('connecting');
    if (typeof window !== 'undefined') {
      window.addEventListener('online', this.handleOnline);
      window.addEventListener('offline', this.handleOffline);
    }
    this.open();
  }

  /** Close the socket and stop retrying. Listeners stay subscribed. */
  stop(): void {
    if (this.current === 'stopped') return;
    if (typeof window !== 'undefined') {
      window.removeEventListener('online', this.handleOnline);
      window.removeEventListener('offline', this.handleOffline);
    }
    this.clearRetry();
    this.teardown(1000, 'client stop');
    this.setState('stopped');
  }

  /** Send a message if connected. Returns false (and drops it) otherwise. */
  send(msg: ClientMessage): boolean {
    if (!this.ws || this.ws.readyState !== OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** Calls `fn` with every state change, and once now. Returns the unsubscribe function. */
  subscribe(fn: Listener<SocketState>): () => void {
    this.stateListeners.add(fn);
    fn(this.current);
    return () => this.stateListeners.delete(fn);
  }

  /** Calls `fn` with every well-formed server message. Returns the unsubscribe function. */
  onMessage(fn: Listener<ServerMessage>): () => void {
    this.messageListeners.add(fn);
    return () => this.messageListeners.delete(fn);
  }

  private setState(next: SocketState): void {
    if (next === this.current) return;
    this.current = next;
    for (const fn of this.stateListeners) fn(next);
  }

  private open(): void {
    let ws: SocketLike;
    try {
      ws = this.createSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    this.pongSeen = false;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.attempt = 0;
      this.startHeartbeat();
      this.setState('open');
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (ws !== this.ws) return;
      this.handleMessage(ev.data);
    };
    // An error is always followed by close; retry from there only.
    ws.onerror = () => {};
    ws.onclose = () => {
      if (ws !== this.ws) return;
      this.teardown();
      this.scheduleRetry();
    };
  }

  private handleMessage(raw: unknown): void {
    this.clearPongTimer();
    if (typeof raw !== 'string' || raw.length > MAX_MESSAGE_CHARS) return;
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null || typeof (msg as { type?: unknown }).type !== 'string') return;
    const m = msg as ServerMessage;
    if (m.type === 'pong') {
      this.pongSeen = true;
      return;
    }
    for (const fn of this.messageListeners) fn(m);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => {
      if (!this.send({ type: 'ping' })) return;
      if (this.pongSeen && this.pongTimer === null) {
        this.pongTimer = setTimeout(() => {
          this.pongTimer = null;
          // Half-open connection: the browser may not notice for minutes. Drop it now.
          this.teardown(4000, 'heartbeat timeout');
          this.scheduleRetry();
        }, this.pongTimeoutMs);
      }
    }, this.heartbeatMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    this.clearPongTimer();
  }

  private clearPongTimer(): void {
    if (this.pongTimer !== null) clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }

  /** Forget the current socket (closing it if asked) and its timers. */
  private teardown(code?: number, reason?: string): void {
    this.stopHeartbeat();
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = ws.onclose = ws.onerror = ws.onmessage = null;
    if (code !== undefined) {
      try {
        ws.close(code, reason);
      } catch {
        /* already closing */
      }
    }
  }

  private scheduleRetry(): void {
    if (this.current === 'stopped' || this.retryTimer !== null) return;
    this.setState('reconnecting');
    const delay = backoffDelay(this.attempt, this.baseDelayMs, this.maxDelayMs, this.random);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** The network is back: retry now instead of waiting out the backoff. */
  private readonly handleOnline = (): void => {
    if (this.current !== 'reconnecting' || this.retryTimer === null) return;
    this.clearRetry();
    this.attempt = 0;
    this.open();
  };

  /** The browser knows the network is gone: say so now rather than after a TCP timeout. */
  private readonly handleOffline = (): void => {
    if (this.current !== 'open' && this.current !== 'connecting') return;
    this.teardown(4001, 'offline');
    this.scheduleRetry();
  };
}
