import type { ComponentChildren, JSX } from 'preact';
import { useId } from 'preact/hooks';

function errorList(error: string | string[] | undefined): string[] {
  return error === undefined ? [] : Array.isArray(error) ? error : [error];
}

/** The messages under a field, tied to it with aria-describedby. */
function FieldErrors({ id, errors }: { id: string; errors: string[] }) {
  if (!errors.length) return null;
  return (
    <div class="field__error" id={id} role="alert">
      {errors.join(' ')}
    </div>
  );
}

export interface CheckboxFieldProps
  extends Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'class' | 'className' | 'id' | 'checked' | 'onChange' | 'type'> {
  label: string;
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
  hint?: string;
  error?: string | string[] | undefined;
}

/** A labelled checkbox (the label is clickable). */
export function CheckboxField({ label, checked, onCheckedChange, hint, error, ...rest }: CheckboxFieldProps) {
  const id = useId();
  const errors = errorList(error);
  const describedBy = [hint ? `${id}-hint` : '', errors.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field field--check">
      <div class="check">
        <input
          {...rest}
          id={id}
          type="checkbox"
          class="check__input"
          checked={checked}
          aria-invalid={errors.length ? 'true' : undefined}
          aria-describedby={describedBy}
          onChange={(e) => onCheckedChange(e.currentTarget.checked)}
        />
        <label class="check__label" for={id}>
          {label}
        </label>
      </div>
      {hint && (
        <span class="field__hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      <FieldErrors id={`${id}-error`} errors={errors} />
    </div>
  );
}

export interface SelectFieldProps
  extends Omit<JSX.SelectHTMLAttributes<HTMLSelectElement>, 'class' | 'className' | 'id' | 'value' | 'onChange'> {
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onValueChange: (value: string) => void;
  hint?: string;
  error?: string | string[] | undefined;
}

/** A labelled native <select>. */
export function SelectField({ label, value, options, onValueChange, hint, error, ...rest }: SelectFieldProps) {
  const id = useId();
  const errors = errorList(error);
  const describedBy = [hint ? `${id}-hint` : '', errors.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label class="field__label" for={id}>
        {label}
      </label>
      <select
        {...rest}
        id={id}
        class="field__input"
        value={value}
        aria-invalid={errors.length ? 'true' : undefined}
        aria-describedby={describedBy}
        onChange={(e) => onValueChange(e.currentTarget.value)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && (
        <span class="field__hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      <FieldErrors id={`${id}-error`} errors={errors} />
    </div>
  );
}

export interface CheckGroupProps {
  legend: string;
  /** Every choice, in display order. */
  options: { value: string; label: string }[];
  value: string[];
  onValueChange: (value: string[]) => void;
  hint?: string;
  error?: string | string[] | undefined;
  /** A name for the group's first input, to focus it (data-field). */
  fieldName?: string;
  disabled?: boolean;
}

/** A fieldset of checkboxes choosing several values; the order of `value` is kept. */
export function CheckGroup({ legend, options, value, onValueChange, hint, error, fieldName, disabled }: CheckGroupProps) {
  const id = useId();
  const errors = errorList(error);
  return (
    <fieldset class="field fieldset" aria-describedby={errors.length ? `${id}-error` : undefined} aria-invalid={errors.length ? 'true' : undefined}>
      <legend class="field__label">{legend}</legend>
      <div class="check-row">
        {options.map((o, i) => (
          <div class="check" key={o.value}>
            <input
              id={`${id}-${i}`}
              type="checkbox"
              class="check__input"
              data-field={i === 0 ? fieldName : undefined}
              checked={value.includes(o.value)}
              disabled={disabled}
              onChange={(e) =>
                onValueChange(e.currentTarget.checked ? [...value, o.value] : value.filter((v) => v !== o.value))
              }
            />
            <label class="check__label" for={`${id}-${i}`}>
              {o.label}
            </label>
          </div>
        ))}
      </div>
      {hint && <span class="field__hint">{hint}</span>}
      <FieldErrors id={`${id}-error`} errors={errors} />
    </fieldset>
  );
}

export interface ChipProps {
  tone?: 'neutral' | 'danger' | 'warning' | 'ok' | 'info';
  children?: ComponentChildren;
}

/** A small status label. */
export function Chip({ tone = 'neutral', children }: ChipProps) {
  return <span class={`chip chip--${tone}`}>{children}</span>;
}
