import { useEffect, useState } from 'preact/hooks';

export type ToastTone = 'info' | 'success' | 'warning' | 'error';
export type ToastPosition = 'top-left' | 'top-center' | 'top-right' | 'bottom-left' | 'bottom-center' | 'bottom-right';

export const TOAST_POSITIONS: readonly ToastPosition[] = ['top-left', 'top-center', 'top-right', 'bottom-left', 'bottom-center', 'bottom-right'];

interface Toast {
  id: number;
  tone: ToastTone;
  text: string;
}

const TOAST_MS = 6_000;
const MAX_TOASTS = 5;
let seq = 0;
let toasts: Toast[] = [];
const listeners = new Set<(t: Toast[]) => void>();

function emit(): void {
  for (const fn of listeners) fn(toasts);
}

function dismiss(id: number): void {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

/** Shows a short notification for a few seconds (at most MAX_TOASTS at once). */
export function toast(tone: ToastTone, text: string): void {
  const t = { id: ++seq, tone, text };
  toasts = [...toasts, t].slice(-MAX_TOASTS);
  emit();
  setTimeout(() => dismiss(t.id), tone === 'error' ? TOAST_MS * 2 : TOAST_MS);
}

export function parseToastPosition(v: unknown): ToastPosition {
  return typeof v === 'string' && (TOAST_POSITIONS as readonly string[]).includes(v) ? (v as ToastPosition) : 'top-right';
}

/** The toasts, stacked at `position` (the agent's notification_position). */
export function Toaster({ position }: { position: ToastPosition }) {
  const [list, setList] = useState<Toast[]>(toasts);
  useEffect(() => {
    listeners.add(setList);
    return () => void listeners.delete(setList);
  }, []);
  return (
    <div class={`toaster toaster--${position}`} role="status" aria-live="polite" data-position={position}>
      {list.map((t) => (
        <div key={t.id} class={`toast toast--${t.tone}`}>
          <span class="toast__text">{t.text}</span>
          <button type="button" class="toast__close" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
