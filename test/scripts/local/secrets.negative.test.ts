import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSecrets, type LocalSecrets } from '../../../scripts/local/secrets';

const KEY_ID = 'AKIATESTSECRETS00001';

function client(endpoint: string, accessKeyId = KEY_ID): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'x' },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 2000 }),
    maxAttempts: 1,
  });
}

function post(endpoint: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request(`${endpoint}/`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

describe('local Secrets Manager refusals', () => {
  let dir: string;
  let srv: LocalSecrets;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3gk-secrets-neg-'));
    writeFileSync(join(dir, 'acl.json'), '{}');
    srv = await startSecrets({
      secrets: { 'gk/acl': join(dir, 'acl.json'), 'gk/missing': join(dir, 'nope.json') },
      accessKeyId: KEY_ID,
    });
  });

  afterAll(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an unknown secret id is ResourceNotFoundException', async () => {
    const sm = client(srv.endpoint);
    try {
      await expect(sm.send(new GetSecretValueCommand({ SecretId: 'gk/other' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    } finally {
      sm.destroy();
    }
  });

  it('a configured secret whose file is missing is ResourceNotFoundException', async () => {
    const sm = client(srv.endpoint);
    try {
      await expect(sm.send(new GetSecretValueCommand({ SecretId: 'gk/missing' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    } finally {
      sm.destroy();
    }
  });

  it('another access key id is refused as AWS would (UnrecognizedClientException)', async () => {
    const sm = client(srv.endpoint, 'AKIASOMEONEELSE00001');
    try {
      await expect(sm.send(new GetSecretValueCommand({ SecretId: 'gk/acl' }))).rejects.toMatchObject({
        name: 'UnrecognizedClientException',
      });
    } finally {
      sm.destroy();
    }
  });

  it('an unsigned request, another operation or a bad body is refused', async () => {
    const target = { 'x-amz-target': 'secretsmanager.GetSecretValue', 'content-type': 'application/x-amz-json-1.1' };
    const auth = { authorization: `AWS4-HMAC-SHA256 Credential=${KEY_ID}/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00` };
    const unsigned = await post(srv.endpoint, target, '{"SecretId":"gk/acl"}');
    const otherOp = await post(srv.endpoint, { ...target, ...auth, 'x-amz-target': 'secretsmanager.PutSecretValue' }, '{"SecretId":"gk/acl"}');
    const badBody = await post(srv.endpoint, { ...target, ...auth }, '{"SecretId":');
    expect(unsigned.status).toBe(400);
    expect(JSON.parse(unsigned.body).__type).toBe('UnrecognizedClientException');
    expect(otherOp.status).toBe(400);
    expect(JSON.parse(otherOp.body).__type).toBe('UnknownOperationException');
    expect(badBody.status).toBe(400);
    expect(JSON.parse(badBody.body).__type).toBe('InvalidParameterException');
  });
});
