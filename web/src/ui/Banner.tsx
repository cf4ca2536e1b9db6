import type { ComponentChildren } from 'preact';

export type BannerTone = 'info' | 'success' | 'warning' | 'error';

export interface BannerProps {
  tone?: BannerTone;
  title?: string;
  children?: ComponentChildren;
  /**
   * ARIA live role. 'alert' interrupts the screen reader (use for problems the user must know
   * now, e.g. a lost connection); 'status' is announced politely. Defaults from the tone.
   */
  role?: 'alert' | 'status';
}

/** A message strip across the content area. */
export function Banner({ tone = 'info', title, children, role }: BannerProps) {
  const liveRole = role ?? (tone === 'warning' || tone === 'error' ? 'alert' : 'status');
  return (
    <div class={`banner banner--${tone}`} role={liveRole}>
      <div class="banner__body">
        {title && <div class="banner__title">{title}</div>}
        {children}
      </div>
    </div>
  );
}
