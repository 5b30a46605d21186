import { createCosignerHandler } from '../../../edge/triggers/cosigner';
import { parseCosig } from '../../../edge/core/tokens';
import { cosigFor, grant, NOW_S, VENDOR_ORIGIN } from '../../helpers/world';
import { cosignerDeps, isResponse, originEvent, setHeader } from '../../helpers/edge';

describe('cosigner (origin-request)', () => {
  it('cosigns a batch with the country CloudFront supplied, one record per grant', async () => {
    // Prepare
    const deps = cosignerDeps();
    const grants = [grant(), grant({ aud: 'elsewhere' })];
    // Act
    const out = await createCosignerHandler(deps)(originEvent({ grants }, (r) => setHeader(r, 'CloudFront-Viewer-Country', 'CA')));
    // Assess
    expect(isResponse(out) && out.status).toBe('200');
    if (!isResponse(out)) return;
    expect(out.headers['access-control-allow-origin']?.[0].value).toBe(VENDOR_ORIGIN);
    const { results } = JSON.parse(out.body ?? '') as { results: ({ cosig: string; exp: number } | { error: { code: string } })[] };
    expect(results).toHaveLength(2);
    const first = results[0] as { cosig: string; exp: number };
    const parsed = parseCosig(first.cosig);
    expect(parsed.ok && parsed.value.payload.ctry).toBe('CA');
    expect(parsed.ok && parsed.value.payload.ip).toBe('203.0.113.7');
    expect(first.exp).toBe(NOW_S + 290);
    expect(results[1]).toEqual({ error: { code: 'wrong_audience', message: expect.any(String) } });
    expect(deps.rec.records.map((r) => [r.phase, r.decision, r.reason, r.viewer_country])).toEqual([
      ['cosign', 'allow', 'ok', 'CA'],
      ['cosign', 'deny', 'wrong_audience', 'CA'],
    ]);
  });

  it('lists through S3 for a list grant and answers the PROTOCOL shape', async () => {
    const g = grant({ op: 'list', key: undefined, prefix: 'reports/' });
    const seen: unknown[] = [];
    const deps = cosignerDeps({
      list: async (q) => {
        seen.push(q);
        return { ok: true, value: { objects: [{ key: 'reports/a', size: 3, lastModified: '2026-12-01T00:00:00.000Z', etag: '"abc"' }], nextContinuationToken: 'n1' } };
      },
    });
    const out = await createCosignerHandler(deps)(
      originEvent({ grant: g, cosig: cosigFor(g), prefix: 'reports/', maxKeys: 5 }, (r) => (r.uri = '/_gatekeeper/v1/list')),
    );
    expect(isResponse(out) && out.status).toBe('200');
    expect(seen).toEqual([{ prefix: 'reports/', continuationToken: undefined, maxKeys: 5 }]);
    expect(JSON.parse((out as { body: string }).body)).toEqual({
      objects: [{ key: 'reports/a', size: 3, lastModified: '2026-12-01T00:00:00.000Z', etag: '"abc"' }],
      nextContinuationToken: 'n1',
    });
    expect(deps.rec.records).toHaveLength(1);
    expect(deps.rec.records[0]).toMatchObject({ phase: 'list', decision: 'allow', object_key: 'reports/' });
  });

  it('answers the POST preflight of the gatekeeper endpoints', async () => {
    const deps = cosignerDeps();
    const out = await createCosignerHandler(deps)(
      originEvent('', (r) => {
        r.method = 'OPTIONS';
        delete r.body;
        setHeader(r, 'Access-Control-Request-Method', 'POST');
        setHeader(r, 'Access-Control-Request-Headers', 'content-type');
      }),
    );
    expect(isResponse(out) && out.status).toBe('204');
    expect(deps.rec.records[0]).toMatchObject({ phase: 'preflight', decision: 'allow' });
  });
});

describe('cosigner: a listing page too large for a Lambda@Edge answer', () => {
  it('is listed again with fewer keys, so the answer fits and S3 gives the token for the rest', async () => {
    // Prepare: 1000 objects of ~1.1 KB each, over the 1 MB generated-response limit
    const all = Array.from({ length: 1000 }, (_, i) => ({
      key: `reports/${String(i).padStart(4, '0')}-${'x'.repeat(1000)}`,
      size: i,
      lastModified: '2026-12-01T00:00:00.000Z',
      etag: '"e"',
    }));
    const asked: number[] = [];
    const deps = cosignerDeps({
      list: async (q) => {
        asked.push(q.maxKeys);
        const page = all.slice(0, q.maxKeys);
        return { ok: true, value: { objects: page, ...(q.maxKeys < all.length ? { nextContinuationToken: `after-${q.maxKeys}` } : {}) } };
      },
    });
    const g = grant({ op: 'list', key: undefined, prefix: 'reports/' });
    // Act
    const out = await createCosignerHandler(deps)(originEvent({ grant: g, cosig: cosigFor(g), prefix: 'reports/' }, (r) => (r.uri = '/_gatekeeper/v1/list')));
    // Assess
    expect(isResponse(out) && out.status).toBe('200');
    const body = (out as { body: string }).body;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(900_000);
    const parsed = JSON.parse(body) as { objects: unknown[]; nextContinuationToken?: string };
    expect(asked[0]).toBe(1000);
    expect(asked).toHaveLength(2);
    expect(parsed.objects).toHaveLength(asked[1]);
    expect(asked[1]).toBeGreaterThan(700);
    expect(parsed.nextContinuationToken).toBe(`after-${asked[1]}`);
    expect(deps.rec.records[0]).toMatchObject({ decision: 'allow', status: 200 });
  });
});
