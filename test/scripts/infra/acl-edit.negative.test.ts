import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { readKeyPair } from '../../../scripts/infra/acl-edit';
import { GK_KEY, GK_KEY_2 } from '../../infra/fixture';
import { capture, files } from './acl-files';

describe('acl-edit refuses', () => {
  it('a key file whose private seed belongs to another public key, without echoing the seed', () => {
    const f = files();
    const bad = join(f.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ kid: 'k', publicKey: GK_KEY.publicKey, privateKey: GK_KEY_2.privateKey }));
    expect(() => readKeyPair(bad)).toThrow('privateKey does not belong to publicKey');
    try {
      readKeyPair(bad);
    } catch (e) {
      expect(String(e)).not.toContain(GK_KEY_2.privateKey);
    }
  });

  it('malformed key files', () => {
    const f = files();
    const cases: [unknown, RegExp][] = [
      ['not json', /not a JSON key file/],
      [{ kid: 'bad kid', publicKey: GK_KEY.publicKey, privateKey: GK_KEY.privateKey }, /kid must be/],
      [{ kid: 'k', publicKey: 'short', privateKey: GK_KEY.privateKey }, /publicKey is not 32 bytes/],
      [{ kid: 'k', publicKey: GK_KEY.publicKey }, /privateKey is not a 32-byte b64u seed/],
    ];
    cases.forEach(([content, err], i) => {
      const p = join(f.dir, `c${i}.json`);
      writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
      expect(() => readKeyPair(p)).toThrow(err);
    });
  });

  it('a current ACL that is invalid', () => {
    const f = files();
    writeFileSync(f.acl, JSON.stringify({ version: 'x', mode: 'enforce' }));
    expect(() => capture(['add-gatekeeper-key', f.acl, f.key2])).toThrow(/the current ACL is invalid/);
  });

  it('removing the last key, and a bad kid', () => {
    const f = files();
    expect(() => capture(['remove-gatekeeper-key', f.acl, 'gk-2026-12'])).toThrow(/refusing to remove/);
    expect(() => capture(['remove-gatekeeper-key', f.acl, 'bad kid'])).toThrow(/KID must be/);
  });

  it('writing a signing secret over an existing file', () => {
    const f = files();
    const out = join(f.dir, 'secret.json');
    writeFileSync(out, 'x');
    expect(() => capture(['signing-secret', f.key, out])).toThrow(/EEXIST/);
  });

  it('an unknown command', () => {
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(capture(['frobnicate']).code).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });
});
