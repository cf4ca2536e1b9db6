import { fieldMessages, type FieldError } from '../lib/auth';
import { TextField } from '../ui';
import { PasswordRules } from './PasswordRules';

/** The "new password" and "confirm" fields with the policy rules between them, shared by
 *  the change-password and reset-password pages. Errors come from the server (field
 *  `new_password`) and from the page's own match check (field `confirm`). */
export function NewPasswordFields(props: {
  rulesId: string;
  errors: FieldError[];
  next: string;
  confirm: string;
  onNext: (v: string) => void;
  onConfirm: (v: string) => void;
}) {
  return (
    <>
      <TextField
        label="New password"
        name="new_password"
        type="password"
        autoComplete="new-password"
        required
        describedBy={props.rulesId}
        error={fieldMessages(props.errors, 'new_password')}
        value={props.next}
        onValueChange={props.onNext}
      />
      <PasswordRules id={props.rulesId} />
      <TextField
        label="Confirm new password"
        name="confirm_password"
        type="password"
        autoComplete="new-password"
        required
        error={fieldMessages(props.errors, 'confirm')}
        value={props.confirm}
        onValueChange={props.onConfirm}
      />
    </>
  );
}
