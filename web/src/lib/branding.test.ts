import { describe, expect, it } from 'vitest';
import { headerText, licenseText, pageTitle, parseBrandingState } from './branding';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';

describe('white label from /auth/options', () => {
  it('uses the defaults until the server sets something', () => {
    const s = parseBrandingState({ active_directory: false, password_reset: false });
    expect(pageTitle(s.branding)).toBe('Switchboard');
    expect(headerText(s.branding)).toBe('Switchboard');
    expect(s.license).toBeNull();
    expect(parseBrandingState(null).branding.pageTitle).toBe('');
  });

  it('takes texts as one line and logos only as PNG or JPEG data: URLs', () => {
    const s = parseBrandingState({
      branding: {
        page_title: 'Acme\nCare',
        header_text: 'x'.repeat(80),
        system_logo: PNG,
        login_logo: 'https://evil.example/logo.png',
        favicon: 'data:image/svg+xml;base64,PHN2Zz4=',
      },
    });
    expect(s.branding.pageTitle).toBe('AcmeCare');
    expect(s.branding.headerText).toHaveLength(64);
    expect(s.branding.systemLogo).toBe(PNG);
    expect(s.branding.loginLogo).toBe('');
    expect(s.branding.favicon).toBe('');
  });
});

describe('licence notice', () => {
  it('reads the notice and ignores a malformed one', () => {
    expect(parseBrandingState({ license: { expires_on: '2026-12-13', days_left: 10, expired: false } }).license).toEqual({ expiresOn: '2026-12-13', daysLeft: 10, expired: false });
    expect(parseBrandingState({ license: { expires_on: 'soon', days_left: 10, expired: false } }).license).toBeNull();
    expect(parseBrandingState({ license: { expires_on: '2026-12-13', days_left: '10', expired: false } }).license).toBeNull();
  });

  it("says when and what to do, in the seed's spirit", () => {
    expect(licenseText({ expiresOn: '2026-12-13', daysLeft: 10, expired: false })).toMatch(/^Your licence expires on .*2026 \(in 10 days\)\. Please verify your licence and contact your provider as soon as possible\.$/);
    expect(licenseText({ expiresOn: '2026-12-13', daysLeft: 1, expired: false })).toContain('(in 1 day)');
    expect(licenseText({ expiresOn: '2026-12-13', daysLeft: 0, expired: false })).toContain('(today is its last day)');
    expect(licenseText({ expiresOn: '2026-12-13', daysLeft: 0, expired: true })).toMatch(/^Your licence expired on /);
  });
});
