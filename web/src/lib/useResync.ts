import { useEffect, useRef } from 'preact/hooks';
import { Resync } from './resync';
import type { ServerMessage, SocketManager } from './socket';

export interface UseResyncOptions<S> {
  load: () => Promise<S | null>;
  applySnapshot: (s: S) => void;
  applyEvent: (m: ServerMessage) => void;
  accepts: (m: ServerMessage) => boolean;
  /** False: do nothing (e.g. a feature the account may not use). */
  enabled?: boolean;
}

/**
 * Keeps a view in sync with the server through `socket`: loads the snapshot now and on every
 * reconnection, applies the events in between (see Resync). Returns a function that forces a
 * new load (after an action that changed a lot).
 */
export function useResync<S>(socket: SocketManager, opts: UseResyncOptions<S>): () => void {
  const latest = useRef(opts);
  latest.current = opts;
  const current = useRef<Resync<S> | null>(null);
  const enabled = opts.enabled !== false;
  useEffect(() => {
    if (!enabled) return;
    const r = new Resync<S>({
      load: () => latest.current.load(),
      applySnapshot: (s) => latest.current.applySnapshot(s),
      applyEvent: (m) => latest.current.applyEvent(m),
      accepts: (m) => latest.current.accepts(m),
    });
    current.current = r;
    const offMsg = socket.onMessage((m) => r.handleMessage(m));
    const offState = socket.subscribe((s) => r.handleState(s));
    // REST works while the socket is down: load once now in any case.
    if (socket.state !== 'open') void r.sync();
    return () => {
      r.stop();
      offMsg();
      offState();
      current.current = null;
    };
  }, [socket, enabled]);
  return () => void current.current?.sync();
}
