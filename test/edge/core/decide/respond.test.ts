import { truncate } from '../../../../edge/core/decide/respond';

describe('truncate (user agents in audit records)', () => {
  it('keeps short strings and null as they are', () => {
    expect(truncate(null, 5)).toBeNull();
    expect(truncate('abc', 5)).toBe('abc');
  });

  it('cuts at the limit', () => {
    expect(truncate('abcdef', 4)).toBe('abcd');
  });

  it('never leaves half a surrogate pair', () => {
    const s = 'abc\u{1F600}def'; // the emoji is units 3 and 4
    expect(truncate(s, 4)).toBe('abc');
    expect(truncate(s, 5)).toBe('abc\u{1F600}');
  });
});
