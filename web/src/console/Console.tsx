import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Session } from '../lib/auth';
import type { SocketManager } from '../lib/socket';
import { Link, navigate, type Route } from '../lib/router';
import { can } from '../lib/staff';
import { Banner } from '../ui';
import { AgentEditor } from './AgentEditor';
import { AgentsList } from './AgentsList';
import { IntervalEditor, IntervalsList } from './Intervals';
import { OpenChannelEditor, OpenChannelList } from './OpenChannel';
import { ProfileEditor, ProfilesList } from './Profiles';
import { QueueEditor, QueuesList } from './Queues';
import { RealtimeBoard } from './Realtime';
import { SmsSection } from './SmsAccounts';
import { UserEditor, UsersList } from './Users';

export interface ConsoleProps {
  session: Session;
  route: Route;
  socket: SocketManager;
  /** Extra content of the navigation (account links). */
  footer?: ComponentChildren;
}

interface NavItem {
  id: string;
  label: string;
  href: string;
}

/** The sections the session may open, in navigation order. */
export function consoleSections(session: Session): NavItem[] {
  const admin = session.user.role === 'admin';
  const items: NavItem[] = [];
  if (can(session, 'agents', 'read')) items.push({ id: 'agents', label: 'Agents', href: '/admin/agents' });
  if (admin) items.push({ id: 'users', label: 'Users', href: '/admin/users' });
  if (admin) items.push({ id: 'profiles', label: 'Profiles', href: '/admin/profiles' });
  if (can(session, 'queues', 'read')) items.push({ id: 'queues', label: 'Queues', href: '/admin/queues' });
  if (can(session, 'realtime', 'read')) items.push({ id: 'realtime', label: 'Realtime', href: '/admin/realtime' });
  if (admin) items.push({ id: 'sms', label: 'SMS accounts', href: '/admin/sms' });
  if (admin) items.push({ id: 'openchannel', label: 'Open Channel', href: '/admin/openchannel' });
  if (admin || session.user.role === 'user') items.push({ id: 'intervals', label: 'Intervals', href: '/admin/intervals' });
  return items;
}

/** True for the roles that use the console (agents keep their home page). */
export function isStaffConsole(session: Session): boolean {
  return session.user.role === 'admin' || session.user.role === 'user';
}

/** The admin console: side navigation per role and the section's page. */
export function Console({ session, route, socket, footer }: ConsoleProps) {
  const sections = consoleSections(session);
  const parts = route.path.split('/').filter(Boolean); // ["admin", section, id?, sub?]
  const section = parts[1] ?? '';
  const item = parts[2];
  const allowed = sections.some((s) => s.id === section);
  const first = sections[0];

  useEffect(() => {
    if (route.path === '/' || route.path === '/admin') {
      if (first) navigate(first.href, true);
    }
  }, [route.path, first]);

  function page() {
    if (!allowed) {
      if (route.path === '/' || route.path === '/admin') {
        return first ? null : (
          <Banner tone="info" role="status">
            Your profile does not enable any section of the console. Ask an administrator.
          </Banner>
        );
      }
      return (
        <Banner tone="error" role="alert">
          This page does not exist or your profile does not allow it.
        </Banner>
      );
    }
    const id = item === undefined ? null : item === 'new' ? 'new' : Number(item);
    if (typeof id === 'number' && !Number.isInteger(id)) {
      return (
        <Banner tone="error" role="alert">
          This page does not exist.
        </Banner>
      );
    }
    switch (section) {
      case 'agents':
        return id === null ? <AgentsList session={session} /> : <AgentEditor key={String(id)} session={session} id={id} />;
      case 'users':
        return id === null ? <UsersList session={session} /> : <UserEditor key={String(id)} id={id} />;
      case 'profiles':
        return id === null ? <ProfilesList /> : <ProfileEditor key={String(id)} id={id} />;
      case 'queues':
        return id === null ? <QueuesList session={session} /> : <QueueEditor key={String(id)} session={session} id={id} />;
      case 'realtime':
        return <RealtimeBoard socket={socket} />;
      case 'sms':
        return <SmsSection id={id} sub={parts[3]} />;
      case 'openchannel':
        return id === null ? <OpenChannelList /> : <OpenChannelEditor key={String(id)} id={id} />;
      case 'intervals':
        return id === null ? <IntervalsList session={session} /> : <IntervalEditor key={String(id)} session={session} id={id} />;
      default:
        return null;
    }
  }

  return (
    <div class="console">
      <nav class="console__nav" aria-label="Console">
        <ul class="nav-list">
          {sections.map((s) => (
            <li key={s.id}>
              <Link href={s.href} class={`nav-list__link${s.id === section ? ' nav-list__link--active' : ''}`} aria-current={s.id === section ? 'page' : undefined}>
                {s.label}
              </Link>
            </li>
          ))}
        </ul>
        {footer && <div class="console__nav-footer">{footer}</div>}
      </nav>
      <div class="console__content">{page()}</div>
    </div>
  );
}
