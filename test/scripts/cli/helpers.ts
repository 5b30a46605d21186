import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { publicKeyOfSeed } from '../../../edge/core/keys';
import { b64uEncode } from '../../../edge/core/b64u';

/** An io whose streams collect what a command writes. */
export function memoryIo<E extends object>(extra?: E) {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    ...(extra ?? ({} as E)),
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; file(name: string, text: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gk-cli-'));
  return {
    dir,
    file(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fixed seeds, so keys are known without running keygen. */
export const VENDOR_SEED = Buffer.alloc(32, 7);
export const GK_SEED = Buffer.alloc(32, 9);
export const VENDOR_KEY_JSON = JSON.stringify({
  kid: 'vendor-2026-12',
  publicKey: b64uEncode(publicKeyOfSeed(VENDOR_SEED)),
  privateKey: b64uEncode(VENDOR_SEED),
});
export const VENDOR_PUBLIC = b64uEncode(publicKeyOfSeed(VENDOR_SEED));
export const GK_PUBLIC = b64uEncode(publicKeyOfSeed(GK_SEED));

/** A valid ACL trusting the fixed vendor and gatekeeper keys; `change` overrides top-level members. */
export function aclText(change: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      version: '2026-12-04.1',
      mode: 'enforce',
      vendorKeys: [{ kid: 'vendor-2026-12', publicKey: VENDOR_PUBLIC }],
      gatekeeperKeys: [{ kid: 'gk-2026-12', publicKey: GK_PUBLIC }],
      countries: { allow: ['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL'], deny: [] },
      ips: { allow: ['0.0.0.0/0', '::/0'], deny: ['198.51.100.0/24'] },
      revoked: { jti: [], kid: [] },
      maxGrantTtlSeconds: 900,
      cosignTtlSeconds: 300,
      clockSkewSeconds: 30,
      ...change,
    },
    null,
    2,
  );
}

/** 2026-12-04T00:00:00Z in ms. */
export const NOW = Date.UTC(2026, 11, 4);
