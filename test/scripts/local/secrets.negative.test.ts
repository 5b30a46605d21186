import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSecrets, type LocalSecrets } from '../../../scripts/local/secrets';
import { randomCredentials, type Credentials } from '../../../scripts/local/sigv4';
import { Sha256 } from '../../../scripts/local/sha256';

/** As in the stack: the gate's role reads the ACL only, the cosigner's the ACL and the signing key. */
const GATE = randomCredentials();
const COSIGNER = randomCredentials();

function client(endpoint: string, credentials: Credentials): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { ...credentials },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 2000 }),
    maxAttempts: 1,
  });
}

function post(port: number, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

/** A GetSecretValue-shaped POST signed as the SDK signs it, with any target, body and Host. */
async function signedPost(port: number, creds: Credentials, target: string, body: string, host = `127.0.0.1:${port}`): Promise<{ status: number; body: string }> {
  const signer = new SignatureV4({ service: 'secretsmanager', region: 'us-east-1', credentials: creds, sha256: Sha256 });
  const headers = { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, 'content-length': String(Buffer.byteLength(body)) };
  const s = await signer.sign({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port, path: '/', query: {}, headers, body });
  return post(port, s.headers, body);
}

describe('local Secrets Manager refusals', () => {
  let dir: string;
  let srv: LocalSecrets;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3gk-secrets-neg-'));
    writeFileSync(join(dir, 'acl.json'), '{}');
    writeFileSync(join(dir, 'key.json'), '{"kid":"k","privateKey":"secret-seed"}');
    srv = await startSecrets({
      secrets: { 'gk/acl': join(dir, 'acl.json'), 'gk/signing-key': join(dir, 'key.json'), 'gk/missing': join(dir, 'nope.json') },
      principals: [
        { name: 'gatekeeper-local-gate', credentials: GATE, secrets: ['gk/acl'] },
        { name: 'gatekeeper-local-cosigner', credentials: COSIGNER, secrets: ['gk/acl', 'gk/signing-key', 'gk/missing'] },
      ],
      log: (l) => lines.push(l),
    });
  });

  afterAll(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the signing key to the cosigner's role only: the gate's role gets AccessDeniedException, as IAM answers", async () => {
    // Prepare
    const gate = client(srv.endpoint, GATE);
    const cosigner = client(srv.endpoint, COSIGNER);
    try {
      // Act
      const denied = await gate.send(new GetSecretValueCommand({ SecretId: 'gk/signing-key' })).catch((e: unknown) => e);
      const deniedByArn = await gate.send(new GetSecretValueCommand({ SecretId: srv.arnOf('gk/signing-key') })).catch((e: unknown) => e);
      const gateAcl = await gate.send(new GetSecretValueCommand({ SecretId: 'gk/acl' }));
      const key = await cosigner.send(new GetSecretValueCommand({ SecretId: 'gk/signing-key' }));
      const cosignerAcl = await cosigner.send(new GetSecretValueCommand({ SecretId: 'gk/acl' }));
      // Assess
      expect(denied).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
      expect((denied as Error).message).toMatch(/assumed-role\/gatekeeper-local-gate\/.* is not authorized to perform: secretsmanager:GetSecretValue/);
      expect(deniedByArn).toMatchObject({ name: 'AccessDeniedException' });
      expect(gateAcl.SecretString).toBe('{}');
      expect(cosignerAcl.SecretString).toBe('{}');
      expect(key.SecretString).toContain('"kid":"k"');
    } finally {
      gate.destroy();
      cosigner.destroy();
    }
  });

  it('an id the principal may not read is AccessDeniedException whether or not it exists (IAM first)', async () => {
    const sm = client(srv.endpoint, COSIGNER);
    try {
      await expect(sm.send(new GetSecretValueCommand({ SecretId: 'gk/other' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    } finally {
      sm.destroy();
    }
  });

  it('a readable secret whose file is missing is ResourceNotFoundException', async () => {
    const sm = client(srv.endpoint, COSIGNER);
    try {
      await expect(sm.send(new GetSecretValueCommand({ SecretId: 'gk/missing' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    } finally {
      sm.destroy();
    }
  });

  it('another access key id is refused as AWS would (UnrecognizedClientException)', async () => {
    const sm = client(srv.endpoint, { accessKeyId: 'AKIASOMEONEELSE00001', secretAccessKey: 'x' });
    try {
      await expect(sm.send(new GetSecretValueCommand({ SecretId: 'gk/acl' }))).rejects.toMatchObject({
        name: 'UnrecognizedClientException',
      });
    } finally {
      sm.destroy();
    }
  });

  it("the cosigner's key id with a wrong secret is InvalidSignatureException: the signature is checked, not only the key id", async () => {
    // Prepare
    const sm = client(srv.endpoint, { accessKeyId: COSIGNER.accessKeyId, secretAccessKey: 'guessed' });
    try {
      // Act + Assess
      await expect(sm.send(new GetSecretValueCommand({ SecretId: 'gk/signing-key' }))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
      expect(lines.join('\n')).not.toContain(COSIGNER.accessKeyId);
    } finally {
      sm.destroy();
    }
  });

  it('an unsigned request, another operation or a bad body is refused', async () => {
    const target = { host: `127.0.0.1:${srv.port}`, 'x-amz-target': 'secretsmanager.GetSecretValue', 'content-type': 'application/x-amz-json-1.1' };
    const unsigned = await post(srv.port, target, '{"SecretId":"gk/acl"}');
    const otherOp = await signedPost(srv.port, COSIGNER, 'secretsmanager.PutSecretValue', '{"SecretId":"gk/acl"}');
    const badBody = await signedPost(srv.port, COSIGNER, 'secretsmanager.GetSecretValue', '{"SecretId":');
    expect(unsigned.status).toBe(400);
    expect(JSON.parse(unsigned.body).__type).toBe('UnrecognizedClientException');
    expect(otherOp.status).toBe(400);
    expect(JSON.parse(otherOp.body).__type).toBe('UnknownOperationException');
    expect(badBody.status).toBe(400);
    expect(JSON.parse(badBody.body).__type).toBe('InvalidParameterException');
  });

  it('a Host header that does not name the loopback is refused before anything else (DNS rebinding)', async () => {
    // Act
    const rebound = await signedPost(srv.port, COSIGNER, 'secretsmanager.GetSecretValue', '{"SecretId":"gk/signing-key"}', `attacker.example:${srv.port}`);
    const localhost = await signedPost(srv.port, COSIGNER, 'secretsmanager.GetSecretValue', '{"SecretId":"gk/acl"}', `localhost:${srv.port}`);
    // Assess
    expect(rebound.status).toBe(400);
    expect(JSON.parse(rebound.body).__type).toBe('InvalidRequestException');
    expect(rebound.body).not.toContain('secret-seed');
    expect(localhost.status).toBe(200);
  });
});
