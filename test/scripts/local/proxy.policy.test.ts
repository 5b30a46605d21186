import { GATEKEEPER_ORIGIN_HEADERS as DEPLOYED } from '../../../infra/distribution';
import { ALLOWED_METHODS, GATEKEEPER_ORIGIN_HEADERS } from '../../../scripts/local/proxy';

describe('the local proxy and the deployed distribution agree', () => {
  it('on the headers the gatekeeper origin request policy passes to the cosigner', () => {
    expect([...GATEKEEPER_ORIGIN_HEADERS].sort()).toEqual(DEPLOYED.map((h) => h.toLowerCase()).sort());
  });

  it('on the allowed methods (both behaviours allow all seven)', () => {
    expect([...ALLOWED_METHODS].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
  });
});
