import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAclText } from '../../../edge/core/acl';
import { initialAclDocument } from '../../../infra/acl-document';
import { parseStackConfig } from '../../../infra/config';
import { GK_KEY, GK_KEY_2, stackInput } from '../../infra/fixture';
import { removeSandboxes, runScript, sandbox, SCRIPTS, type Sandbox } from './stubs';

const SH = readdirSync(SCRIPTS).filter((f) => f.endsWith('.sh'));

afterAll(removeSandboxes);

describe('runbook scripts', () => {
  it('all parse (bash -n) and the runnable ones are executable', () => {
    expect(SH.sort()).toEqual(['destroy.sh', 'keygen.sh', 'lib.sh', 'push-acl.sh', 'put-signing-key.sh', 'rotate-signing-key.sh']);
    for (const f of SH) {
      const r = spawnSync('bash', ['-n', join(SCRIPTS, f)], { encoding: 'utf8' });
      expect({ f, status: r.status, err: r.stderr }).toEqual({ f, status: 0, err: '' });
      const executable = (statSync(join(SCRIPTS, f)).mode & 0o111) !== 0;
      expect({ f, executable }).toEqual({ f, executable: f !== 'lib.sh' });
    }
  });
});

function aclWith(keys: { kid: string; publicKey: string }[]): string {
  const doc = { ...initialAclDocument(parseStackConfig(stackInput())), gatekeeperKeys: keys };
  return JSON.stringify(doc);
}

function keyFile(sb: Sandbox, name: string, kid: string, k: { publicKey: string; privateKey: string }): string {
  const f = join(sb.dir, name);
  writeFileSync(f, JSON.stringify({ kid, ...k }), { mode: 0o600 });
  return f;
}

describe('keygen.sh', () => {
  it('writes a 0600 key file through the CLI and prints the public half', () => {
    const sb = sandbox();
    const r = runScript(sb, 'keygen.sh', ['gk-2027-01', join(sb.dir, 'keys')]);
    expect(r.status).toBe(0);
    const pub = JSON.parse(r.stdout.trim());
    expect(pub.kid).toBe('gk-2027-01');
    expect(pub.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(sb.dir, 'keys', 'gk-2027-01.json')).mode & 0o777).toBe(0o600);
    expect(r.stdout).not.toContain('privateKey');
  });

  it('uses the repository\'s own gatekeeper CLI by default', () => {
    const sb = sandbox();
    const env = { ...sb.env };
    delete env.GK_CLI;
    const r = spawnSync('bash', [join(SCRIPTS, 'keygen.sh'), 'gk-real', join(sb.dir, 'keys')], { cwd: sb.dir, env, encoding: 'utf8' });
    expect({ status: r.status, err: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, err: '' });
    const pair = JSON.parse(readFileSync(join(sb.dir, 'keys', 'gk-real.json'), 'utf8'));
    expect(JSON.parse(r.stdout.trim())).toEqual({ kid: 'gk-real', publicKey: pair.publicKey });
    expect(sb.calls()).toEqual([]);
  });

  it('refuses a bad kid and an existing file', () => {
    const sb = sandbox();
    expect(runScript(sb, 'keygen.sh', ['bad kid']).status).not.toBe(0);
    expect(runScript(sb, 'keygen.sh', ['k1', sb.dir]).status).toBe(0);
    const again = runScript(sb, 'keygen.sh', ['k1', sb.dir]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('refusing to overwrite');
  });
});

