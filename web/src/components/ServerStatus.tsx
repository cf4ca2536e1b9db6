import { useEffect, useState } from 'preact/hooks';
import { fetchHealth, type Health, type Result } from '../lib/api';
import { Banner, Button } from '../ui';

export interface ServerStatusProps {
  /** Changes whenever the live connection comes back, to refresh at once. */
  refreshKey: number;
}

const REFRESH_MS = 30_000;

export function formatUptime(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}

/** Card showing GET /api/v1/health, refreshed every 30 s and on demand. */
export function ServerStatus({ refreshKey }: ServerStatusProps) {
  const [result, setResult] = useState<Result<Health> | null>(null);
  const [manual, setManual] = useState(0);

  useEffect(() => {
    const ctrl = new AbortController();
    const load = () => {
      fetchHealth(ctrl.signal).then(setResult, () => {
        /* aborted on unmount */
      });
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      clearInterval(timer);
      ctrl.abort();
    };
  }, [refreshKey, manual]);

  return (
    <section class="card" aria-labelledby="server-status-title">
      <div class="card__header">
        <h2 class="card__title" id="server-status-title">
          Server status
        </h2>
        <Button variant="secondary" onClick={() => setManual((n) => n + 1)}>
          Refresh
        </Button>
      </div>
      {result === null && <p class="muted" role="status">Checking…</p>}
      {result !== null && !result.ok && (
        <Banner tone="error" title="Status unavailable">
          {result.error}
        </Banner>
      )}
      {result !== null && result.ok && (
        <dl class="kv" aria-live="polite">
          <dt>Status</dt>
          <dd>
            <span class={`badge ${result.value.status === 'ok' ? 'badge--ok' : 'badge--bad'}`}>
              {result.value.status}
            </span>
          </dd>
          <dt>Version</dt>
          <dd class="mono">{result.value.version}</dd>
          <dt>Uptime</dt>
          <dd>{formatUptime(result.value.uptime_seconds)}</dd>
          <dt>Database</dt>
          <dd>
            {result.value.database.backend}{' '}
            <span class={`badge ${result.value.database.ok ? 'badge--ok' : 'badge--bad'}`}>
              {result.value.database.ok ? 'ok' : 'failing'}
            </span>
          </dd>
        </dl>
      )}
    </section>
  );
}
