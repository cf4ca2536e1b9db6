import type { Session } from '../lib/auth';
import { Link } from '../lib/router';
import { Banner, Button } from '../ui';
import { ServerStatus } from '../components/ServerStatus';

export interface HomePageProps {
  session: Session;
  refreshKey: number;
  onLogout: () => void;
  busy: boolean;
}

/** The minimal signed-in page. */
export function HomePage({ session, refreshKey, onLogout, busy }: HomePageProps) {
  const days = session.password.expires_in_days;
  return (
    <>
      {days !== null && (
        <Banner tone="warning" role="status">
          Your password expires in {days} {days === 1 ? 'day' : 'days'}.{' '}
          <Link href="/change-password">Change it now</Link>
        </Banner>
      )}
      {session.mfaEnrollmentRequired && (
        <Banner tone="warning" role="status">
          Your role requires two-step verification. Set it up before using the rest of Switchboard.
        </Banner>
      )}
      <div class="app-grid">
        <section class="card" aria-labelledby="home-title">
          <h1 class="card__title" id="home-title">
            Welcome
          </h1>
          <p class="signed-in">
            Signed in as <strong>{session.user.full_name}</strong> ({session.user.role})
          </p>
          <div class="row">
            <Link class="btn btn--secondary" href="/change-password">
              Change password
            </Link>
            <Button variant="secondary" onClick={onLogout} disabled={busy}>
              Log out
            </Button>
          </div>
        </section>
        <ServerStatus refreshKey={refreshKey} />
      </div>
    </>
  );
}
