import { parseAclText, validateAcl } from '../../../edge/core/acl';

const key = (n: number): string => Buffer.alloc(32, n).toString('base64url');
const VENDOR = { kid: 'vendor-2026-12', publicKey: key(1) };
const GATEKEEPER = { kid: 'gk-2026-12', publicKey: key(2) };

function minimal(): Record<string, unknown> {
  return { version: '2026-12-04.1', mode: 'enforce', vendorKeys: [VENDOR], gatekeeperKeys: [GATEKEEPER] };
}

function errorsOf(doc: unknown): string[] {
  const v = validateAcl(doc);
  if (v.ok) throw new Error('the document was accepted');
  return v.errors;
}

/** One change to the smallest valid document, and exactly the errors it must cause. */
function expectErrors(change: Record<string, unknown>, expected: string[]): void {
  expect(errorsOf({ ...minimal(), ...change })).toEqual(expected);
}

describe('validateAcl, the root', () => {
  it.each([null, undefined, 42, 'text', true, [], [minimal()]])('refuses %j: not an object', (doc) => {
    expect(errorsOf(doc)).toEqual(['(root): must be an object']);
  });

  it('refuses unknown top-level fields, naming each', () => {
    expectErrors({ foo: 1, Mode: 'enforce', 'a b': true }, [
      'foo: unknown field',
      'Mode: unknown field',
      '["a b"]: unknown field',
    ]);
  });

  it('refuses a __proto__ member rather than reading through it', () => {
    const doc = JSON.parse(`{"__proto__": {"mode": "deny-all"}, ${JSON.stringify(minimal()).slice(1)}`) as unknown;
    expect(errorsOf(doc)).toEqual(['__proto__: unknown field']);
  });

  it('names every missing required field at once', () => {
    expect(errorsOf({})).toEqual(['version: required', 'mode: required', 'vendorKeys: required', 'gatekeeperKeys: required']);
  });
});

describe('validateAcl, version and mode', () => {
  const VERSION = 'version: must be a non-empty string of at most 128 characters';
  it.each([[''], ['v'.repeat(129)], [1], [null], [['v1']], [{}]])('refuses version %j', (version) => {
    expectErrors({ version }, [VERSION]);
  });

  it.each(['v1\n', 'v\u0000', 'tab\there', 'del\u007f', 'c1\u0085'])(
    'refuses a version with a control character (%j)',
    (version) => {
      expectErrors({ version }, ['version: must not contain control characters']);
    }
  );

  it.each(['Enforce', 'report_only', 'deny_all', 'allow-all', '', null, 1, ['enforce']])('refuses mode %j', (mode) => {
    expectErrors({ mode }, ['mode: must be one of "enforce", "report-only", "deny-all"']);
  });
});

