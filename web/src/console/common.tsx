import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { fieldMessages, genericMessage, type ApiError, type ApiResult, type FieldError } from '../lib/auth';

export type Load<T> = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; value: T };

/**
 * Runs `fn` now and whenever `deps` change (the newest answer wins); `reload` runs it again.
 */
export function useLoad<T>(fn: () => Promise<ApiResult<T>>, deps: unknown[]): [Load<T>, () => void] {
  const [state, setState] = useState<Load<T>>({ kind: 'loading' });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    void fn().then((r) => {
      if (mine !== seq.current) return;
      setState(r.ok ? { kind: 'ready', value: r.value } : { kind: 'error', message: genericMessage(r.error) });
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return [state, reload];
}

/** The messages of one field, for a field's `error` prop (undefined when none). */
export function errorsOf(errors: FieldError[], field: string): string[] | undefined {
  const m = fieldMessages(errors, field);
  return m.length ? m : undefined;
}

/**
 * Moves focus to the control of the first field of `errors` inside `root`: an element with
 * name=field or data-field=field. Returns false when none is rendered.
 */
export function focusField(root: HTMLElement | null, field: string): boolean {
  if (!root) return false;
  const el = root.querySelector<HTMLElement>(`[name="${CSS.escape(field)}"], [data-field="${CSS.escape(field)}"]`);
  if (!el) return false;
  el.focus();
  return true;
}

/** A sentence for a failed save: field errors are shown next to their fields. */
export function saveMessage(e: ApiError, what: string): string {
  if (e.status === 422 && e.errors.length) return `The ${what} was not saved: correct the fields marked below.`;
  if (e.status === 409 && e.errors.length) {
    const first = e.errors[0];
    return first ? `The ${what} was not saved: ${first.field} — ${first.message}.` : genericMessage(e);
  }
  return genericMessage(e);
}

/** "2026-11-22T08:00:00Z" -> a short local date and time. */
export function formatDate(v: unknown): string {
  if (typeof v !== 'string' || !v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The value of a debounced input, `ms` after the last change. */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
