import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readKeyPair } from '../../../scripts/infra/acl-edit';
import { GK_KEY, GK_KEY_2 } from '../../infra/fixture';
import { capture, files } from './acl-files';

describe('acl-edit', () => {
  it('reads and checks a keygen file', () => {
    const f = files();
    expect(readKeyPair(f.key)).toEqual({ kid: 'gk-2026-12', ...GK_KEY });
  });

  it('add-gatekeeper-key prints the ACL with both keys and a new version', () => {
    const f = files();
    const r = capture(['add-gatekeeper-key', f.acl, f.key2]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.gatekeeperKeys.map((k: { kid: string }) => k.kid)).toEqual(['gk-2026-12', 'gk-2027-01']);
    expect(doc.version).toBe('2026-12-04.1');
  });

  it('remove-gatekeeper-key prints the ACL without it', () => {
    const f = files();
    writeFileSync(f.acl, capture(['add-gatekeeper-key', f.acl, f.key2]).out);
    const doc = JSON.parse(capture(['remove-gatekeeper-key', f.acl, 'gk-2026-12']).out);
    expect(doc.gatekeeperKeys).toEqual([{ kid: 'gk-2027-01', publicKey: GK_KEY_2.publicKey }]);
  });

  it('has-gatekeeper-key answers by exit code', () => {
    const f = files();
    expect(capture(['has-gatekeeper-key', f.acl, f.key]).code).toBe(0);
    expect(capture(['has-gatekeeper-key', f.acl, f.key2]).code).toBe(1);
  });

  it('signing-secret writes only kid and privateKey, mode 0600', () => {
    const f = files();
    const out = join(f.dir, 'secret.json');
    expect(capture(['signing-secret', f.key, out]).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ kid: 'gk-2026-12', privateKey: GK_KEY.privateKey });
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('public prints the stack-config entry', () => {
    const f = files();
    expect(JSON.parse(capture(['public', f.key]).out)).toEqual({ kid: 'gk-2026-12', publicKey: GK_KEY.publicKey });
  });
});
