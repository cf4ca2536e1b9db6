import type { SettingField } from '../lib/staff';
import { CheckboxField, CheckGroup, SelectField, TextField } from '../ui';

export interface SettingInputProps {
  field: SettingField;
  value: unknown;
  onChange: (value: unknown) => void;
  error: string[] | undefined;
  disabled?: boolean;
}

const CHOICE_LABELS: Record<string, string> = {
  force_rport: 'force_rport',
  'top-left': 'Top left',
  'top-center': 'Top center',
  'top-right': 'Top right',
  'bottom-left': 'Bottom left',
  'bottom-center': 'Bottom center',
  'bottom-right': 'Bottom right',
  error: 'ERROR',
  warning: 'WARNING',
  info: 'INFO',
  debug: 'DEBUG',
};

const choice = (c: string) => ({ value: c, label: CHOICE_LABELS[c] ?? c });

/** One agent setting rendered from its description (GET /agents/schema). */
export function SettingInput({ field: f, value, onChange, error, disabled }: SettingInputProps) {
  const common = { name: f.name, error, disabled };
  switch (f.type) {
    case 'boolean':
      return <CheckboxField {...common} label={f.label} checked={value === true} onCheckedChange={onChange} />;
    case 'integer': {
      const hint = f.min !== null && f.max !== null ? `${f.min}–${f.max}` : undefined;
      return (
        <TextField
          {...common}
          label={f.label}
          type="number"
          inputMode="numeric"
          {...(f.min !== null ? { min: f.min } : {})}
          {...(f.max !== null ? { max: f.max } : {})}
          {...(hint ? { hint } : {})}
          value={value === null || value === undefined ? '' : String(value)}
          onValueChange={(v) => {
            const t = v.trim();
            if (t === '' && f.nullable) onChange(null);
            else onChange(/^-?\d+$/.test(t) ? Number(t) : t);
          }}
        />
      );
    }
    case 'string':
      return (
        <TextField
          {...common}
          label={f.label}
          {...(f.maxLength !== null ? { maxLength: f.maxLength } : {})}
          {...(f.nullable ? { hint: 'Leave empty for none' } : {})}
          value={typeof value === 'string' ? value : ''}
          onValueChange={(v) => onChange(v === '' && f.nullable ? null : v)}
        />
      );
    case 'enum':
      return (
        <SelectField
          {...common}
          label={f.label}
          value={typeof value === 'string' ? value : ''}
          options={f.choices.map(choice)}
          onValueChange={onChange}
        />
      );
    case 'enum_list': {
      const list = Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
      return (
        <CheckGroup
          legend={f.label}
          fieldName={f.name}
          options={f.choices.map(choice)}
          value={list}
          onValueChange={onChange}
          error={error}
          {...(disabled ? { disabled } : {})}
          {...(list.length > 1 ? { hint: `Order of preference: ${list.join(', ')}` } : {})}
        />
      );
    }
    case 'bool_map': {
      const map = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
      const on = f.choices.filter((c) => map[c] === true);
      return (
        <CheckGroup
          legend={f.label}
          fieldName={f.name}
          options={f.choices.map(choice)}
          value={on}
          onValueChange={(v) => onChange(Object.fromEntries(f.choices.map((c) => [c, v.includes(c)])))}
          error={error}
          {...(disabled ? { disabled } : {})}
        />
      );
    }
  }
}
