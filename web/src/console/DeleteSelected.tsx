import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { genericMessage } from '../lib/auth';
import { isMissingRoute, send } from '../lib/staff';
import { Button, Dialog } from '../ui';

export interface DeleteSelectedProps {
  selected: ReadonlySet<number>;
  /** "agent" / "agents". */
  noun: [string, string];
  /** DELETE path of one row. */
  path: (id: number) => string;
  /** A bulk route taking {ids} (POST), tried first; one DELETE per row when it is missing. */
  bulkPath?: string;
  /** What else happens (sessions end, members leave…). */
  consequence?: ComponentChildren;
  /** Called after the attempt: how many were deleted and the first error, if any. */
  onDone: (deleted: number[], error: string | null) => void;
}

/**
 * "Delete selected" with its confirmation dialog, for any list with multi-select. Rows are
 * deleted one at a time (stopping at the first refusal, which is reported) unless the API has
 * a bulk route.
 */
export function DeleteSelected({ selected, noun, path, bulkPath, consequence, onDone }: DeleteSelectedProps) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const n = selected.size;
  const word = n === 1 ? noun[0] : noun[1];

  async function run() {
    setBusy(true);
    const ids = [...selected];
    const done: number[] = [];
    let error: string | null = null;
    let tried = false;
    if (bulkPath) {
      const r = await send('POST', bulkPath, { ids });
      if (r.ok) done.push(...ids);
      else if (!isMissingRoute(r.error)) error = genericMessage(r.error);
      tried = r.ok || !isMissingRoute(r.error);
    }
    if (!tried) {
      for (const id of ids) {
        const r = await send('DELETE', path(id));
        if (!r.ok) {
          error = genericMessage(r.error);
          break;
        }
        done.push(id);
      }
    }
    setBusy(false);
    setOpen(false);
    onDone(done, error);
  }

  return (
    <>
      <Button variant="danger" disabled={n === 0} onClick={() => setOpen(true)}>
        Delete selected
      </Button>
      <Dialog
        title={`Delete ${noun[1]}`}
        open={open}
        onClose={() => setOpen(false)}
        actions={
          <>
            <Button variant="secondary" onClick={() => setOpen(false)} disabled={busy}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => void run()} disabled={busy}>
              Delete {n} {word}
            </Button>
          </>
        }
      >
        <p>
          Delete the {n} selected {word}? {consequence} This cannot be undone.
        </p>
      </Dialog>
    </>
  );
}

/** The notice after DeleteSelected: "2 teams deleted." and the refusal, if any. */
export function deletedNotice(deleted: number, error: string | null, noun: [string, string]): { tone: 'success' | 'error'; text: string } {
  const done = `${deleted} ${deleted === 1 ? noun[0] : noun[1]} deleted.`;
  if (!error) return { tone: 'success', text: done };
  return { tone: 'error', text: deleted ? `${done} Then: ${error}` : error };
}
