import { describe, expect, it } from 'vitest';
import { Resync } from './resync';
import { backoffDelay, SocketManager, type SocketLike } from './socket';
import type { ServerMessage } from './socket';

/** A promise the test resolves by hand. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const p = new Promise<T>((r) => (resolve = r));
  return { p, resolve };
}

/** A fake clock: timers run only when the test advances it. */
function fakeTimers() {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    set: (fn: () => void, ms: number) => {
      const id = ++seq;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clear: (id: unknown) => void timers.delete(id as number),
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now) {
          timers.delete(id);
          t.fn();
        }
      }
    },
    pending: () => timers.size,
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

function harness(loads: Array<Promise<number[] | null>>) {
  const t = fakeTimers();
  const applied: string[] = [];
  let state: number[] = [];
  let calls = 0;
  const r = new Resync<number[]>({
    load: () => loads[calls++] ?? Promise.resolve(null),
    applySnapshot: (s) => {
      state = s.slice();
      applied.push(`snapshot ${s.join(',')}`);
    },
    applyEvent: (m) => {
      const id = (m.data as { id: number }).id;
      if (!state.includes(id)) state.push(id); // idempotent, like the real reducers
      applied.push(`event ${id}`);
    },
    accepts: (m) => m.type === 'x.added',
    setTimer: t.set,
    clearTimer: t.clear,
    retryMs: 1000,
  });
  return { r, t, applied, state: () => state, calls: () => calls };
}

const ev = (id: number): ServerMessage => ({ type: 'x.added', data: { id } });

describe('Resync', () => {
  it('loads a snapshot each time the socket opens, not while it stays open', async () => {
    const h = harness([Promise.resolve([1]), Promise.resolve([1, 2])]);
    h.r.handleState('connecting');
    h.r.handleState('open');
    await flush();
    h.r.handleState('open');
    expect(h.calls()).toBe(1);
    h.r.handleState('reconnecting');
    h.r.handleState('open');
    await flush();
    expect(h.calls()).toBe(2);
    expect(h.state()).toEqual([1, 2]);
    expect(h.r.synced).toBe(2);
  });

  it('holds back events that arrive during the load and replays them after the snapshot', async () => {
    const d = deferred<number[] | null>();
    const h = harness([d.p]);
    h.r.handleState('open');
    h.r.handleMessage(ev(2)); // newer than the snapshot
    h.r.handleMessage(ev(1)); // already in the snapshot
    expect(h.applied).toEqual([]);
    d.resolve([1]);
    await flush();
    expect(h.applied).toEqual(['snapshot 1', 'event 2', 'event 1']);
    expect(h.state()).toEqual([1, 2]);
    h.r.handleMessage(ev(3));
    expect(h.applied.at(-1)).toBe('event 3');
  });

  it('ignores messages it does not accept', async () => {
    const h = harness([Promise.resolve([])]);
    h.r.handleState('open');
    await flush();
    h.r.handleMessage({ type: 'other', data: { id: 9 } });
    expect(h.applied).toEqual(['snapshot ']);
  });

  it('drops the answer of an older load when a reconnection started a newer one', async () => {
    const first = deferred<number[] | null>();
    const second = deferred<number[] | null>();
    const h = harness([first.p, second.p]);
    h.r.handleState('open');
    h.r.handleState('reconnecting');
    h.r.handleState('open');
    second.resolve([5, 6]);
    await flush();
    first.resolve([1]); // stale: must not overwrite
    await flush();
    expect(h.state()).toEqual([5, 6]);
    expect(h.applied).toEqual(['snapshot 5,6']);
  });

  it('retries a failed load while connected, applying held events meanwhile', async () => {
    const h = harness([Promise.resolve(null), Promise.resolve([1, 2])]);
    h.r.handleState('open');
    h.r.handleMessage(ev(2));
    await flush();
    expect(h.applied).toEqual(['event 2']);
    expect(h.calls()).toBe(1);
    h.t.advance(999);
    expect(h.calls()).toBe(1);
    h.t.advance(1);
    await flush();
    expect(h.calls()).toBe(2);
    expect(h.state()).toEqual([1, 2]);
  });

  it('does not retry while disconnected: the next open loads', async () => {
    const h = harness([Promise.resolve(null), Promise.resolve([3])]);
    h.r.handleState('open');
    await flush();
    h.r.handleState('reconnecting');
    expect(h.t.pending()).toBe(0);
    h.r.handleState('open');
    await flush();
    expect(h.state()).toEqual([3]);
  });

  it('a rejected load counts as failed', async () => {
    const h = harness([Promise.reject(new Error('network')), Promise.resolve([4])]);
    h.r.handleState('open');
    await flush();
    h.t.advance(1000);
    await flush();
    expect(h.state()).toEqual([4]);
  });

  it('after stop() nothing is applied', async () => {
    const d = deferred<number[] | null>();
    const h = harness([d.p]);
    h.r.handleState('open');
    h.r.stop();
    d.resolve([1]);
    await flush();
    h.r.handleMessage(ev(2));
    expect(h.applied).toEqual([]);
  });
});

