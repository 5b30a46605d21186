import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEdge, loadBuildConfig, ROOT } from '../../scripts/build';

describe('build refuses a bad config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gk-build-bad-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the bad field and the file', () => {
    const p = join(dir, 'bad.json');
    writeFileSync(p, JSON.stringify({ ...loadBuildConfig(join(ROOT, 'gatekeeper.build.example.json')), vendorOrigins: ['*'] }));
    expect(() => loadBuildConfig(p)).toThrow(`${p}: vendorOrigins[0]:`);
  });

  it('says so when the file is not JSON', () => {
    const p = join(dir, 'nojson.json');
    writeFileSync(p, '{');
    expect(() => loadBuildConfig(p)).toThrow(p);
  });

  it('will not build a cosigner without a signing-key secret', async () => {
    const config = { ...loadBuildConfig(join(ROOT, 'gatekeeper.build.example.json')), signingKeySecretId: null };
    await expect(buildEdge({ config, outDir: join(dir, 'out') })).rejects.toThrow('signingKeySecretId');
  });
});