describe('validateAcl, vendorKeys and gatekeeperKeys', () => {
  it.each(['vendorKeys', 'gatekeeperKeys'])('%s: refuses a value that is not an array', (field) => {
    for (const value of [null, {}, 'k', 1, { kid: 'a', publicKey: key(5) }]) {
      expectErrors({ [field]: value }, [`${field}: must be an array of {"kid", "publicKey"}`]);
    }
  });

  it.each(['vendorKeys', 'gatekeeperKeys'])('%s: refuses entries that are not objects', (field) => {
    const list = field === 'vendorKeys' ? [VENDOR] : [GATEKEEPER];
    expectErrors({ [field]: [...list, 'k', null, []] }, [
      `${field}[1]: must be an object {"kid", "publicKey"}`,
      `${field}[2]: must be an object {"kid", "publicKey"}`,
      `${field}[3]: must be an object {"kid", "publicKey"}`,
    ]);
  });

  it.each(['vendorKeys', 'gatekeeperKeys'])('%s: names each bad member of each entry', (field) => {
    const list = field === 'vendorKeys' ? [VENDOR] : [GATEKEEPER];
    expectErrors(
      {
        [field]: [
          ...list,
          {},
          { kid: '', publicKey: key(5) },
          { kid: 'a'.repeat(65), publicKey: key(5) },
          { kid: 'has space', publicKey: key(5) },
          { kid: 'ünïcode', publicKey: key(5) },
          { kid: 7, publicKey: key(5) },
          { kid: 'ok1', publicKey: Buffer.alloc(31, 5).toString('base64url') },
          { kid: 'ok2', publicKey: Buffer.alloc(33, 5).toString('base64url') },
          { kid: 'ok3', publicKey: `${key(5)}=` },
          { kid: 'ok4', publicKey: Buffer.alloc(32, 0xfb).toString('base64') },
          { kid: 'ok5', publicKey: 32 },
          { kid: 'ok6', publicKey: key(5), alg: 'EdDSA' },
        ],
      },
      [
        `${field}[1].kid: required`,
        `${field}[1].publicKey: required`,
        `${field}[2].kid: must be 1-64 characters of [A-Za-z0-9._-]`,
        `${field}[3].kid: must be 1-64 characters of [A-Za-z0-9._-]`,
        `${field}[4].kid: must be 1-64 characters of [A-Za-z0-9._-]`,
        `${field}[5].kid: must be 1-64 characters of [A-Za-z0-9._-]`,
        `${field}[6].kid: must be 1-64 characters of [A-Za-z0-9._-]`,
        `${field}[7].publicKey: not 32 bytes of base64url`,
        `${field}[8].publicKey: not 32 bytes of base64url`,
        `${field}[9].publicKey: not 32 bytes of base64url`,
        `${field}[10].publicKey: not 32 bytes of base64url`,
        `${field}[11].publicKey: not 32 bytes of base64url`,
        `${field}[12].alg: unknown field`,
      ]
    );
  });

  it('refuses a duplicate kid within a list, pointing at the first', () => {
    expectErrors({ vendorKeys: [VENDOR, { kid: 'other', publicKey: key(6) }, { kid: VENDOR.kid, publicKey: key(7) }] }, [
      'vendorKeys[2].kid: duplicate kid "vendor-2026-12" (also vendorKeys[0])',
    ]);
    expectErrors({ gatekeeperKeys: [GATEKEEPER, GATEKEEPER] }, [
      'gatekeeperKeys[1].kid: duplicate kid "gk-2026-12" (also gatekeeperKeys[0])',
    ]);
  });

  it('refuses an empty gatekeeperKeys (nothing could check a cosig)', () => {
    expectErrors({ gatekeeperKeys: [] }, ['gatekeeperKeys: at least one key is required (no countersignature could be checked)']);
  });

  it('refuses a vendor key that is also a cosigning key', () => {
    expectErrors({ gatekeeperKeys: [GATEKEEPER, { kid: 'gk-2', publicKey: VENDOR.publicKey }] }, [
      'gatekeeperKeys[1].publicKey: the same key as vendorKeys[0]; the vendor must never hold a cosigning key',
    ]);
  });

  it('never echoes a public key in an error', () => {
    const secretLooking = 'A'.repeat(40);
    const errors = errorsOf({ ...minimal(), vendorKeys: [{ kid: 'v', publicKey: secretLooking }] });
    expect(errors).toEqual(['vendorKeys[0].publicKey: not 32 bytes of base64url']);
    expect(errors.join('\n')).not.toContain(secretLooking);
  });
});

describe('validateAcl, countries', () => {
  it.each([null, [], 'US', 1])('refuses countries %j: not an object', (countries) => {
    expectErrors({ countries }, ['countries: must be an object {"allow"?, "deny"?}']);
  });

  it('refuses unknown members and lists that are not arrays', () => {
    expectErrors({ countries: { allow: 'US', deny: null, block: ['RU'] } }, [
      'countries.block: unknown field',
      'countries.allow: must be an array',
      'countries.deny: must be an array',
    ]);
  });

  it('names each bad code with its index, and a hint where there is one', () => {
    expectErrors(
      {
        countries: {
          allow: [
            'US',
            'CA',
            'UK',
            'us',
            'USA',
            'EL',
            'ZZ',
            'EU',
            1,
            null,
            'United Kingdom of Great Britain and Northern Ireland',
          ],
          deny: ['RU', 'rus', 'XK'],
        },
      },
      [
        'countries.allow[2]: "UK" is not ISO 3166-1; use "GB"',
        'countries.allow[3]: "us" is not ISO 3166-1; use "US"',
        'countries.allow[4]: "USA" is not ISO 3166-1; use "US"',
        'countries.allow[5]: "EL" is not ISO 3166-1; use "GR"',
        'countries.allow[6]: "ZZ" is not ISO 3166-1 alpha-2',
        'countries.allow[7]: "EU" is not ISO 3166-1 alpha-2',
        'countries.allow[8]: must be a string',
        'countries.allow[9]: must be a string',
        'countries.allow[10]: "United Kingdom of Great Britain and Nort…" is not ISO 3166-1 alpha-2',
        'countries.deny[1]: "rus" is not ISO 3166-1; use "RU"',
        'countries.deny[2]: "XK" is not ISO 3166-1 alpha-2',
      ]
    );
  });

  it('refuses the unknown country in lower case, with a hint', () => {
    expectErrors({ countries: { allow: ['xx'] } }, ['countries.allow[0]: "xx" is not ISO 3166-1; use "XX"']);
  });
});

