import { describeError, redact } from '../../../edge/adapters/log';

describe('log helpers on hostile input', () => {
  it('redact cannot start a new log line', () => {
    expect(redact('\nGK_AUDIT_FALLBACK {}')).toBe('?GK_AUDI…21');
  });

  it('describeError survives values that are not errors', () => {
    expect(describeError(undefined)).toBe('non-error thrown');
    expect(describeError('boom')).toBe('non-error thrown');
    expect(describeError({})).toBe('Error');
    expect(describeError({ name: 'X', message: 'line1\nGK_AUDIT_FALLBACK {}' })).toBe('X: line1?GK_AUDIT_FALLBACK {}');
  });
});
