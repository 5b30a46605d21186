import { ed25519PublicKey, publicKeyOfSeed } from '../../../edge/core/keys';
import { parseGrant, verifyToken, type GrantPayload } from '../../../edge/core/tokens';
import { GRANT_USAGE, runGrant } from '../../../scripts/cli/grant';
import { memoryIo, NOW, tempDir, VENDOR_KEY_JSON, VENDOR_SEED } from './helpers';

async function grant(args: string[]): Promise<GrantPayload> {
  const t = tempDir();
  try {
    const keyFile = t.file('vendor.json', VENDOR_KEY_JSON + '\n');
    const m = memoryIo({ now: () => NOW + 999 });
    const code = await runGrant(['--key-file', keyFile, ...args], m.io);
    expect(m.err()).toBe('');
    expect(code).toBe(0);
    const token = m.out().trimEnd();
    expect(m.out()).toBe(token + '\n');
    const parsed = parseGrant(token);
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(verifyToken(parsed.value, ed25519PublicKey(publicKeyOfSeed(VENDOR_SEED)))).toBe(true);
    return parsed.value.payload;
  } finally {
    t.cleanup();
  }
}

const IAT = NOW / 1000;

describe('gatekeeper grant', () => {
  it('signs a get grant for one key with the default ttl', async () => {
    const p = await grant(['--aud', 'gk-acme', '--op', 'get', '--key', 'reports/q4.pdf']);
    expect(p).toEqual({ v: 1, kid: 'vendor-2026-12', aud: 'gk-acme', op: 'get', key: 'reports/q4.pdf', iat: IAT, exp: IAT + 300, jti: p.jti });
    expect(p.jti).toHaveLength(22);
  });

  it('signs a get grant for a prefix, with --ttl and --sub', async () => {
    const p = await grant(['--aud', 'gk-acme', '--op', 'get', '--prefix', 'reports/2026/', '--ttl', '900', '--sub', 'alice']);
    expect(p).toMatchObject({ op: 'get', prefix: 'reports/2026/', exp: IAT + 900, sub: 'alice' });
    expect(p.key).toBeUndefined();
  });

  it('signs a list grant', async () => {
    const p = await grant(['--aud=gk-acme', '--op=list', '--prefix=uploads/']);
    expect(p).toMatchObject({ op: 'list', prefix: 'uploads/' });
  });

  it('signs a put grant with every constraint', async () => {
    const p = await grant([
      '--aud', 'gk-acme', '--op', 'put', '--key', 'uploads/scan.png',
      '--max-bytes', '1048576', '--content-type', 'image/png', '--sha256', 'A'.repeat(64),
    ]);
    expect(p).toMatchObject({ op: 'put', key: 'uploads/scan.png', maxBytes: 1048576, contentType: 'image/png', sha256: 'a'.repeat(64) });
  });

  it('takes a value that starts with "-" as a value', async () => {
    const p = await grant(['--aud', 'gk', '--op', 'get', '--key', '-dash/file']);
    expect(p.key).toBe('-dash/file');
  });

  it('--help prints the usage and exits 0', async () => {
    const m = memoryIo();
    expect(await runGrant(['--help'], m.io)).toBe(0);
    expect(m.out()).toBe(GRANT_USAGE);
  });
});
