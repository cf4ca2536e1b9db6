import { contactName, type Offer } from '../lib/desk';
import { CHANNEL_LABELS } from '../lib/staff';
import { Button, Chip } from '../ui';

export interface OfferListProps {
  offers: Offer[];
  busy: number | null;
  onAccept: (o: Offer) => void;
  onReject: (o: Offer) => void;
}

function until(deadline: string | null): string {
  if (!deadline) return '';
  const d = new Date(deadline);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Incoming offers, oldest first, each with Accept and Reject. */
export function OfferList({ offers, busy, onAccept, onReject }: OfferListProps) {
  return (
    <section class="desk-offers" aria-labelledby="desk-offers-title">
      <h2 class="desk-side__title" id="desk-offers-title">
        Incoming {offers.length > 0 && <span class="count-badge">{offers.length}</span>}
      </h2>
      {offers.length === 0 && <p class="muted small">No incoming interaction.</p>}
      <ul class="offer-list">
        {offers.map((o) => {
          const name = contactName(o.contact);
          return (
            <li key={o.id} class="offer" aria-label={`Offer from ${name}`}>
              <div class="offer__head">
                <strong>{name}</strong>
                <Chip tone="info">{CHANNEL_LABELS[o.channel] ?? o.channel}</Chip>
                {o.auto_answer && <Chip tone="ok">Auto answer</Chip>}
              </div>
              {o.last_message && <p class="offer__text">{o.last_message}</p>}
              <p class="muted small">
                {o.offer_queue_id !== null ? `Queue #${o.offer_queue_id}` : 'Offered to you'}
                {o.offer_deadline ? ` · until ${until(o.offer_deadline)}` : ''}
              </p>
              <div class="row">
                <Button onClick={() => onAccept(o)} disabled={busy === o.id} aria-label={`Accept ${name}`}>
                  Accept
                </Button>
                <Button variant="secondary" onClick={() => onReject(o)} disabled={busy === o.id} aria-label={`Reject ${name}`}>
                  Reject
                </Button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
