import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEdge, loadBuildConfig, MAX_ZIP_BYTES, ROOT } from '../../scripts/build';

describe('buildEdge', () => {
  const out = mkdtempSync(join(tmpdir(), 'gk-build-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('bundles both functions, zips them under the viewer-request limit, and keeps the signing-key secret out of the gate', async () => {
    // Prepare
    const config = { ...loadBuildConfig(join(ROOT, 'gatekeeper.build.example.json')), signingKeySecretId: 'secret-only-the-cosigner-knows' };
    // Act
    const r = await buildEdge({ config, outDir: out });
    // Assess
    for (const fn of ['gate', 'cosigner'] as const) {
      expect(statSync(r[fn]).size).toBe(r.sizes[fn]);
      expect(r.sizes[fn]).toBeLessThan(MAX_ZIP_BYTES);
    }
    const gate = readFileSync(join(out, 'gate', 'index.js'), 'utf8');
    const cosigner = readFileSync(join(out, 'cosigner', 'index.js'), 'utf8');
    expect(gate).not.toContain('secret-only-the-cosigner-knows');
    expect(cosigner).toContain('secret-only-the-cosigner-knows');
    expect(gate).toContain('gk-example');
  });

  it('the gate bundle loads and exports handler', async () => {
    const mod = require(join(out, 'gate', 'index.js')) as { handler: unknown };
    expect(typeof mod.handler).toBe('function');
  });
});