describe('validateAcl, ips', () => {
  it.each([null, [], '10.0.0.0/8', 1])('refuses ips %j: not an object', (ips) => {
    expectErrors({ ips }, ['ips: must be an object {"allow"?, "deny"?}']);
  });

  it('refuses ips.allow null: absence, not null, means every address', () => {
    expectErrors({ ips: { allow: null } }, ['ips.allow: must be an array (leave it out to allow every address)']);
  });

  it('refuses unknown members and lists that are not arrays', () => {
    expectErrors({ ips: { allow: '10.0.0.0/8', deny: {}, denyList: [] } }, [
      'ips.denyList: unknown field',
      'ips.allow: must be an array',
      'ips.deny: must be an array',
    ]);
  });

  it('names each bad entry with its index and why', () => {
    expectErrors(
      {
        ips: {
          allow: ['10.0.0.0/8', '2001:db8::/32', 'not-an-ip', '10.0.0.1/8'],
          deny: [
            '192.0.2.1',
            '::1',
            '2001:db8::/129',
            '1.2.3.4/33',
            'fe80::1%eth0',
            8,
            '10.0.0.0 /8',
            '2001:db8::1/32',
            '::ffff:10.0.0.1/104',
          ],
        },
      },
      [
        'ips.allow[2]: not a CIDR',
        'ips.allow[3]: not a CIDR (host bits set; did you mean 10.0.0.0/8?)',
        'ips.deny[2]: not a CIDR (the prefix length must be 0-128)',
        'ips.deny[3]: not a CIDR (the prefix length must be 0-32)',
        'ips.deny[4]: not a CIDR',
        'ips.deny[5]: must be a string',
        'ips.deny[6]: not a CIDR',
        'ips.deny[7]: not a CIDR (host bits set; did you mean 2001:db8::/32?)',
        'ips.deny[8]: not a CIDR (host bits set; did you mean 10.0.0.0/8?)',
      ]
    );
  });
});

describe('validateAcl, revoked', () => {
  it.each([null, [], 'jti', 1])('refuses revoked %j: not an object', (revoked) => {
    expectErrors({ revoked }, ['revoked: must be an object {"jti"?, "kid"?}']);
  });

  it('refuses unknown members, lists that are not arrays, and malformed entries', () => {
    expectErrors(
      {
        revoked: {
          jti: ['a'.repeat(15), 'b'.repeat(65), 'has.dot.0123456789', 'ok-jti-0123456789', 5],
          kid: ['', 'x'.repeat(65), 'sp ace', 'fine.kid'],
          sub: [],
        },
      },
      [
        'revoked.sub: unknown field',
        'revoked.jti[0]: must be 16-64 characters of [A-Za-z0-9_-]',
        'revoked.jti[1]: must be 16-64 characters of [A-Za-z0-9_-]',
        'revoked.jti[2]: must be 16-64 characters of [A-Za-z0-9_-]',
        'revoked.jti[4]: must be a string',
        'revoked.kid[0]: must be 1-64 characters of [A-Za-z0-9._-]',
        'revoked.kid[1]: must be 1-64 characters of [A-Za-z0-9._-]',
        'revoked.kid[2]: must be 1-64 characters of [A-Za-z0-9._-]',
      ]
    );
    expectErrors({ revoked: { jti: 'x', kid: null } }, ['revoked.jti: must be an array', 'revoked.kid: must be an array']);
  });

  it('never echoes a revoked jti in an error', () => {
    const jti = 'secret.jti.0123456789';
    const errors = errorsOf({ ...minimal(), revoked: { jti: [jti] } });
    expect(errors.join('\n')).not.toContain(jti);
  });
});

