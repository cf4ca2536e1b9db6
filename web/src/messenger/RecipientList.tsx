import { useState } from 'preact/hooks';
import { filterRecipients, type Recipient } from '../lib/messenger';
import { SelectField, TextField } from '../ui';

export interface RecipientListProps {
  recipients: Recipient[];
  onOpen: (r: Recipient) => void;
}

/** People to write to: search by name, filter by status; newest conversation on top. */
export function RecipientList({ recipients, onOpen }: RecipientListProps) {
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<'all' | 'online' | 'offline'>('all');
  const shown = filterRecipients(recipients, q, status);
  return (
    <div class="stack stack--tight">
      <div class="messenger__filters">
        <TextField label="Search people" type="search" value={q} onValueChange={setQ} />
        <SelectField
          label="Status"
          value={status}
          options={[
            { value: 'all', label: 'All' },
            { value: 'online', label: 'Online' },
            { value: 'offline', label: 'Offline' },
          ]}
          onValueChange={(v) => setStatus(v === 'online' || v === 'offline' ? v : 'all')}
        />
      </div>
      {shown.length === 0 && <p class="muted small">Nobody matches.</p>}
      <ul class="conv-list" aria-label="People">
        {shown.map((r) => (
          <li key={r.id}>
            <button type="button" class="conv" onClick={() => onOpen(r)} aria-label={`${r.name}, ${r.online ? 'online' : 'offline'}${r.unread ? `, ${r.unread} unread` : ''}`}>
              <span class={`presence presence--${r.online ? 'on' : 'off'}`} aria-hidden="true" />
              <span class="conv__name">{r.name}</span>
              <span class="conv__role muted small">{r.role === 'user' ? 'supervisor' : r.role}</span>
              {r.unread > 0 && (
                <span class="count-badge" data-testid="unread">
                  {r.unread}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
