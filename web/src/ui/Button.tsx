import type { ComponentChildren, JSX } from 'preact';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'ghost';

export interface ButtonProps
  extends Omit<JSX.ButtonHTMLAttributes<HTMLButtonElement>, 'class' | 'className'> {
  variant?: ButtonVariant;
  /** Stretch to the width of the container. */
  block?: boolean;
  children?: ComponentChildren;
}

/**
 * A native <button>, so keyboard and screen-reader behaviour come for free. Defaults to
 * type="button" so that a button inside a form never submits it by accident; pass
 * type="submit" for the one that should.
 */
export function Button({ variant = 'primary', block = false, type = 'button', children, ...rest }: ButtonProps) {
  const cls = `btn btn--${variant}${block ? ' btn--block' : ''}`;
  return (
    <button {...rest} type={type} class={cls}>
      {children}
    </button>
  );
}
