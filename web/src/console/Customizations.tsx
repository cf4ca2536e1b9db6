import { useEffect, useRef, useState } from 'preact/hooks';
import { genericMessage, type FieldError } from '../lib/auth';
import { DEFAULT_TITLE, loadBranding } from '../lib/branding';
import { fetchSettings, patchSettings, type Setting } from '../lib/settings';
import { Banner, Button, CheckboxField, TextField } from '../ui';
import { errorsOf, focusField } from './common';

/** The largest logo the server takes (src/admin/settings_defs.c LOGO_MAX_BYTES). */
export const LOGO_MAX_BYTES = 48 * 1024;

interface Item {
  key: string;
  /** The seed's name of the item ("System Logo") and of its default switch. */
  label: string;
  defaultLabel: string;
  kind: 'text' | 'image';
  help: string;
}

/** Seed 000 "Customizations", in its order. */
const ITEMS: Item[] = [
  { key: 'customization.system_logo', label: 'System logo', defaultLabel: 'Default logo', kind: 'image', help: 'Shown at the top left of every page.' },
  { key: 'customization.login_logo', label: 'Login logo', defaultLabel: 'Default login logo', kind: 'image', help: 'Shown on the login page.' },
  { key: 'customization.favicon', label: 'Favicon', defaultLabel: 'Default favicon', kind: 'image', help: 'The icon of the browser tab and of bookmarks.' },
  { key: 'customization.header_text', label: 'Header white label', defaultLabel: 'Default header white label', kind: 'text', help: `The name at the top left of every page (default: ${DEFAULT_TITLE}).` },
  { key: 'customization.page_title', label: 'Page title', defaultLabel: 'Default page title', kind: 'text', help: `The title of the browser tab (default: ${DEFAULT_TITLE}).` },
];

/** Reads a chosen file as a data: URL, or says why it cannot be a logo. */
export function readLogo(file: File): Promise<{ ok: true; url: string } | { ok: false; message: string }> {
  if (file.type !== 'image/png' && file.type !== 'image/jpeg') return Promise.resolve({ ok: false, message: 'Choose a PNG or JPEG image.' });
  if (file.size > LOGO_MAX_BYTES) return Promise.resolve({ ok: false, message: `The image is ${Math.ceil(file.size / 1024)} KiB: a logo may have at most ${LOGO_MAX_BYTES / 1024} KiB.` });
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? { ok: true, url: reader.result } : { ok: false, message: 'The file could not be read.' });
    reader.onerror = () => resolve({ ok: false, message: 'The file could not be read.' });
    reader.readAsDataURL(file);
  });
}

/**
 * Settings → Customizations (white label): each item has its "Default …" switch (on = the
 * product's default); off shows the text field or the upload. Saved together; the header,
 * the title and the icon change at once, for every page loaded afterwards too.
 */
