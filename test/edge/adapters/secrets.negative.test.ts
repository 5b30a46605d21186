import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { CachedSecret } from '../../../edge/adapters/secrets';
import { acl, harness } from './secrets-setup';

const notFound = () => new ResourceNotFoundException({ message: 'Secrets Manager can’t find the specified secret.', $metadata: { httpStatusCode: 400 } });

describe('CachedSecret failures', () => {
  it('fails closed (null) while there has never been a good document', async () => {
    // Prepare
    const h = harness();
    h.mocks['us-east-1'].on(GetSecretValueCommand).rejects(notFound());
    h.mocks['eu-west-1'].on(GetSecretValueCommand).rejects(new Error('socket hang up'));

    // Act
    const got = await h.secret.get();

    // Assess
    expect(got).toBeNull();
    expect(h.calls('us-east-1')).toBe(1);
    expect(h.calls('eu-west-1')).toBe(1);
    expect(h.lines).toEqual([
      'GK_SECRET fetch_failed region=us-east-1 error=ResourceNotFoundException (400): Secrets Manager can’t find the specified secret. secret=gatekeeper/acl',
      'GK_SECRET fetch_failed region=eu-west-1 error=Error: socket hang up secret=gatekeeper/acl',
      'GK_SECRET unavailable regions=us-east-1,eu-west-1 keeping=none secret=gatekeeper/acl',
    ]);
  });

  it('keeps the last good document, with its original fetchedAt, when every region fails', async () => {
    const h = harness();
    h.mocks['us-east-1'].on(GetSecretValueCommand).resolvesOnce({ SecretString: acl('v1'), VersionId: 'ver-1' }).rejects(notFound());
    h.mocks['eu-west-1'].on(GetSecretValueCommand).rejects(new Error('timeout'));

    await h.secret.get();
    h.clock.t += 90_000;
    const got = await h.secret.get();

    expect(got).toEqual({ value: { version: 'v1' }, fetchedAt: 1_000_000, version: 'ver-1' });
    expect(h.calls('us-east-1')).toBe(2);
    expect(h.lines[h.lines.length - 1]).toBe('GK_SECRET unavailable regions=us-east-1,eu-west-1 keeping=last_good secret=gatekeeper/acl');
  });

  it('backs off after a failure: no fetch for 5 s, then one again', async () => {
    const h = harness();
    h.mocks['us-east-1'].on(GetSecretValueCommand).rejects(notFound());
    h.mocks['eu-west-1'].on(GetSecretValueCommand).rejectsOnce(notFound()).resolves({ SecretString: acl('v9') });

    expect(await h.secret.get()).toBeNull();
    h.clock.t += 4_999;
    expect(await h.secret.get()).toBeNull();
    expect(h.total()).toBe(2);
    h.clock.t += 1;
    const got = await h.secret.get();

    expect(got?.value.version).toBe('v9');
    expect(h.total()).toBe(4);
  });

  it('honours a custom backoff', async () => {
    const h = harness({ failureBackoffMs: 200 });
    h.mocks['us-east-1'].on(GetSecretValueCommand).rejects(notFound());
    h.mocks['eu-west-1'].on(GetSecretValueCommand).rejects(notFound());

    await h.secret.get();
    h.clock.t += 199;
    await h.secret.get();
    h.clock.t += 1;
    await h.secret.get();

    expect(h.total()).toBe(4);
  });

  it('ignores an invalid document: last good kept, errors logged without content, not parsed again while unchanged', async () => {
    const marker = 'SENSITIVE-CONTENT-4f1c2a';
    const bad = JSON.stringify({ version: 'v2', ips: marker });
    const h = harness();
    h.mocks['us-east-1']
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: acl('v1'), VersionId: 'ver-1' })
      .resolves({ SecretString: bad, VersionId: 'ver-2' });

    await h.secret.get();
    h.clock.t += 60_000;
    const afterBad = await h.secret.get();
    h.clock.t += 30_000;
    await h.secret.get(); // still within the re-check interval: no I/O
    h.clock.t += 30_000;
    const later = await h.secret.get();

    expect(afterBad).toEqual({ value: { version: 'v1' }, fetchedAt: 1_000_000, version: 'ver-1' });
    expect(later).toEqual(afterBad);
    expect(h.calls('us-east-1')).toBe(3);
    expect(h.calls('eu-west-1')).toBe(0); // the region answered; its document is authoritative
    expect(h.parse).toHaveBeenCalledTimes(2);
    expect(h.lines).toEqual([
      'GK_SECRET loaded region=us-east-1 version=ver-1 secret=gatekeeper/acl',
      'GK_SECRET invalid region=us-east-1 version=ver-2 errors=["ips: unknown field"] keeping=last_good secret=gatekeeper/acl',
      'GK_SECRET invalid_unchanged region=us-east-1 version=ver-2 keeping=last_good secret=gatekeeper/acl',
    ]);
    expect(h.lines.join('\n')).not.toContain(marker);
  });

  it('takes a fixed document after an invalid one', async () => {
    const h = harness();
    h.mocks['us-east-1']
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: acl('v1') })
      .resolvesOnce({ SecretString: '{"version":1}' })
      .resolves({ SecretString: acl('v3') });

    await h.secret.get();
    h.clock.t += 60_000;
    await h.secret.get();
    h.clock.t += 60_000;
    const got = await h.secret.get();

    expect(got).toEqual({ value: { version: 'v3' }, fetchedAt: 1_120_000, version: undefined });
  });

  it('fails closed on an invalid first document and re-checks it after the backoff, not the TTL', async () => {
    const h = harness();
    h.mocks['us-east-1'].on(GetSecretValueCommand).resolvesOnce({ SecretString: '{}' }).resolves({ SecretString: acl('v1') });

    expect(await h.secret.get()).toBeNull();
    h.clock.t += 5_000;
    const got = await h.secret.get();

    expect(got?.value.version).toBe('v1');
    expect(h.lines[0]).toBe('GK_SECRET invalid region=us-east-1 version=- errors=["version: must be a string"] keeping=none secret=gatekeeper/acl');
  });

  it('logs only the error name when parse throws (a JSON.parse message quotes the document)', async () => {
    const marker = 'privateKeyMaterial-ZZZ';
    const h = harness({ parse: (t: string) => ({ ok: true, value: JSON.parse(t) as unknown }) });
    h.mocks['us-east-1'].on(GetSecretValueCommand).resolves({ SecretString: `${marker} not json` });

    const got = await h.secret.get();

    expect(got).toBeNull();
    expect(h.lines[0]).toBe('GK_SECRET invalid region=us-east-1 version=- errors=["parse threw SyntaxError"] keeping=none secret=gatekeeper/acl');
    expect(h.lines.join('\n')).not.toContain('privateKey');
  });

  it('treats a binary secret (no SecretString) as invalid', async () => {
    const h = harness();
    h.mocks['us-east-1'].on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });

    expect(await h.secret.get()).toBeNull();
    expect(h.parse).not.toHaveBeenCalled();
    expect(h.lines[0]).toContain('errors=["no SecretString (binary secret)"]');
  });

  it('caps the logged errors and strips line breaks from them', async () => {
    const errors = Array.from({ length: 13 }, (_, i) => `f${i}: bad\nGK_AUDIT_FALLBACK {}`);
    const h = harness({ parse: () => ({ ok: false, errors }) });
    h.mocks['us-east-1'].on(GetSecretValueCommand).resolves({ SecretString: 'x' });

    await h.secret.get();

    expect(h.lines).toHaveLength(1);
    expect(h.lines[0]).not.toContain('\n');
    expect(h.lines[0]).toContain('"f9: bad?GK_AUDIT_FALLBACK {}"] (+3 more)');
    expect(h.lines[0]).not.toContain('f10:');
  });

  it('keeps working when the logger throws', async () => {
    const h = harness({
      log: () => {
        throw new Error('log down');
      },
    });
    h.mocks['us-east-1'].on(GetSecretValueCommand).resolves({ SecretString: acl('v1') });

    await expect(h.secret.get()).resolves.toMatchObject({ value: { version: 'v1' } });
  });

  it('falls through when the client factory itself throws', async () => {
    const replica = new SecretsManagerClient({ region: 'eu-west-1' });
    mockClient(replica).on(GetSecretValueCommand).resolves({ SecretString: 'doc' });
    const lines: string[] = [];
    const secret = new CachedSecret({
      secretId: 's',
      regions: ['us-east-1', 'eu-west-1'],
      ttlMs: 1000,
      parse: (t: string) => ({ ok: true, value: t }),
      client: (r) => {
        if (r === 'us-east-1') throw new Error('no client');
        return replica;
      },
      now: () => 0,
      log: (l) => lines.push(l),
    });

    const got = await secret.get();

    expect(got?.value).toBe('doc');
    expect(lines[0]).toBe('GK_SECRET fetch_failed region=us-east-1 error=Error: no client secret=s');
  });

  it.each([
    ['secretId', { secretId: '' }],
    ['regions', { regions: [] }],
    ['ttlMs', { ttlMs: 0 }],
    ['fetchTimeoutMs', { fetchTimeoutMs: -1 }],
    ['failureBackoffMs', { failureBackoffMs: Number.NaN }],
  ])('refuses a bad %s at construction', (field, over) => {
    expect(() => harness(over as never)).toThrow(field);
  });
});
