/**
 * Re-sync on (re)connection. Server events are hints sent after a commit: while the WebSocket
 * is down they are lost, so a view that mirrors server state reloads it (a "snapshot") every
 * time the socket opens. Events that arrive while the snapshot is in flight may be newer than
 * it, or older: they are held back and replayed on top of the snapshot once it is applied, so
 * nothing is lost either way (reducers must therefore be idempotent: applying an event the
 * snapshot already contains changes nothing).
 *
 * Pure logic, no timers of its own except the retry of a failed load; the SocketManager and
 * the clock are injected so the unit tests drive it.
 */
import type { ServerMessage, SocketState } from './socket';

export interface ResyncOptions<S> {
  /** Loads the snapshot; null (or a rejection) means it failed and will be retried. */
  load: () => Promise<S | null>;
  applySnapshot: (snapshot: S) => void;
  applyEvent: (msg: ServerMessage) => void;
  /** Which messages this view cares about (others are ignored, never buffered). */
  accepts: (msg: ServerMessage) => boolean;
  /** Delay before retrying a failed load while the socket is still open. */
  retryMs?: number;
  /** Upper bound on events held back during one load; beyond it a new load is started. */
  maxBuffered?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export const RESYNC_RETRY_MS = 3_000;
export const RESYNC_MAX_BUFFERED = 1_000;

export class Resync<S> {
  private readonly o: Required<ResyncOptions<S>>;
  /** Bumped by every sync; an answer of an older one is dropped. */
  private generation = 0;
  private loading = false;
  private buffered: ServerMessage[] = [];
  private overflowed = false;
  private retryTimer: unknown = null;
  private lastState: SocketState | null = null;
  private stopped = false;
  /** Number of snapshots applied (for tests and the UI's "synced" flag). */
  synced = 0;

  constructor(opts: ResyncOptions<S>) {
    this.o = {
      retryMs: RESYNC_RETRY_MS,
      maxBuffered: RESYNC_MAX_BUFFERED,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
      ...opts,
    };
  }

  /** Feed every socket state change. Each transition into 'open' starts a sync. */
  handleState(state: SocketState): void {
    const prev = this.lastState;
    this.lastState = state;
    if (state === 'open' && prev !== 'open') void this.sync();
    if (state !== 'open') this.cancelRetry();
  }

  /** Feed every server message. */
  handleMessage(msg: ServerMessage): void {
    if (this.stopped || !this.o.accepts(msg)) return;
    if (!this.loading) {
      this.o.applyEvent(msg);
      return;
    }
    if (this.buffered.length >= this.o.maxBuffered) {
      // Too much happened during one load: its answer is stale anyway. Load again after it.
      this.overflowed = true;
      this.buffered = [];
      return;
    }
    this.buffered.push(msg);
  }

  /** Load a snapshot now (also used on mount and after an action that changes a lot). */
  async sync(): Promise<void> {
    if (this.stopped) return;
    this.cancelRetry();
    const mine = ++this.generation;
    this.loading = true;
    this.overflowed = false;
    this.buffered = [];
    let snap: S | null = null;
    try {
      snap = await this.o.load();
    } catch {
      snap = null;
    }
    if (this.stopped || mine !== this.generation) return; // a newer sync owns the state
    const held = this.buffered;
    this.buffered = [];
    this.loading = false;
    if (snap === null) {
      // Keep what we have, apply what came meanwhile, and try again while connected.
      for (const m of held) this.o.applyEvent(m);
      if (this.lastState === 'open' || this.lastState === null) {
        this.retryTimer = this.o.setTimer(() => {
          this.retryTimer = null;
          void this.sync();
        }, this.o.retryMs);
      }
      return;
    }
    if (this.overflowed) {
      void this.sync();
      return;
    }
    this.o.applySnapshot(snap);
    for (const m of held) this.o.applyEvent(m);
    this.synced += 1;
  }

  /** Stop: pending answers and timers are ignored. */
  stop(): void {
    this.stopped = true;
    this.cancelRetry();
    this.buffered = [];
  }

  get isLoading(): boolean {
    return this.loading;
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) this.o.clearTimer(this.retryTimer);
    this.retryTimer = null;
  }
}
