import { describeError, oneLine, redact } from '../../../edge/adapters/log';

describe('redact', () => {
  it('keeps the first 8 characters and the length', () => {
    const token = 'eyJ2IjoxLCJraWQiOiJ2ZW5kb3ItMjAyNi0xMiJ9.c2lnbmF0dXJlLWJ5dGVz';

    expect(redact(token)).toBe(`eyJ2Ijox…${token.length}`);
  });

  it('shows at most half of a short value, so it is never logged in full', () => {
    expect(redact('abcdefghij')).toBe('abcde…10');
    expect(redact('abc')).toBe('a…3');
    expect(redact('a')).toBe('…1');
    expect(redact('')).toBe('…0');
  });
});

describe('oneLine', () => {
  it('replaces control characters and line separators, and truncates', () => {
    expect(oneLine('a\nb\rc\u0000d\u2028e\u2029f\u0085g')).toBe('a?b?c?d?e?f?g');
    expect(oneLine('x'.repeat(10), 4)).toBe('xxxx…');
  });
});

describe('describeError', () => {
  it('names an SDK error with its HTTP status and message', () => {
    const e = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

    expect(describeError(e)).toBe('ThrottlingException (400): Rate exceeded');
  });
});
