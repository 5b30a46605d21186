/**
 * 10,000+ random and mutated CloudFront events through both handlers: none
 * throws, none answers a 5xx other than the two fail-closed 503s, and every
 * invocation writes exactly one audit record per decision.
 */
import fc from 'fast-check';
import { createGateHandler } from '../../../edge/triggers/gate';
import { createCosignerHandler } from '../../../edge/triggers/cosigner';
import type { CfEvent, CfRequest, CfResult } from '../../../edge/triggers/cloudfront';
import { STATUS_OF } from '../../../edge/core/codes';
import { cosigFor, grant } from '../../helpers/world';
import { cosignerDeps, edgeDeps, isResponse, originEvent, viewerEvent } from '../../helpers/edge';

const ALLOWED_STATUSES = new Set(['200', '204', ...Object.values(STATUS_OF).filter((s) => s < 500).map(String), '503']);

const G = grant();
const C = cosigFor(G);
const LG = grant({ op: 'list', key: undefined, prefix: 'reports/' });
const LC = cosigFor(LG);

function mutate(s: string, at: number, ch: string): string {
  if (s.length === 0) return ch;
  const i = at % s.length;
  return s.slice(0, i) + ch + s.slice(i + 1);
}

const token = fc.oneof(
  fc.constant(G),
  fc.constant(C),
  fc.string({ maxLength: 80 }),
  fc.tuple(fc.nat(), fc.constantFrom('A', '-', '_', '.', '=', '%', '\u0000', 'é')).map(([i, ch]) => mutate(G, i, ch)),
  fc.tuple(fc.nat(), fc.constantFrom('A', '-', '.', '+')).map(([i, ch]) => mutate(C, i, ch)),
  fc.nat({ max: 400 }).map((n) => G.slice(0, n)),
);

const headerValue = fc.oneof(token, fc.string({ maxLength: 30 }), fc.constantFrom('US', 'KP', '', '203.0.113.7', 'application/json'));
const headerName = fc.constantFrom(
  'x-gk-grant', 'x-gk-cosig', 'x-gk-other', 'cloudfront-viewer-country', 'x-forwarded-for', 'x-amz-date', 'origin',
  'content-type', 'content-length', 'access-control-request-method', 'host', 'transfer-encoding',
);

const cfRequestMutation = fc.record({
  method: fc.constantFrom('GET', 'HEAD', 'PUT', 'POST', 'OPTIONS', 'DELETE', 'PATCH', 'get', ''),
  uri: fc.oneof(fc.constantFrom('/reports/2026/q4.json', '/', '/%', '/%ZZ', '/a/../b', '/_gatekeeper/v1/cosign', '/_gatekeeper/v1/list', '//x'), fc.string({ maxLength: 40 }).map((s) => `/${s}`)),
  querystring: fc.oneof(
    fc.constant(''),
    fc.tuple(token, token).map(([g, c]) => `gk_grant=${g}&gk_cosig=${c}`),
    fc.string({ maxLength: 60 }),
  ),
  clientIp: fc.constantFrom('203.0.113.7', '::ffff:203.0.113.7', '2001:db8::1', 'garbage', '', '999.1.1.1'),
  headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }),
  body: fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 100 }),
    fc.array(token, { maxLength: 4 }).map((grants) => JSON.stringify({ grants })),
    fc.tuple(token, token, fc.constantFrom('reports/', 'x', '')).map(([g, c, p]) => JSON.stringify({ grant: g, cosig: c, prefix: p })),
    fc.constant(JSON.stringify({ grant: LG, cosig: LC, prefix: 'reports/' })),
    fc.constant(JSON.stringify({ grants: [G] })),
  ),
  breakShape: fc.constantFrom('none', 'none', 'none', 'none', 'headersArray', 'noRequest', 'numberIp'),
});

type Mutation = typeof cfRequestMutation extends fc.Arbitrary<infer T> ? T : never;

function apply(e: CfEvent, m: Mutation): unknown {
  const r = e.Records[0].cf.request as CfRequest & Record<string, unknown>;
  r.method = m.method;
  r.uri = m.uri;
  r.querystring = m.querystring;
  r.clientIp = m.clientIp;
  for (const [n, v] of m.headers) (r.headers[n] ??= []).push({ key: n, value: v });
  if (m.body !== undefined) r.body = { action: 'read-only', encoding: 'base64', inputTruncated: false, data: Buffer.from(m.body).toString('base64') };
  if (m.breakShape === 'headersArray') r.headers = [] as unknown as CfRequest['headers'];
  if (m.breakShape === 'numberIp') r.clientIp = 42 as unknown as string;
  if (m.breakShape === 'noRequest') return { Records: [{ cf: { config: {} } }] };
  return e;
}

function expectedRecords(out: CfResult, count: number): void {
  if (isResponse(out) && out.status === '200' && out.body !== undefined && out.body.startsWith('{"results"')) {
    expect(count).toBe((JSON.parse(out.body) as { results: unknown[] }).results.length);
  } else {
    expect(count).toBe(1);
  }
}

describe('handler fuzzing', () => {
  it('gate: 6,000 events, no throw, PROTOCOL statuses only, one record each', async () => {
    await fc.assert(
      fc.asyncProperty(cfRequestMutation, async (m) => {
        const deps = edgeDeps();
        const out = await createGateHandler(deps)(apply(viewerEvent(), m));
        if (isResponse(out)) expect(ALLOWED_STATUSES.has(out.status)).toBe(true);
        expectedRecords(out, deps.rec.records.length);
      }),
      { numRuns: 6000, seed: 20261204 },
    );
  });

  it('cosigner: 6,000 events, no throw, PROTOCOL statuses only, one record per decision', async () => {
    await fc.assert(
      fc.asyncProperty(cfRequestMutation, async (m) => {
        const deps = cosignerDeps();
        const out = await createCosignerHandler(deps)(apply(originEvent(''), m));
        expect(isResponse(out)).toBe(true);
        if (isResponse(out)) expect(ALLOWED_STATUSES.has(out.status)).toBe(true);
        expectedRecords(out, deps.rec.records.length);
      }),
      { numRuns: 6000, seed: 20261205 },
    );
  });
});
