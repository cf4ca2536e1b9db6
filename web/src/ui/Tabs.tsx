import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

export interface TabsProps {
  label: string;
  tabs: { id: string; label: string; invalid?: boolean }[];
  active: string;
  onChange: (id: string) => void;
  children?: ComponentChildren;
}

/**
 * ARIA tabs: arrow keys, Home and End move between tabs (automatic activation); only the
 * active panel is rendered, the caller keeps the state of every tab.
 */
export function Tabs({ label, tabs, active, onChange, children }: TabsProps) {
  const id = useId();
  function onKey(e: KeyboardEvent) {
    const i = tabs.findIndex((t) => t.id === active);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const t = tabs[next];
    if (!t) return;
    onChange(t.id);
    document.getElementById(`${id}-tab-${t.id}`)?.focus();
  }
  return (
    <div class="tabs">
      <div class="tabs__list" role="tablist" aria-label={label} onKeyDown={onKey}>
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`${id}-tab-${t.id}`}
            class={`tabs__tab${t.invalid ? ' tabs__tab--invalid' : ''}`}
            aria-selected={t.id === active ? 'true' : 'false'}
            aria-controls={`${id}-panel`}
            tabIndex={t.id === active ? 0 : -1}
            onClick={() => onChange(t.id)}
          >
            {t.label}
            {t.invalid && <span class="sr-only"> (has errors)</span>}
          </button>
        ))}
      </div>
      <div class="tabs__panel" role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${active}`}>
        {children}
      </div>
    </div>
  );
}