describe('validateAcl, integer fields', () => {
  it.each([
    ['maxGrantTtlSeconds', 'must be an integer from 1 to 86400', [0, -1, 86401, 1.5, '900', null, Number.NaN, Infinity]],
    ['cosignTtlSeconds', 'must be an integer from 1 to 3600', [0, 3601, 2.5, '300', null, true]],
    ['clockSkewSeconds', 'must be an integer from 0 to 300', [-1, 301, 0.5, '30', null, []]],
  ])('%s: refuses bad values', (field, message, values) => {
    for (const value of values) expectErrors({ [field]: value }, [`${field}: ${message}`]);
  });
});

describe('validateAcl, all errors at once', () => {
  it('collects every error of a thoroughly broken document, in a stable order', () => {
    // Prepare
    const doc = {
      extra: 1,
      version: '',
      mode: 'strict',
      vendorKeys: [{ kid: 'v', publicKey: 'x' }],
      gatekeeperKeys: {},
      countries: { allow: ['UK'] },
      ips: { deny: ['10.0.0.1/8'] },
      revoked: { kid: [''] },
      maxGrantTtlSeconds: 0,
      cosignTtlSeconds: 0,
      clockSkewSeconds: -1,
    };
    // Act
    const errors = errorsOf(doc);
    // Assess
    expect(errors).toEqual([
      'extra: unknown field',
      'version: must be a non-empty string of at most 128 characters',
      'mode: must be one of "enforce", "report-only", "deny-all"',
      'vendorKeys[0].publicKey: not 32 bytes of base64url',
      'gatekeeperKeys: must be an array of {"kid", "publicKey"}',
      'countries.allow[0]: "UK" is not ISO 3166-1; use "GB"',
      'ips.deny[0]: not a CIDR (host bits set; did you mean 10.0.0.0/8?)',
      'revoked.kid[0]: must be 1-64 characters of [A-Za-z0-9._-]',
      'maxGrantTtlSeconds: must be an integer from 1 to 86400',
      'cosignTtlSeconds: must be an integer from 1 to 3600',
      'clockSkewSeconds: must be an integer from 0 to 300',
    ]);
  });

  it('caps a huge report and says how much it left out', () => {
    const errors = errorsOf({ ...minimal(), ips: { deny: Array.from({ length: 1500 }, () => 'bad') } });
    expect(errors).toHaveLength(1001);
    expect(errors[999]).toBe('ips.deny[999]: not a CIDR');
    expect(errors[1000]).toBe('(root): 500 more errors not shown');
  });
});

describe('parseAclText', () => {
  it.each([
    ['', '(root): not valid JSON'],
    ['{', '(root): not valid JSON'],
    ["{'version': '1'}", '(root): not valid JSON'],
    ['{"version": "1",}', '(root): not valid JSON'],
    ['null', '(root): must be an object'],
    ['[]', '(root): must be an object'],
    ['"text"', '(root): must be an object'],
    ['42', '(root): must be an object'],
  ])('refuses %j', (text, error) => {
    expect(parseAclText(text)).toEqual({ ok: false, errors: [error] });
  });

  it('refuses a member name that appears twice, at any depth', () => {
    // Prepare: the second "mode" would win in JSON.parse and hide the first from a reviewer.
    const top = `{"mode": "deny-all", ${JSON.stringify(minimal()).slice(1)}`;
    const nested = JSON.stringify({ ...minimal(), ips: { deny: [] } }).replace('"deny":[]', '"deny":["10.0.0.0/8"],"deny":[]');
    // Act & Assess
    for (const text of [top, nested]) {
      expect(parseAclText(text)).toEqual({
        ok: false,
        errors: ['(root): not valid JSON for an ACL (a member name appears twice in one object)'],
      });
    }
  });

  it('validates what it parsed', () => {
    const v = parseAclText(JSON.stringify({ ...minimal(), ips: { deny: ['x'] } }));
    expect(v).toEqual({ ok: false, errors: ['ips.deny[0]: not a CIDR'] });
  });

  it('refuses a value that is not a string, without throwing', () => {
    expect(parseAclText(undefined as unknown as string).ok).toBe(false);
    expect(parseAclText(42 as unknown as string).ok).toBe(false);
  });
});
