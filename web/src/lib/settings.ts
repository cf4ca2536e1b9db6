/**
 * The admin settings API (GET/PATCH /api/v1/settings, docs/openapi.json tag settings) and how
 * the General settings screen groups them (seed 000 "General": the global settings, the
 * security block, reports; "Customizations" on its own screen). Answers are untrusted: each
 * setting is shape-checked, unknown keys are kept (in "Other") so a newer server's settings
 * are still editable.
 */
import { call, type ApiResult } from './auth';
import { isRecord, num } from './staff';

export type SettingType = 'integer' | 'boolean' | 'string' | 'enum';

export interface Setting {
  key: string;
  type: SettingType;
  value: unknown;
  default: unknown;
  description: string;
  min: number | null;
  max: number | null;
  maxLength: number | null;
  choices: string[];
}

const TYPES = new Set(['integer', 'boolean', 'string', 'enum']);

export function parseSettings(v: unknown): Setting[] | null {
  if (!isRecord(v) || !Array.isArray(v['items'])) return null;
  const out: Setting[] = [];
  for (const s of v['items']) {
    if (!isRecord(s) || typeof s['key'] !== 'string' || !TYPES.has(String(s['type']))) continue;
    out.push({
      key: s['key'],
      type: s['type'] as SettingType,
      value: s['value'],
      default: s['default'],
      description: typeof s['description'] === 'string' ? s['description'] : '',
      min: num(s['min']),
      max: s['type'] === 'integer' ? num(s['max']) : null,
      maxLength: num(s['max_length']),
      choices: Array.isArray(s['choices']) ? s['choices'].filter((c): c is string => typeof c === 'string') : [],
    });
  }
  return out;
}

export async function fetchSettings(): Promise<ApiResult<Setting[]>> {
  const r = await call('GET', '/settings');
  if (!r.ok) return r;
  const s = parseSettings(r.value);
  return s ? { ok: true, value: s } : { ok: false, error: { status: -1, code: null, detail: null, errors: [], retryAfter: null } };
}

/** Changes some settings (all or nothing); the answer is every setting after the change. */
export async function patchSettings(changes: Record<string, unknown>): Promise<ApiResult<Setting[]>> {
  const r = await call('PATCH', '/settings', changes);
  if (!r.ok) return r;
  const s = parseSettings(r.value);
  return s ? { ok: true, value: s } : { ok: false, error: { status: -1, code: null, detail: null, errors: [], retryAfter: null } };
}

/** Labels in the seed's words (seed 000, product-behaviour §2.2 and §7). */
export const SETTING_LABELS: Record<string, string> = {
  'general.interaction_tabs_limit': 'Interaction tabs limit',
  'general.disconnection_timeout_minutes': 'Disconnection timeout (minutes)',
  'general.max_attachment_size_mb': 'Max attachment size (MB)',
  'general.chat_closing_interaction_timeout_minutes': 'Chat closing interaction timeout (minutes)',
  'general.min_internal': 'Min internal',
  'general.rtl_support': 'RTL support',
  'general.search_on_enter': 'Search on Enter key',
  'general.message_alignment': 'Message alignment',
  'general.search_max_days': 'Search max days before limit',
  'general.timezone': 'Time zone',
  'security.suite_enabled': 'Security Suite',
  'security.max_login_attempts': 'Max login attempts',
  'security.unlock_after_minutes': 'Unlock account after (minutes)',
  'security.enforce_password_history': 'Enforce Password History',
  'security.password_history_count': 'Previous passwords to check',
  'security.password_expiry_days': 'Password expires after (days)',
  'security.password_expiry_warning_days': 'Warn before expiry (days)',
  'security.disable_mfa_all': 'Disable MFA for all users',
  'security.enforce_mfa_agents': 'Enforce MFA for Agents',
  'security.enforce_mfa_users': 'Enforce MFA for Users',
  'security.enforce_sso_agents': 'Enforce SSO login for Agents',
  'security.enforce_sso_users': 'Enforce SSO login for Users',
  'security.mask_sensitive_characters': 'Characters to mask (sensitive data)',
  'security.session_idle_minutes': 'Session idle timeout (minutes)',
  'security.session_absolute_hours': 'Session lifetime (hours)',
  'reports.export_max_rows': 'Rows per CSV export at most',
};

