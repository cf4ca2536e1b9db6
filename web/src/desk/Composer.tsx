import { useRef, useId, useState } from 'preact/hooks';
import { genericMessage } from '../lib/auth';
import { deskApi, insertAt, replyConflict } from '../lib/desk';
import { Banner, Button, toast } from '../ui';
import { CannedPicker } from './CannedPicker';

export interface ComposerProps {
  interactionId: number;
  /** The account has no reply URL (learnt from a 409): replies are off, notes still work. */
  cannotReply: boolean;
  onCannotReply: () => void;
  onClosed: () => void;
  onSent: () => void;
}

const MAX_BYTES = 16_384;

/** The reply box, and internal notes (never sent to the customer). */
export function Composer({ interactionId, cannotReply, onCannotReply, onClosed, onSent }: ComposerProps) {
  const id = useId();
  const [mode, setMode] = useState<'reply' | 'note'>(cannotReply ? 'note' : 'reply');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [picking, setPicking] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const note = mode === 'note';

  function insert(t: string) {
    const el = area.current;
    const r = insertAt(text, t, el?.selectionStart ?? text.length, el?.selectionEnd ?? text.length);
    setText(r.value);
    setPicking(false);
    setTimeout(() => {
      el?.focus();
      el?.setSelectionRange(r.caret, r.caret);
    }, 0);
  }
  const disabled = busy || (!note && cannotReply);

  async function send(e: Event) {
    e.preventDefault();
    const body = text.trim();
    if (!body) return setError(note ? 'Write the note first.' : 'Write the reply first.');
    if (new TextEncoder().encode(body).length > MAX_BYTES) return setError('The text is too long (16 KB at most).');
    setBusy(true);
    const r = note ? await deskApi.note(interactionId, body) : await deskApi.reply(interactionId, body);
    setBusy(false);
    if (r.ok) {
      setText('');
      setError(null);
      onSent();
      return;
    }
    if (r.error.status === 409) {
      const why = replyConflict(r.error.detail);
      if (why === 'no_reply_url') {
        onCannotReply();
        setMode('note');
        return;
      }
      if (why === 'closed') {
        toast('warning', 'This interaction is closed.');
        onClosed();
        return;
      }
    }
    setError(genericMessage(r.error));
  }

  return (
    <form class="composer" onSubmit={(e) => void send(e)} noValidate>
      <div class="composer__modes" role="radiogroup" aria-label="Message type">
        {(['reply', 'note'] as const).map((m) => (
          <label key={m} class={`composer__mode${mode === m ? ' composer__mode--on' : ''}`}>
            <input type="radio" name={`${id}-mode`} value={m} checked={mode === m} onChange={() => setMode(m)} />
            {m === 'reply' ? 'Reply' : 'Internal note'}
          </label>
        ))}
      </div>
      {cannotReply && (
        <Banner tone="warning" role="status">
          This account has no reply URL: replies cannot be sent to the customer. You can still add internal notes.
        </Banner>
      )}
      <label class="field__label" for={`${id}-text`}>
        {note ? 'Internal note (only staff see it)' : 'Reply to the customer'}
      </label>
      <textarea
        ref={area}
        id={`${id}-text`}
        class={`field__input composer__text${note ? ' composer__text--note' : ''}`}
        rows={3}
        value={text}
        disabled={disabled}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
        }}
      />
      {error && (
        <div class="field__error" id={`${id}-error`} role="alert">
          {error}
        </div>
      )}
      {picking && <CannedPicker interactionId={interactionId} onPick={insert} onClose={() => setPicking(false)} />}
      <div class="row row--end">
        <Button variant="ghost" aria-expanded={picking ? 'true' : 'false'} onClick={() => setPicking(!picking)} disabled={disabled}>
          Canned answers
        </Button>
        <span class="muted small">Ctrl+Enter sends</span>
        <Button type="submit" variant={note ? 'secondary' : 'primary'} disabled={disabled}>
          {note ? 'Add note' : 'Send reply'}
        </Button>
      </div>
    </form>
  );
}
