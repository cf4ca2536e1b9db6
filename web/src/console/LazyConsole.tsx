import { useEffect, useState } from 'preact/hooks';
import { Banner } from '../ui';
import type { ConsoleProps } from './Console';

type ConsoleModule = typeof import('./Console');

let loaded: ConsoleModule | null = null;
let loading: Promise<ConsoleModule> | null = null;

/** Starts (once) loading the console's code, a chunk of its own: agents never download it. */
export function loadConsole(): Promise<ConsoleModule> {
  loading ??= import('./Console').then((m) => (loaded = m));
  return loading;
}

/** The admin console, rendered once its chunk is loaded; a failed load says so (a reload retries). */
export function LazyConsole(props: ConsoleProps) {
  const [mod, setMod] = useState<ConsoleModule | null>(loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (mod) return;
    loadConsole().then(setMod, () => {
      loading = null;
      setFailed(true);
    });
  }, [mod]);
  if (failed) return <Banner tone="error">The console could not be loaded. Check the connection and reload the page.</Banner>;
  if (!mod) return <p class="muted">Loading…</p>;
  return <mod.Console {...props} />;
}
