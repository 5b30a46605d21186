import { readFileSync, statSync } from 'fs';
import { join } from 'path';
import { b64uDecode } from '../../../edge/core/b64u';
import { publicKeyOfSeed } from '../../../edge/core/keys';
import { KEYGEN_USAGE, runKeygen } from '../../../scripts/cli/keys';
import { memoryIo, tempDir } from './helpers';

describe('gatekeeper keygen', () => {
  it('prints {"kid","publicKey","privateKey"} with a matching pair', async () => {
    // Prepare
    const m = memoryIo();

    // Act
    const code = await runKeygen(['--kid', 'vendor-2026-12'], m.io);

    // Assess
    expect(code).toBe(0);
    expect(m.err()).toBe('');
    expect(m.out().endsWith('\n')).toBe(true);
    const pair = JSON.parse(m.out());
    expect(Object.keys(pair)).toEqual(['kid', 'publicKey', 'privateKey']);
    expect(pair.kid).toBe('vendor-2026-12');
    const seed = b64uDecode(pair.privateKey) as Buffer;
    expect(seed.length).toBe(32);
    expect(publicKeyOfSeed(seed).equals(b64uDecode(pair.publicKey) as Buffer)).toBe(true);
  });

  it('makes a new key each time', async () => {
    const a = memoryIo();
    const b = memoryIo();
    await runKeygen(['--kid=k'], a.io);
    await runKeygen(['--kid=k'], b.io);
    expect(JSON.parse(a.out()).privateKey).not.toBe(JSON.parse(b.out()).privateKey);
  });

  it('with --out writes the pair with mode 0600 and prints only the public entry', async () => {
    const t = tempDir();
    try {
      // Prepare
      const file = join(t.dir, 'vendor.json');
      const m = memoryIo();

      // Act
      const code = await runKeygen(['--kid', 'v1', '--out', file], m.io);

      // Assess
      expect(code).toBe(0);
      const pair = JSON.parse(readFileSync(file, 'utf8'));
      expect(Object.keys(pair)).toEqual(['kid', 'publicKey', 'privateKey']);
      expect(JSON.parse(m.out())).toEqual({ kid: 'v1', publicKey: pair.publicKey });
      expect(m.out()).not.toContain(pair.privateKey);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      t.cleanup();
    }
  });

  it('--help prints the usage and exits 0', async () => {
    const m = memoryIo();
    expect(await runKeygen(['--help'], m.io)).toBe(0);
    expect(m.out()).toBe(KEYGEN_USAGE);
    expect(m.out()).toMatch(/^Usage: gatekeeper keygen --kid KID/);
  });
});
