/**
 * Viewer addresses and ACL address lists (PROTOCOL "Viewer IP and country",
 * "ACL document").
 *
 * One hand-written parser serves normalization, CIDR parsing and lookups, so
 * the three can never disagree about what an address is. It is strict on
 * purpose: the cosig binds the viewer IP as a string, so every address must
 * have exactly one accepted meaning and one written form.
 * - IPv4: exactly four decimal parts 0-255, no leading zeros (`010` is octal
 *   to some parsers and decimal to others), no shorthand (`127.1`), no hex.
 * - IPv6: RFC 4291 section 2.2 text, optionally with a dotted-quad tail; `::`
 *   stands for one or more zero groups; no zone id (`%eth0`), brackets, port,
 *   prefix or whitespace.
 * - IPv4-mapped IPv6 (`::ffff:a.b.c.d`, in any spelling) is the IPv4 address.
 *
 * Lookups merge the ranges into sorted, disjoint intervals per family and
 * binary-search them, so a lookup costs O(log n) and allocates nothing.
 */

/** A parsed address; IPv4 (also when written mapped) keeps its value in `words[3]`, the others zero. */
export interface IpAddress {
  readonly family: 4 | 6;
  /** The 128-bit address (or the 32-bit one in `words[3]`) as four big-endian 32-bit words. */
  readonly words: Uint32Array;
}

/** A CIDR range as written in the ACL, with its canonical network address. */
export interface IpRange {
  readonly family: 4 | 6;
  /** Normalized network address (host bits are zero). */
  readonly network: string;
  readonly prefixLength: number;
  /** `network/prefixLength`. */
  readonly cidr: string;
}

export interface IpSet {
  /** The number of entries compiled into the set (before merging). */
  readonly size: number;
  /** Any valid address form is accepted; anything else is not in the set (never throws). */
  has(ip: string): boolean;
  /** For a caller that already parsed the address (one parse for several sets). */
  hasAddress(address: IpAddress): boolean;
}

const V4 = 4;
const V6 = 6;
/** IPv6 text that is an IPv4-mapped address: `words` holds the IPv6 form, `words[3]` the IPv4 one. */
const MAPPED = 5;
const INVALID = 0;
type Kind = typeof V4 | typeof V6 | typeof MAPPED | typeof INVALID;

/** The longest accepted text: `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`. */
const MAX_IP_LENGTH = 45;

// Scratch space: the parser is synchronous and not re-entrant, so one buffer
// serves every call without allocating.
const groups = new Uint16Array(8);
const scratch = new Uint32Array(4);

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x57;
  return -1;
}

/** Strict dotted quad in `s[from, to)`; the value as an unsigned number, or -1. */
function parseV4(s: string, from: number, to: number): number {
  let value = 0;
  let parts = 0;
  let i = from;
  for (;;) {
    const start = i;
    let octet = 0;
    while (i < to) {
      const d = s.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      octet = octet * 10 + d;
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || octet > 255) return -1;
    if (digits > 1 && s.charCodeAt(start) === 0x30) return -1;
    value = value * 256 + octet;
    parts++;
    if (i === to) break;
    if (parts === 4 || s.charCodeAt(i) !== 0x2e) return -1;
    i++;
  }
  return parts === 4 ? value : -1;
}

/** IPv6 text in `s[0, to)` into `groups`; false when it is not valid. */
function parseV6(s: string, to: number): boolean {
  let n = 0;
  let gap = -1; // index in `groups` where `::` stands
  let i = 0;
  if (to < 2) return false;
  if (s.charCodeAt(0) === 0x3a) {
    if (s.charCodeAt(1) !== 0x3a) return false;
    gap = 0;
    i = 2;
    if (i === to) {
      groups.fill(0);
      return true;
    }
  }
  for (;;) {
    const start = i;
    let v = 0;
    while (i < to) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      v = v * 16 + h;
      i++;
    }
    const digits = i - start;
    if (i < to && s.charCodeAt(i) === 0x2e) {
      // A dotted-quad tail: the last 32 bits, and nothing may follow it.
      if (n > 6) return false;
      const v4 = parseV4(s, start, to);
      if (v4 < 0) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      break;
    }
    if (digits === 0 || digits > 4 || n === 8) return false;
    groups[n++] = v;
    if (i === to) break;
    if (s.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i === to) return false;
    if (s.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = n;
      i++;
      if (i === to) break;
    }
  }
  if (gap < 0) return n === 8;
  // `::` stands for at least one group (RFC 4291), so at most 7 are written.
  if (n > 7) return false;
  const tail = n - gap;
  for (let k = 0; k < tail; k++) groups[7 - k] = groups[n - 1 - k];
  for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  return true;
}

