import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLocalConfig, loadLocalConfig, parseLocalConfig, publicKeyOf, readLocalConfig } from '../../../scripts/local/config';

const base = defaultLocalConfig();
const without = (f: string): Record<string, unknown> => {
  const o: Record<string, unknown> = { ...base };
  delete o[f];
  return o;
};

describe('local config: rejected values name the field', () => {
  it.each([
    ['not an object', [], /^\(root\): /],
    ['unknown field', { ...base, prot: 1 }, /^prot: unknown field/],
    ['missing gatekeeperId', without('gatekeeperId'), /^gatekeeperId: required/],
    ['bad gatekeeperId', { ...base, gatekeeperId: 'a b' }, /^gatekeeperId: /],
    ['port not integer', { ...base, port: 80.5 }, /^port: /],
    ['port too large', { ...base, port: 70000 }, /^port: /],
    ['port as string', { ...base, port: '8480' }, /^port: /],
    ['same ports', { ...base, port: 9000, demoPort: 9000 }, /^demoPort: must differ/],
    ['missing demoPort', without('demoPort'), /^demoPort: required/],
    ['bad bucket', { ...base, bucket: 'Bad_Bucket' }, /^bucket: /],
    ['vendorOrigins not a list', { ...base, vendorOrigins: 'http://x' }, /^vendorOrigins: /],
    ['origin with path', { ...base, vendorOrigins: ['http://ok:1', 'http://x/'] }, /^vendorOrigins\[1\]: /],
    ['geo not an object', { ...base, geo: ['127.0.0.0/8'] }, /^geo: /],
    ['geo bad CIDR', { ...base, geo: { '127.0.0.0/33': 'US' } }, /^geo\["127\.0\.0\.0\/33"\]: not a CIDR/],
    ['geo bad address', { ...base, geo: { '300.0.0.1': 'US' } }, /^geo\["300\.0\.0\.1"\]: not a CIDR/],
    ['geo lower-case country', { ...base, geo: { '10.0.0.0/8': 'us' } }, /^geo\["10\.0\.0\.0\/8"\]: /],
    ['geo v6 prefix too long', { ...base, geo: { '::/129': 'US' } }, /^geo\["::\/129"\]: not a CIDR/],
    ['acl missing', without('acl'), /^acl: required/],
    ['acl not an object', { ...base, acl: '{}' }, /^acl: /],
    ['signingKey missing', without('signingKey'), /^signingKey: required/],
    ['signingKey bad kid', { ...base, signingKey: { ...base.signingKey, kid: 'has space' } }, /^signingKey\.kid: /],
    ['signingKey short', { ...base, signingKey: { ...base.signingKey, privateKey: 'AAAA' } }, /^signingKey\.privateKey: /],
    ['signingKey padded', { ...base, signingKey: { ...base.signingKey, privateKey: base.signingKey.privateKey + '=' } }, /^signingKey\.privateKey: /],
    ['vendorKey extra field', { ...base, vendorKey: { ...base.vendorKey, publicKey: 'x' } }, /^vendorKey\.publicKey: unknown field/],
    ['vendorKey std base64', { ...base, vendorKey: { ...base.vendorKey, privateKey: 'a+' + base.vendorKey.privateKey.slice(2) } }, /^vendorKey\.privateKey: /],
    ['dataDir empty', { ...base, dataDir: ' ' }, /^dataDir: /],
    ['aclTtlSeconds zero', { ...base, aclTtlSeconds: 0 }, /^aclTtlSeconds: /],
  ])('%s', (_name, input, message) => {
    expect(() => parseLocalConfig(input)).toThrow(message);
  });

  it('never echoes a private key in the error', () => {
    const bad = base.signingKey.privateKey.slice(0, 42) + '!';
    let msg = '';
    try {
      parseLocalConfig({ ...base, signingKey: { kid: 'k', privateKey: bad } });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^signingKey\.privateKey: /);
    expect(msg).not.toContain(bad.slice(0, 20));
  });

  it('rejects a seed with non-canonical trailing bits', () => {
    // 43 chars carry 258 bits; the last 2 must be zero.
    const seed = Buffer.alloc(32, 7).toString('base64url');
    const last = seed[42];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twisted = seed.slice(0, 42) + alphabet[alphabet.indexOf(last) + 1];
    expect(() => publicKeyOf(twisted)).toThrow(/^privateKey: /);
    expect(() => publicKeyOf(seed)).not.toThrow();
  });

  describe('files', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'gk-config-neg-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('readLocalConfig does not create a missing file and says how to get one', () => {
      const file = join(dir, 'absent.json');
      expect(() => readLocalConfig(file)).toThrow(/no local config/);
      expect(existsSync(file)).toBe(false);
    });

    it('invalid JSON is reported as such, not replaced', () => {
      const file = join(dir, 'c.json');
      writeFileSync(file, '{ "port": ');
      expect(() => loadLocalConfig(file)).toThrow(/^\(root\): .*not valid JSON/);
    });

    it('an invalid existing file is reported, never overwritten with defaults', () => {
      const file = join(dir, 'c.json');
      writeFileSync(file, JSON.stringify({ ...base, port: -1 }));
      expect(() => loadLocalConfig(file)).toThrow(/^port: /);
    });
  });
});

describe('local config: the ACL is checked by the edge validator, paths under acl', () => {
  const acl = base.acl;
  it.each([
    ['unknown ACL field', { ...acl, extra: 1 }, /^acl\.extra: unknown field/],
    ['bad mode', { ...acl, mode: 'audit' }, /^acl\.mode: /],
    ['bad ips entry', { ...acl, ips: { allow: ['0.0.0.0/0'], deny: ['10.0.0.1/8'] } }, /^acl\.ips\.deny\[0\]: not a CIDR/],
    ['no gatekeeper key', { ...acl, gatekeeperKeys: [] }, /^acl\.gatekeeperKeys: /],
    ['two problems, first named first', { ...acl, version: '', mode: 'x' }, /^acl\.version: .*; also acl\.mode: /],
  ])('%s', (_name, badAcl, message) => {
    expect(() => parseLocalConfig({ ...base, acl: badAcl })).toThrow(message);
  });

  it('geo uses the edge CIDR rules: host bits must be zero', () => {
    expect(() => parseLocalConfig({ ...base, geo: { '127.0.0.1/8': 'US' } })).toThrow(/^geo\["127\.0\.0\.1\/8"\]: not a CIDR \(host bits set/);
  });
});
