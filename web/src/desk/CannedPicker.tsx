import { useEffect, useRef, useState } from 'preact/hooks';
import { genericMessage } from '../lib/auth';
import { deskApi, type CannedAnswer } from '../lib/desk';
import { useDebounced } from '../console/common';
import { TextField } from '../ui';

export interface CannedPickerProps {
  interactionId: number;
  /** Called with the chosen answer's text, rendered for this agent and contact. */
  onPick: (text: string) => void;
  onClose: () => void;
}

/**
 * The composer's canned answers: the interaction's account's and the global ones
 * (GET /interactions/{id}/canned-answers?q=), searched by name and text; choosing one inserts
 * its rendered text at the caret. Escape closes it.
 */
export function CannedPicker({ interactionId, onPick, onClose }: CannedPickerProps) {
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim(), 200);
  const [list, setList] = useState<CannedAnswer[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    root.current?.querySelector('input')?.focus();
  }, []);

  useEffect(() => {
    let live = true;
    void deskApi.canned(interactionId, query.slice(0, 64)).then((r) => {
      if (!live) return;
      if (r.ok) {
        setList(r.value);
        setError(null);
      } else setError(genericMessage(r.error));
    });
    return () => {
      live = false;
    };
  }, [interactionId, query]);

  return (
    <div
      class="canned__panel"
      ref={root}
      role="dialog"
      aria-label="Canned answers"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <TextField label="Search canned answers" type="search" value={q} onValueChange={setQ} maxLength={64} />
      {error && (
        <p class="field__error" role="alert">
          {error}
        </p>
      )}
      {list === null && !error && <p class="muted small">Loading…</p>}
      {list && list.length === 0 && <p class="muted small">{query ? 'No canned answer matches.' : 'No canned answer for this account.'}</p>}
      {list && list.length > 0 && (
        <ul class="canned__list" aria-label="Canned answers found">
          {list.map((a) => (
            <li key={a.id}>
              <button type="button" class="canned__item" onClick={() => onPick(a.text)}>
                <span class="canned__name">{a.name}</span>
                <span class="canned__text">{a.text.length > 200 ? `${a.text.slice(0, 200)}…` : a.text}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
