/**
 * The demo report page in headless Chromium against the whole local stack
 * (production bundles behind the CloudFront-like proxy, S3 and Kinesis
 * emulators, Parquet audit log).
 *
 * The vendor app runs from its own loopback address, 127.0.0.5, which the
 * customer's ACL denies: the report must still load, because the browser
 * (127.0.0.1) talks to the gatekeeper itself and the vendor never does. A
 * second stack's geo map puts the browser in a country the ACL does not allow.
 */
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { queryLocalAudit } from '../../scripts/cli/audit';
import { defaultLocalConfig, type LocalConfig } from '../../scripts/local/config';
import { DEMO_ATTACHMENTS_PREFIX } from '../../scripts/local/demo/report';
import { startStack, type LocalStack } from '../../scripts/local/stack';
import { describeIfChromium, launchChromium } from '../helpers/browser';

jest.setTimeout(45000);

const VENDOR_HOST = '127.0.0.5';
const RESULTS = resolve(__dirname, '..', '..', 'test-results');

function configFor(dataDir: string, over: { ipsDeny?: string[]; geo?: Record<string, string> }): LocalConfig {
  const base = defaultLocalConfig();
  return {
    ...base,
    port: 0,
    demoPort: 0,
    dataDir,
    vendorOrigins: [],
    geo: over.geo ?? base.geo,
    acl: { ...base.acl, ips: { allow: ['0.0.0.0/0', '::/0'], deny: over.ipsDeny ?? [] } },
  };
}

/** A real PNG (RGB, 8 bit) with a gradient, so the thumbnail shows something. */
function png(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer): number => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 255] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      raw[o + 1 + x * 3] = 40 + Math.round((x / width) * 60);
      raw[o + 2 + x * 3] = 90 + Math.round((y / height) * 90);
      // Low-bit noise keeps the file large enough for several progress events.
      raw[o + 3 + x * 3] = 200 + ((x * 7919 + y * 104729) % 40);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 0 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A POST from a chosen loopback source address, as a server at that address would send it. */
function postFrom(localAddress: string, url: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const text = JSON.stringify(body);
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', fail);
    req.end(text);
  });
}