/** A scripted WebSocket for the manager. */
class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(d: string) {
    this.sent.push(d);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({} as CloseEvent);
  }
  receive(data: string) {
    this.onmessage?.({ data } as MessageEvent);
  }
}

describe('SocketManager reconnects with exponential backoff', () => {
  it('backoffDelay doubles up to the cap, with half of it random', () => {
    const lo = () => 0;
    const hi = () => 1;
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, 500, 30000, hi))).toEqual([500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, 500, 30000, lo))).toEqual([250, 500, 1000, 2000]);
    expect(backoffDelay(20, 500, 30000, hi)).toBe(30000);
    expect(backoffDelay(1000, 500, 30000, lo)).toBe(15000);
  });

  it('retries after each loss with growing delays, resets on success, and feeds a Resync', async () => {
    FakeSocket.all = [];
    const timers: Array<{ ms: number; fn: () => void }> = [];
    const realSet = globalThis.setTimeout;
    // The manager uses the global timers: capture its retry delays.
    globalThis.setTimeout = ((fn: () => void, ms: number) => {
      timers.push({ ms, fn });
      return timers.length as unknown as ReturnType<typeof setTimeout>;
    }) as typeof setTimeout;
    try {
      const m = new SocketManager({ url: 'ws://x/api/v1/ws', createSocket: (u) => new FakeSocket(u), random: () => 1, heartbeatMs: 1e9 });
      const states: string[] = [];
      m.subscribe((s) => states.push(s));
      let loads = 0;
      const got: number[] = [];
      const r = new Resync<number[]>({
        load: async () => {
          loads++;
          return [];
        },
        applySnapshot: () => {},
        applyEvent: (msg) => got.push((msg.data as { id: number }).id),
        accepts: () => true,
        setTimer: () => 0,
        clearTimer: () => {},
      });
      m.subscribe((s) => r.handleState(s));
      m.onMessage((msg) => r.handleMessage(msg));
      m.start();
      FakeSocket.all[0]!.open();
      await Promise.resolve();
      await Promise.resolve();
      FakeSocket.all[0]!.drop();
      FakeSocket.all[0]!.receive('{"type":"late","data":{"id":0}}'); // from a dead socket: ignored
      // Three failed attempts: 500, 1000, 2000 ms, then success.
      for (let i = 1; i <= 3; i++) {
        timers.shift()!.fn();
        FakeSocket.all[i]!.drop();
      }
      expect(timers.map((t) => t.ms)).toEqual([4000]);
      timers.shift()!.fn();
      FakeSocket.all[4]!.open();
      await Promise.resolve();
      await Promise.resolve();
      FakeSocket.all[4]!.receive('{"type":"x","data":{"id":7}}');
      expect(states).toEqual(['stopped', 'connecting', 'open', 'reconnecting', 'open']);
      expect(loads).toBe(2);
      expect(got).toEqual([7]);
      // After a success the next loss starts again at the base delay.
      FakeSocket.all[4]!.drop();
      expect(timers.at(-1)!.ms).toBe(500);
      m.stop();
    } finally {
      globalThis.setTimeout = realSet;
    }
  });
});