/** Parses `s[0, to)` into `out` and tells what it is. */
function parseInto(s: string, to: number, out: Uint32Array): Kind {
  if (to > MAX_IP_LENGTH) return INVALID;
  let colon = false;
  for (let i = 0; i < to; i++) {
    if (s.charCodeAt(i) === 0x3a) {
      colon = true;
      break;
    }
  }
  if (!colon) {
    const v = parseV4(s, 0, to);
    if (v < 0) return INVALID;
    out[0] = 0;
    out[1] = 0;
    out[2] = 0;
    out[3] = v;
    return V4;
  }
  if (!parseV6(s, to)) return INVALID;
  out[0] = ((groups[0] << 16) | groups[1]) >>> 0;
  out[1] = ((groups[2] << 16) | groups[3]) >>> 0;
  out[2] = ((groups[4] << 16) | groups[5]) >>> 0;
  out[3] = ((groups[6] << 16) | groups[7]) >>> 0;
  return out[0] === 0 && out[1] === 0 && out[2] === 0xffff ? MAPPED : V6;
}

function formatV4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** RFC 5952 section 4: lower case, no leading zeros, the first longest run of two or more zero groups as `::`. */
function formatV6(words: Uint32Array): string {
  const g = [
    words[0] >>> 16,
    words[0] & 0xffff,
    words[1] >>> 16,
    words[1] & 0xffff,
    words[2] >>> 16,
    words[2] & 0xffff,
    words[3] >>> 16,
    words[3] & 0xffff,
  ];
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
  const head = g
    .slice(0, bestStart)
    .map((x) => x.toString(16))
    .join(':');
  const tail = g
    .slice(bestStart + bestLength)
    .map((x) => x.toString(16))
    .join(':');
  return `${head}::${tail}`;
}

/**
 * The one written form of an address (PROTOCOL "Viewer IP and country"), or
 * null when `s` is not an address as described at the top of this file.
 * IPv6 is written all in hex, even where RFC 5952 section 5 would allow a
 * dotted tail: one form is enough. Never throws.
 */
export function normalizeIp(s: string): string | null {
  if (typeof s !== 'string') return null;
  const kind = parseInto(s, s.length, scratch);
  if (kind === INVALID) return null;
  if (kind === V6) return formatV6(scratch);
  return formatV4(scratch[3]);
}

/** The address as numbers, or null. Never throws. */
export function parseIp(s: string): IpAddress | null {
  if (typeof s !== 'string') return null;
  const words = new Uint32Array(4);
  const kind = parseInto(s, s.length, words);
  if (kind === INVALID) return null;
  if (kind === V6) return { family: 6, words };
  words[0] = 0;
  words[1] = 0;
  words[2] = 0;
  return { family: 4, words };
}

