import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { ParseResult } from '../../../edge/adapters/secrets';
import { delay } from './helpers';
import { acl, harness } from './secrets-setup';

describe('CachedSecret', () => {
  it('fetches once, then serves the fresh value with no I/O', async () => {
    // Prepare
    const h = harness();
    h.mocks['us-east-1'].on(GetSecretValueCommand, { SecretId: 'gatekeeper/acl' }).resolves({ SecretString: acl('v1'), VersionId: 'ver-1' });

    // Act
    const first = await h.secret.get();
    h.clock.t += 59_999;
    const second = await h.secret.get();

    // Assess
    expect(first).toEqual({ value: { version: 'v1' }, fetchedAt: 1_000_000, version: 'ver-1' });
    expect(second).toEqual(first);
    expect(h.total()).toBe(1);
    expect(h.parse).toHaveBeenCalledTimes(1);
    expect(h.lines).toEqual(['GK_SECRET loaded region=us-east-1 version=ver-1 secret=gatekeeper/acl']);
  });

  it('refreshes once the TTL has passed and serves the new document', async () => {
    const h = harness();
    h.mocks['us-east-1']
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: acl('v1'), VersionId: 'ver-1' })
      .resolvesOnce({ SecretString: acl('v2'), VersionId: 'ver-2' });

    await h.secret.get();
    h.clock.t += 60_000;
    const after = await h.secret.get();

    expect(after).toEqual({ value: { version: 'v2' }, fetchedAt: 1_060_000, version: 'ver-2' });
    expect(h.calls('us-east-1')).toBe(2);
  });

  it('tries the function’s own region first when it holds a replica', async () => {
    const h = harness({ ownRegion: 'eu-west-1' });
    h.mocks['us-east-1'].on(GetSecretValueCommand).resolves({ SecretString: acl('primary') });
    h.mocks['eu-west-1'].on(GetSecretValueCommand).resolves({ SecretString: acl('replica') });

    const got = await h.secret.get();

    expect(h.secret.regionOrder).toEqual(['eu-west-1', 'us-east-1']);
    expect(got?.value.version).toBe('replica');
    expect(h.calls('eu-west-1')).toBe(1);
    expect(h.calls('us-east-1')).toBe(0);
  });

  it('keeps the configured order when the own region holds no replica', async () => {
    const h = harness({ ownRegion: 'ap-southeast-2' });
    h.mocks['us-east-1'].on(GetSecretValueCommand).resolves({ SecretString: acl('primary') });

    const got = await h.secret.get();

    expect(h.secret.regionOrder).toEqual(['us-east-1', 'eu-west-1']);
    expect(got?.value.version).toBe('primary');
    expect(h.calls('ap-southeast-2')).toBe(0);
  });

  it('falls through to the next region when one fails', async () => {
    const h = harness({ ownRegion: 'eu-west-1' });
    h.mocks['eu-west-1'].on(GetSecretValueCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    h.mocks['us-east-1'].on(GetSecretValueCommand).resolves({ SecretString: acl('primary'), VersionId: 'p1' });

    const got = await h.secret.get();

    expect(got?.value.version).toBe('primary');
    expect(h.calls('eu-west-1')).toBe(1);
    expect(h.lines).toEqual([
      'GK_SECRET fetch_failed region=eu-west-1 error=ThrottlingException: Rate exceeded secret=gatekeeper/acl',
      'GK_SECRET loaded region=us-east-1 version=p1 secret=gatekeeper/acl',
    ]);
  });

  it('falls through to the next region when one does not answer in time, aborting the request', async () => {
    const h = harness({ fetchTimeoutMs: 80 });
    h.mocks['us-east-1'].on(GetSecretValueCommand).callsFake(() => new Promise(() => undefined));
    h.mocks['eu-west-1'].on(GetSecretValueCommand).resolves({ SecretString: acl('replica') });

    const started = Date.now();
    const got = await h.secret.get();
    const elapsed = Date.now() - started;

    expect(got?.value.version).toBe('replica');
    expect(elapsed).toBeGreaterThanOrEqual(70);
    expect(elapsed).toBeLessThan(1000);
    const options = (h.mocks['us-east-1'].call(0).args as unknown[])[1] as { abortSignal: AbortSignal };
    expect(options.abortSignal.aborted).toBe(true);
    expect(h.lines[0]).toBe('GK_SECRET fetch_failed region=us-east-1 error=FetchTimeout: no answer within 80 ms secret=gatekeeper/acl');
  });

  it('does not parse a document identical to the cached one, only refreshes fetchedAt and version', async () => {
    const h = harness();
    h.mocks['us-east-1']
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: acl('v1'), VersionId: 'ver-1' })
      .resolvesOnce({ SecretString: acl('v1'), VersionId: 'ver-1b' });

    const first = await h.secret.get();
    h.clock.t += 61_000;
    const second = await h.secret.get();

    expect(h.parse).toHaveBeenCalledTimes(1);
    expect(second).toEqual({ value: { version: 'v1' }, fetchedAt: 1_061_000, version: 'ver-1b' });
    expect(second?.value).toBe(first?.value);
    // The refreshed fetchedAt restarts the TTL.
    h.clock.t += 59_000;
    await h.secret.get();
    expect(h.total()).toBe(2);
  });

  it('lets concurrent callers share one in-flight fetch', async () => {
    const h = harness();
    h.mocks['us-east-1'].on(GetSecretValueCommand).callsFake(() => delay(30, { SecretString: acl('v1') }));

    const all = await Promise.all(Array.from({ length: 8 }, () => h.secret.get()));

    expect(h.total()).toBe(1);
    expect(h.parse).toHaveBeenCalledTimes(1);
    expect(all.map((g) => g?.value.version)).toEqual(Array(8).fill('v1'));
  });

  it('serves a signing key with a parse of {"kid","privateKey"} and never logs the key', async () => {
    const privateKey = 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A';
    const parseKey = (text: string): ParseResult<{ kid: string; seed: string }> => {
      const o = JSON.parse(text) as { kid?: unknown; privateKey?: unknown };
      return typeof o.kid === 'string' && typeof o.privateKey === 'string'
        ? { ok: true, value: { kid: o.kid, seed: o.privateKey } }
        : { ok: false, errors: ['privateKey: missing'] };
    };
    const h = harness({ secretId: 'gatekeeper/signing-key', regions: ['eu-west-1'], ownRegion: 'us-east-1', parse: parseKey });
    h.mocks['eu-west-1'].on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ kid: 'gk-2026-12', privateKey }) });

    const got = await h.secret.get();

    expect(got?.value).toEqual({ kid: 'gk-2026-12', seed: privateKey });
    expect(h.calls('us-east-1')).toBe(0);
    expect(h.lines.join('\n')).not.toContain(privateKey.slice(0, 12));
  });
});
