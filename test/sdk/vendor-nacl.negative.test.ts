import { signGrantWithTweetnacl } from '../../sdk/vendor-nacl';
import type { GrantPayload } from '../../edge/core/tokens';

const P: GrantPayload = { v: 1, kid: 'k', aud: 'a', op: 'get', key: 'x', iat: 1, exp: 2, jti: 'j'.repeat(22) };

describe('signGrantWithTweetnacl refuses a seed that is not 32 bytes', () => {
  it.each<[string, unknown]>([
    ['31 bytes', new Uint8Array(31)],
    ['33 bytes', new Uint8Array(33)],
    ['a 64-byte secret key', new Uint8Array(64)],
    ['a b64u string', 'A'.repeat(43)],
    ['an array of numbers', Array.from({ length: 32 }, () => 1)],
  ])('%s', (_name, seed) => {
    expect(() => signGrantWithTweetnacl(P, seed as Uint8Array)).toThrow('signGrantWithTweetnacl: seed must be exactly 32 bytes');
  });
});
