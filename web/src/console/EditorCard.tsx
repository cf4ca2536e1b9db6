import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Link } from '../lib/router';
import { Banner, Button, Dialog } from '../ui';

export type Notice = { tone: 'success' | 'error'; text: string };

/** What the editor's delete button is called, what its confirmation says and what it does. */
export interface DeleteAction {
  /** The button's and the dialog's title, e.g. "Delete team". */
  label: string;
  /** The confirmation text. */
  confirm: ComponentChildren;
  /** Runs after the confirmation (the dialog is already closed). */
  run: () => void | Promise<void>;
}

/**
 * The frame every console editor shares: a back link to its list, the title, a delete button
 * with its confirmation dialog (when `remove` is given), the save/refusal banner, then the
 * editor's own body.
 */
export function EditorCard(props: {
  /** The heading's id (the section is labelled by it). */
  headingId: string;
  back: { href: string; label: string };
  title: string;
  /** Narrow form layout (card--form). */
  narrow?: boolean;
  message: Notice | null;
  remove?: DeleteAction | undefined;
  children: ComponentChildren;
}) {
  const [confirming, setConfirming] = useState(false);
  const { remove } = props;
  return (
    <section class={props.narrow ? 'card card--form' : 'card'} aria-labelledby={props.headingId}>
      <div class="card__header">
        <div>
          <Link href={props.back.href} class="back-link">
            ← {props.back.label}
          </Link>
          <h1 class="card__title" id={props.headingId}>
            {props.title}
          </h1>
        </div>
        {remove && (
          <Button variant="danger" onClick={() => setConfirming(true)}>
            {remove.label}
          </Button>
        )}
      </div>
      {props.message && (
        <Banner tone={props.message.tone} role={props.message.tone === 'error' ? 'alert' : 'status'}>
          {props.message.text}
        </Banner>
      )}
      {props.children}
      {remove && (
        <Dialog
          title={remove.label}
          open={confirming}
          onClose={() => setConfirming(false)}
          actions={
            <>
              <Button variant="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </Button>
              <Button
                variant="danger"
                onClick={() => {
                  setConfirming(false);
                  void remove.run();
                }}
              >
                Delete
              </Button>
            </>
          }
        >
          {remove.confirm}
        </Dialog>
      )}
    </section>
  );
}
