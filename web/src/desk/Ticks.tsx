import type { DeliveryStatus } from '../lib/desk';

const LABEL: Record<DeliveryStatus, string> = {
  received: 'Received',
  queued: 'Queued',
  sent: 'Sent',
  delivered: 'Delivered',
  failed: 'Not delivered',
};

/**
 * Delivery ticks of an outbound message: queued = one grey tick, sent = one tick, delivered =
 * two ticks, failed = red. The state is also given in words to screen readers and as a title.
 */
export function Ticks({ status }: { status: DeliveryStatus }) {
  if (status === 'received') return null;
  const marks = status === 'delivered' ? '✓✓' : status === 'failed' ? '✕' : '✓';
  return (
    <span class={`ticks ticks--${status}`} title={LABEL[status]} data-status={status}>
      <span aria-hidden="true">{marks}</span>
      <span class="sr-only">{LABEL[status]}</span>
    </span>
  );
}
