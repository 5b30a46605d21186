import { generateEd25519 } from '../../../../scripts/local/config';
import { startDemo, type DemoApp } from '../../../../scripts/local/demo/server';
import { send } from '../proxyHarness';

const key = { kid: 'vendor-demo-test', ...generateEd25519() };

describe('demo vendor app refusals', () => {
  let demo: DemoApp;

  beforeAll(async () => {
    demo = await startDemo({ gatekeeperUrl: 'http://127.0.0.1:9', gatekeeperId: 'gk-demo-test', vendorKey: key, log: () => undefined });
  });

  afterAll(() => demo.stop());

  it('refuses a non-JSON post and a post from another origin (no grants for a cross-site form)', async () => {
    const form = await send(`${demo.url}api/grants`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    const foreign = await send(`${demo.url}api/grants`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.test' }, body: '{}' });
    expect(form.status).toBe(403);
    expect(foreign.status).toBe(403);
    expect(form.text).not.toMatch(/grant/);
  });

  it('refuses bad upload declarations', async () => {
    const good = { name: 'a.txt', size: 3, contentType: 'text/plain', sha256: 'ab'.repeat(32) };
    for (const bad of [
      { ...good, size: -1 },
      { ...good, size: 11 * 1024 * 1024 },
      { ...good, sha256: 'xyz' },
      { ...good, contentType: 'text/plain\r\nx: y' },
      { ...good, name: '' },
    ]) {
      const r = await send(`${demo.url}api/upload-grant`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bad) });
      expect(r.status).toBe(400);
    }
    const notJson = await send(`${demo.url}api/upload-grant`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
  });

  it('has nothing else: no object route, 404', async () => {
    const r = await send(`${demo.url}reports/demo-q4/summary.json`);
    expect(r.status).toBe(404);
  });

  it('refuses a host that is not a loopback address', async () => {
    await expect(startDemo({ host: '0.0.0.0', gatekeeperUrl: 'http://x', gatekeeperId: 'g', vendorKey: key })).rejects.toThrow('loopback');
  });
});