export interface SettingGroup {
  id: string;
  label: string;
  /** Sub-blocks (fieldsets) of the group, each a list of keys or a key prefix. */
  blocks: { legend: string; keys: string[] }[];
}

/** The tabs of the General settings screen and their blocks, in the seed's order. */
export const GENERAL_GROUPS: SettingGroup[] = [
  {
    id: 'global',
    label: 'Global',
    blocks: [
      { legend: 'Agent desktop', keys: ['general.interaction_tabs_limit', 'general.disconnection_timeout_minutes', 'general.message_alignment', 'general.rtl_support'] },
      { legend: 'Interactions', keys: ['general.max_attachment_size_mb', 'general.chat_closing_interaction_timeout_minutes', 'general.search_on_enter', 'general.search_max_days'] },
      { legend: 'System', keys: ['general.min_internal', 'general.timezone'] },
    ],
  },
  {
    id: 'security',
    label: 'Security',
    blocks: [
      { legend: 'Login attempts', keys: ['security.max_login_attempts', 'security.unlock_after_minutes'] },
      {
        legend: 'Password policy',
        keys: ['security.suite_enabled', 'security.password_expiry_days', 'security.password_expiry_warning_days', 'security.enforce_password_history', 'security.password_history_count'],
      },
      { legend: 'Multi-factor authentication', keys: ['security.disable_mfa_all', 'security.enforce_mfa_agents', 'security.enforce_mfa_users'] },
      { legend: 'Single sign-on', keys: ['security.enforce_sso_agents', 'security.enforce_sso_users'] },
      { legend: 'Sessions', keys: ['security.session_idle_minutes', 'security.session_absolute_hours'] },
      { legend: 'Sensitive data', keys: ['security.mask_sensitive_characters'] },
    ],
  },
  { id: 'reports', label: 'Report', blocks: [{ legend: 'CSV exports', keys: ['reports.export_max_rows'] }] },
];

/** Keys shown on other screens (white label) and never in "Other". */
export const CUSTOMIZATION_PREFIX = 'customization.';

/**
 * The groups with the settings the server has: known keys in their blocks (missing ones
 * dropped), every other key (not customization.*) in an "Other" tab. Pure.
 */
export function groupSettings(settings: readonly Setting[]): { id: string; label: string; blocks: { legend: string; settings: Setting[] }[] }[] {
  const byKey = new Map(settings.map((s) => [s.key, s]));
  const placed = new Set<string>();
  const groups = GENERAL_GROUPS.map((g) => ({
    id: g.id,
    label: g.label,
    blocks: g.blocks
      .map((b) => ({
        legend: b.legend,
        settings: b.keys.flatMap((k) => {
          const s = byKey.get(k);
          if (!s) return [];
          placed.add(k);
          return [s];
        }),
      }))
      .filter((b) => b.settings.length > 0),
  })).filter((g) => g.blocks.length > 0);
  const rest = settings.filter((s) => !placed.has(s.key) && !s.key.startsWith(CUSTOMIZATION_PREFIX));
  if (rest.length) groups.push({ id: 'other', label: 'Other', blocks: [{ legend: 'Other settings', settings: rest }] });
  return groups;
}

/** The label of a setting: the seed's words, or the key made readable. */
export function settingLabel(key: string): string {
  const known = SETTING_LABELS[key];
  if (known) return known;
  const last = key.split('.').pop() ?? key;
  return last.charAt(0).toUpperCase() + last.slice(1).replace(/_/g, ' ');
}

/** The keys of `draft` whose value differs from the server's. */
export function changedKeys(settings: readonly Setting[], draft: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of settings) if (s.key in draft && draft[s.key] !== s.value) out[s.key] = draft[s.key];
  return out;
}
