import { useEffect, useRef } from 'preact/hooks';
import type { DeliveryStatus, Message } from '../lib/desk';
import { Ticks } from './Ticks';

export interface MessageThreadProps {
  /** Oldest first. */
  messages: Message[];
  statuses: Record<number, DeliveryStatus>;
  customer: string;
  /** Who wrote an outbound message or note (default: "You" for the agent's own, "Auto reply"). */
  author?: (m: Message) => string;
}

function time(v: string, long = false): string {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return '';
  return long ? d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** The conversation, newest at the bottom (kept in view as messages arrive). */
export function MessageThread({ messages, statuses, customer, author }: MessageThreadProps) {
  const end = useRef<HTMLDivElement>(null);
  const last = messages.at(-1)?.id;
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [last]);
  return (
    <div class="thread" role="log" aria-label="Messages" aria-live="polite">
      {messages.length === 0 && <p class="muted small">No message yet.</p>}
      {messages.map((m) => {
        const kind = m.internal ? 'note' : m.direction;
        const by = author ? author(m) : m.sender_id ? 'You' : 'Auto reply';
        const who = m.internal ? (author ? `Internal note · ${by}` : 'Internal note') : m.direction === 'in' ? customer : by;
        return (
          <div key={m.id} class={`bubble bubble--${kind}`} data-message-id={m.id}>
            <div class="bubble__meta">
              <span class="bubble__who">{who}</span>
              <time dateTime={m.created_at}>{time(m.created_at, author !== undefined)}</time>
              {m.direction === 'out' && !m.internal && <Ticks status={statuses[m.id] ?? m.delivery_status} />}
            </div>
            <div class="bubble__body">{m.body}</div>
            {m.attachments > 0 && <div class="muted small">{m.attachments} attachment{m.attachments === 1 ? '' : 's'}</div>}
          </div>
        );
      })}
      <div ref={end} />
    </div>
  );
}
