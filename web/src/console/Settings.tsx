import { useEffect, useRef, useState } from 'preact/hooks';
import { genericMessage, type FieldError } from '../lib/auth';
import { changedKeys, fetchSettings, groupSettings, patchSettings, settingLabel, type Setting } from '../lib/settings';
import { Banner, Button, CheckboxField, SelectField, Tabs, TextField } from '../ui';
import { errorsOf, focusField } from './common';

export interface SettingFieldProps {
  setting: Setting;
  value: unknown;
  onChange: (v: unknown) => void;
  error: string[] | undefined;
  label?: string;
  disabled?: boolean;
}

/** One setting as a labelled control from its description (type, range, choices). */
export function SettingField({ setting: s, value, onChange, error, label, disabled }: SettingFieldProps) {
  const common = { name: s.key, error, disabled, label: label ?? settingLabel(s.key) };
  const hint = s.description || undefined;
  switch (s.type) {
    case 'boolean':
      return <CheckboxField {...common} {...(hint ? { hint } : {})} checked={value === true} onCheckedChange={onChange} />;
    case 'enum':
      return <SelectField {...common} {...(hint ? { hint } : {})} value={typeof value === 'string' ? value : ''} options={s.choices.map((c) => ({ value: c, label: c.charAt(0).toUpperCase() + c.slice(1) }))} onValueChange={onChange} />;
    case 'integer': {
      const range = s.min !== null && s.max !== null ? `${s.min}–${s.max}. ` : '';
      return (
        <TextField
          {...common}
          type="number"
          inputMode="numeric"
          {...(s.min !== null ? { min: s.min } : {})}
          {...(s.max !== null ? { max: s.max } : {})}
          hint={`${range}${s.description}`}
          value={value === null || value === undefined ? '' : String(value)}
          // Not a whole number: sent as typed, so the server names the field and the rule.
          onValueChange={(v) => onChange(/^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v)}
        />
      );
    }
    default:
      return <TextField {...common} {...(hint ? { hint } : {})} {...(s.maxLength !== null ? { maxLength: s.maxLength } : {})} value={typeof value === 'string' ? value : ''} onValueChange={onChange} />;
  }
}

/**
 * Settings → General (seed 000): the global settings, the security block (login attempts,
 * password policy, MFA, SSO, sessions, masking) and the report settings, one tab each. One
 * Save sends every change (all or nothing); the API's errors appear at their fields, the tab
 * holding one is marked and focused.
 */
export function GeneralSettings() {
  const [settings, setSettings] = useState<Setting[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Record<string, unknown>>({});
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [tab, setTab] = useState('global');
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
  const groups = groupSettings(settings);
  const value = (s: Setting): unknown => (s.key in draft ? draft[s.key] : s.value);
  const changes = changedKeys(settings, draft);
  const dirty = Object.keys(changes).length > 0;
  const tabOf = (key: string) => groups.find((g) => g.blocks.some((b) => b.settings.some((s) => s.key === key)))?.id;
  const invalid = new Set(errors.map((e) => tabOf(e.field)));

  async function save(e: Event) {
    e.preventDefault();
    if (!dirty) {
      setMessage({ tone: 'success', text: 'Nothing to save: no setting was changed.' });
      return;
    }
    setBusy(true);
    const r = await patchSettings(changes);
    setBusy(false);
    if (!r.ok) {
      setErrors(r.error.errors);
      setMessage({ tone: 'error', text: r.error.status === 422 && r.error.errors.length ? 'Nothing was saved: correct the fields marked below.' : genericMessage(r.error) });
      const first = r.error.errors[0];
      const t = first && tabOf(first.field);
      if (first && t) {
        setTab(t);
        setTimeout(() => focusField(form.current, first.field), 0);
      }
      return;
    }
    setSettings(r.value);
    setDraft({});
    setErrors([]);
    setMessage({ tone: 'success', text: `Saved: ${Object.keys(changes).map(settingLabel).join(', ')}.` });
  }

  const group = groups.find((g) => g.id === tab) ?? groups[0];
  const historyOn = value(settings.find((s) => s.key === 'security.enforce_password_history') ?? ({ key: '', value: true } as Setting)) === true;

  return (
    <section class="card" aria-labelledby="settings-title">
      <div class="card__header">
        <h1 class="card__title" id="settings-title">
          General settings
        </h1>
      </div>
      {message && (
        <Banner tone={message.tone} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </Banner>
      )}
      <form ref={form} class="stack" onSubmit={(e) => void save(e)} noValidate>
        <Tabs label="Settings" tabs={groups.map((g) => ({ id: g.id, label: g.label, invalid: invalid.has(g.id) }))} active={group?.id ?? ''} onChange={setTab}>
          {group?.blocks.map((b) => (
            <fieldset class="fieldset settings-block" key={b.legend}>
              <legend class="field__label">{b.legend}</legend>
              <div class="form-grid">
                {b.settings
                  // Seed: the number of passwords is asked "when this selector is active".
                  .filter((s) => s.key !== 'security.password_history_count' || historyOn || errorsOf(errors, s.key))
                  .map((s) => (
                    <SettingField key={s.key} setting={s} value={value(s)} onChange={(v) => setDraft((d) => ({ ...d, [s.key]: v }))} error={errorsOf(errors, s.key)} />
                  ))}
              </div>
            </fieldset>
          ))}
        </Tabs>
        <div class="row row--end">
          {dirty && <span class="muted">{Object.keys(changes).length} unsaved {Object.keys(changes).length === 1 ? 'change' : 'changes'}</span>}
          <Button variant="secondary" disabled={!dirty || busy} onClick={() => (setDraft({}), setErrors([]), setMessage(null))}>
            Discard changes
          </Button>
          <Button type="submit" disabled={busy}>
            Save
          </Button>
        </div>
      </form>
    </section>
  );
}
