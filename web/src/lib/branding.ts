/**
 * White label and licence notice (seed 000 "Customizations", seed 001 "License Expiration
 * Notification at Login"), read from the public GET /api/v1/auth/options at load and after an
 * admin saves the customizations. Until the server says otherwise, the defaults apply. The
 * answer is untrusted: texts are plain strings (rendered as text, never HTML) and a logo must
 * be a PNG or JPEG data: URL, which the page's CSP allows as an image and nothing else.
 */
import { useEffect, useState } from 'preact/hooks';
import { call } from './auth';
import { isRecord } from './staff';

export const DEFAULT_TITLE = 'Switchboard';
export const DEFAULT_FAVICON = '/favicon.svg';

export interface Branding {
  pageTitle: string;
  headerText: string;
  systemLogo: string;
  loginLogo: string;
  favicon: string;
}

export interface LicenseNotice {
  /** The last licensed day, YYYY-MM-DD (UTC). */
  expiresOn: string;
  daysLeft: number;
  expired: boolean;
}

export interface BrandingState {
  branding: Branding;
  license: LicenseNotice | null;
}

export const DEFAULT_BRANDING: Branding = { pageTitle: '', headerText: '', systemLogo: '', loginLogo: '', favicon: '' };

const LOGO = /^data:image\/(png|jpeg);base64,[A-Za-z0-9+/]+={0,2}$/;
const text = (v: unknown, max: number): string => (typeof v === 'string' ? v.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, max) : '');
const logo = (v: unknown): string => (typeof v === 'string' && LOGO.test(v) ? v : '');

export function parseBrandingState(v: unknown): BrandingState {
  if (!isRecord(v)) return { branding: DEFAULT_BRANDING, license: null };
  const b = isRecord(v['branding']) ? v['branding'] : {};
  const l = v['license'];
  const license =
    isRecord(l) && typeof l['expires_on'] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(l['expires_on']) && typeof l['days_left'] === 'number' && typeof l['expired'] === 'boolean'
      ? { expiresOn: l['expires_on'], daysLeft: Math.max(0, Math.floor(l['days_left'])), expired: l['expired'] }
      : null;
  return {
    branding: {
      pageTitle: text(b['page_title'], 64),
      headerText: text(b['header_text'], 64),
      systemLogo: logo(b['system_logo']),
      loginLogo: logo(b['login_logo']),
      favicon: logo(b['favicon']),
    },
    license,
  };
}

/** The page title and header name to show: the white label or the default. */
export function pageTitle(b: Branding): string {
  return b.pageTitle || DEFAULT_TITLE;
}
export function headerText(b: Branding): string {
  return b.headerText || DEFAULT_TITLE;
}

/** "31 Dec 2026" for a YYYY-MM-DD day (UTC, so the day never shifts with the zone). */
export function formatDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? day : d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/** The notice's sentence (seed 001: verify the licence and contact the vendor as soon as possible). */
export function licenseText(n: LicenseNotice): string {
  const when = formatDay(n.expiresOn);
  if (n.expired) return `Your licence expired on ${when}. Please verify your licence and contact your provider as soon as possible.`;
  const left = n.daysLeft === 0 ? 'today is its last day' : n.daysLeft === 1 ? 'in 1 day' : `in ${n.daysLeft} days`;
  return `Your licence expires on ${when} (${left}). Please verify your licence and contact your provider as soon as possible.`;
}

let current: BrandingState = { branding: DEFAULT_BRANDING, license: null };
const listeners = new Set<(s: BrandingState) => void>();

/** Sets the document's title and icon from `b`. */
export function applyToDocument(b: Branding): void {
  document.title = pageTitle(b);
  const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (link) {
    link.type = b.favicon ? (b.favicon.startsWith('data:image/png') ? 'image/png' : 'image/jpeg') : 'image/svg+xml';
    link.href = b.favicon || DEFAULT_FAVICON;
  }
}

/** Replaces the current state, applies it to the document and tells every view. */
export function setBrandingState(s: BrandingState): void {
  current = s;
  applyToDocument(s.branding);
  for (const l of listeners) l(s);
}

/** Reads /auth/options again; on failure the current state (or the defaults) stays. */
export async function loadBranding(): Promise<void> {
  const r = await call('GET', '/auth/options');
  if (r.ok) setBrandingState(parseBrandingState(r.value));
}

/** The current white label and licence notice; re-renders when they change. */
export function useBranding(): BrandingState {
  const [s, setS] = useState(current);
  useEffect(() => {
    listeners.add(setS);
    setS(current);
    return () => {
      listeners.delete(setS);
    };
  }, []);
  return s;
}
