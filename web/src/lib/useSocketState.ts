import { useEffect, useState } from 'preact/hooks';
import type { SocketManager, SocketState } from './socket';

/** The manager's current state, re-rendering on every change. */
export function useSocketState(manager: SocketManager): SocketState {
  const [state, setState] = useState<SocketState>(manager.state);
  useEffect(() => manager.subscribe(setState), [manager]);
  return state;
}
