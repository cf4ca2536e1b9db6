import type { ComponentChildren } from 'preact';
import { headerText, useBranding } from '../lib/branding';
import type { SocketState } from '../lib/socket';

export interface AppHeaderProps {
  connection: SocketState;
  /** Right-hand slot, for the messenger button. */
  actions?: ComponentChildren;
}

const CONNECTION_LABEL: Record<SocketState, string> = {
  connecting: 'Connecting',
  open: 'Online',
  reconnecting: 'Offline',
  stopped: 'Offline',
};

export function AppHeader({ connection, actions }: AppHeaderProps) {
  const { branding } = useBranding();
  return (
    <header class="app-header">
      <a class="skip-link" href="#main">
        Skip to main content
      </a>
      <a class="app-header__brand" href="/">
        {branding.systemLogo && <img class="app-header__logo" src={branding.systemLogo} alt="" />}
        <span data-testid="header-text">{headerText(branding)}</span>
      </a>
      <div class="app-header__actions">
        <span class={`conn-pill conn-pill--${connection}`} title="Live connection to the server">
          <span class="conn-pill__dot" aria-hidden="true" />
          {CONNECTION_LABEL[connection]}
        </span>
        <div class="app-header__slot" data-slot="messenger">
          {actions}
        </div>
      </div>
    </header>
  );
}