describeIfChromium('demo report page in Chromium, end to end', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(RESULTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  describe('with the vendor app on 127.0.0.5, which the ACL denies', () => {
    let stack: LocalStack;
    let dir: string;
    let page: Page;
    const seen: { method: string; url: string }[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gk-e2e-browser-'));
      stack = await startStack({
        config: configFor(dir, { ipsDeny: [`${VENDOR_HOST}/32`] }),
        demo: { host: VENDOR_HOST },
        log: () => undefined,
      });
      page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      page.on('request', (r) => seen.push({ method: r.method(), url: r.url() }));
    });

    afterAll(async () => {
      await page?.close();
      await stack?.stop();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    it('renders the report from the objects, fetched from the gatekeeper only', async () => {
      // Act
      expect(stack.urls.demo).toBe(`http://${VENDOR_HOST}:${new URL(stack.urls.demo as string).port}/`);
      await page.goto(stack.urls.demo as string);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });

      // Assess: figures from summary.json, the CSV, the chart and the notes.
      const kpis = await page.$$eval('.kpi', (cards) => cards.map((c) => [c.children[0].textContent, c.children[1].textContent]));
      expect(kpis).toEqual([
        ['Total revenue', '€563,680'],
        ['Change vs Q3', '+3.7%'],
        ['Fastest growth', 'East'],
        ['Largest region', 'North'],
      ]);
      const regions = await page.$$eval('#regions tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
      expect(regions[0]).toEqual(['Region', 'Revenue', 'Share', 'Change vs Q3']);
      expect(regions[1]).toEqual(['North', '€182,400', '32.4%', '+4.2%']);
      expect(regions[2]).toEqual(['South', '€129,950', '23.1%', '-1.3%']);
      expect(regions).toHaveLength(6);
      const monthly = await page.$$eval('#monthly tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
      expect(monthly[0]).toEqual(['Month', 'North', 'South', 'East', 'West', 'Total']);
      expect(monthly).toHaveLength(5);
      expect(monthly[4]).toEqual(['Quarter', '182,400', '129,950', '97,310', '154,020', '563,680']);
      expect(await page.$eval('#chart', (img) => (img as HTMLImageElement).naturalWidth)).toBe(400);
      expect(await page.textContent('#notes')).toContain('East grew fastest');
      expect(await page.$$eval('#attachments li', (li) => li.map((l) => l.getAttribute('data-key')))).toContain(
        `${DEMO_ATTACHMENTS_PREFIX}read me.txt`,
      );
      expect(await page.isHidden('#banner')).toBe(true);

      // Only grants came from the vendor; every object request went to the gatekeeper.
      const vendorCalls = seen
        .filter((r) => r.url.startsWith(`http://${VENDOR_HOST}:`) && !r.url.endsWith('/favicon.ico'))
        .map((r) => `${r.method} ${new URL(r.url).pathname}`);
      expect([...new Set(vendorCalls)].sort()).toEqual(['GET /', 'GET /gatekeeper-client.js', 'POST /api/grants']);
      const gkCalls = seen.filter((r) => r.url.startsWith(stack.urls.gatekeeper)).map((r) => new URL(r.url).pathname);
      expect(gkCalls).toContain('/_gatekeeper/v1/cosign');
      expect(gkCalls).toContain('/reports/demo-q4/summary.json');
      expect(gkCalls).toContain('/reports/demo-q4/monthly.csv');

      await page.screenshot({ path: join(RESULTS, 'demo-report.png'), fullPage: true });
    });

    it('uploads a file with a progress bar, and the file is then listed', async () => {
      // Prepare
      const image = png(600, 400);
      const key = `${DEMO_ATTACHMENTS_PREFIX}q4 scan.png`;

      // Act
      await page.setInputFiles('#file', { name: 'q4 scan.png', mimeType: 'image/png', buffer: image });
      await page.click('#upload-button');
      await page.waitForSelector(`#attachments li[data-key="${key}"] img`, { timeout: 15000 });

      // Assess
      expect(await page.$eval('#progress', (p) => (p as HTMLProgressElement).value)).toBe(1);
      expect(await page.textContent('#progress-text')).toBe('100%');
      expect(await page.textContent('#upload-status')).toBe(`Uploaded q4 scan.png (${(image.length / 1024).toFixed(1)} KB).`);
      const thumb = await page.waitForFunction(
        (k) => {
          const img = document.querySelector(`#attachments li[data-key="${k}"] img`) as HTMLImageElement | null;
          return img !== null && img.complete && img.naturalWidth > 0 ? img.naturalWidth : false;
        },
        key,
      );
      expect(await thumb.jsonValue()).toBe(600);
      const puts = seen.filter((r) => r.method === 'PUT');
      expect(puts.map((r) => r.url)).toEqual([`${stack.urls.gatekeeper}/reports/demo-q4/attachments/q4%20scan.png`]);

      await page.screenshot({ path: join(RESULTS, 'demo-report-uploaded.png'), fullPage: true });
    });

    it("the audit log holds the browser's decisions and none from the vendor's address", async () => {
      // Act
      await stack.flushAudit();
      const rows = await queryLocalAudit(
        stack.files.auditDir,
        'SELECT viewer_ip, phase, decision, count(*) AS n FROM audit GROUP BY ALL ORDER BY ALL',
      );

      // Assess
      expect(rows.filter((r) => r.viewer_ip === VENDOR_HOST)).toEqual([]);
      const allowed = rows.filter((r) => r.viewer_ip === '127.0.0.1' && r.decision === 'allow').map((r) => r.phase);
      expect(new Set(allowed)).toEqual(new Set(['cosign', 'access', 'list', 'preflight']));
      expect(rows.filter((r) => r.decision !== 'allow')).toEqual([]);

      // And the ACL does refuse the vendor's address: a call from it is denied.
      const grants = await postFrom(VENDOR_HOST, `${stack.urls.demo}api/grants`, {});
      const token = (JSON.parse(grants.body) as { report: { objects: { grant: string }[] } }).report.objects[0].grant;
      const probe = await postFrom(VENDOR_HOST, `${stack.urls.gatekeeper}/_gatekeeper/v1/cosign`, { grants: [token] });
      expect(probe.status).toBe(200);
      expect(JSON.parse(probe.body).results[0].error.code).toBe('ip_denied');
    });
  });

  describe('with the geo map putting the browser in a denied country', () => {
    let stack: LocalStack;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gk-e2e-browser-'));
      // 127.0.0.1 (the browser) is in France, which the default ACL does not allow.
      stack = await startStack({
        config: configFor(dir, { geo: { '127.0.0.0/8': 'US', '127.0.0.1/32': 'FR' } }),
        demo: { host: VENDOR_HOST },
        log: () => undefined,
      });
    });

    afterAll(async () => {
      await stack?.stop();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    it('shows the refusal with its PROTOCOL code and no report data', async () => {
      // Prepare
      const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
      const objectRequests: string[] = [];
      page.on('request', (r) => {
        if (r.url().startsWith(stack.urls.gatekeeper) && !r.url().includes('/_gatekeeper/')) objectRequests.push(r.url());
      });

      // Act
      await page.goto(stack.urls.demo as string);
      await page.waitForSelector('body[data-ready="error"]', { timeout: 15000 });

      // Assess
      expect(await page.isVisible('#banner')).toBe(true);
      expect(await page.getAttribute('#banner', 'data-code')).toBe('country_denied');
      expect(await page.textContent('#banner-code')).toBe('country_denied');
      expect(await page.textContent('#banner-title')).toBe('Your organisation’s gatekeeper refused access');
      expect(await page.textContent('#banner-text')).toContain('approved countries');
      expect(await page.$$eval('.kpi-value', (v) => v.map((x) => x.textContent))).toEqual(['—', '—', '—', '—']);
      expect(objectRequests).toEqual([]);
      await page.screenshot({ path: join(RESULTS, 'demo-report-refused.png'), fullPage: true });
      await page.close();

      await stack.flushAudit();
      const rows = await queryLocalAudit(stack.files.auditDir, `SELECT reason, viewer_country FROM audit WHERE phase = 'cosign' AND decision = 'deny'`);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.reason === 'country_denied' && r.viewer_country === 'FR')).toBe(true);
    });
  });
});