describe('put-signing-key.sh', () => {
  it('writes {"kid","privateKey"} to the signing secret from a 0600 file, never on the command line', () => {
    const sb = sandbox();
    sb.write('acl.json', aclWith([{ kid: 'gk-2026-12', publicKey: GK_KEY.publicKey }]));
    const key = keyFile(sb, 'k.json', 'gk-2026-12', GK_KEY);
    const r = runScript(sb, 'put-signing-key.sh', [key]);
    expect(r.stderr).toContain('cosigning key written to acme-gk-signing-key');
    expect(r.status).toBe(0);
    expect(JSON.parse(sb.read('signing-secret.json'))).toEqual({ kid: 'gk-2026-12', privateKey: GK_KEY.privateKey });
    expect(sb.read('signing-secret.mode').trim()).toBe('600');
    const put = sb.calls().find((c) => c.includes('put-secret-value'));
    expect(put).toMatch(/--region eu-west-1 --secret-id acme-gk-signing-key --secret-string file:\/\//);
    expect(sb.calls().join('\n')).not.toContain(GK_KEY.privateKey);
  });

  it('refuses a key the ACL does not trust (unless --force), and a mismatched key file', () => {
    const sb = sandbox();
    sb.write('acl.json', aclWith([{ kid: 'gk-2026-12', publicKey: GK_KEY.publicKey }]));
    const other = keyFile(sb, 'other.json', 'gk-2027-01', GK_KEY_2);
    const r = runScript(sb, 'put-signing-key.sh', [other]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("not in the ACL's gatekeeperKeys");
    expect(sb.calls().some((c) => c.includes('put-secret-value'))).toBe(false);
    expect(runScript(sb, 'put-signing-key.sh', [other, '--force']).status).toBe(0);
    const mixed = keyFile(sb, 'mixed.json', 'gk-2026-12', { publicKey: GK_KEY.publicKey, privateKey: GK_KEY_2.privateKey });
    const m = runScript(sb, 'put-signing-key.sh', [mixed, '--force']);
    expect(m.status).not.toBe(0);
    expect(m.stderr).toContain('privateKey does not belong to publicKey');
    expect(m.stderr).not.toContain(GK_KEY_2.privateKey);
  });
});

describe('push-acl.sh', () => {
  it('pushes through the CLI to the ACL secret in the home region', () => {
    const sb = sandbox();
    const f = join(sb.dir, 'new-acl.json');
    writeFileSync(f, aclWith([{ kid: 'gk-2026-12', publicKey: GK_KEY.publicKey }]));
    const r = runScript(sb, 'push-acl.sh', [f]);
    expect(r.status).toBe(0);
    expect(sb.calls()).toContain(`gatekeeper acl push ${f} --secret-id acme-gk-acl --region eu-west-1`);
  });
});

describe('rotate-signing-key.sh', () => {
  it('adds the new key, pushes, switches the cosigner, then retires the old key', () => {
    // Prepare
    const sb = sandbox();
    sb.write('acl.json', aclWith([{ kid: 'gk-2026-12', publicKey: GK_KEY.publicKey }]));
    const next = keyFile(sb, 'next.json', 'gk-2027-01', GK_KEY_2);
    // Act
    const r = runScript(sb, 'rotate-signing-key.sh', [next, 'gk-2026-12']);
    // Assess
    expect({ status: r.status, err: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, err: '' });
    const order = sb
      .calls()
      .map((c) => (c.includes('acl push') ? 'push' : c.includes('put-secret-value') ? 'put-key' : c.includes('get-secret-value') ? 'get' : c))
      .join(' ');
    // get+push (add), get (put-signing-key's trust check) + put-key, get+push (retire)
    expect(order).toBe('get push get put-key get push');
    expect(r.stderr).toMatch(/waiting 90s: ACL refresh[\s\S]*waiting 390s: cosigner refresh/);
    const final = JSON.parse(sb.read('acl.json'));
    expect(final.gatekeeperKeys).toEqual([{ kid: 'gk-2027-01', publicKey: GK_KEY_2.publicKey }]);
    expect(final.version).toMatch(/^\d{4}-\d{2}-\d{2}\.2$/);
    expect(parseAclText(sb.read('acl.json')).ok).toBe(true);
    expect(JSON.parse(sb.read('signing-secret.json'))).toEqual({ kid: 'gk-2027-01', privateKey: GK_KEY_2.privateKey });
  });

  it('step 2 waits until every ACL replica region serves the pushed ACL before switching keys', () => {
    // Prepare: ap-southeast-2 lags behind for two reads
    const sb = sandbox({ acl: { replicaRegions: ['us-east-1', 'ap-southeast-2'] } });
    sb.write('acl.json', aclWith([{ kid: 'gk-2026-12', publicKey: GK_KEY.publicKey }]));
    sb.write('replica-lag-ap-southeast-2', '2');
    const next = keyFile(sb, 'next.json', 'gk-2027-01', GK_KEY_2);
    // Act
    const r = runScript(sb, 'rotate-signing-key.sh', [next, 'gk-2026-12']);
    // Assess
    expect({ status: r.status, err: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, err: '' });
    const order = sb
      .calls()
      .map((c) =>
        c.includes('acl push') ? 'push' : c.includes('put-secret-value') ? 'put-key' : c.includes('get-secret-value') ? `get@${/--region (\S+)/.exec(c)?.[1]}` : c,
      );
    expect(order).toEqual([
      'get@eu-west-1',
      'push',
      // step 2: the home document, then each replica until it matches
      'get@eu-west-1',
      'get@us-east-1',
      'get@ap-southeast-2',
      'get@ap-southeast-2',
      'get@ap-southeast-2',
      // step 3 (put-signing-key's trust check), step 5
      'get@eu-west-1',
      'put-key',
      'get@eu-west-1',
      'push',
    ]);
    expect(r.stderr).toMatch(
      /the ACL replica in us-east-1 is in sync[\s\S]*ap-southeast-2 has not caught up yet \(try 1\/90\)[\s\S]*try 2\/90[\s\S]*the ACL replica in ap-southeast-2 is in sync[\s\S]*waiting 90s: ACL refresh[\s\S]*step 3/,
    );
  });

  it('stops before switching keys when a replica never catches up', () => {
    const sb = sandbox({ acl: { replicaRegions: ['us-east-1'] } });
    sb.write('acl.json', aclWith([{ kid: 'gk-2026-12', publicKey: GK_KEY.publicKey }]));
    sb.write('replica-lag-us-east-1', '100');
    const next = keyFile(sb, 'next.json', 'gk-2027-01', GK_KEY_2);
    const r = runScript(sb, 'rotate-signing-key.sh', [next, 'gk-2026-12'], { GK_ACL_SYNC_TRIES: '3' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('the ACL replica in us-east-1 still differs from eu-west-1 after 3 tries');
    expect(r.stderr).toContain('--from-step 2');
    expect(sb.calls().filter((c) => c.includes('--region us-east-1'))).toHaveLength(3);
    expect(sb.calls().some((c) => c.includes('put-secret-value'))).toBe(false);
  });

  it('never reads the signing-key secret (only the cosigner may)', () => {
    const sb = sandbox();
    sb.write('acl.json', aclWith([{ kid: 'gk-2026-12', publicKey: GK_KEY.publicKey }]));
    const next = keyFile(sb, 'next.json', 'gk-2027-01', GK_KEY_2);
    expect(runScript(sb, 'rotate-signing-key.sh', [next, 'gk-2026-12']).status).toBe(0);
    const reads = sb.calls().filter((c) => c.includes('get-secret-value') || c.includes('describe-secret'));
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.filter((c) => !c.includes('--secret-id acme-gk-acl '))).toEqual([]);
  });

  it('resumes from a later step', () => {
    const sb = sandbox();
    sb.write('acl.json', aclWith([{ kid: 'gk-2026-12', publicKey: GK_KEY.publicKey }, { kid: 'gk-2027-01', publicKey: GK_KEY_2.publicKey }]));
    const next = keyFile(sb, 'next.json', 'gk-2027-01', GK_KEY_2);
    const r = runScript(sb, 'rotate-signing-key.sh', [next, 'gk-2026-12', '--from-step', '5']);
    expect(r.status).toBe(0);
    expect(sb.calls().filter((c) => c.includes('put-secret-value'))).toEqual([]);
    expect(JSON.parse(sb.read('acl.json')).gatekeeperKeys.map((k: { kid: string }) => k.kid)).toEqual(['gk-2027-01']);
  });

  it('refuses bad arguments', () => {
    const sb = sandbox();
    expect(runScript(sb, 'rotate-signing-key.sh', ['/nonexistent', 'old']).status).not.toBe(0);
    expect(sb.calls()).toEqual([]);
  });
});

describe('destroy.sh', () => {
  const STATE = [
    'data.aws_caller_identity.caller',
    'aws_s3_bucket.data_bucket_store_bucket',
    'aws_s3_bucket_policy.data_bucket_store_policy',
    'aws_s3_bucket_public_access_block.data_bucket_store_public_access_block',
    'aws_kms_key.data_bucket_key',
    'aws_s3_bucket.audit_store_bucket',
    'aws_s3_bucket_object_lock_configuration.audit_store_object_lock',
    'aws_s3_bucket_policy.audit_store_policy',
    'aws_s3_bucket.audit_results_bucket',
    'aws_lambda_function.edge_gate',
    'aws_cloudfront_distribution.cdn_distribution',
  ];

  it('detaches, waits out the replicas, keeps the buckets, then destroys', () => {
    // Prepare: the gate still has replicas for two tries; the cosigner is already gone
    const sb = sandbox();
    sb.write('replica-fails-acme-gk-gate', '2');
    sb.write('replica-fails-acme-gk-cosigner', 'missing');
    sb.write('state.txt', `${STATE.join('\n')}\n`);
    // Act
    const r = runScript(sb, 'destroy.sh', ['--yes']);
    // Assess
    expect({ status: r.status, err: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, err: '' });
    const calls = sb.calls();
    const deleteGate = 'aws lambda delete-function --region us-east-1 --function-name acme-gk-gate';
    expect(calls).toEqual([
      'cdktf deploy gatekeeper --auto-approve',
      'cdktf GATEKEEPER_DETACH_EDGE=1',
      deleteGate,
      deleteGate,
      deleteGate,
      'aws lambda delete-function --region us-east-1 --function-name acme-gk-cosigner',
      'terraform state list',
      'terraform output -raw data_bucket',
      'terraform output -raw audit_bucket',
      'terraform state rm aws_s3_bucket.data_bucket_store_bucket aws_s3_bucket_public_access_block.data_bucket_store_public_access_block aws_kms_key.data_bucket_key aws_s3_bucket.audit_store_bucket aws_s3_bucket_object_lock_configuration.audit_store_object_lock aws_s3_bucket_policy.audit_store_policy',
      'cdktf destroy gatekeeper --auto-approve',
      'cdktf GATEKEEPER_DETACH_EDGE=1',
    ]);
    expect(r.stderr).toMatch(/acme-gk-gate still has CloudFront replicas \(try 1\/240\)[\s\S]*try 2\/240[\s\S]*deleted acme-gk-gate/);
    expect(r.stderr).toContain('acme-gk-cosigner is already gone');
    expect(r.stderr).toContain('Kept (delete by hand when no longer needed): data_bucket-value audit_bucket-value');
  });

  it('an existing data bucket: never in the state, its policy kept, and the customer told to restore theirs', () => {
    // Prepare
    const sb = sandbox({ dataBucket: { name: 'theirs', existing: true, replaceExistingPolicy: true } });
    sb.write('state.txt', ['aws_s3_bucket_policy.data_bucket_policy', 'aws_s3_bucket.audit_store_bucket', 'aws_lambda_function.edge_gate', ''].join('\n'));
    // Act
    const r = runScript(sb, 'destroy.sh', ['--yes']);
    // Assess
    expect({ status: r.status, err: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, err: '' });
    expect(sb.calls()).toContain('terraform state rm aws_s3_bucket_policy.data_bucket_policy aws_s3_bucket.audit_store_bucket');
    expect(r.stderr).toContain('theirs was not created by this stack and was not touched');
    expect(r.stderr).toContain('aws s3api put-bucket-policy --bucket theirs');
  });

  it('gives up after GK_REPLICA_TRIES and never destroys', () => {
    const sb = sandbox();
    sb.write('replica-fails-acme-gk-gate', '5');
    const r = runScript(sb, 'destroy.sh', ['--yes'], { GK_REPLICA_TRIES: '3' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('acme-gk-gate still has replicas after 3 tries');
    expect(sb.calls().some((c) => c.startsWith('cdktf destroy'))).toBe(false);
  });

  it('stops on any other Lambda error', () => {
    const sb = sandbox();
    const bin = join(sb.dir, 'bin', 'aws');
    writeFileSync(join(sb.dir, 'aws-denied'), '');
    // An aws that is denied everything.
    spawnSync('bash', ['-c', `rm "${bin}" && printf '#!/usr/bin/env bash\\necho "An error occurred (AccessDeniedException)" >&2; exit 254\\n' >"${bin}" && chmod +x "${bin}"`]);
    const r = runScript(sb, 'destroy.sh', ['--yes']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('deleting acme-gk-gate failed: An error occurred (AccessDeniedException)');
    expect(sb.calls().some((c) => c.startsWith('cdktf destroy'))).toBe(false);
  });

  it('asks for the stack name without --yes', () => {
    const sb = sandbox();
    const r = spawnSync('bash', [join(SCRIPTS, 'destroy.sh')], { cwd: sb.dir, env: sb.env, input: 'wrong\n', encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('not confirmed');
    expect(sb.calls()).toEqual([]);
  });
});
