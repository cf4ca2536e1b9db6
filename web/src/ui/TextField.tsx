import type { JSX } from 'preact';
import { useId } from 'preact/hooks';

export interface TextFieldProps
  extends Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'class' | 'className' | 'id' | 'value' | 'onInput'> {
  /** Visible label, tied to the input with for/id. Required: every input has a label. */
  label: string;
  value: string;
  onValueChange: (value: string) => void;
  /** Help text under the input, announced with it (aria-describedby). */
  hint?: string;
  /** Validation message; marks the input aria-invalid and is announced with it. */
  error?: string;
}

/** A labelled text input. Controlled: the caller owns the value. */
export function TextField({ label, value, onValueChange, hint, error, type = 'text', ...rest }: TextFieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label class="field__label" for={id}>
        {label}
      </label>
      <input
        {...rest}
        id={id}
        type={type}
        class="field__input"
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy}
        onInput={(e) => onValueChange(e.currentTarget.value)}
      />
      {hint && (
        <span class="field__hint" id={hintId}>
          {hint}
        </span>
      )}
      {error && (
        <span class="field__error" id={errorId}>
          {error}
        </span>
      )}
    </div>
  );
}
