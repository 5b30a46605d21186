import { readFileSync, existsSync } from 'fs';
import { countryHint, DEFAULT_ALLOWED_COUNTRIES, ISO_COUNTRIES, UNKNOWN_COUNTRY } from '../../../edge/core/countries';

describe('ISO_COUNTRIES', () => {
  it('holds the 249 officially assigned alpha-2 codes, upper case', () => {
    expect(ISO_COUNTRIES.size).toBe(249);
    for (const code of ISO_COUNTRIES) expect(code).toMatch(/^[A-Z]{2}$/);
    for (const code of ['US', 'GB', 'DE', 'FR', 'JP', 'AX', 'BQ', 'CW', 'SS', 'SX', 'ZW', 'AQ', 'UM']) {
      expect(ISO_COUNTRIES.has(code)).toBe(true);
    }
  });

  it('holds no reserved or user-assigned code, and not the unknown country', () => {
    for (const code of ['XX', 'UK', 'EL', 'EU', 'XK', 'AP', 'ZZ', 'AA', 'QM', 'FX', 'SU', 'YU', 'AN', 'us']) {
      expect(ISO_COUNTRIES.has(code)).toBe(false);
    }
    expect(UNKNOWN_COUNTRY).toBe('XX');
  });

  const debian = '/usr/share/iso-codes/json/iso_3166-1.json';
  (existsSync(debian) ? it : it.skip)(`matches ${debian} exactly (skipped when the file is absent)`, () => {
    // Prepare
    const data = JSON.parse(readFileSync(debian, 'utf8')) as { '3166-1': Array<{ alpha_2: string }> };
    const expected = data['3166-1'].map((c) => c.alpha_2).sort();
    // Assess
    expect([...ISO_COUNTRIES].sort()).toEqual(expected);
  });
});

describe('DEFAULT_ALLOWED_COUNTRIES', () => {
  it("is PROTOCOL's list, all ISO, without XX", () => {
    expect([...DEFAULT_ALLOWED_COUNTRIES]).toEqual(['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL']);
    for (const code of DEFAULT_ALLOWED_COUNTRIES) expect(ISO_COUNTRIES.has(code)).toBe(true);
    expect(DEFAULT_ALLOWED_COUNTRIES).not.toContain('XX');
  });

  it('cannot be changed by a caller', () => {
    expect(Object.isFrozen(DEFAULT_ALLOWED_COUNTRIES)).toBe(true);
  });
});

describe('countryHint', () => {
  it.each([
    ['UK', 'GB'],
    ['uk', 'GB'],
    ['EL', 'GR'],
    ['us', 'US'],
    ['Us', 'US'],
    ['xx', 'XX'],
    ['USA', 'US'],
    ['usa', 'US'],
    ['GBR', 'GB'],
    ['DEU', 'DE'],
    ['FRA', 'FR'],
    ['CAN', 'CA'],
    ['AUS', 'AU'],
    ['NZL', 'NZ'],
    ['IRL', 'IE'],
    ['NLD', 'NL'],
    ['CHE', 'CH'],
    ['FX', 'FR'],
  ])('suggests %j → %j', (input, expected) => {
    expect(countryHint(input)).toBe(expected);
  });

  it.each(['US', 'GB', 'XX', 'ZZ', 'EU', 'XK', 'Q', '', 'ABCD', 'U S', 'ZZZ'])('has nothing to say about %j', (input) => {
    expect(countryHint(input)).toBeNull();
  });

  it('is null, not a throw, for values that are not strings', () => {
    for (const v of [undefined, null, 1, {}]) expect(countryHint(v as unknown as string)).toBeNull();
  });
});
