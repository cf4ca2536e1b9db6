import { useEffect, useRef, useState } from 'preact/hooks';
import { genericMessage, type ApiError, type FieldError } from '../lib/auth';
import { navigate } from '../lib/router';
import { getObject, send, str, type Json } from '../lib/staff';
import { focusField, saveMessage } from './common';
import type { Notice } from './EditorCard';

export interface EditorOptions {
  /** The API collection, e.g. "/teams" (the item is `${api}/${id}`). */
  api: string;
  /** The console list, e.g. "/admin/teams" (the item's page is `${list}/${id}`). */
  list: string;
  id: number | 'new';
  /** What a new item starts from (its form's initial values). */
  blank: Json;
  /** What the save messages call it ("team"). */
  noun: string;
  /** The body of a create; default: the blank item with the changes. */
  createBody?: (value: (key: string) => unknown, patch: Json) => Json;
  /** The field to focus for a refused one; default: the field named by the server. */
  focusName?: (field: string) => string;
  /** The sentence for a refused delete; default: the server's. */
  deleteMessage?: (e: ApiError) => string;
}

/**
 * The state every console editor shares: the item (read for an existing id, `blank` for a new
 * one), the unsaved changes, field errors and the save/refusal message. save() creates (then
 * opens the new item's page) or PATCHes only the changes, putting each refusal at its field and
 * focusing the first; remove() deletes and returns to the list, or says why not.
 */
export function useEditor(o: EditorOptions) {
  const creating = o.id === 'new';
  const [item, setItem] = useState<Json | null>(creating ? o.blank : null);
  const [patch, setPatch] = useState<Json>({});
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState<Notice | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (creating) return;
    void getObject('GET', `${o.api}/${o.id}`).then((r) => (r.ok ? setItem(r.value) : setMessage({ tone: 'error', text: genericMessage(r.error) })));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [o.id, creating]);

  const value = (k: string): unknown => (k in patch ? patch[k] : item?.[k]);
  const set = (k: string, v: unknown) => setPatch((p) => ({ ...p, [k]: v }));
  const setMany = (fields: Json) => setPatch((p) => ({ ...p, ...fields }));

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    const body = creating ? (o.createBody ? o.createBody(value, patch) : { ...o.blank, ...item, ...patch }) : patch;
    const r = creating ? await getObject('POST', o.api, body) : await getObject('PATCH', `${o.api}/${o.id}`, body);
    setBusy(false);
    if (!r.ok) {
      setErrors(r.error.errors);
      setMessage({ tone: 'error', text: saveMessage(r.error, o.noun) });
      const first = r.error.errors[0];
      if (first) setTimeout(() => focusField(form.current, o.focusName ? o.focusName(first.field) : first.field), 0);
      return;
    }
    setErrors([]);
    setPatch({});
    if (creating) return navigate(`${o.list}/${str(r.value['id'])}`, true);
    setItem(r.value);
    setMessage({ tone: 'success', text: 'Saved.' });
  }

  async function remove() {
    const r = await send('DELETE', `${o.api}/${o.id}`);
    if (r.ok) return navigate(o.list);
    setMessage({ tone: 'error', text: o.deleteMessage ? o.deleteMessage(r.error) : genericMessage(r.error) });
  }

  return { creating, item, value, set, setMany, errors, message, setMessage, busy, form, save, remove };
}
