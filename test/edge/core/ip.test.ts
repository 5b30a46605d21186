import fc from 'fast-check';
import { cidrError, compileIpSet, normalizeIp, parseCidr, parseIp } from '../../../edge/core/ip';

/** WHATWG's IPv6 serializer is RFC 5952 with an all-hex tail: an independent oracle for non-mapped addresses. */
function whatwg(s: string): string {
  return new URL(`http://[${s}]`).hostname.slice(1, -1);
}

describe('normalizeIp, IPv4', () => {
  it.each([
    ['0.0.0.0', '0.0.0.0'],
    ['1.2.3.4', '1.2.3.4'],
    ['10.0.0.1', '10.0.0.1'],
    ['255.255.255.255', '255.255.255.255'],
    ['192.168.100.200', '192.168.100.200'],
  ])('keeps %s as %s', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });
});

describe('normalizeIp, IPv6 in RFC 5952 form', () => {
  it.each([
    // RFC 5952 section 4.2.1-4.2.3 and 4.3
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0db8::0001', '2001:db8::1'],
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8::0:1', '2001:db8::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8:0000:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:DB8::A:B:C:D', '2001:db8::a:b:c:d'],
    ['2001:Db8:AaAa::FFFF', '2001:db8:aaaa::ffff'],
    ['::', '::'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::1', '::1'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['1::', '1::'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['1:0:0:0:2:0:0:0', '1::2:0:0:0'],
    ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['fe80::0:0:1', 'fe80::1'],
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
    ['::1.2.3.4', '::102:304'],
    ['::ffff:0:1.2.3.4', '::ffff:0:102:304'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ])('writes %s as %s', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });
});

describe('normalizeIp, IPv4-mapped IPv6', () => {
  it.each([
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['::ffff:0102:0304', '1.2.3.4'],
    ['::ffff:102:304', '1.2.3.4'],
    ['0:0:0:0:0:ffff:1.2.3.4', '1.2.3.4'],
    ['0000:0000:0000:0000:0000:FFFF:0A01:0203', '10.1.2.3'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::ffff:0.0.0.0', '0.0.0.0'],
    ['::ffff:ffff:ffff', '255.255.255.255'],
  ])('writes %s as the IPv4 address %s', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });
});

const group = fc.integer({ min: 0, max: 0xffff });
/** Eight groups, zero-heavy so that runs of zeros and ties are common. */
const groups = fc.array(fc.oneof(fc.constant(0), fc.constant(0), group), { minLength: 8, maxLength: 8 });

/** Some valid spelling of the groups: random case, leading zeros, `::` somewhere legal, maybe a dotted tail. */
function spell(g: number[], style: { pad: boolean; upper: boolean; gapAt: number; dotted: boolean }): string {
  const hex = g.map((x) => {
    const h = style.pad ? x.toString(16).padStart(4, '0') : x.toString(16);
    return style.upper ? h.toUpperCase() : h;
  });
  let parts = hex;
  if (style.dotted) {
    const v = g[6] * 65536 + g[7];
    parts = [...hex.slice(0, 6), `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`];
  }
  // Compress one run of zero groups (any run, not only the longest: all are valid input).
  const limit = parts.length;
  const start = style.gapAt % limit;
  let end = start;
  while (end < limit && end < 6 + (style.dotted ? 0 : 2) && g[end] === 0) end++;
  if (style.dotted && end > 6) end = 6;
  if (end - start >= 1) return `${parts.slice(0, start).join(':')}::${parts.slice(end).join(':')}`;
  return parts.join(':');
}

const style = fc.record({
  pad: fc.boolean(),
  upper: fc.boolean(),
  gapAt: fc.integer({ min: 0, max: 7 }),
  dotted: fc.boolean(),
});

describe('normalizeIp, properties', () => {
  it('agrees with the WHATWG URL serializer on every spelling of a non-mapped address', () => {
    fc.assert(
      fc.property(groups, style, (g, st) => {
        const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
        fc.pre(!mapped);
        const text = spell(g, st);
        expect(normalizeIp(text)).toBe(whatwg(text));
      }),
      { numRuns: 2000 }
    );
  });

  it('writes every spelling of a mapped address as its IPv4 address', () => {
    fc.assert(
      fc.property(group, group, style, (hi, lo, st) => {
        const text = spell([0, 0, 0, 0, 0, 0xffff, hi, lo], st);
        const v = hi * 65536 + lo;
        expect(normalizeIp(text)).toBe(`${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`);
      }),
      { numRuns: 500 }
    );
  });

  it('is idempotent: the normal form normalizes to itself', () => {
    fc.assert(
      fc.property(groups, style, (g, st) => {
        const once = normalizeIp(spell(g, st));
        expect(once).not.toBeNull();
        expect(normalizeIp(once as string)).toBe(once);
      }),
      { numRuns: 1000 }
    );
  });
});

describe('parseIp', () => {
  it('gives IPv4 (also when mapped) in word 3 and IPv6 as four words', () => {
    // Act
    const v4 = parseIp('10.1.2.3');
    const mapped = parseIp('::ffff:10.1.2.3');
    const v6 = parseIp('2001:db8::1:2');
    // Assess
    expect(v4?.family).toBe(4);
    expect(Array.from(v4?.words ?? [])).toEqual([0, 0, 0, 0x0a010203]);
    expect(mapped?.family).toBe(4);
    expect(Array.from(mapped?.words ?? [])).toEqual([0, 0, 0, 0x0a010203]);
    expect(v6?.family).toBe(6);
    expect(Array.from(v6?.words ?? [])).toEqual([0x20010db8, 0, 0, 0x00010002]);
  });
});

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', 4, '10.0.0.0', 8],
    ['0.0.0.0/0', 4, '0.0.0.0', 0],
    ['1.2.3.4', 4, '1.2.3.4', 32],
    ['1.2.3.4/32', 4, '1.2.3.4', 32],
    ['192.168.1.128/25', 4, '192.168.1.128', 25],
    ['2001:db8::/32', 6, '2001:db8::', 32],
    ['2001:DB8:0:0::/64', 6, '2001:db8::', 64],
    ['::/0', 6, '::', 0],
    ['::1', 6, '::1', 128],
    ['2001:db8::1/128', 6, '2001:db8::1', 128],
    // IPv4-mapped CIDRs of /96 and longer are the matching IPv4 CIDR.
    ['::ffff:0:0/96', 4, '0.0.0.0', 0],
    ['::ffff:10.0.0.0/104', 4, '10.0.0.0', 8],
    ['::ffff:0a00:0/104', 4, '10.0.0.0', 8],
    ['::ffff:1.2.3.4', 4, '1.2.3.4', 32],
    ['::ffff:1.2.3.4/128', 4, '1.2.3.4', 32],
    // Shorter ones covering the mapped block stay IPv6.
    ['::/80', 6, '::', 80],
    ['::fffe:0:0/95', 6, '::fffe:0:0', 95],
  ])('reads %s as IPv%d %s/%d', (input, family, network, prefixLength) => {
    // Act
    const r = parseCidr(input);
    // Assess
    expect(r).toEqual({ family, network, prefixLength, cidr: `${network}/${prefixLength}` });
    expect(cidrError(input)).toBeNull();
  });
});

