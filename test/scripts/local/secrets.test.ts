import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSecrets, versionIdOf, watchAclFile, type LocalSecrets } from '../../../scripts/local/secrets';
import { defaultLocalConfig } from '../../../scripts/local/config';
import { randomCredentials, type Credentials } from '../../../scripts/local/sigv4';

const READER = randomCredentials();

function client(endpoint: string, credentials: Credentials = READER): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { ...credentials },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 2000 }),
    maxAttempts: 1,
  });
}

describe('local Secrets Manager', () => {
  let dir: string;
  let srv: LocalSecrets;
  let sm: SecretsManagerClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3gk-secrets-'));
    writeFileSync(join(dir, 'acl.json'), '{"version":"a"}');
    writeFileSync(join(dir, 'key.json'), '{"kid":"k"}');
    srv = await startSecrets({
      secrets: { 'gk/acl': join(dir, 'acl.json'), 'gk/key': join(dir, 'key.json') },
      principals: [{ name: 'reader', credentials: READER, secrets: ['gk/acl', 'gk/key'] }],
    });
    sm = client(srv.endpoint);
  });

  afterAll(async () => {
    sm.destroy();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers GetSecretValue through the real SDK client, by name and by ARN', async () => {
    // Act
    const byName = await sm.send(new GetSecretValueCommand({ SecretId: 'gk/acl' }));
    const byArn = await sm.send(new GetSecretValueCommand({ SecretId: srv.arnOf('gk/key') }));
    // Assess
    expect(srv.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(byName.SecretString).toBe('{"version":"a"}');
    expect(byName.Name).toBe('gk/acl');
    expect(byName.ARN).toBe(srv.arnOf('gk/acl'));
    expect(byName.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:gk\/acl-[A-Za-z0-9_-]{6}$/);
    expect(byName.VersionId).toBe(versionIdOf('{"version":"a"}'));
    expect(byName.VersionStages).toEqual(['AWSCURRENT']);
    expect(byArn.SecretString).toBe('{"kid":"k"}');
  });

  it('reads the file again on every request: an edit is served at once with a new VersionId', async () => {
    // Prepare
    const before = await sm.send(new GetSecretValueCommand({ SecretId: 'gk/acl' }));
    // Act
    writeFileSync(join(dir, 'acl.json'), '{"version":"b"}');
    const after = await sm.send(new GetSecretValueCommand({ SecretId: 'gk/acl' }));
    // Assess
    expect(after.SecretString).toBe('{"version":"b"}');
    expect(after.VersionId).not.toBe(before.VersionId);
  });

  it('serves an invalid document as is (validation is the reader\'s job, as in AWS)', async () => {
    writeFileSync(join(dir, 'acl.json'), 'not json');
    const out = await sm.send(new GetSecretValueCommand({ SecretId: 'gk/acl' }));
    expect(out.SecretString).toBe('not json');
  });

  it('versionIdOf is stable per content and UUID-shaped', () => {
    expect(versionIdOf('x')).toBe(versionIdOf('x'));
    expect(versionIdOf('x')).not.toBe(versionIdOf('y'));
    expect(versionIdOf('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('watchAclFile', () => {
  it('reports an invalid edit with field-named errors, then a valid one with its version', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 's3gk-watch-'));
    const file = join(dir, 'acl.json');
    const acl = defaultLocalConfig().acl;
    writeFileSync(file, JSON.stringify(acl));
    const lines: string[] = [];
    const stop = watchAclFile(file, (l) => lines.push(l), 50);
    const waitFor = async (re: RegExp): Promise<string> => {
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        const hit = lines.find((l) => re.test(l));
        if (hit !== undefined) return hit;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`no log line matching ${re}; got ${JSON.stringify(lines)}`);
    };
    try {
      // Act
      writeFileSync(file, JSON.stringify({ ...acl, mode: 'deny-some', extra: 1 }));
      const bad = await waitFor(/INVALID/);
      writeFileSync(file, JSON.stringify({ ...acl, version: 'v-next' }));
      const good = await waitFor(/valid \(version/);
      // Assess
      expect(bad).toContain('mode');
      expect(bad).toContain('extra');
      expect(bad).toContain('keeps its last good ACL');
      expect(good).toContain('"v-next"');
    } finally {
      stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
