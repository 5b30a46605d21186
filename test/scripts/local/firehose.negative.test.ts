import { auditRowOf, LocalFirehose } from '../../../scripts/local/firehose';
import { auditRecord } from './auditRecords';

const good = auditRecord();
const json = (over: Record<string, unknown>): string => JSON.stringify({ ...good, ...over });

describe('auditRowOf: what Firehose format conversion would refuse goes to errors', () => {
  it.each([
    ['not JSON', 'nope', 'not valid JSON'],
    ['an array', '[1]', 'not a JSON object'],
    ['null', 'null', 'not a JSON object'],
    ['a string column given a number', json({ request_id: 7 }), 'request_id: not a string'],
    ['an int column given a string', json({ status: '200' }), 'status: not an int'],
    ['an int column given a fraction', json({ status: 200.5 }), 'status: not an int'],
    ['an int column beyond int32', json({ status: 2 ** 31 }), 'status: not an int'],
    ['a bigint column beyond 2^53', json({ duration_us: 2 ** 53 }), 'duration_us: not a bigint'],
    ['a bigint column given a boolean', json({ grant_exp: true }), 'grant_exp: not a bigint'],
    ['no ts', json({ ts: undefined }), 'ts: missing'],
    ['ts null', json({ ts: null }), 'ts: missing'],
    ['ts past year 9999', json({ ts: 253402300800000 }), 'ts: out of range'],
  ])('%s', (_name, text, error) => {
    expect(auditRowOf(text)).toEqual({ error });
  });

  it('an absent or null column is null, unknown fields are reported, not kept', () => {
    const r = auditRowOf(json({ user_agent: undefined, grant_sub: null, surprise: 1 }));
    expect(r).toEqual({ row: { ...good, user_agent: null, grant_sub: null }, unknown: ['surprise'] });
  });
});

describe('LocalFirehose options are checked at construction, naming the option', () => {
  const ok = { endpoint: 'http://127.0.0.1:1', streamName: 's', outDir: '/tmp/x' };
  it.each([
    [{ ...ok, endpoint: '127.0.0.1:1' }, /^endpoint: /],
    [{ ...ok, streamName: 'a b' }, /^streamName: /],
    [{ ...ok, outDir: '' }, /^outDir: /],
    [{ ...ok, flushIntervalMs: 0 }, /^flushIntervalMs: /],
    [{ ...ok, pollIntervalMs: 1.5 }, /^pollIntervalMs: /],
  ])('%j', (opts, message) => {
    expect(() => new LocalFirehose(opts)).toThrow(message);
  });

  it('flush() before start() is refused', async () => {
    await expect(new LocalFirehose(ok).flush()).rejects.toThrow(/not started/);
  });
});
