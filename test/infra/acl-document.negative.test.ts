import { addGatekeeperKey, initialAclDocument, removeGatekeeperKey } from '../../infra/acl-document';
import { parseStackConfig } from '../../infra/config';
import { GK_KEY_2, stackInput } from './fixture';

const NOW = new Date('2026-12-04T10:00:00Z');
const base = initialAclDocument(parseStackConfig(stackInput())) as unknown as Record<string, unknown>;

describe('rotation edits refuse', () => {
  it('a kid already trusted with another public key', () => {
    expect(() => addGatekeeperKey(base, { kid: 'gk-2026-12', publicKey: GK_KEY_2.publicKey }, NOW)).toThrow(/already trusted with another public key/);
  });

  it('removing a kid that is not there', () => {
    expect(() => removeGatekeeperKey(base, 'gk-nope', NOW)).toThrow('gatekeeperKeys: kid gk-nope is not in the ACL');
  });

  it('removing the last cosigning key', () => {
    expect(() => removeGatekeeperKey(base, 'gk-2026-12', NOW)).toThrow(/refusing to remove gk-2026-12, the only trusted cosigning key/);
  });

  it('a document without gatekeeperKeys, or with a malformed entry', () => {
    expect(() => addGatekeeperKey({ version: 'x' }, { kid: 'k', publicKey: GK_KEY_2.publicKey }, NOW)).toThrow('gatekeeperKeys: missing');
    expect(() => removeGatekeeperKey({ gatekeeperKeys: [{ kid: 1 }] }, 'k', NOW)).toThrow('gatekeeperKeys[0]: not a {kid, publicKey} entry');
  });
});
