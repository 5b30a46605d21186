/**
 * Strict JSON for tokens and request bodies: RFC 8259 syntax (JSON.parse), plus
 * the I-JSON rules (RFC 7493) that JSON.parse does not enforce: no duplicate
 * member names at any depth (so two parsers can never disagree about which
 * value counts) and no lone surrogates, raw or escaped (they have no UTF-8 form).
 */

export type JsonObjectResult = { ok: true; value: Record<string, unknown> } | { ok: false; detail: string };

/**
 * Never throws. `detail` is a short internal reason and never echoes the input.
 * `integersOnly` refuses any number written with a fraction or an exponent
 * (`1.0`, `1e0`): PROTOCOL's numbers are ints, and a verifier in a language
 * that parses them into an integer type would refuse those spellings.
 */
export function parseJsonObject(text: string, opts: { integersOnly?: boolean } = {}): JsonObjectResult {
  if (typeof text !== 'string') return { ok: false, detail: 'not a string' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, detail: 'invalid JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, detail: 'top level is not an object' };
  }
  const problem = scan(text, opts.integersOnly === true);
  if (problem !== null) return { ok: false, detail: problem };
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Walks text that JSON.parse has already accepted, so it only has to tell
 * member names from other strings: a string is a name exactly when the
 * innermost container is an object and the string follows `{` or `,`.
 * One pass, an explicit stack (no recursion), no regular expressions.
 */
function scan(text: string, integersOnly: boolean): string | null {
  const stack: Array<Set<string> | null> = [];
  let names: Set<string> | null = null; // null: inside an array (or at top level)
  let expectName = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i + 1;
      let escaped = false;
      let surrogate = false;
      for (i = start; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x22) break;
        if (d === 0x5c) {
          escaped = true;
          i++; // the escaped character cannot end the string
        } else if (d >= 0xd800 && d <= 0xdfff) {
          surrogate = true;
        }
      }
      let decoded: string | null = null;
      if (escaped || surrogate) {
        decoded = escaped ? (JSON.parse(text.slice(start - 1, i + 1)) as string) : text.slice(start, i);
        if (!isWellFormed(decoded)) return 'lone surrogate';
      }
      if (expectName && names !== null) {
        const name = decoded ?? text.slice(start, i);
        if (names.has(name)) return 'duplicate key';
        names.add(name);
      }
      expectName = false;
    } else if (c === 0x7b) {
      stack.push(names);
      names = new Set<string>();
      expectName = true;
    } else if (c === 0x5b) {
      stack.push(names);
      names = null;
      expectName = false;
    } else if (c === 0x7d || c === 0x5d) {
      names = stack.pop() ?? null;
      expectName = false;
    } else if (c === 0x2c) {
      expectName = names !== null;
    } else if (integersOnly && (c === 0x2e || ((c === 0x65 || c === 0x45) && i > 0 && isDigit(text.charCodeAt(i - 1))))) {
      // Outside strings a `.` only occurs in a fraction, and an e/E after a
      // digit only in an exponent (the e of true/false follows a letter).
      return 'non-integer number';
    }
  }
  return null;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isWellFormed(s: string): boolean {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c >= 0xdc00) return false;
    const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
    if (next < 0xdc00 || next > 0xdfff) return false;
    i++;
  }
  return true;
}
