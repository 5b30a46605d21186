/**
 * A deterministic little world for decision tests: fixed seeds, a fixed clock,
 * an ACL that trusts them, and builders for grants, cosigs and requests.
 */
import { compileAcl, validateAcl, type CompiledAcl } from '../../edge/core/acl';
import { b64uEncode } from '../../edge/core/b64u';
import { signerFromSeed, type DecideContext, type Signer } from '../../edge/core/decide/context';
import { ed25519PrivateKey, publicKeyOfSeed } from '../../edge/core/keys';
import { grantHash, signCosig, signGrant, type CosigPayload, type GrantPayload } from '../../edge/core/tokens';
import type { CoreRequest } from '../../edge/core/types';

export const NOW_S = 1_796_000_000; // 2026-11-29
export const NOW = NOW_S * 1000;
export const GK_ID = 'gk-test';
export const VENDOR_ORIGIN = 'https://vendor.example';
export const VIEWER_IP = '203.0.113.7';

const seed = (n: number): Buffer => Buffer.alloc(32, n);
export const VENDOR_SEED = seed(1);
export const GK_SEED = seed(2);
export const OTHER_SEED = seed(3);
export const VENDOR_KID = 'vendor-1';
export const GK_KID = 'gk-1';

export const vendorKey = ed25519PrivateKey(VENDOR_SEED);
export const gkKey = ed25519PrivateKey(GK_SEED);
export const otherKey = ed25519PrivateKey(OTHER_SEED);
export const signer: Signer = signerFromSeed(GK_KID, GK_SEED);

export function aclDoc(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 'test.1',
    mode: 'enforce',
    vendorKeys: [{ kid: VENDOR_KID, publicKey: b64uEncode(publicKeyOfSeed(VENDOR_SEED)) }],
    gatekeeperKeys: [{ kid: GK_KID, publicKey: b64uEncode(publicKeyOfSeed(GK_SEED)) }],
    ...over,
  };
}

export function acl(over: Record<string, unknown> = {}): CompiledAcl {
  const v = validateAcl(aclDoc(over));
  if (!v.ok) throw new Error(`test ACL invalid: ${v.errors.join('; ')}`);
  return compileAcl(v.acl);
}

export function ctx(over: Partial<DecideContext> = {}, aclOver: Record<string, unknown> = {}): DecideContext {
  return { now: NOW, acl: acl(aclOver), config: { gatekeeperId: GK_ID, vendorOrigins: [VENDOR_ORIGIN] }, ...over };
}

let jtiCounter = 0;
export function grantPayload(over: Partial<GrantPayload> = {}): GrantPayload {
  jtiCounter += 1;
  const base: GrantPayload = {
    v: 1,
    kid: VENDOR_KID,
    aud: GK_ID,
    op: 'get',
    key: 'reports/2026/q4.json',
    iat: NOW_S - 10,
    exp: NOW_S + 290,
    jti: `jti-test-${String(jtiCounter).padStart(8, '0')}`,
    sub: 'user-42',
  };
  const p = { ...base, ...over } as GrantPayload;
  for (const k of Object.keys(p) as (keyof GrantPayload)[]) if (p[k] === undefined) delete p[k];
  return p;
}

export function grant(over: Partial<GrantPayload> = {}, key = vendorKey): string {
  return signGrant(grantPayload(over), key);
}

export function cosigFor(grantToken: string, over: Partial<CosigPayload> = {}, key = gkKey): string {
  return signCosig(
    { v: 1, kid: GK_KID, gh: grantHash(grantToken), ip: VIEWER_IP, ctry: 'US', iat: NOW_S - 5, exp: NOW_S + 250, ...over },
    key,
  );
}

export function request(over: Partial<CoreRequest> = {}): CoreRequest {
  return {
    requestId: 'req-1',
    method: 'GET',
    uri: '/reports/2026/q4.json',
    querystring: '',
    headers: { host: ['d123.cloudfront.net'], 'user-agent': ['jest'] },
    clientIp: VIEWER_IP,
    country: null,
    body: null,
    bodyTruncated: false,
    edgeLocation: null,
    ...over,
  };
}

/** An object request carrying the tokens as headers. */
export function accessRequest(g: string, c: string, over: Partial<CoreRequest> = {}): CoreRequest {
  const r = request(over);
  r.headers = { ...request().headers, 'x-gk-grant': [g], 'x-gk-cosig': [c], ...(over.headers ?? {}) };
  return r;
}

export function cosignRequest(grants: unknown, over: Partial<CoreRequest> = {}): CoreRequest {
  return request({
    method: 'POST',
    uri: '/_gatekeeper/v1/cosign',
    headers: { 'content-type': ['application/json'], origin: [VENDOR_ORIGIN] },
    country: 'US',
    body: JSON.stringify({ grants }),
    ...over,
  });
}
