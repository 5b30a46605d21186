import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { b64uDecode } from '../../../../edge/core/b64u';
import { ed25519PublicKey } from '../../../../edge/core/keys';
import { parseGrant, verifyToken, type GrantPayload } from '../../../../edge/core/tokens';
import { generateEd25519 } from '../../../../scripts/local/config';
import { attachmentKey, startDemo, type DemoApp } from '../../../../scripts/local/demo/server';
import { demoPageHtml, PAGE_SCRIPT } from '../../../../scripts/local/demo/page';
import { DEMO_ATTACHMENTS_PREFIX, DEMO_OBJECTS, DEMO_USER } from '../../../../scripts/local/demo/report';
import { send } from '../proxyHarness';

const key = { kid: 'vendor-demo-test', ...generateEd25519() };
const pub = ed25519PublicKey(b64uDecode(key.publicKey)!);

function grant(token: string): GrantPayload {
  const p = parseGrant(token);
  if (!p.ok) throw new Error(`not a grant: ${p.detail}`);
  expect(verifyToken(p.value, pub)).toBe(true);
  return p.value.payload;
}

describe('demo vendor app', () => {
  let demo: DemoApp;

  beforeAll(async () => {
    demo = await startDemo({
      port: 0,
      gatekeeperUrl: 'http://127.0.0.1:9',
      gatekeeperId: 'gk-demo-test',
      vendorKey: { kid: key.kid, privateKey: key.privateKey },
      log: () => undefined,
    });
  });

  afterAll(() => demo.stop());

  it('serves the page with a nonce CSP that lets it talk to itself and the gatekeeper only', async () => {
    // Act
    const r = await send(demo.url);
    // Assess
    expect(r.status).toBe(200);
    expect(demo.origin).toBe(`http://127.0.0.1:${demo.port}`);
    const csp = String(r.headers['content-security-policy']);
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)![1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:9;");
    expect(r.text).toContain(`<script type="module" nonce="${nonce}">`);
    expect(r.text).toContain('"gatekeeper":"http://127.0.0.1:9"');
  });

  it('signs get grants for every report object, a list grant and a get grant for the attachments', async () => {
    // Act
    const r = await send(`${demo.url}api/grants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const body = JSON.parse(r.text);
    // Assess
    expect(r.status).toBe(200);
    expect(body.user).toBe(DEMO_USER);
    expect(body.report.objects.map((o: { key: string }) => o.key)).toEqual(DEMO_OBJECTS.map((o) => o.key));
    for (const o of body.report.objects) {
      expect(grant(o.grant)).toMatchObject({ v: 1, kid: key.kid, aud: 'gk-demo-test', op: 'get', key: o.key, sub: DEMO_USER });
    }
    const list = grant(body.attachments.list);
    const get = grant(body.attachments.get);
    expect(list).toMatchObject({ op: 'list', prefix: DEMO_ATTACHMENTS_PREFIX });
    expect(get).toMatchObject({ op: 'get', prefix: DEMO_ATTACHMENTS_PREFIX });
    expect(list.exp - list.iat).toBe(300);
    expect(r.text).not.toContain(DEMO_OBJECTS[0].body.slice(0, 20));
  });

  it('signs an upload grant bound to the declared size, type and digest', async () => {
    // Prepare
    const sha = 'ab'.repeat(32);
    // Act
    const r = await send(`${demo.url}api/upload-grant`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: demo.origin },
      body: JSON.stringify({ name: '../q4 notes.pdf', size: 1234, contentType: 'application/pdf', sha256: sha }),
    });
    const body = JSON.parse(r.text);
    // Assess
    expect(r.status).toBe(200);
    expect(body.key).toBe(`${DEMO_ATTACHMENTS_PREFIX}.._q4 notes.pdf`);
    expect(grant(body.grant)).toMatchObject({ op: 'put', key: body.key, maxBytes: 1234, contentType: 'application/pdf', sha256: sha, sub: DEMO_USER });
  });

  it('page script and config block: valid module syntax, and no text can close the script element', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 's3gk-page-'));
    try {
      writeFileSync(join(dir, 'page.mjs'), PAGE_SCRIPT);
      // Act + Assess: throws on a syntax error
      execFileSync(process.execPath, ['--check', join(dir, 'page.mjs')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const html = demoPageHtml({ gatekeeper: 'http://x', reportTitle: '</script><script>alert(1)</script>', user: 'u' }, 'n');
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html).toContain('\\u003c/script>');
  });
});

describe('attachmentKey', () => {
  it('keeps one safe segment under the attachments prefix', () => {
    expect(attachmentKey('report.pdf')).toBe(`${DEMO_ATTACHMENTS_PREFIX}report.pdf`);
    expect(attachmentKey('a/b\\c.txt')).toBe(`${DEMO_ATTACHMENTS_PREFIX}a_b_c.txt`);
    expect(attachmentKey('..')).toBe(`${DEMO_ATTACHMENTS_PREFIX}upload.bin`);
    expect(attachmentKey('\u0000')).toBe(`${DEMO_ATTACHMENTS_PREFIX}_`);
    expect(attachmentKey('x'.repeat(300)).length).toBe(DEMO_ATTACHMENTS_PREFIX.length + 100);
  });
});
