import { parseAclText } from '../../edge/core/acl';
import { addGatekeeperKey, initialAclDocument, nextAclVersion, removeGatekeeperKey } from '../../infra/acl-document';
import { parseStackConfig } from '../../infra/config';
import { GK_KEY, GK_KEY_2, stackInput, VENDOR_KEY } from './fixture';

const NOW = new Date('2026-12-04T10:00:00Z');

describe('initialAclDocument', () => {
  it('is the PROTOCOL shape with the default countries, configured keys, enforce, all IPs', () => {
    // Act
    const doc = initialAclDocument(parseStackConfig(stackInput()));
    // Assess
    expect(doc).toEqual({
      version: 'initial',
      mode: 'enforce',
      vendorKeys: [{ kid: 'vendor-2026-12', publicKey: VENDOR_KEY.publicKey }],
      gatekeeperKeys: [{ kid: 'gk-2026-12', publicKey: GK_KEY.publicKey }],
      countries: { allow: ['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL'], deny: [] },
      ips: { allow: ['0.0.0.0/0', '::/0'], deny: [] },
      revoked: { jti: [], kid: [] },
      maxGrantTtlSeconds: 900,
      cosignTtlSeconds: 300,
      clockSkewSeconds: 30,
    });
    expect(parseAclText(JSON.stringify(doc))).toMatchObject({ ok: true });
  });

  it('takes the configured countries and TTLs', () => {
    const doc = initialAclDocument(parseStackConfig(stackInput({ acl: { countriesAllow: ['DE'], cosignTtlSeconds: 120 }, vendorKeys: [] })));
    expect(doc.countries.allow).toEqual(['DE']);
    expect(doc.cosignTtlSeconds).toBe(120);
    expect(doc.vendorKeys).toEqual([]);
  });
});

describe('nextAclVersion', () => {
  it('counts up within a UTC day and restarts on a new one', () => {
    expect(nextAclVersion('initial', NOW)).toBe('2026-12-04.1');
    expect(nextAclVersion('2026-12-04.1', NOW)).toBe('2026-12-04.2');
    expect(nextAclVersion('2026-12-04.41', NOW)).toBe('2026-12-04.42');
    expect(nextAclVersion('2026-12-03.7', NOW)).toBe('2026-12-04.1');
    expect(nextAclVersion(undefined, NOW)).toBe('2026-12-04.1');
  });
});

describe('rotation edits', () => {
  const base = { ...initialAclDocument(parseStackConfig(stackInput())), mode: 'report-only', revoked: { jti: ['jti-0123456789abcdef'], kid: [] } };

  it('adds the new key next to the old one and keeps every other field', () => {
    const next = addGatekeeperKey(base, { kid: 'gk-2027-01', publicKey: GK_KEY_2.publicKey }, NOW);
    expect(next.gatekeeperKeys).toEqual([
      { kid: 'gk-2026-12', publicKey: GK_KEY.publicKey },
      { kid: 'gk-2027-01', publicKey: GK_KEY_2.publicKey },
    ]);
    expect(next.version).toBe('2026-12-04.1');
    expect({ ...next, gatekeeperKeys: base.gatekeeperKeys, version: base.version }).toEqual(base);
    expect(parseAclText(JSON.stringify(next))).toMatchObject({ ok: true });
  });

  it('adding a key that is already there changes nothing', () => {
    expect(addGatekeeperKey(base, { kid: 'gk-2026-12', publicKey: GK_KEY.publicKey }, NOW)).toBe(base);
  });

  it('removes the old key', () => {
    const both = addGatekeeperKey(base, { kid: 'gk-2027-01', publicKey: GK_KEY_2.publicKey }, NOW);
    const next = removeGatekeeperKey(both, 'gk-2026-12', NOW);
    expect(next.gatekeeperKeys).toEqual([{ kid: 'gk-2027-01', publicKey: GK_KEY_2.publicKey }]);
    expect(next.version).toBe('2026-12-04.2');
  });
});
