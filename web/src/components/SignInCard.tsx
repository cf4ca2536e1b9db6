import { useState } from 'preact/hooks';
import { Banner, Button, TextField } from '../ui';

/**
 * Placeholder sign-in form. The session API is not wired yet; the form is complete for
 * keyboard and screen-reader use so the real one only has to add the request.
 */
export function SignInCard() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <section class="card card--narrow" aria-labelledby="sign-in-title">
      <h1 class="card__title" id="sign-in-title">
        Sign in
      </h1>
      <form
        class="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setNotice('Sign-in is not available yet.');
        }}
      >
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellcheck={false}
          required
          value={username}
          onValueChange={setUsername}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValueChange={setPassword}
        />
        <Button type="submit" block>
          Sign in
        </Button>
        {notice && (
          <Banner tone="info" role="status">
            {notice}
          </Banner>
        )}
      </form>
    </section>
  );
}
