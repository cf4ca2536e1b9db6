import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { isStaffConsole, type Session } from '../lib/auth';
import type { SocketManager } from '../lib/socket';
import { Link, navigate, type Route } from '../lib/router';
import { can } from '../lib/staff';
import { Banner } from '../ui';
import { AgentEditor } from './AgentEditor';
import { AgentsList } from './AgentsList';
import { AuditLog } from './Audit';
import { Customizations } from './Customizations';
import { InteractionsList, routeId } from './Interactions';
import { IntervalEditor, IntervalsList } from './Intervals';
import { OpenChannelEditor, OpenChannelList } from './OpenChannel';
import { ProfileEditor, ProfilesList } from './Profiles';
import { QueueEditor, QueuesList } from './Queues';
import { RealtimeBoard } from './Realtime';
import { Reports } from './Reports';
import { GeneralSettings } from './Settings';
import { SpyView } from './Spy';
import { TeamEditor, TeamsList } from './Teams';
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
  if (can(session, 'teams', 'read')) items.push({ id: 'teams', label: 'Teams', href: '/admin/teams' });
  if (can(session, 'queues', 'read')) items.push({ id: 'queues', label: 'Queues', href: '/admin/queues' });
  if (can(session, 'realtime', 'read')) items.push({ id: 'realtime', label: 'Realtime', href: '/admin/realtime' });
  if (can(session, 'reports', 'read')) items.push({ id: 'reports', label: 'Reports', href: '/admin/reports' });
  if (admin) items.push({ id: 'sms', label: 'SMS accounts', href: '/admin/sms' });
  // Interaction lists: the server lets those who read Queues list them (in their scope).
  if (can(session, 'queues', 'read')) items.push({ id: 'interactions', label: 'Interactions', href: '/admin/interactions/sms' });
  if (admin) items.push({ id: 'openchannel', label: 'Open Channel', href: '/admin/openchannel' });
  if (admin || session.user.role === 'user') items.push({ id: 'intervals', label: 'Intervals', href: '/admin/intervals' });
  if (admin) items.push({ id: 'audit', label: 'Audit log', href: '/admin/audit' });
  if (admin) items.push({ id: 'settings', label: 'General settings', href: '/admin/settings' });
  if (admin) items.push({ id: 'customizations', label: 'Customizations', href: '/admin/customizations' });
  return items;
}

/** "#/console/sms/5/interactions[/9]" → "/admin/sms/5/interactions[/9]"; null for other hashes. */
export function consoleHashPath(hash: string): string | null {
  const m = /^#\/console\/(sms|openchannel)\/(\d{1,15})\/interactions(\/\d{1,15})?\/?$/.exec(hash);
  return m ? `/admin/${m[1]}/${m[2]}/interactions${m[3] ?? ''}` : null;
}

/** True for the roles that use the console (agents keep their home page). */

/** The admin console: side navigation per role and the section's page. */
export function Console({ session, route, socket, footer }: ConsoleProps) {
  const sections = consoleSections(session);
  const parts = route.path.split('/').filter(Boolean); // ["admin", section, id?, sub?]
  const section = parts[1] ?? '';
  const item = parts[2];
  const allowed = sections.some((s) => s.id === section);
  const first = sections[0];

  useEffect(() => {
    if (consoleHashPath(location.hash)) return; // the hash names the page (below)
    if (route.path === '/' || route.path === '/admin') {
      if (first) navigate(first.href, true);
    }
  }, [route.path, first]);

  // Links written as "#/console/sms/5/interactions" lead to the console path of that list.
  useEffect(() => {
    const follow = () => {
      const to = consoleHashPath(location.hash);
      if (to) navigate(to, true);
    };
    follow();
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);

  function ixPage(channel: 'sms' | 'openchannel', acc: number | null, one: number | undefined) {
    const admin = session.user.role === 'admin';
    const mayDelete = can(session, 'queues', 'delete');
    const readAgents = can(session, 'agents', 'read');
    return one === undefined ? (
      <InteractionsList key={`${channel}-${acc ?? 'all'}`} channel={channel} accountId={acc} mayDelete={mayDelete} admin={admin} readAgents={readAgents} />
    ) : (
      <SpyView key={one} channel={channel} accountId={acc} id={one} me={{ id: session.user.id, name: session.user.full_name }} mayDelete={mayDelete} admin={admin} readAgents={readAgents} />
    );
  }

  function page() {
    // An account's interactions and the spy view: /admin/{sms|openchannel}/{account}/interactions[/{id}].
    // Admins and supervisors (the server applies the supervisor's profile and scope).
    if ((section === 'sms' || section === 'openchannel') && parts[3] === 'interactions') {
      const acc = routeId(parts[2]);
      const one = parts[4] === undefined ? undefined : routeId(parts[4]);
      if (acc === null || one === null || parts.length > 5 || !isStaffConsole(session)) {
        return (
          <Banner tone="error" role="alert">
            This page does not exist.
          </Banner>
        );
      }
      return ixPage(section, acc, one);
    }
    // The channel's interactions (every account in the caller's scope): /admin/interactions/{sms|openchannel}[/{id}].
    if (section === 'interactions' && allowed) {
      const ch = parts[2];
      const one = parts[3] === undefined ? undefined : routeId(parts[3]);
      if (ch === undefined) return ixPage('sms', null, undefined);
      if ((ch !== 'sms' && ch !== 'openchannel') || one === null || parts.length > 4) {
        return (
          <Banner tone="error" role="alert">
            This page does not exist.
          </Banner>
        );
      }
      return ixPage(ch, null, one);
    }
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
      case 'teams':
        return id === null ? <TeamsList session={session} /> : <TeamEditor key={String(id)} session={session} id={id} />;
      case 'reports':
        return <Reports />;
      case 'audit':
        return <AuditLog />;
      case 'settings':
        return <GeneralSettings />;
      case 'customizations':
        return <Customizations />;
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
