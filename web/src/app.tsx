import { useEffect, useRef, useState } from 'preact/hooks';
import { AppHeader } from './components/AppHeader';
import { ServerStatus } from './components/ServerStatus';
import { SignInCard } from './components/SignInCard';
import type { SocketManager } from './lib/socket';
import { useSocketState } from './lib/useSocketState';
import { Banner } from './ui';

export interface AppProps {
  socket: SocketManager;
}

export function App({ socket }: AppProps) {
  const connection = useSocketState(socket);
  // Bumped on every reconnection so views reload what they may have missed.
  const [reconnects, setReconnects] = useState(0);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (connection === 'open') {
      if (wasOpen.current) setReconnects((n) => n + 1);
      wasOpen.current = true;
    }
  }, [connection]);

  return (
    <div class="app">
      <AppHeader connection={connection} />
      <main class="app-main" id="main" tabIndex={-1}>
        {connection === 'reconnecting' && (
          <Banner tone="warning" role="alert">
            Connection lost. Reconnecting…
          </Banner>
        )}
        <div class="app-grid">
          <SignInCard />
          <ServerStatus refreshKey={reconnects} />
        </div>
      </main>
    </div>
  );
}
