/**
 * The payload shapes, the signing domains and the grant serializer: no
 * imports at all, so signers without Node's crypto (sdk/vendor-nacl.ts, the
 * browser) produce byte-identical payloads from the same code.
 */
export const GRANT_DOMAIN = 'GK1-GRANT';
export const COSIGN_DOMAIN = 'GK1-COSIGN';

export type Op = 'get' | 'put' | 'list';

export interface GrantPayload {
  v: 1;
  kid: string;
  aud: string;
  op: Op;
  key?: string;
  prefix?: string;
  iat: number;
  exp: number;
  jti: string;
  sub?: string;
  maxBytes?: number;
  contentType?: string;
  sha256?: string;
}

export interface CosigPayload {
  v: 1;
  kid: string;
  gh: string;
  ip: string;
  ctry: string;
  iat: number;
  exp: number;
}

/** Fixed field order (the interface order), optionals omitted when undefined. */
export function grantJson(p: GrantPayload): string {
  const o: Record<string, unknown> = { v: p.v, kid: p.kid, aud: p.aud, op: p.op };
  if (p.key !== undefined) o.key = p.key;
  if (p.prefix !== undefined) o.prefix = p.prefix;
  o.iat = p.iat;
  o.exp = p.exp;
  o.jti = p.jti;
  if (p.sub !== undefined) o.sub = p.sub;
  if (p.maxBytes !== undefined) o.maxBytes = p.maxBytes;
  if (p.contentType !== undefined) o.contentType = p.contentType;
  if (p.sha256 !== undefined) o.sha256 = p.sha256;
  return JSON.stringify(o);
}
