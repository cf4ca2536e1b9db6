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
  /** Ids of other elements that describe the input (e.g. a list of rules beside it). */
  describedBy?: string;
  /**
   * Validation message(s); marks the input aria-invalid and is announced with it (role=alert
   * when it appears, aria-describedby afterwards). An array shows one message per line.
   */
  error?: string | string[] | undefined;
}

/** A labelled text input. Controlled: the caller owns the value. */
export function TextField({ label, value, onValueChange, hint, describedBy: extraIds, error, type = 'text', ...rest }: TextFieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errors = error === undefined ? [] : Array.isArray(error) ? error : [error];
  const hasError = errors.length > 0;
  const errorId = hasError ? `${id}-error` : undefined;
  const describedBy = [extraIds, hintId, errorId].filter(Boolean).join(' ') || undefined;
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
        aria-invalid={hasError ? 'true' : undefined}
        aria-describedby={describedBy}
        onInput={(e) => onValueChange(e.currentTarget.value)}
      />
      {hint && (
        <span class="field__hint" id={hintId}>
          {hint}
        </span>
      )}
      {hasError && (
        <div class="field__error" id={errorId} role="alert">
          {errors.length === 1 ? (
            errors[0]
          ) : (
            <ul class="field__error-list">
              {errors.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
