import { generateKeyPairSync, sign, verify, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONFIG_ENV,
  DEFAULT_COUNTRIES,
  defaultLocalConfig,
  loadLocalConfig,
  localConfigPath,
  parseLocalConfig,
  publicKeyOf,
  readLocalConfig,
  type LocalConfig,
} from '../../../scripts/local/config';

describe('local config', () => {
  let dir: string;
  const savedEnv = process.env[CONFIG_ENV];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gk-config-'));
    delete process.env[CONFIG_ENV];
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (savedEnv === undefined) delete process.env[CONFIG_ENV];
    else process.env[CONFIG_ENV] = savedEnv;
  });

  it('creates the file on first run with the documented defaults and fresh keys', () => {
    // Prepare
    const file = join(dir, 'sub', 'gatekeeper.local.json');
    // Act
    const c = loadLocalConfig(file);
    // Assess
    expect(c).toMatchObject({
      gatekeeperId: 'gk-local',
      port: 8480,
      demoPort: 8481,
      bucket: 'gatekeeper-local',
      vendorOrigins: ['http://127.0.0.1:8481', 'http://localhost:8481'],
      geo: { '127.0.0.0/8': 'US' },
      dataDir: 'local',
    });
    expect(c.aclTtlSeconds).toBeUndefined();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(c);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(c.signingKey.privateKey).not.toBe(c.vendorKey.privateKey);
    expect(c.signingKey.kid).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
    expect(c.vendorKey.kid).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
  });

  it('the default ACL trusts exactly the vendor and gatekeeper public keys, PROTOCOL defaults otherwise', () => {
    const c = loadLocalConfig(join(dir, 'c.json'));
    expect(c.acl).toEqual({
      version: expect.stringMatching(/^\d{4}-\d{2}-\d{2}\.1$/),
      mode: 'enforce',
      vendorKeys: [{ kid: c.vendorKey.kid, publicKey: publicKeyOf(c.vendorKey.privateKey) }],
      gatekeeperKeys: [{ kid: c.signingKey.kid, publicKey: publicKeyOf(c.signingKey.privateKey) }],
      countries: { allow: ['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL'], deny: [] },
      ips: { allow: ['0.0.0.0/0', '::/0'], deny: [] },
      revoked: { jti: [], kid: [] },
      maxGrantTtlSeconds: 900,
      cosignTtlSeconds: 300,
      clockSkewSeconds: 30,
    });
    expect(DEFAULT_COUNTRIES).toEqual(['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL']);
  });

  it('reads the same file back on later runs (keys stay)', () => {
    const file = join(dir, 'c.json');
    const first = loadLocalConfig(file);
    const second = loadLocalConfig(file);
    expect(second).toEqual(first);
  });

  it('uses $GATEKEEPER_LOCAL_CONFIG when no path is given', () => {
    const file = join(dir, 'from-env.json');
    process.env[CONFIG_ENV] = file;
    expect(localConfigPath()).toBe(file);
    const c = loadLocalConfig();
    expect(readLocalConfig(file)).toEqual(c);
  });

  it('defaults to local/gatekeeper.local.json under the working directory', () => {
    expect(localConfigPath()).toBe(join(process.cwd(), 'local', 'gatekeeper.local.json'));
  });

  it('keeps an edited file as it is, optional aclTtlSeconds included', () => {
    const file = join(dir, 'c.json');
    const edited: LocalConfig = { ...defaultLocalConfig(), port: 9000, demoPort: 0, geo: { '127.0.0.2/32': 'FR', '::1': 'US' }, aclTtlSeconds: 2 };
    writeFileSync(file, JSON.stringify(edited));
    expect(loadLocalConfig(file)).toEqual(edited);
  });

  it('publicKeyOf derives the key that verifies signatures by the seed', () => {
    // Prepare
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    const msg = Buffer.from('GK1-GRANT.payload');
    const sig = sign(null, msg, privateKey);
    // Act
    const pub = publicKeyOf(jwk.d as string);
    // Assess
    expect(pub).toBe(jwk.x);
    const pubKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pub }, format: 'jwk' });
    expect(verify(null, msg, pubKey, sig)).toBe(true);
  });

  it('publicKeyOf matches RFC 8032 test vector 1', () => {
    const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex').toString('base64url');
    const pub = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex').toString('base64url');
    expect(publicKeyOf(seed)).toBe(pub);
  });

  it('parseLocalConfig accepts the generated default', () => {
    const c = defaultLocalConfig(new Date('2026-12-04T00:00:00Z'));
    expect(parseLocalConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
    expect(c.signingKey.kid).toMatch(/^gk-local-2026-12-[0-9a-f]{6}$/);
    expect(c.acl.version).toBe('2026-12-04.1');
  });
});
