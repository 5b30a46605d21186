import { decideCosign } from '../../../../edge/core/decide/cosign';
import { decideAccess } from '../../../../edge/core/decide/access';
import { grantHash, parseCosig, verifyToken } from '../../../../edge/core/tokens';
import { accessRequest, cosignRequest, ctx, gkKey, GK_KID, grant, NOW_S, signer, VIEWER_IP } from '../../../helpers/world';
import { ed25519PublicKey, publicKeyOfSeed } from '../../../../edge/core/keys';
import { GK_SEED } from '../../../helpers/world';

describe('decideCosign', () => {
  it('countersigns each grant for the viewer IP and country, bounded by the grant and the cosign TTL', () => {
    // Prepare
    const g1 = grant({ exp: NOW_S + 100 });
    const g2 = grant({ exp: NOW_S + 800, iat: NOW_S - 5 });
    // Act
    const v = decideCosign(cosignRequest([g1, g2], { country: 'GB' }), ctx(), signer);
    // Assess
    expect(v.action).toBe('respond');
    if (v.action !== 'respond') return;
    expect(v.status).toBe(200);
    expect(v.headers['access-control-allow-origin']).toBe('https://vendor.example');
    const body = JSON.parse(v.body) as { results: { cosig: string; exp: number }[] };
    expect(body.results.map((r) => r.exp)).toEqual([NOW_S + 100, NOW_S + 300]);
    const parsed = parseCosig(body.results[0].cosig);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.payload).toEqual({ v: 1, kid: GK_KID, gh: grantHash(g1), ip: VIEWER_IP, ctry: 'GB', iat: NOW_S, exp: NOW_S + 100 });
    expect(verifyToken(parsed.value, ed25519PublicKey(publicKeyOfSeed(GK_SEED)))).toBe(true);
    expect(v.audit).toHaveLength(2);
    expect(v.audit.map((r) => [r.phase, r.decision, r.reason, r.status, r.viewer_country, r.gatekeeper_kid])).toEqual([
      ['cosign', 'allow', 'ok', 200, 'GB', GK_KID],
      ['cosign', 'allow', 'ok', 200, 'GB', GK_KID],
    ]);
  });

  it('a cosig it issues opens the object at the gate', () => {
    const g = grant();
    const v = decideCosign(cosignRequest([g]), ctx(), signer);
    const cosig = v.action === 'respond' ? (JSON.parse(v.body).results[0].cosig as string) : '';
    expect(decideAccess(accessRequest(g, cosig), { ...ctx(), now: ctx().now + 1000 }).action).toBe('forward');
  });

  it('judges each grant alone: one bad grant does not fail the batch', () => {
    const good = grant();
    const v = decideCosign(cosignRequest([good, 'not-a-token', grant({ aud: 'elsewhere' })]), ctx(), signer);
    expect(v.action === 'respond' && v.status).toBe(200);
    const results = v.action === 'respond' ? JSON.parse(v.body).results : [];
    expect(results[0].cosig).toEqual(expect.any(String));
    expect(results[1]).toEqual({ error: { code: 'malformed_token', message: expect.any(String) } });
    expect(results[2].error.code).toBe('wrong_audience');
    expect(v.audit.map((r) => [r.decision, r.reason, r.status])).toEqual([
      ['allow', 'ok', 200],
      ['deny', 'malformed_token', 400],
      ['deny', 'wrong_audience', 403],
    ]);
  });

  it('report-only cosigns a denied country and audits would_deny', () => {
    const v = decideCosign(cosignRequest([grant()], { country: 'FR' }), ctx({}, { mode: 'report-only' }), signer);
    const results = v.action === 'respond' ? JSON.parse(v.body).results : [];
    expect(results[0].cosig).toEqual(expect.any(String));
    expect(v.audit[0]).toMatchObject({ decision: 'would_deny', reason: 'country_denied', viewer_country: 'FR' });
  });

  it('accepts 50 grants', () => {
    const grants = Array.from({ length: 50 }, () => grant());
    const v = decideCosign(cosignRequest(grants), ctx(), signer);
    expect(v.audit).toHaveLength(50);
    expect(v.audit.every((r) => r.decision === 'allow')).toBe(true);
  });

  it('uses the signing key it is given', () => {
    expect(signer.key).toBe(gkKey);
  });
});
