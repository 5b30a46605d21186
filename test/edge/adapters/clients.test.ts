import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  lazyKinesisClient,
  lazySecretsClients,
  makeClients,
  S3_REQUEST_TIMEOUT_MS,
  SECRETS_REQUEST_TIMEOUT_MS,
} from '../../../edge/adapters/clients';
import { CachedSecret } from '../../../edge/adapters/secrets';
import type { BuildConfig } from '../../../edge/config';

function config(endpoints: BuildConfig['endpoints'] = {}): BuildConfig {
  return {
    gatekeeperId: 'acme-prod',
    aclSecretId: 'gatekeeper/acl',
    aclSecretRegions: ['us-east-1', 'eu-west-1'],
    aclTtlSeconds: 60,
    signingKeySecretId: 'gatekeeper/signing-key',
    signingKeySecretRegion: 'us-east-1',
    auditStreamName: 'gatekeeper-audit',
    auditStreamRegion: 'eu-central-1',
    auditTimeoutMs: 700,
    auditFailOpen: false,
    vendorOrigins: ['https://reports.vendor.example'],
    bucket: 'customer-data',
    bucketRegion: 'eu-west-2',
    endpoints,
  };
}

/** The options a NodeHttpHandler was built with (resolved lazily by the handler itself). */
async function handlerOptions(h: unknown): Promise<Record<string, unknown>> {
  expect(h).toBeInstanceOf(NodeHttpHandler);
  return (h as { configProvider: Promise<Record<string, unknown>> }).configProvider;
}

describe('makeClients', () => {
  it('builds each client on first use and caches it (secrets: one per region)', () => {
    const c = makeClients(config());

    expect(c.secrets('us-east-1')).toBe(c.secrets('us-east-1'));
    expect(c.secrets('eu-west-1')).not.toBe(c.secrets('us-east-1'));
    expect(c.kinesis()).toBe(c.kinesis());
    expect(c.s3()).toBe(c.s3());
  });

  it('offers the same cached factories one by one, for a bundle without S3', async () => {
    const secrets = lazySecretsClients(config({ secretsManager: 'http://127.0.0.1:4566' }));
    const kinesis = lazyKinesisClient(config());

    expect(secrets('us-east-1')).toBe(secrets('us-east-1'));
    expect(kinesis()).toBe(kinesis());
    expect(await secrets('us-east-1').config.endpoint?.()).toMatchObject({ port: 4566 });
    expect(await handlerOptions(kinesis().config.requestHandler)).toMatchObject({ requestTimeout: 700, throwOnRequestTimeout: true });
  });

  it('gives every client an HTTP/1.1 NodeHttpHandler with timeouts that throw, and two attempts', async () => {
    const c = makeClients(config());
    const cases = [
      [c.secrets('eu-west-1'), 'eu-west-1', SECRETS_REQUEST_TIMEOUT_MS],
      [c.kinesis(), 'eu-central-1', 700],
      [c.s3(), 'eu-west-2', S3_REQUEST_TIMEOUT_MS],
    ] as const;

    for (const [client, region, requestTimeout] of cases) {
      const opts = await handlerOptions(client.config.requestHandler);
      expect(opts).toMatchObject({ connectionTimeout: 1000, requestTimeout, throwOnRequestTimeout: true });
      expect(await client.config.maxAttempts()).toBe(2);
      expect(await client.config.region()).toBe(region);
      expect(client.config.endpoint).toBeUndefined();
    }
    expect(c.s3().config.forcePathStyle).toBe(false);
  });

  it('points each client at its configured endpoint, S3 in path style', async () => {
    const c = makeClients(config({ secretsManager: 'http://127.0.0.1:4566', kinesis: 'http://127.0.0.1:4567', s3: 'http://127.0.0.1:4568' }));

    const sm = await c.secrets('eu-west-1').config.endpoint?.();
    const kin = await c.kinesis().config.endpoint?.();
    const s3 = await c.s3().config.endpoint?.();

    expect(sm).toMatchObject({ protocol: 'http:', hostname: '127.0.0.1', port: 4566 });
    expect(kin).toMatchObject({ protocol: 'http:', hostname: '127.0.0.1', port: 4567 });
    expect(s3).toMatchObject({ protocol: 'http:', hostname: '127.0.0.1', port: 4568 });
    expect(c.s3().config.forcePathStyle).toBe(true);
  });
});

describe('makeClients on the wire (127.0.0.1)', () => {
  const savedEnv = { ...process.env };
  let server: Server;
  let url: string;
  const seen: { httpVersion: string; target: string | undefined; body: string }[] = [];
  let respond: (req: IncomingMessage, res: ServerResponse, body: string) => void = () => undefined;

  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDLOCAL';
    process.env.AWS_SECRET_ACCESS_KEY = 'local-secret';
    delete process.env.AWS_PROFILE;
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ httpVersion: req.httpVersion, target: req.headers['x-amz-target'] as string | undefined, body });
        respond(req, res, body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    process.env = savedEnv;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('a Kinesis that never answers fails with a TimeoutError after two HTTP/1.1 attempts', async () => {
    // Prepare: accept the request and never answer.
    respond = () => undefined;
    const kinesis = makeClients({ ...config({ kinesis: url }), auditTimeoutMs: 150 }).kinesis();

    // Act
    const started = Date.now();
    const err = await kinesis
      .send(new PutRecordCommand({ StreamName: 'gatekeeper-audit', PartitionKey: 'k', Data: new Uint8Array([123, 125]) }))
      .then(() => null, (e: unknown) => e as Error);

    // Assess
    expect(err?.name).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(seen.map((s) => [s.httpVersion, s.target])).toEqual([
      ['1.1', 'Kinesis_20131202.PutRecord'],
      ['1.1', 'Kinesis_20131202.PutRecord'],
    ]);
  });

  it('CachedSecret reads a document through a real client from a Secrets Manager endpoint', async () => {
    respond = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:acl', Name: 'gatekeeper/acl', SecretString: '{"version":"wire"}', VersionId: 'w1' }));
    };
    const clients = makeClients(config({ secretsManager: url }));
    const secret = new CachedSecret({
      secretId: 'gatekeeper/acl',
      regions: ['us-east-1', 'eu-west-1'],
      ownRegion: 'eu-west-1',
      ttlMs: 60_000,
      parse: (t: string) => ({ ok: true, value: JSON.parse(t) as { version: string } }),
      client: clients.secrets,
      now: () => 0,
      log: () => undefined,
    });

    const got = await secret.get();

    expect(got).toEqual({ value: { version: 'wire' }, fetchedAt: 0, version: 'w1' });
    expect(seen).toHaveLength(1);
    expect(seen[0].target).toBe('secretsmanager.GetSecretValue');
    expect(JSON.parse(seen[0].body)).toEqual({ SecretId: 'gatekeeper/acl' });
  });
});
