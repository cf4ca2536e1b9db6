import type { JSX, Ref } from 'preact';
import { useId } from 'preact/hooks';

export interface TextAreaFieldProps
  extends Omit<JSX.TextareaHTMLAttributes<HTMLTextAreaElement>, 'class' | 'className' | 'id' | 'value' | 'onInput' | 'ref'> {
  label: string;
  value: string;
  onValueChange: (value: string) => void;
  hint?: string;
  error?: string | string[] | undefined;
  inputRef?: Ref<HTMLTextAreaElement>;
}

/** A labelled multi-line input (TextField's twin). Controlled: the caller owns the value. */
export function TextAreaField({ label, value, onValueChange, hint, error, inputRef, ...rest }: TextAreaFieldProps) {
  const id = useId();
  const errors = error === undefined ? [] : Array.isArray(error) ? error : [error];
  const describedBy = [hint ? `${id}-hint` : '', errors.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label class="field__label" for={id}>
        {label}
      </label>
      <textarea
        {...rest}
        {...(inputRef ? { ref: inputRef } : {})}
        id={id}
        class="field__input field__input--area"
        value={value}
        aria-invalid={errors.length ? 'true' : undefined}
        aria-describedby={describedBy}
        onInput={(e) => onValueChange(e.currentTarget.value)}
      />
      {hint && (
        <span class="field__hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {errors.length > 0 && (
        <div class="field__error" id={`${id}-error`} role="alert">
          {errors.join(' ')}
        </div>
      )}
    </div>
  );
}
