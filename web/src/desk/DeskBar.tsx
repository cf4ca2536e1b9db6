import { useState } from 'preact/hooks';
import { genericMessage } from '../lib/auth';
import { deskApi, type AgentState } from '../lib/desk';
import { CHANNEL_LABELS } from '../lib/staff';
import { Button, Chip, TextField, toast } from '../ui';

export interface DeskBarProps {
  state: AgentState | null;
  /** Offers shown on the desk (agent.state is not sent for every offer). */
  offered: number;
  onState: (s: AgentState) => void;
}

/** Channel logins and pause/unpause, with the agent's counts. */
export function DeskBar({ state, offered, onState }: DeskBarProps) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  // The channel being switched shows its new state at once (until the server answers).
  const [want, setWant] = useState<{ ch: string; on: boolean } | null>(null);
  if (!state) return <p class="muted" role="status">Loading your state…</p>;
  const current = state;

  async function run(p: ReturnType<typeof deskApi.unpause>, done?: () => void) {
    setBusy(true);
    const r = await p;
    setBusy(false);
    setWant(null);
    if (!r.ok) return toast('error', genericMessage(r.error));
    onState(r.value);
    done?.();
  }
  const channels = Object.keys(current.logged_in).sort((a, b) => (CHANNEL_LABELS[a] ?? a).localeCompare(CHANNEL_LABELS[b] ?? b));
  return (
    <section class="desk-bar" aria-label="My state">
      <fieldset class="desk-bar__channels">
        <legend class="field__label">Channels</legend>
        <div class="check-row">
          {channels.map((ch) => {
            const on = want?.ch === ch ? want.on : current.logged_in[ch] === true;
            return (
              <div class="check" key={ch}>
                <input
                  id={`desk-ch-${ch}`}
                  type="checkbox"
                  class="check__input"
                  checked={on}
                  disabled={busy}
                  onChange={() => {
                    setWant({ ch, on: !on });
                    void run(on ? deskApi.logout(ch) : deskApi.login(ch));
                  }}
                />
                <label class="check__label" for={`desk-ch-${ch}`}>
                  {CHANNEL_LABELS[ch] ?? ch}
                  {on && (current.open[ch] ?? 0) > 0 ? ` (${current.open[ch]})` : ''}
                </label>
              </div>
            );
          })}
        </div>
      </fieldset>
      <div class="desk-bar__pause">
        {current.paused ? (
          <>
            <Chip tone="warning">Paused{current.pause_reason ? `: ${current.pause_reason}` : ''}</Chip>
            <Button onClick={() => void run(deskApi.unpause())} disabled={busy}>
              Unpause
            </Button>
          </>
        ) : (
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              void run(deskApi.pause(reason.trim()), () => setReason(''));
            }}
          >
            <TextField label="Pause reason" value={reason} onValueChange={setReason} maxLength={63} placeholder="Optional" />
            <Button type="submit" variant="secondary" disabled={busy}>
              Pause
            </Button>
          </form>
        )}
        <Chip tone={current.paused ? 'warning' : 'ok'}>{current.paused ? 'Not receiving' : 'Available'}</Chip>
        <span class="muted small">
          {current.open_tabs} open · {offered} offered
        </span>
      </div>
    </section>
  );
}