export function Customizations() {
  const [settings, setSettings] = useState<Setting[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [custom, setCustom] = useState<Record<string, boolean>>({});
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    void fetchSettings().then((r) => (r.ok ? setSettings(r.value) : setLoadError(genericMessage(r.error))));
  }, []);
  if (!settings) {
    return loadError ? (
      <Banner tone="error" role="alert">
        {loadError}
      </Banner>
    ) : (
      <p class="muted">Loading…</p>
    );
  }
  const stored = (key: string): string => {
    const v = settings.find((s) => s.key === key)?.value;
    return typeof v === 'string' ? v : '';
  };
  const items = ITEMS.filter((i) => settings.some((s) => s.key === i.key));
  const value = (key: string): string => (key in draft ? (draft[key] ?? '') : stored(key));
  const isCustom = (key: string): boolean => custom[key] ?? stored(key) !== '';
  const fieldError = (key: string, text: string) => setErrors((es) => [...es.filter((e) => e.field !== key), { field: key, message: text }]);

  async function save(e: Event) {
    e.preventDefault();
    const changes: Record<string, string> = {};
    const local: FieldError[] = [];
    for (const i of items) {
      const want = isCustom(i.key) ? value(i.key) : '';
      if (isCustom(i.key) && !want) local.push({ field: i.key, message: i.kind === 'image' ? 'Upload an image, or switch the default back on.' : 'Enter a text, or switch the default back on.' });
      if (want !== stored(i.key)) changes[i.key] = want;
    }
    if (local.length) {
      setErrors(local);
      setMessage({ tone: 'error', text: 'The customizations were not saved: correct the fields marked below.' });
      setTimeout(() => focusField(form.current, local[0]?.field ?? ''), 0);
      return;
    }
    if (!Object.keys(changes).length) {
      setMessage({ tone: 'success', text: 'Nothing to save: nothing was changed.' });
      return;
    }
    setBusy(true);
    const r = await patchSettings(changes);
    setBusy(false);
    if (!r.ok) {
      setErrors(r.error.errors);
      setMessage({ tone: 'error', text: r.error.status === 422 && r.error.errors.length ? 'Nothing was saved: correct the fields marked below.' : genericMessage(r.error) });
      const first = r.error.errors[0];
      if (first) setTimeout(() => focusField(form.current, first.field), 0);
      return;
    }
    setSettings(r.value);
    setDraft({});
    setCustom({});
    setErrors([]);
    setMessage({ tone: 'success', text: 'Saved. The new look applies now and at every page load.' });
    void loadBranding();
  }

  return (
    <section class="card card--form" aria-labelledby="custom-title">
      <div class="card__header">
        <h1 class="card__title" id="custom-title">
          Customizations
        </h1>
      </div>
      <p class="muted">Titles, logos and the header of the web interface. Logos: PNG or JPEG, at most {LOGO_MAX_BYTES / 1024} KiB and 1024×1024 pixels.</p>
      {message && (
        <Banner tone={message.tone} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </Banner>
      )}
      <form ref={form} class="stack" onSubmit={(e) => void save(e)} noValidate>
        {items.map((i) => {
          const on = !isCustom(i.key);
          const v = value(i.key);
          const err = errorsOf(errors, i.key);
          return (
            <fieldset class="fieldset settings-block" key={i.key}>
              <legend class="field__label">{i.label}</legend>
              <CheckboxField
                label={i.defaultLabel}
                hint={i.help}
                checked={on}
                onCheckedChange={(c) => {
                  setCustom((m) => ({ ...m, [i.key]: !c }));
                  if (c) setDraft((d) => ({ ...d, [i.key]: '' }));
                  setErrors((es) => es.filter((x) => x.field !== i.key));
                }}
              />
              {!on && i.kind === 'text' && <TextField name={i.key} label={i.label} maxLength={64} value={v} onValueChange={(t) => setDraft((d) => ({ ...d, [i.key]: t }))} error={err} />}
              {!on && i.kind === 'image' && (
                <div class="logo-field">
                  {v && <img class="logo-field__preview" src={v} alt={`${i.label} preview`} />}
                  <div class="field">
                    <label class="field__label" for={`${i.key}-file`}>
                      Upload {i.label.toLowerCase()}
                    </label>
                    <input
                      id={`${i.key}-file`}
                      name={i.key}
                      class="field__input"
                      type="file"
                      accept="image/png,image/jpeg"
                      aria-invalid={err ? 'true' : undefined}
                      aria-describedby={err ? `${i.key}-error` : undefined}
                      onChange={(e) => {
                        const f = e.currentTarget.files?.[0];
                        if (!f) return;
                        void readLogo(f).then((r) => {
                          if (r.ok) {
                            setDraft((d) => ({ ...d, [i.key]: r.url }));
                            setErrors((es) => es.filter((x) => x.field !== i.key));
                          } else fieldError(i.key, r.message);
                        });
                      }}
                    />
                    {err && (
                      <div class="field__error" id={`${i.key}-error`} role="alert">
                        {err.join(' ')}
                      </div>
                    )}
                  </div>
                </div>
              )}
              {on && i.kind === 'text' && err && (
                <div class="field__error" role="alert">
                  {err.join(' ')}
                </div>
              )}
            </fieldset>
          );
        })}
        <div class="row row--end">
          <Button type="submit" disabled={busy}>
            Save
          </Button>
        </div>
      </form>
    </section>
  );
}
