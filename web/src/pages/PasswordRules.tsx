const SYMBOLS = '~!@#$%^&-_=+[{]}';

/** The password policy as the login page states it (docs/security.md, "Policy"). */
export function PasswordRules({ id }: { id: string }) {
  return (
    <div class="rules" id={id}>
      <p class="rules__title">The new password must:</p>
      <ul class="rules__list">
        <li>have at least 8 characters;</li>
        <li>with the Security Suite, contain a lowercase letter, an uppercase letter, a digit and one of <span class="mono">{SYMBOLS}</span>;</li>
        <li>differ from your current (and recent) passwords and not be a common password.</li>
      </ul>
    </div>
  );
}
