import { isIP } from 'net';
import fc from 'fast-check';
import { cidrError, compileIpSet, normalizeIp, parseCidr, parseIp } from '../../../edge/core/ip';

describe('normalizeIp refuses', () => {
  it.each([
    // empty, whitespace, names
    '',
    ' ',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '1.2.3.4\n',
    'localhost',
    // IPv4 other than a strict dotted quad
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.',
    '.1.2.3',
    '1..2.3',
    '256.1.1.1',
    '1.2.3.256',
    '999.1.1.1',
    '01.2.3.4',
    '1.2.3.04',
    '010.0.0.1',
    '00.0.0.0',
    '0x7f.0.0.1',
    '127.1',
    '2130706433',
    '1.2.3.4/32',
    '1.2.3.4:80',
    '１.２.３.４',
    // IPv6 that is not RFC 4291 text
    ':',
    ':::',
    '::::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4::5:6:7:8',
    '::1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7:8::',
    '1::2::3',
    ':1::2',
    '1::2:',
    ':1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7:8:',
    '12345::1',
    '00000::1',
    'g::1',
    '1:2:3:4:5:6:7:1.2.3.4',
    '::1.2.3',
    '::1.2.3.4.5',
    '::ffff:1.2.3.04',
    '::ffff:256.1.1.1',
    '::1.2.3.4:1',
    '1.2.3.4::',
    // zone ids, brackets, ports, prefixes
    'fe80::1%eth0',
    'fe80::1%1',
    '[::1]',
    '[::1]:443',
    '::1/128',
    '2001:db8::/32',
  ])('%j', (input) => {
    expect(normalizeIp(input)).toBeNull();
    expect(parseIp(input)).toBeNull();
  });

  it('anything that is not a string, without throwing', () => {
    for (const v of [undefined, null, 1, 0x01020304, {}, [], ['1.2.3.4'], Symbol('x')]) {
      expect(normalizeIp(v as unknown as string)).toBeNull();
      expect(parseIp(v as unknown as string)).toBeNull();
    }
  });

  it('an over-long string quickly', () => {
    expect(normalizeIp('1'.repeat(1_000_000))).toBeNull();
    expect(normalizeIp(`::${'0:'.repeat(100)}1`)).toBeNull();
  });

  it('exactly what Node refuses, on random strings of address characters (zone ids aside)', () => {
    // Node's isIP uses strict regular expressions (no leading zeros in IPv4)
    // but accepts zone ids, which PROTOCOL's viewer IP never carries.
    const unit = fc.constantFrom(...'0123456789abcdefABCDEF:.'.split(''), ':', ':', '.', '0', '1', 'f');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 24 }), (s) => {
        expect(normalizeIp(s) !== null).toBe(isIP(s) !== 0);
      }),
      { numRuns: 20000 }
    );
  });

  it('exactly what Node refuses, on near-valid mutations of valid addresses', () => {
    const address = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.constantFrom('::ffff:1.2.3.4', '64:ff9b::1.2.3.4', '2001:db8::1', '::', '1::')
    );
    const edit = fc.tuple(fc.nat(), fc.constantFrom('', ':', '.', '0', '::', 'g', '%', '1'), fc.nat(3));
    fc.assert(
      fc.property(address, edit, (a, [at, insert, remove]) => {
        const i = at % (a.length + 1);
        const s = a.slice(0, i) + insert + a.slice(i + remove);
        expect(normalizeIp(s) !== null).toBe(isIP(s) !== 0 && !s.includes('%'));
      }),
      { numRuns: 20000 }
    );
  });
});

describe('parseCidr and cidrError refuse', () => {
  it.each([
    ['10.0.0.1/8', 'not a CIDR (host bits set; did you mean 10.0.0.0/8?)'],
    ['192.168.1.1/24', 'not a CIDR (host bits set; did you mean 192.168.1.0/24?)'],
    ['0.0.0.1/0', 'not a CIDR (host bits set; did you mean 0.0.0.0/0?)'],
    ['2001:db8::1/32', 'not a CIDR (host bits set; did you mean 2001:db8::/32?)'],
    ['::1/0', 'not a CIDR (host bits set; did you mean ::/0?)'],
    ['::ffff:10.0.0.1/104', 'not a CIDR (host bits set; did you mean 10.0.0.0/8?)'],
    ['::ffff:0:0/95', 'not a CIDR (host bits set; did you mean ::fffe:0:0/95?)'],
    ['1.2.3.4/33', 'not a CIDR (the prefix length must be 0-32)'],
    ['::/129', 'not a CIDR (the prefix length must be 0-128)'],
    ['::ffff:1.2.3.4/129', 'not a CIDR (the prefix length must be 0-128)'],
    ['1.2.3.4/', 'not a CIDR'],
    ['1.2.3.4/08', 'not a CIDR'],
    ['1.2.3.4/-1', 'not a CIDR'],
    ['1.2.3.4/+8', 'not a CIDR'],
    ['1.2.3.4/8/8', 'not a CIDR'],
    ['1.2.3.4/1000', 'not a CIDR'],
    ['1.2.3.4/ 8', 'not a CIDR'],
    ['/8', 'not a CIDR'],
    ['', 'not a CIDR'],
    ['10.0.0.0/8 ', 'not a CIDR'],
    ['10.0.0/8', 'not a CIDR'],
    ['010.0.0.0/8', 'not a CIDR'],
    ['fe80::%eth0/64', 'not a CIDR'],
    ['[2001:db8::]/32', 'not a CIDR'],
    ['10.0.0.0-10.0.0.255', 'not a CIDR'],
    ['*', 'not a CIDR'],
  ])('%j: %s', (input, message) => {
    expect(parseCidr(input)).toBeNull();
    expect(cidrError(input)).toBe(message);
  });

  it('anything that is not a string, without throwing', () => {
    for (const v of [undefined, null, 8, {}, ['10.0.0.0/8']]) {
      expect(parseCidr(v as unknown as string)).toBeNull();
      expect(cidrError(v as unknown as string)).toBe('not a CIDR');
    }
  });
});

describe('IpSet.has on garbage', () => {
  const set = compileIpSet(['0.0.0.0/0', '::/0']);

  it.each(['', 'garbage', '1.2.3', '01.2.3.4', 'fe80::1%eth0', '[::1]', '1.2.3.4/32', '::1/128', '1'.repeat(100)])(
    'is false for %j even under a match-all set',
    (input) => {
      expect(set.has(input)).toBe(false);
    }
  );

  it('is false, not a throw, for values that are not strings', () => {
    for (const v of [undefined, null, 0x01020304, {}, []]) expect(set.has(v as unknown as string)).toBe(false);
  });
});

describe('compileIpSet refuses an unvalidated list', () => {
  it('throws naming the index, not the entry', () => {
    // Prepare
    const entries = ['10.0.0.0/8', '2001:db8::/32', '10.0.0.1/8'];
    // Act & Assess
    expect(() => compileIpSet(entries)).toThrow('compileIpSet: entry 2 is not a valid CIDR');
    expect(() => compileIpSet(['secret-looking-text'])).toThrow(/^compileIpSet: entry 0 is not a valid CIDR$/);
  });
});
