import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLocalConfig, generateEd25519 } from '../../../scripts/local/config';
import { startStack } from '../../../scripts/local/stack';

jest.setTimeout(30_000);

describe('startStack refusals', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 's3gk-stack-neg-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an invalid ACL in the config before starting anything, naming the field', async () => {
    const base = defaultLocalConfig();
    const config = { ...base, port: 0, demoPort: 0, dataDir: dir, acl: { ...base.acl, mode: 'sometimes', ips: { deny: ['10.0.0.1/8'] } } };
    const lines: string[] = [];
    await expect(startStack({ config, log: (l) => lines.push(l) })).rejects.toThrow(/^acl: the config's ACL is invalid: .*acl\.mode/);
    await expect(startStack({ config, log: (l) => lines.push(l) })).rejects.toThrow(/acl\.ips\.deny\[0\]/);
    expect(lines).toEqual([]);
  });

  it('warns when the ACL does not trust its own keys, and a busy gatekeeper port fails the start cleanly', async () => {
    // Prepare: hold a port, and an ACL trusting some other vendor key
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    const base = defaultLocalConfig();
    const acl = { ...base.acl, vendorKeys: [{ kid: 'someone-else', publicKey: generateEd25519().publicKey }] };
    const lines: string[] = [];
    try {
      // Act + Assess
      await expect(startStack({ config: { ...base, acl, port, demoPort: 0, dataDir: dir }, log: (l) => lines.push(l) })).rejects.toThrow(
        'EADDRINUSE',
      );
      expect(lines.some((l) => /WARNING acl\.vendorKeys does not list vendorKey vendor-local-/.test(l))).toBe(true);
      expect(lines.some((l) => /acl\.gatekeeperKeys/.test(l))).toBe(false);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});