describe('compileIpSet', () => {
  it('matches IPv4 and IPv6 CIDRs and host addresses, nothing else', () => {
    // Prepare
    const set = compileIpSet(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', '2001:db8:ffff::/48', '::1']);
    // Act & Assess
    expect(set.size).toBe(5);
    expect(set.has('10.0.0.0')).toBe(true);
    expect(set.has('10.255.255.255')).toBe(true);
    expect(set.has('9.255.255.255')).toBe(false);
    expect(set.has('11.0.0.0')).toBe(false);
    expect(set.has('192.168.1.7')).toBe(true);
    expect(set.has('192.168.1.6')).toBe(false);
    expect(set.has('192.168.1.8')).toBe(false);
    expect(set.has('2001:db8::')).toBe(true);
    expect(set.has('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(set.has('2001:db7:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(false);
    expect(set.has('2001:db9::')).toBe(false);
    expect(set.has('::1')).toBe(true);
    expect(set.has('::2')).toBe(false);
    expect(set.has('::')).toBe(false);
  });

  it('matches a mapped viewer (::ffff:10.1.2.3) by an IPv4 CIDR, before and after normalization', () => {
    // Prepare
    const set = compileIpSet(['10.0.0.0/8']);
    const viewer = normalizeIp('::ffff:10.1.2.3');
    // Act & Assess
    expect(viewer).toBe('10.1.2.3');
    expect(set.has(viewer as string)).toBe(true);
    expect(set.has('::ffff:10.1.2.3')).toBe(true);
    expect(set.has('::ffff:11.1.2.3')).toBe(false);
  });

  it('matches an IPv4 viewer by a mapped CIDR', () => {
    const set = compileIpSet(['::ffff:10.0.0.0/104']);
    expect(set.has('10.9.9.9')).toBe(true);
    expect(set.has('11.0.0.0')).toBe(false);
  });

  it('keeps the families apart: ::/0 is every IPv6 viewer and no IPv4 one, 0.0.0.0/0 the reverse', () => {
    // Prepare
    const v6 = compileIpSet(['::/0']);
    const v4 = compileIpSet(['0.0.0.0/0']);
    // Act & Assess
    expect(v6.has('2001:db8::1')).toBe(true);
    expect(v6.has('::')).toBe(true);
    expect(v6.has('1.2.3.4')).toBe(false);
    expect(v6.has('::ffff:1.2.3.4')).toBe(false);
    expect(v4.has('1.2.3.4')).toBe(true);
    expect(v4.has('255.255.255.255')).toBe(true);
    expect(v4.has('::ffff:1.2.3.4')).toBe(true);
    expect(v4.has('2001:db8::1')).toBe(false);
  });

  it('merges nested, overlapping, duplicate and touching ranges', () => {
    // Prepare
    const set = compileIpSet([
      '10.1.0.0/16',
      '10.0.0.0/8',
      '10.0.0.0/8',
      '10.2.3.4',
      '11.0.0.0/9',
      '11.128.0.0/9',
      '2001:db8:1::/48',
      '2001:db8::/32',
      '2001:db8:1:2::1',
    ]);
    // Act & Assess
    expect(set.size).toBe(9);
    for (const ip of [
      '10.0.0.0',
      '10.1.255.255',
      '10.2.3.4',
      '10.255.255.255',
      '11.127.255.255',
      '11.128.0.0',
      '11.255.255.255',
    ]) {
      expect(set.has(ip)).toBe(true);
    }
    for (const ip of ['9.255.255.255', '12.0.0.0']) expect(set.has(ip)).toBe(false);
    for (const ip of ['2001:db8::', '2001:db8:1::', '2001:db8:1:2::1', '2001:db8:ffff::']) expect(set.has(ip)).toBe(true);
    expect(set.has('2001:db9::')).toBe(false);
  });

  it('is empty for no entries', () => {
    const set = compileIpSet([]);
    expect(set.size).toBe(0);
    expect(set.has('1.2.3.4')).toBe(false);
    expect(set.has('::1')).toBe(false);
  });

  it('answers hasAddress like has', () => {
    const set = compileIpSet(['10.0.0.0/8', '2001:db8::/32']);
    for (const ip of ['10.1.1.1', '11.1.1.1', '::ffff:10.0.0.1', '2001:db8::5', '2001:db9::5']) {
      const a = parseIp(ip);
      expect(a).not.toBeNull();
      expect(set.hasAddress(a!)).toBe(set.has(ip));
    }
  });
});

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface NaiveRange {
  family: 4 | 6;
  lo: bigint;
  hi: bigint;
}

const MAPPED_LO = 0xffffn << 32n;
const MAPPED_HI = MAPPED_LO | 0xffffffffn;

function v4Text(v: bigint): string {
  const n = Number(v);
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Full, uncompressed spelling: the test does not use the formatter it checks. */
function v6Text(v: bigint): string {
  const g: string[] = [];
  for (let k = 7; k >= 0; k--) g.push(((v >> BigInt(16 * k)) & 0xffffn).toString(16));
  return g.join(':');
}

/** A linear scan with BigInt arithmetic: slow, obviously right. Mapped viewers are IPv4 viewers. */
function naiveHas(ranges: NaiveRange[], family: 4 | 6, value: bigint): boolean {
  let f = family;
  let v = value;
  if (f === 6 && v >= MAPPED_LO && v <= MAPPED_HI) {
    f = 4;
    v -= MAPPED_LO;
  }
  return ranges.some((r) => r.family === f && r.lo <= v && v <= r.hi);
}

describe('compileIpSet against a linear scan', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('agrees on random CIDRs and probes (seed %d)', (seed) => {
    // Prepare: values from a small universe so ranges nest, overlap, touch and repeat.
    const rnd = prng(seed);
    const int = (n: number): number => Math.floor(rnd() * n);
    const bits = (n: number): bigint => {
      let v = 0n;
      for (let i = 0; i < n; i += 16) v = (v << 16n) | BigInt(int(0x10000));
      return v & ((1n << BigInt(n)) - 1n);
    };
    const v4Bases = [0x0a000000n, 0x0a010000n, 0xc0a80000n, 0xffffff00n, 0n];
    const v6Bases = [0x20010db8n << 96n, (0x20010db8n << 96n) | (1n << 80n), 0xfe80n << 112n, MAPPED_LO, 0n];
    const entries: string[] = [];
    const ranges: NaiveRange[] = [];
    const count = 20 + int(300);
    for (let i = 0; i < count; i++) {
      if (rnd() < 0.5) {
        const p = int(40) === 0 ? int(33) : 18 + int(15);
        const host = 32 - p;
        const raw = v4Bases[int(v4Bases.length)] | bits(20);
        const lo = (raw >> BigInt(host)) << BigInt(host);
        const hi = lo | ((1n << BigInt(host)) - 1n);
        const asMapped = rnd() < 0.2;
        entries.push(asMapped ? `::ffff:${v4Text(lo)}/${96 + p}` : p === 32 && rnd() < 0.5 ? v4Text(lo) : `${v4Text(lo)}/${p}`);
        ranges.push({ family: 4, lo, hi });
      } else {
        const p = int(40) === 0 ? int(97) : 90 + int(39);
        const host = 128 - p;
        const raw = v6Bases[int(v6Bases.length)] | bits(48) | (rnd() < 0.3 ? bits(96) : 0n);
        const lo = (raw >> BigInt(host)) << BigInt(host);
        const hi = lo | ((1n << BigInt(host)) - 1n);
        const mapped = p >= 96 && lo >= MAPPED_LO && lo <= MAPPED_HI;
        if (mapped) {
          ranges.push({ family: 4, lo: lo - MAPPED_LO, hi: hi - MAPPED_LO });
        } else {
          ranges.push({ family: 6, lo, hi });
        }
        // normalizeIp would write a mapped address as IPv4, which takes an IPv4 prefix length.
        const text = rnd() < 0.5 ? v6Text(lo) : mapped ? `::ffff:${v4Text(lo - MAPPED_LO)}` : (normalizeIp(v6Text(lo)) as string);
        entries.push(p === 128 && rnd() < 0.5 ? text : `${text}/${p}`);
      }
    }
    expect(entries.filter((e) => cidrError(e) !== null)).toEqual([]);
    const set = compileIpSet(entries);
    const probes: Array<[4 | 6, bigint]> = [];
    for (const r of ranges) {
      const max = r.family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
      for (const v of [r.lo - 1n, r.lo, r.hi, r.hi + 1n]) if (v >= 0n && v <= max) probes.push([r.family, v]);
    }
    for (let i = 0; i < 2000; i++) {
      probes.push(rnd() < 0.5 ? [4, v4Bases[int(v4Bases.length)] | bits(20)] : [6, v6Bases[int(v6Bases.length)] | bits(48)]);
    }
    // Act & Assess
    let mismatches = 0;
    let inside = 0;
    for (const [family, v] of probes) {
      const text = family === 4 ? v4Text(v) : v6Text(v);
      const expected = naiveHas(ranges, family, v);
      if (expected) inside++;
      if (set.has(text) !== expected) mismatches++;
      const normal = normalizeIp(text);
      if (normal === null || set.has(normal) !== expected) mismatches++;
    }
    expect(set.size).toBe(entries.length);
    // Both answers must be common, or the comparison proves little.
    expect(inside).toBeGreaterThan(probes.length / 20);
    expect(probes.length - inside).toBeGreaterThan(probes.length / 20);
    expect(mismatches).toBe(0);
  });
});
