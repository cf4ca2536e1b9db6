import { describe, expect, it } from 'vitest';
import { changedKeys, groupSettings, parseSettings, settingLabel, type Setting } from './settings';

const s = (key: string, type: Setting['type'] = 'boolean', value: unknown = false): Setting => ({ key, type, value, default: value, description: '', min: null, max: null, maxLength: null, choices: [] });

describe('settings screen', () => {
  it('parses the API list and drops malformed entries', () => {
    const list = parseSettings({
      items: [
        { key: 'security.max_login_attempts', type: 'integer', value: 5, default: 5, min: 0, max: 100, description: 'x' },
        { key: 'general.timezone', type: 'string', value: 'UTC', default: 'UTC', max_length: 64 },
        { key: 'bad', type: 'object', value: {} },
        { type: 'boolean' },
      ],
      total: 4,
    });
    expect(list?.map((x) => x.key)).toEqual(['security.max_login_attempts', 'general.timezone']);
    expect(list?.[0]).toMatchObject({ min: 0, max: 100 });
    expect(list?.[1]).toMatchObject({ maxLength: 64, max: null });
    expect(parseSettings({})).toBeNull();
  });

  it("groups as the seed does, keeps unknown keys under Other, leaves customizations to their screen", () => {
    const groups = groupSettings([s('security.enforce_mfa_agents'), s('general.rtl_support'), s('future.flag'), s('customization.page_title', 'string', ''), s('security.max_login_attempts', 'integer', 5)]);
    expect(groups.map((g) => g.id)).toEqual(['global', 'security', 'other']);
    const security = groups[1];
    expect(security?.blocks.map((b) => b.legend)).toEqual(['Login attempts', 'Multi-factor authentication']);
    expect(groups[2]?.blocks[0]?.settings.map((x) => x.key)).toEqual(['future.flag']);
  });

  it('labels in the seed\'s words, or from the key', () => {
    expect(settingLabel('security.disable_mfa_all')).toBe('Disable MFA for all users');
    expect(settingLabel('future.some_new_thing')).toBe('Some new thing');
  });

  it('sends only what changed', () => {
    const list = [s('a', 'boolean', false), s('b', 'integer', 5)];
    expect(changedKeys(list, { a: false, b: 7 })).toEqual({ b: 7 });
    expect(changedKeys(list, {})).toEqual({});
  });
});