/** Prefix length digits after the `/`: decimal, no leading zero, or -1. */
function parsePrefix(s: string, from: number): number {
  const digits = s.length - from;
  if (digits < 1 || digits > 3) return -1;
  if (digits > 1 && s.charCodeAt(from) === 0x30) return -1;
  let v = 0;
  for (let i = from; i < s.length; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** The mask of word `k` (0-3, most significant first) for a 128-bit prefix length. */
function wordMask(prefix128: number, k: number): number {
  const bits = prefix128 - 32 * k;
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

const NOT_A_CIDR = 'not a CIDR';

// What `scanCidr` found: scratch again, because compiling 100,000 entries
// should not allocate per entry.
const CIDR_OK = 0;
const CIDR_MALFORMED = 1;
const CIDR_PREFIX_RANGE = 2;
const CIDR_HOST_BITS = 3;
const cidrFirst = new Uint32Array(4);
const cidrLast = new Uint32Array(4);
let cidrFamily: 4 | 6 = 4;
let cidrPrefix = 0;
let cidrMaxPrefix = 32;

/**
 * Reads one ACL entry into `cidrFirst`/`cidrLast` (IPv4 in word 3),
 * `cidrFamily` and `cidrPrefix`. An IPv4-mapped IPv6 CIDR of /96 or longer is
 * the matching IPv4 CIDR, since mapped viewers are looked up as IPv4. A
 * shorter IPv6 CIDR that covers the mapped block (`::/0`, `::/80`) stays an
 * IPv6 range and never matches an IPv4 viewer: PROTOCOL's own example lists
 * `0.0.0.0/0` and `::/0` separately, and a reader of `"::/0"` expects "every
 * IPv6 viewer", not "everyone".
 */
function scanCidr(s: string): number {
  if (typeof s !== 'string') return CIDR_MALFORMED;
  const slash = s.indexOf('/');
  const end = slash < 0 ? s.length : slash;
  const words = scratch;
  const kind = parseInto(s, end, words);
  if (kind === INVALID) return CIDR_MALFORMED;
  cidrMaxPrefix = kind === V4 ? 32 : 128;
  let prefix = cidrMaxPrefix;
  if (slash >= 0) {
    prefix = parsePrefix(s, slash + 1);
    if (prefix < 0) return CIDR_MALFORMED;
    if (prefix > cidrMaxPrefix) return CIDR_PREFIX_RANGE;
  }
  // Work in 128 bits throughout; IPv4 sits in word 3 behind a /96.
  const prefix128 = kind === V4 ? prefix + 96 : prefix;
  cidrFamily = kind === V4 || (kind === MAPPED && prefix >= 96) ? 4 : 6;
  cidrPrefix = cidrFamily === 4 ? prefix128 - 96 : prefix128;
  if (cidrFamily === 4) {
    words[0] = 0;
    words[1] = 0;
    words[2] = 0;
  }
  let hostBits = false;
  for (let k = 0; k < 4; k++) {
    const mask = wordMask(prefix128, k);
    const first = (words[k] & mask) >>> 0;
    cidrFirst[k] = first;
    cidrLast[k] = (first | ~mask) >>> 0;
    if (first !== words[k]) hostBits = true;
  }
  return hostBits ? CIDR_HOST_BITS : CIDR_OK;
}

function scannedNetwork(): string {
  return cidrFamily === 4 ? formatV4(cidrFirst[3]) : formatV6(cidrFirst);
}

/**
 * `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or `ipv6/n`; a bare address is /32
 * or /128. Host bits must be zero (`10.0.0.1/8` is refused: it usually means a
 * mistyped host). Null when invalid; never throws.
 */
export function parseCidr(s: string): IpRange | null {
  if (scanCidr(s) !== CIDR_OK) return null;
  const network = scannedNetwork();
  return { family: cidrFamily, network, prefixLength: cidrPrefix, cidr: `${network}/${cidrPrefix}` };
}

/** Why `s` is not an acceptable ACL entry (starting "not a CIDR"), or null when it is one. Never throws. */
export function cidrError(s: string): string | null {
  switch (scanCidr(s)) {
    case CIDR_OK:
      return null;
    case CIDR_PREFIX_RANGE:
      return `${NOT_A_CIDR} (the prefix length must be 0-${cidrMaxPrefix})`;
    case CIDR_HOST_BITS:
      return `${NOT_A_CIDR} (host bits set; did you mean ${scannedNetwork()}/${cidrPrefix}?)`;
    default:
      return NOT_A_CIDR;
  }
}

/** Lexicographic compare of the 4-word value at `a[i*4]` with `b[0..3]`. */
function compareAt(a: Uint32Array, i: number, b: Uint32Array): number {
  const o = i * 4;
  for (let k = 0; k < 4; k++) {
    const x = a[o + k];
    const y = b[k];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

class CompiledIpSet implements IpSet {
  constructor(
    readonly size: number,
    /** IPv4 intervals: sorted, disjoint, not touching. */
    private readonly v4First: Uint32Array,
    private readonly v4Last: Uint32Array,
    /** IPv6 intervals as 4 words each: sorted, disjoint. */
    private readonly v6First: Uint32Array,
    private readonly v6Last: Uint32Array
  ) {}

  has(ip: string): boolean {
    if (typeof ip !== 'string') return false;
    const kind = parseInto(ip, ip.length, scratch);
    if (kind === INVALID) return false;
    return kind === V6 ? this.hasV6(scratch) : this.hasV4(scratch[3]);
  }

  hasAddress(address: IpAddress): boolean {
    return address.family === 4 ? this.hasV4(address.words[3]) : this.hasV6(address.words);
  }

  private hasV4(x: number): boolean {
    const first = this.v4First;
    let lo = 0;
    let hi = first.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (first[mid] <= x) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && x <= this.v4Last[found];
  }

  private hasV6(w: Uint32Array): boolean {
    const first = this.v6First;
    let lo = 0;
    let hi = (first.length >>> 2) - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareAt(first, mid, w) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && compareAt(this.v6Last, found, w) >= 0;
  }
}

/**
 * Compiles ACL entries that `cidrError` accepted. An invalid entry throws
 * (naming its index, not its text): skipping it could silently drop a deny.
 */
export function compileIpSet(entries: readonly string[]): IpSet {
  const n = entries.length;
  // IPv4 ranges sort as one number each: first * 64 + prefix length stays
  // below 2^38, exact in a double, and a typed-array sort needs no comparator.
  const v4Keys = new Float64Array(n);
  let v4Count = 0;
  const v6First = new Uint32Array(n * 4);
  const v6Last = new Uint32Array(n * 4);
  let v6Count = 0;
  for (let i = 0; i < n; i++) {
    if (scanCidr(entries[i]) !== CIDR_OK) throw new Error(`compileIpSet: entry ${i} is not a valid CIDR`);
    if (cidrFamily === 4) {
      v4Keys[v4Count++] = cidrFirst[3] * 64 + cidrPrefix;
    } else {
      v6First.set(cidrFirst, v6Count * 4);
      v6Last.set(cidrLast, v6Count * 4);
      v6Count++;
    }
  }

  const keys = v4Keys.subarray(0, v4Count).sort();
  const v4First = new Uint32Array(v4Count);
  const v4Last = new Uint32Array(v4Count);
  let m4 = 0;
  for (let i = 0; i < v4Count; i++) {
    const prefix = keys[i] % 64;
    const first = (keys[i] - prefix) / 64;
    const last = first + 2 ** (32 - prefix) - 1;
    if (m4 > 0 && first <= v4Last[m4 - 1] + 1) {
      if (last > v4Last[m4 - 1]) v4Last[m4 - 1] = last;
    } else {
      v4First[m4] = first;
      v4Last[m4] = last;
      m4++;
    }
  }

  const order = new Array<number>(v6Count);
  for (let i = 0; i < v6Count; i++) order[i] = i;
  order.sort((a, b) => {
    const oa = a * 4;
    const ob = b * 4;
    for (let k = 0; k < 4; k++) {
      const x = v6First[oa + k];
      const y = v6First[ob + k];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
  const mergedFirst = new Uint32Array(v6Count * 4);
  const mergedLast = new Uint32Array(v6Count * 4);
  let m6 = 0;
  const candidate = new Uint32Array(4);
  for (const idx of order) {
    const o = idx * 4;
    for (let k = 0; k < 4; k++) candidate[k] = v6First[o + k];
    // Overlapping ranges merge; touching ones may stay apart (lookups do not care).
    if (m6 > 0 && compareAt(mergedLast, m6 - 1, candidate) >= 0) {
      for (let k = 0; k < 4; k++) candidate[k] = v6Last[o + k];
      if (compareAt(mergedLast, m6 - 1, candidate) < 0) mergedLast.set(candidate, (m6 - 1) * 4);
    } else {
      mergedFirst.set(v6First.subarray(o, o + 4), m6 * 4);
      mergedLast.set(v6Last.subarray(o, o + 4), m6 * 4);
      m6++;
    }
  }

  return new CompiledIpSet(
    n,
    v4First.slice(0, m4),
    v4Last.slice(0, m4),
    mergedFirst.slice(0, m6 * 4),
    mergedLast.slice(0, m6 * 4)
  );
}
