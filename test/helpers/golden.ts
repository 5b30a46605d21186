/**
 * The golden grant, signed with the RFC 8032 TEST 1 key, so any Ed25519
 * implementation can check it. The Node signer (tokens.test.ts) and the
 * tweetnacl signer (vendor-nacl.test.ts) must both produce it byte for byte.
 */
import type { GrantPayload } from '../../edge/core/tokens';

export const GOLDEN_SEED = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');

export const GOLDEN_GRANT_PAYLOAD: GrantPayload = {
  v: 1,
  kid: 'vendor-2026-12',
  aud: 'gk-acme',
  op: 'get',
  key: 'reports/q4.pdf',
  iat: 1764806400,
  exp: 1764806700,
  jti: 'AAAAAAAAAAAAAAAAAAAAAA',
};

export const GOLDEN_GRANT =
  'eyJ2IjoxLCJraWQiOiJ2ZW5kb3ItMjAyNi0xMiIsImF1ZCI6ImdrLWFjbWUiLCJvcCI6ImdldCIsImtleSI6InJlcG9ydHMvcTQucGRmIiwiaWF0IjoxNzY0ODA2NDAwLCJleHAiOjE3NjQ4MDY3MDAsImp0aSI6IkFBQUFBQUFBQUFBQUFBQUFBQUFBQUEifQ' +
  '.3usObl7MVOprAr69CLMt9S3f_56S7Kj_bxoL8mip3iNpOAz1mkBkvP0Y2WnIrpWUkpMd9VyLcTvRb5eFW2tuDg';
