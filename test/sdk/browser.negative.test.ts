/**
 * The bundled browser client's refusals in headless Chromium: typed errors
 * with PROTOCOL codes, retries bounded to one, local checks that stop a
 * request before any byte is sent.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import {
  bundleText,
  describeIfChromium,
  expectErr,
  expectOk,
  inPage,
  launchChromium,
  openClientPage,
  startFakeGatekeeper,
  type ClientModule,
  type FakeGatekeeper,
} from '../helpers/browser';

jest.setTimeout(20000);

const KEY = 'reports/q3/summary.json';

/** Runs in the page (serialized, so it may close over nothing): one GET with one grant. */
const getStatus = async (gk: ClientModule, a: { url: string; g: string; key: string }): Promise<number> => {
  const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
  c.addGrants([a.g]);
  return (await c.getObject(a.key)).status;
};

describeIfChromium('browser client refusals in Chromium', () => {
  let browser: Browser;
  let fake: FakeGatekeeper;
  let page: Page;

  beforeAll(async () => {
    fake = await startFakeGatekeeper(await bundleText());
    browser = await launchChromium();
    page = await openClientPage(browser, fake);
  });

  afterAll(async () => {
    await browser?.close();
    await fake?.close();
  });

  beforeEach(() => {
    fake.reset();
    fake.objects.set(KEY, { body: Buffer.from('{}'), type: 'application/json', etag: '"e"' });
  });

  it('a per-grant cosign refusal is a GatekeeperError, kept until the next cosignAll', async () => {
    // Prepare
    fake.cosignRule = () => 'country_denied';
    const g = fake.grant({ op: 'get', key: KEY });

    // Act
    const out = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants([a.g]);
          const errs: unknown[] = [];
          for (let i = 0; i < 2; i++) {
            try {
              await c.getObject(a.key);
            } catch (e) {
              const x = e as InstanceType<typeof gk.GatekeeperError>;
              errs.push({ gk: e instanceof gk.GatekeeperError, name: x.name, code: x.code, status: x.status, message: x.message });
            }
          }
          await c.cosignAll();
          return errs;
        },
        { url: fake.url, g, key: KEY },
      ),
    );

    // Assess
    const first = { gk: true, name: 'GatekeeperError', code: 'country_denied', status: 403, message: 'fake refusal: country_denied' };
    expect(out).toEqual([first, first]);
    expect(fake.cosignCalls).toEqual([[g], [g]]);
    expect(fake.objectRequests()).toHaveLength(0);
  });

  it('with fetchGrants, a refusal about the viewer does not ask the vendor again', async () => {
    // Prepare
    fake.cosignRule = () => 'ip_denied';
    const g = fake.grant({ op: 'get', key: KEY });

    // Act
    const out = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          let asked = 0;
          const c = new gk.GatekeeperClient({
            gatekeeperUrl: a.url,
            fetchGrants: async () => {
              asked += 1;
              return [a.g];
            },
          });
          const codes: string[] = [];
          for (let i = 0; i < 3; i++) await c.getObject(a.key).catch((e: { code: string }) => codes.push(e.code));
          return { asked, codes };
        },
        { url: fake.url, g, key: KEY },
      ),
    );

    // Assess
    expect(out).toEqual({ asked: 1, codes: ['ip_denied', 'ip_denied', 'ip_denied'] });
    expect(fake.cosignCalls).toHaveLength(1);
  });

  it('an object refusal other than ip_mismatch or expired is not retried and keeps its requestId', async () => {
    // Prepare
    fake.objectFailures = ['ip_denied'];
    const g = fake.grant({ op: 'get', key: KEY });

    // Act
    const err = expectErr(
      await inPage(page, getStatus, { url: fake.url, g, key: KEY }),
    );

    // Assess
    expect(err).toMatchObject({ isGatekeeperError: true, code: 'ip_denied', status: 403, message: 'Access from this address is not allowed.' });
    expect(err.requestId).toMatch(/^fake-\d+$/);
    expect(fake.cosignCalls).toHaveLength(1);
    expect(fake.objectRequests()).toHaveLength(1);
  });

  it('ip_mismatch twice: one retry only, then the error', async () => {
    // Prepare
    fake.objectFailures = ['ip_mismatch', 'ip_mismatch', 'ip_mismatch'];
    const g = fake.grant({ op: 'get', key: KEY });

    // Act
    const err = expectErr(
      await inPage(page, getStatus, { url: fake.url, g, key: KEY }),
    );

    // Assess
    expect(err).toMatchObject({ code: 'ip_mismatch', status: 401 });
    expect(fake.cosignCalls).toHaveLength(2);
    expect(fake.objectRequests()).toHaveLength(2);
  });

  it('expired without fetchGrants: cosigns once more, then the grant-level error', async () => {
    // Prepare
    fake.objectFailures = ['expired'];
    let cosigns = 0;
    fake.cosignRule = () => (++cosigns > 1 ? 'expired' : null);
    const g = fake.grant({ op: 'get', key: KEY });

    // Act
    const err = expectErr(
      await inPage(page, getStatus, { url: fake.url, g, key: KEY }),
    );

    // Assess
    expect(err).toMatchObject({ code: 'expired', status: 401 });
    expect(fake.cosignCalls).toHaveLength(2);
    expect(fake.objectRequests()).toHaveLength(1);
  });

  it('a cosign call refused as a whole rejects cosignAll and object calls with the code', async () => {
    // Prepare
    fake.cosignWhole = 'audit_unavailable';
    const g = fake.grant({ op: 'get', key: KEY });

    // Act
    const out = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants([a.g]);
          const all = await c.cosignAll().then(
            () => null,
            (e: { code: string; status: number; requestId?: string }) => [e.code, e.status, e.requestId],
          );
          const get = await c.getObject(a.key).then(
            () => null,
            (e: { code: string; status: number }) => [e.code, e.status],
          );
          return { all, get };
        },
        { url: fake.url, g, key: KEY },
      ),
    );

    // Assess
    expect(out.all?.slice(0, 2)).toEqual(['audit_unavailable', 503]);
    expect(out.all?.[2]).toMatch(/^fake-\d+$/);
    expect(out.get).toEqual(['audit_unavailable', 503]);
    expect(fake.objectRequests()).toHaveLength(0);
  });

  it('a cosign answer of the wrong shape is bad_response', async () => {
    // Prepare
    fake.cosignBadShape = true;
    const g = fake.grant({ op: 'get', key: KEY });

    // Act
    const err = expectErr(
      await inPage(page, getStatus, { url: fake.url, g, key: KEY }),
    );

    // Assess
    expect(err).toMatchObject({ isGatekeeperError: true, code: 'bad_response', status: 0 });
  });

  it('no covering grant and no fetchGrants: no_grant, and nothing is sent', async () => {
    // Prepare: a get grant for another key, a put grant does not cover get, a list grant for another prefix.
    const grants = [
      fake.grant({ op: 'get', key: 'reports/q4/summary.json' }),
      fake.grant({ op: 'put', key: KEY }),
      fake.grant({ op: 'list', prefix: 'reports/q4/' }),
      fake.grant({ op: 'get', prefix: 'reports/q3/att/' }),
    ];

    // Act
    const codes = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants(a.grants);
          const code = (p: Promise<unknown>): Promise<unknown> =>
            p.then(
              () => 'ok',
              (e: { code: string; status: number }) => `${e.code}/${e.status}`,
            );
          return [await code(c.getObject(a.key)), await code(c.list('reports/q3/')), await code(c.objectUrl(a.key))];
        },
        { url: fake.url, grants, key: KEY },
      ),
    );

    // Assess
    expect(codes).toEqual(['no_grant/0', 'no_grant/0', 'no_grant/0']);
    expect(fake.log).toHaveLength(0);
    expect(fake.preflights).toHaveLength(0);
  });

  it('an unreachable gatekeeper is network_error', async () => {
    // Prepare: a port that was just free.
    const s = createServer();
    await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
    const port = (s.address() as AddressInfo).port;
    await new Promise((ok) => s.close(ok));
    const g = fake.grant({ op: 'get', key: KEY });

    // Act
    const err = expectErr(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants([a.g]);
          return (await c.getObject(a.key)).status;
        },
        { url: `http://127.0.0.1:${port}`, g, key: KEY },
      ),
    );

    // Assess
    expect(err).toMatchObject({ isGatekeeperError: true, code: 'network_error', status: 0 });
  });

  it('addGrants refuses malformed grants, all or none, without echoing them', async () => {
    // Prepare
    const good = fake.grant({ op: 'get', key: KEY });
    const both = fake.grant({ op: 'get', key: KEY, prefix: 'reports/' });
    const notJson = Buffer.from('not json').toString('base64url') + '.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const cases = [[good, 'garbage-token-without-a-dot'], [good, both], [good, notJson], [good, good + '=']];

    // Act
    const out = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const results: unknown[] = [];
          for (const grants of a.cases) {
            const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
            try {
              c.addGrants(grants);
              results.push('added');
            } catch (e) {
              const x = e as { code: string; message: string };
              const after = await c.getObject(a.key).then(
                () => 'ok',
                (e2: { code: string }) => e2.code,
              );
              results.push([x.code, x.message, after]);
            }
          }
          return results;
        },
        { url: fake.url, cases, key: KEY },
      ),
    );

    // Assess
    expect(out).toEqual(cases.map(() => ['malformed_token', 'addGrants: grants[1] is not a grant token', 'no_grant']));
    expect(fake.log).toHaveLength(0);
  });

  it('uploads that the grant forbids are refused before a byte is sent', async () => {
    // Prepare
    const key = 'reports/q3/uploads/a.csv';
    const body = 'a,b\n1,2\n';
    const hex = createHash('sha256').update('another body').digest('hex');
    const grants = {
      type: fake.grant({ op: 'put', key, contentType: 'text/csv' }),
      size: fake.grant({ op: 'put', key: 'reports/q3/uploads/b.csv', maxBytes: 4 }),
      digest: fake.grant({ op: 'put', key: 'reports/q3/uploads/c.csv', sha256: hex }),
    };

    // Act
    const out = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const code = (p: Promise<unknown>): Promise<unknown> =>
            p.then(
              () => 'ok',
              (e: { code: string; status: number }) => `${e.code}/${e.status}`,
            );
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants([a.grants.type, a.grants.size, a.grants.digest]);
          return [
            await code(c.putObject(a.key, a.body, { contentType: 'text/plain' })),
            await code(c.putObject('reports/q3/uploads/b.csv', a.body)),
            await code(c.putObject('reports/q3/uploads/c.csv', a.body)),
          ];
        },
        { url: fake.url, grants, key, body },
      ),
    );

    // Assess
    expect(out).toEqual(['content_type_mismatch/403', 'too_large/413', 'scope_mismatch/403']);
    expect(fake.objectRequests()).toHaveLength(0);
    expect(fake.objects.size).toBe(1);
  });

  it("an upload the gatekeeper refuses is a GatekeeperError from the XHR path", async () => {
    // Prepare
    fake.objectFailures = ['too_large'];
    const key = 'reports/q3/uploads/big.bin';
    const g = fake.grant({ op: 'put', key });

    // Act
    const err = expectErr(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants([a.g]);
          return c.putObject(a.key, new Uint8Array(1000).buffer, { onProgress: () => undefined });
        },
        { url: fake.url, g, key },
      ),
    );

    // Assess
    expect(err).toMatchObject({ isGatekeeperError: true, code: 'too_large', status: 413 });
    expect(err.requestId).toMatch(/^fake-\d+$/);
    expect(fake.objects.has(key)).toBe(false);
  });

  it("S3's own error keeps S3's code and status", async () => {
    // Prepare
    const g = fake.grant({ op: 'get', key: 'reports/q3/missing.json' });

    // Act
    const err = expectErr(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants([a.g]);
          return (await c.getObject('reports/q3/missing.json')).status;
        },
        { url: fake.url, g },
      ),
    );

    // Assess
    expect(err).toMatchObject({ isGatekeeperError: true, code: 'NoSuchKey', status: 404 });
  });

  it('keys PROTOCOL forbids are refused before any request', async () => {
    // Prepare
    const g = fake.grant({ op: 'get', prefix: 'a/' });
    const keys = ['a/../b', 'a/./b', '/a/b', 'a//b', '', 'a/b\u0000', 'a/\ud800'];

    // Act
    const out = expectOk(
      await inPage(
        page,
        async (gk, a) => {
          const c = new gk.GatekeeperClient({ gatekeeperUrl: a.url });
          c.addGrants([a.g]);
          const codes: string[] = [];
          for (const k of a.keys) {
            codes.push(await c.getObject(k).then(() => 'ok', (e: { code: string; status: number }) => `${e.code}/${e.status}`));
            codes.push(await c.objectUrl(k).then(() => 'ok', (e: { code: string; status: number }) => `${e.code}/${e.status}`));
          }
          return codes;
        },
        { url: fake.url, g, keys },
      ),
    );

    // Assess
    expect(out).toEqual(keys.flatMap(() => ['malformed_request/400', 'malformed_request/400']));
    expect(fake.log).toHaveLength(0);
  });

  it('the constructor refuses bad options with a TypeError', async () => {
    // Act
    const out = expectOk(
      await inPage(
        page,
        async (gk) => {
          const bad = [
            { gatekeeperUrl: 'ftp://files.example' },
            { gatekeeperUrl: 'https://files.example/?a=1' },
            { gatekeeperUrl: 'https://files.example/#x' },
            { gatekeeperUrl: 'https://user:pw@files.example' },
            { gatekeeperUrl: 'https://:pw@files.example' },
            { gatekeeperUrl: 'https://files.example/files' },
            { gatekeeperUrl: 'not a url' },
            { gatekeeperUrl: 'https://files.example', refreshMarginSeconds: -1 },
            { gatekeeperUrl: 'https://files.example', refreshMarginSeconds: Number.NaN },
            { gatekeeperUrl: 'https://files.example', fetchGrants: 'nope' },
          ];
          return bad.map((o) => {
            try {
              new gk.GatekeeperClient(o as unknown as ConstructorParameters<typeof gk.GatekeeperClient>[0]);
              return 'accepted';
            } catch (e) {
              return (e as Error).name;
            }
          });
        },
        null,
      ),
    );

    // Assess
    expect(out).toEqual(Array(10).fill('TypeError'));
  });
});
