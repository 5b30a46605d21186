/**
 * The bundled browser client in headless Chromium against a fake gatekeeper on
 * another loopback origin: cosign batching and caching, retries, object
 * reads, URLs, uploads with progress and digests, listing, fetchGrants.
 */
import { createHash } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { canonicalKeyUri } from '../../edge/core/objectKey';
import { MAX_BROWSER_BYTES } from '../../scripts/build-browser';
import {
  bundleText,
  describeIfChromium,
  expectOk,
  inPage,
  launchChromium,
  openClientPage,
  startFakeGatekeeper,
  type FakeGatekeeper,
} from '../helpers/browser';

jest.setTimeout(20000);

const SUMMARY = 'reports/q3/summary.json';

describe('browser bundle', () => {
  it('is a small ES module with no Node API in it', async () => {
    // Act
    const text = await bundleText();

    // Assess
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_BROWSER_BYTES);
    expect(text).toMatch(/export\s*\{[^}]*GatekeeperClient/);
    expect(text).not.toMatch(/\brequire\(|\bBuffer\.|\bprocess\.|node:/);
  });
});

describeIfChromium('browser client in Chromium', () => {
  let browser: Browser;
  let fake: FakeGatekeeper;
  let page: Page;

  beforeAll(async () => {
    const bundle = await bundleText();
    fake = await startFakeGatekeeper(bundle);
    browser = await launchChromium();
    page = await openClientPage(browser, fake);
  });

  afterAll(async () => {
    await browser?.close();
    await fake?.close();
  });

  beforeEach(() => fake.reset());

  it('getObject sends the tokens as x-gk headers after one cosign call', async () => {
    // Prepare
    fake.objects.set(SUMMARY, { body: Buffer.from('{"revenue":1200}'), type: 'application/json', etag: '"e1"' });
    const g = fake.grant({ op: 'get', key: SUMMARY });

    // Act
    const out = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants([a.g]);
          const r = await c.getObject(a.key);
          return { status: r.status, text: await r.text(), etag: r.headers.get('etag'), type: r.headers.get('content-type') };
        },
        { url: fake.url, g, key: SUMMARY },
      ),
    );

    // Assess
    expect(out).toEqual({ status: 200, text: '{"revenue":1200}', etag: '"e1"', type: 'application/json' });
    expect(fake.cosignCalls).toEqual([[g]]);
    const cosignReq = fake.log[0];
    expect(cosignReq.headers['content-type']).toBe('application/json');
    expect(cosignReq.headers.origin).toBe(fake.pageOrigin);
    const [get] = fake.objectRequests();
    expect(get.path).toBe('/reports/q3/summary.json');
    expect(get.headers['x-gk-grant']).toBe(g);
    expect(typeof get.headers['x-gk-cosig']).toBe('string');
    expect([...get.query.keys()]).toEqual([]);
  });

  it('cosignAll cosigns in batches of at most 50 and the cosigs are then reused', async () => {
    // Prepare
    const keys = Array.from({ length: 120 }, (_, i) => `reports/q3/part-${i}.txt`);
    for (const k of keys) fake.objects.set(k, { body: Buffer.from(k), type: 'text/plain', etag: '"x"' });
    const grants = keys.map((k) => fake.grant({ op: 'get', key: k }));

    // Act
    const texts = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants(a.grants);
          await c.cosignAll();
          return Promise.all(a.keys.slice(0, 5).map(async (k) => (await c.getObject(k)).text()));
        },
        { url: fake.url, grants, keys },
      ),
    );

    // Assess
    // The batches go out in parallel, so they may arrive in any order.
    expect(fake.cosignCalls.map((c) => c.length).sort((x, y) => y - x)).toEqual([50, 50, 20]);
    expect(new Set(fake.cosignCalls.flat())).toEqual(new Set(grants));
    expect(texts).toEqual(keys.slice(0, 5));
    expect(fake.objectRequests()).toHaveLength(5);
  });

  it('concurrent requests share one cosign call', async () => {
    // Prepare
    const keys = ['a/1.txt', 'a/2.txt', 'a/3.txt', 'a/4.txt', 'a/5.txt'];
    for (const k of keys) fake.objects.set(k, { body: Buffer.from(k), type: 'text/plain', etag: '"x"' });
    const grants = keys.map((k) => fake.grant({ op: 'get', key: k }));

    // Act
    const texts = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants(a.grants);
          return Promise.all(a.keys.map(async (k) => (await c.getObject(k)).text()));
        },
        { url: fake.url, grants, keys },
      ),
    );

    // Assess
    expect(texts).toEqual(keys);
    expect(fake.cosignCalls).toHaveLength(1);
    expect(fake.cosignCalls[0]).toHaveLength(5);
  });

  it('on ip_mismatch it cosigns again once and retries with the new cosig', async () => {
    // Prepare
    fake.objects.set(SUMMARY, { body: Buffer.from('{}'), type: 'application/json', etag: '"e"' });
    fake.objectFailures = ['ip_mismatch'];
    const g = fake.grant({ op: 'get', key: SUMMARY });

    // Act
    const text = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants([a.g]);
          await c.cosignAll();
          // A second of delay gives the new cosig another iat, so it differs from the first.
          await new Promise((r) => setTimeout(r, 1100));
          return (await c.getObject(a.key)).text();
        },
        { url: fake.url, g, key: SUMMARY },
      ),
    );

    // Assess
    expect(text).toBe('{}');
    expect(fake.cosignCalls).toEqual([[g], [g]]);
    const gets = fake.objectRequests();
    expect(gets).toHaveLength(2);
    expect(gets[1].headers['x-gk-cosig']).not.toBe(gets[0].headers['x-gk-cosig']);
  });

  it('on expired with an expired grant it asks fetchGrants for a new one and retries once', async () => {
    // Prepare
    fake.objects.set(SUMMARY, { body: Buffer.from('{"v":2}'), type: 'application/json', etag: '"e"' });
    const old = fake.grant({ op: 'get', key: SUMMARY });
    const fresh = fake.grant({ op: 'get', key: SUMMARY });
    const oldJti = JSON.parse(Buffer.from(old.split('.')[0], 'base64url').toString('utf8')).jti as string;
    let oldCosigns = 0;
    // The gate says the first cosig expired; cosigning the old grant again says the grant expired.
    fake.objectFailures = ['expired'];
    fake.cosignRule = (p) => (p.jti === oldJti && ++oldCosigns > 1 ? 'expired' : null);

    // Act
    const out = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const asked: unknown[] = [];
          const c = new gk.GatekeeperClient({
            gatekeeperUrl: a.url,
            refreshMarginSeconds: 0,
            fetchGrants: async (wanted) => {
              asked.push(wanted);
              return [a.fresh];
            },
          });
          c.addGrants([a.old]);
          return { text: await (await c.getObject(a.key)).text(), asked };
        },
        { url: fake.url, old, fresh, key: SUMMARY },
      ),
    );

    // Assess
    expect(out.text).toBe('{"v":2}');
    expect(out.asked).toEqual([[{ op: 'get', key: SUMMARY }]]);
    expect(fake.cosignCalls).toEqual([[old], [old], [fresh]]);
    const gets = fake.objectRequests();
    expect(gets.map((l) => l.headers['x-gk-grant'])).toEqual([old, fresh]);
  });

  it('refreshes a cosig before it expires, and not before', async () => {
    // Prepare: a 3 s cosig with a 30 s margin is refreshed at half its life.
    fake.objects.set(SUMMARY, { body: Buffer.from('{}'), type: 'application/json', etag: '"e"' });
    fake.cosignTtl = 3;
    const g = fake.grant({ op: 'get', key: SUMMARY });

    // Act
    const counts = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url, refreshMarginSeconds: 30 });
          c.addGrants([a.g]);
          await c.getObject(a.key);
          await c.getObject(a.key);
          const before = await c.objectUrl(a.key);
          await new Promise((r) => setTimeout(r, 1700));
          await c.getObject(a.key);
          return { before };
        },
        { url: fake.url, g, key: SUMMARY },
      ),
    );

    // Assess
    expect(counts.before).toContain('gk_cosig=');
    expect(fake.cosignCalls).toHaveLength(2);
    expect(fake.objectRequests()).toHaveLength(3);
  });

  it('fetchGrants is asked once for everything concurrent calls lack', async () => {
    // Prepare
    const keys = ['r/1.csv', 'r/2.csv', 'r/3.csv'];
    for (const k of keys) fake.objects.set(k, { body: Buffer.from(k), type: 'text/csv', etag: '"x"' });
    const vendor: Record<string, string> = {};
    for (const k of keys) vendor[`get ${k}`] = fake.grant({ op: 'get', key: k });
    vendor['list r/'] = fake.grant({ op: 'list', prefix: 'r/' });

    // Act
    const out = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const calls: unknown[] = [];
          const c = new gk.GatekeeperClient({
            gatekeeperUrl: a.url,
            fetchGrants: async (wanted) => {
              calls.push(wanted);
              return wanted.map((w) => a.vendor[`${w.op} ${w.key ?? w.prefix}`]);
            },
          });
          const [texts, listed] = await Promise.all([
            Promise.all(a.keys.map(async (k) => (await c.getObject(k)).text())),
            c.list('r/'),
          ]);
          return { texts, keys: listed.objects.map((o) => o.key), calls };
        },
        { url: fake.url, keys, vendor },
      ),
    );

    // Assess
    expect(out.texts).toEqual(keys);
    expect(out.keys).toEqual(keys);
    expect(out.calls).toEqual([[{ op: 'get', key: 'r/1.csv' }, { op: 'get', key: 'r/2.csv' }, { op: 'get', key: 'r/3.csv' }, { op: 'list', prefix: 'r/' }]]);
    expect(fake.cosignCalls).toHaveLength(1);
    expect(fake.cosignCalls[0]).toHaveLength(4);
  });

  it('objectUrl encodes the key canonically, carries the tokens in the query and loads in an img', async () => {
    // Prepare
    const key = "reports/q3/att/chart (final)!'*~ é.svg";
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="teal"/></svg>';
    fake.objects.set(key, { body: Buffer.from(svg), type: 'image/svg+xml', etag: '"s"' });
    const g = fake.grant({ op: 'get', prefix: 'reports/q3/att/' });

    // Act
    const out = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url + '/' });
          c.addGrants([a.g]);
          const url = await c.objectUrl(a.key);
          const img = new Image();
          img.src = url;
          await img.decode();
          return { url, width: img.naturalWidth };
        },
        { url: fake.url, g, key },
      ),
    );

    // Assess
    const u = new URL(out.url);
    expect(u.pathname).toBe('/reports/q3/att/chart%20%28final%29%21%27%2A~%20%C3%A9.svg');
    expect(u.pathname).toBe(canonicalKeyUri(key));
    expect([...u.searchParams.keys()]).toEqual(['gk_grant', 'gk_cosig']);
    expect(u.searchParams.get('gk_grant')).toBe(g);
    expect(out.width).toBe(40);
    const [imgReq] = fake.objectRequests();
    expect(imgReq.headers['x-gk-grant']).toBeUndefined();
    expect(imgReq.query.get('gk_grant')).toBe(g);
  });

  it('putObject reports progress and sends the digest the grant binds', async () => {
    // Prepare: the page builds the same 3 MiB body.
    const size = 3 * 1024 * 1024;
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i++) body[i] = (i * 31 + 7) & 255;
    const hex = createHash('sha256').update(body).digest('hex');
    const key = 'reports/q3/uploads/scan.bin';
    const g = fake.grant({ op: 'put', key, sha256: hex, maxBytes: size, contentType: 'application/octet-stream' });

    // Act
    const out = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const bytes = new Uint8Array(a.size);
          for (let i = 0; i < a.size; i++) bytes[i] = (i * 31 + 7) & 255;
          const progress: [number, number][] = [];
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants([a.g]);
          const r = await c.putObject(a.key, new Blob([bytes]), { onProgress: (s, t) => progress.push([s, t]) });
          return { etag: r.etag, progress };
        },
        { url: fake.url, g, key, size },
      ),
    );

    // Assess
    const stored = fake.objects.get(key);
    expect(stored?.body.equals(body)).toBe(true);
    expect(stored?.type).toBe('application/octet-stream');
    expect(out.etag).toBe(stored?.etag);
    const [put] = fake.objectRequests();
    expect(put.method).toBe('PUT');
    expect(put.headers['x-amz-checksum-sha256']).toBe(Buffer.from(hex, 'hex').toString('base64'));
    expect(put.headers['content-length']).toBe(String(size));
    expect(out.progress.length).toBeGreaterThanOrEqual(1);
    expect(out.progress[out.progress.length - 1]).toEqual([size, size]);
    for (let i = 1; i < out.progress.length; i++) expect(out.progress[i][0]).toBeGreaterThanOrEqual(out.progress[i - 1][0]);
  });

  it("putObject of a string takes the grant's content type", async () => {
    // Prepare
    const key = 'reports/q3/uploads/notes.csv';
    const g = fake.grant({ op: 'put', key, contentType: 'text/csv' });

    // Act
    expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants([a.g]);
          return c.putObject(a.key, 'region,total\nnorth,12\n');
        },
        { url: fake.url, g, key },
      ),
    );

    // Assess
    expect(fake.objects.get(key)?.type).toBe('text/csv');
    expect(fake.objects.get(key)?.body.toString('utf8')).toBe('region,total\nnorth,12\n');
    expect(fake.objectRequests()[0].headers['x-amz-checksum-sha256']).toBeUndefined();
  });

  it('list pages through a prefix with maxKeys and continuationToken', async () => {
    // Prepare
    for (const k of ['reports/q3/att/a.png', 'reports/q3/att/b.pdf', 'reports/q3/att/c.txt', 'reports/q3/summary.json']) {
      fake.objects.set(k, { body: Buffer.from(k), type: 'text/plain', etag: '"x"' });
    }
    const g = fake.grant({ op: 'list', prefix: 'reports/q3/' });

    // Act
    const pages = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants([a.g]);
          const first = await c.list('reports/q3/att/', { maxKeys: 2 });
          const second = await c.list('reports/q3/att/', { maxKeys: 2, continuationToken: first.nextContinuationToken });
          return [first, second];
        },
        { url: fake.url, g },
      ),
    );

    // Assess
    expect(pages[0].objects.map((o) => o.key)).toEqual(['reports/q3/att/a.png', 'reports/q3/att/b.pdf']);
    expect(pages[0].objects[0]).toEqual({ key: 'reports/q3/att/a.png', size: 20, lastModified: '2026-12-01T10:00:00.000Z', etag: '"x"' });
    expect(typeof pages[0].nextContinuationToken).toBe('string');
    expect(pages[1].objects.map((o) => o.key)).toEqual(['reports/q3/att/c.txt']);
    expect(pages[1].nextContinuationToken).toBeUndefined();
    const bodies = fake.log.filter((l) => l.path === '/_gatekeeper/v1/list').map((l) => JSON.parse(l.body.toString('utf8')));
    expect(Object.keys(bodies[0]).sort()).toEqual(['cosig', 'grant', 'maxKeys', 'prefix']);
    expect(bodies[1].continuationToken).toBe(pages[0].nextContinuationToken);
    expect(fake.cosignCalls).toHaveLength(1);
  });

  it('getObject passes a range through', async () => {
    // Prepare
    fake.objects.set('r/data.csv', { body: Buffer.from('0123456789'), type: 'text/csv', etag: '"r"' });
    const g = fake.grant({ op: 'get', key: 'r/data.csv' });

    // Act
    const out = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants([a.g]);
          const r = await c.getObject('r/data.csv', { range: 'bytes=2-5' });
          return { status: r.status, text: await r.text(), range: r.headers.get('content-range') };
        },
        { url: fake.url, g },
      ),
    );

    // Assess
    expect(out).toEqual({ status: 206, text: '2345', range: 'bytes 2-5/10' });
  });
});
