import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { genericMessage } from '../lib/auth';
import { messengerApi, type ChatMessage, type ConvKey, type MessengerAction } from '../lib/messenger';
import { Button } from '../ui';

export interface ConversationProps {
  conv: ConvKey;
  title: string;
  me: number;
  maxChars: number;
  messages: ChatMessage[] | undefined;
  /** Group without "Enable writing" and I am not its creator or an admin. */
  readOnly: boolean;
  dispatch: (a: MessengerAction) => void;
  onBack: () => void;
}

function time(v: string): string {
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(undefined, { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' });
}

/** One conversation: history (oldest first, newest at the bottom) and the message box. */
export function Conversation({ conv, title, me, maxChars, messages, readOnly, dispatch, onBack }: ConversationProps) {
  const id = useId();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const end = useRef<HTMLDivElement>(null);

  // Load the history when the conversation opens (or was forgotten by a re-sync).
  useEffect(() => {
    if (messages !== undefined) return;
    void messengerApi.history(conv).then((r) => {
      if (r.ok) dispatch({ kind: 'history', conv, messages: r.value });
      else setError(genericMessage(r.error));
    });
  }, [conv, messages === undefined]);

  // Reading it marks it read (and again when a new message arrives while it is open).
  const lastId = messages?.at(-1)?.id ?? 0;
  const loaded = messages !== undefined;
  useEffect(() => {
    if (!loaded) return;
    dispatch({ kind: 'read', conv });
    void messengerApi.read(conv);
    end.current?.scrollIntoView({ block: 'end' });
  }, [conv, lastId, loaded]);

  async function send(e: Event) {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    if ([...body].length > maxChars) return setError(`At most ${maxChars} characters.`);
    const r = await messengerApi.send(conv, body);
    if (!r.ok) return setError(genericMessage(r.error));
    setText('');
    setError(null);
    dispatch({ kind: 'sent', message: r.value });
  }

  return (
    <div class="conversation">
      <div class="row">
        <Button variant="ghost" onClick={onBack} aria-label="Back to the list">
          ←
        </Button>
        <h3 class="conversation__title">{title}</h3>
      </div>
      <div class="conversation__log" role="log" aria-label={`Conversation with ${title}`}>
        {messages === undefined && <p class="muted small">Loading…</p>}
        {messages?.length === 0 && <p class="muted small">No message yet. Say hello.</p>}
        {messages?.map((m) => (
          <div key={m.id} class={`chat-msg${m.sender.id === me ? ' chat-msg--mine' : ''}`}>
            <div class="chat-msg__meta">
              <span>{m.sender.id === me ? 'You' : m.sender.name}</span> <time dateTime={m.created_at}>{time(m.created_at)}</time>
            </div>
            <div class="chat-msg__body">{m.body}</div>
          </div>
        ))}
        <div ref={end} />
      </div>
      {readOnly ? (
        <p class="muted small">Writing is not enabled in this group: you only receive its messages.</p>
      ) : (
        <form class="stack stack--tight" onSubmit={(e) => void send(e)}>
          <label class="field__label" for={`${id}-text`}>
            Message to {title}
          </label>
          <textarea
            id={`${id}-text`}
            class="field__input"
            rows={2}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) void send(e);
            }}
          />
          {error && (
            <div class="field__error" role="alert">
              {error}
            </div>
          )}
          <div class="row row--end">
            <Button type="submit">Send</Button>
          </div>
        </form>
      )}
    </div>
  );
}
