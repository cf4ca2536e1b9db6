import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

export interface DialogProps {
  title: string;
  open: boolean;
  onClose: () => void;
  children?: ComponentChildren;
  /** The buttons row. */
  actions?: ComponentChildren;
}

/**
 * A modal on the native <dialog>: showModal() makes the rest of the page inert, keeps focus
 * inside and closes on Escape; focus returns to the opener when it closes.
 */
export function Dialog({ title, open, onClose, children, actions }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={`${id}-title`}
      onClose={() => {
        if (open) onClose();
      }}
    >
      {open && (
        <div class="dialog__body">
          <h2 class="dialog__title" id={`${id}-title`}>
            {title}
          </h2>
          {children}
          {actions && <div class="row row--end">{actions}</div>}
        </div>
      )}
    </dialog>
  );
}
