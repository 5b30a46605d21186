/**
 * PROTOCOL "Encoding and keys": verification must reject every invalid case of
 * Wycheproof's ed25519_test.json. The file has only "valid" and "invalid"
 * results; an "acceptable" case, should a later version add one, is expected
 * to be rejected (the stricter reading), and is counted below so that a new
 * file cannot slip through unnoticed.
 */
import fs from 'fs';
import path from 'path';
import nacl from 'tweetnacl';
import { ed25519PublicKey, ed25519Verify } from '../../../edge/core/keys';

const FILE = path.resolve(__dirname, '../../../../shared/testdata/wycheproof_ed25519_test.json');

interface Case {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface Group {
  type: string;
  publicKey: { type: string; curve: string; keySize: number; pk: string };
  tests: Case[];
}
interface Suite {
  algorithm: string;
  numberOfTests: number;
  testGroups: Group[];
}

/** tweetnacl does not check S < L: it accepts these malleable or mis-encoded signatures. */
const TWEETNACL_ACCEPTS = [63, 64, 65, 66, 85];

if (!fs.existsSync(FILE)) {
  describe('Wycheproof Ed25519', () => {
    it.skip(`skipped: test data file ${FILE} is absent`, () => undefined);
  });
} else {
  const suite = JSON.parse(fs.readFileSync(FILE, 'utf8')) as Suite;
  const cases: Array<{ group: Group; test: Case }> = [];
  for (const group of suite.testGroups) for (const test of group.tests) cases.push({ group, test });

  /** A key that cannot even be built is a rejection; none of this file's keys is such. */
  function ours(group: Group, test: Case): boolean {
    let key;
    try {
      key = ed25519PublicKey(Buffer.from(group.publicKey.pk, 'hex'));
    } catch {
      return false;
    }
    return ed25519Verify(key, Buffer.from(test.msg, 'hex'), Buffer.from(test.sig, 'hex'));
  }

  describe('Wycheproof Ed25519', () => {
    it('is the expected file: 151 cases, 88 valid, 63 invalid, none acceptable', () => {
      expect(suite.algorithm).toBe('EDDSA');
      expect(cases.length).toBe(suite.numberOfTests);
      expect(cases.length).toBe(151);
      expect(cases.filter((c) => c.test.result === 'valid').length).toBe(88);
      expect(cases.filter((c) => c.test.result === 'invalid').length).toBe(63);
      expect(cases.filter((c) => c.test.result === 'acceptable').length).toBe(0);
      for (const { group } of cases) {
        expect(group.type).toBe('EddsaVerify');
        expect(group.publicKey.curve).toBe('edwards25519');
        expect(group.publicKey.pk).toMatch(/^[0-9a-f]{64}$/);
      }
    });

    it.each(cases.map((c) => [c.test.tcId, c.test.result, c.test.comment, c]))(
      'tcId %i is %s (%s)',
      (_id, result, _comment, c) => {
        const { group, test } = c as { group: Group; test: Case };
        expect(ours(group, test)).toBe(result === 'valid');
      },
    );

    it('every valid case has a key that builds', () => {
      for (const { group, test } of cases) {
        if (test.result === 'valid') expect(() => ed25519PublicKey(Buffer.from(group.publicKey.pk, 'hex'))).not.toThrow();
      }
    });

    it.each(TWEETNACL_ACCEPTS)('tcId %i: tweetnacl accepts it, ours rejects it', (tcId) => {
      // Prepare
      const found = cases.find((c) => c.test.tcId === tcId);
      expect(found).toBeDefined();
      const { group, test } = found as { group: Group; test: Case };
      expect(test.result).toBe('invalid');
      // Act
      const theirs = nacl.sign.detached.verify(
        Buffer.from(test.msg, 'hex'),
        Buffer.from(test.sig, 'hex'),
        Buffer.from(group.publicKey.pk, 'hex'),
      );
      // Assess
      expect(theirs).toBe(true);
      expect(ours(group, test)).toBe(false);
    });
  });
}
