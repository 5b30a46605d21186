import { Construct } from 'constructs';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretPolicy } from '@cdktf/provider-aws/lib/secretsmanager-secret-policy';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { initialAclDocument } from './acl-document';
import type { StackConfig, StackNames } from './config';
import { policyJson, tfLiteral } from './tf';

export interface SecretsProps {
  config: StackConfig;
  names: StackNames;
  partition: string;
  accountId: string;
}

/**
 * The ACL document and the cosigning key.
 *
 * The ACL gets an initial version here; Terraform then ignores its value so
 * that `gatekeeper acl push` edits stick. The signing-key secret is created
 * empty on purpose: its value is written once after apply by
 * scripts/infra/put-signing-key.sh, so the private key never enters the
 * Terraform state or the synthesized JSON.
 */
export class Secrets extends Construct {
  readonly acl: SecretsmanagerSecret;
  readonly signingKey: SecretsmanagerSecret;
  /** ACL secret ARNs in every region (replicas share the primary's name and suffix). */
  readonly aclSecretArns: string[];

  constructor(scope: Construct, id: string, p: SecretsProps) {
    super(scope, id);
    const c = p.config;
    this.acl = new SecretsmanagerSecret(this, 'acl', {
      name: p.names.aclSecret,
      description: 'S3 Gatekeeper ACL document (PROTOCOL "ACL document"); edit with `gatekeeper acl push`',
      recoveryWindowInDays: c.secretRecoveryWindowDays,
      replica: c.acl.replicaRegions.length > 0 ? c.acl.replicaRegions.map((region) => ({ region })) : undefined,
    });
    new SecretsmanagerSecretVersion(this, 'acl-initial', {
      secretId: this.acl.id,
      secretString: tfLiteral(JSON.stringify(initialAclDocument(c))),
      lifecycle: { ignoreChanges: ['secret_string'] },
    });
    this.signingKey = new SecretsmanagerSecret(this, 'signing-key', {
      name: p.names.signingKeySecret,
      description: 'S3 Gatekeeper cosigning private key {"kid","privateKey"}; written by scripts/infra/put-signing-key.sh, never by Terraform',
      recoveryWindowInDays: c.secretRecoveryWindowDays,
    });
    this.aclSecretArns = [
      this.acl.arn,
      ...c.acl.replicaRegions.map((r) => `arn:${p.partition}:secretsmanager:${r}:${p.accountId}:secret:${p.names.aclSecret}-??????`),
    ];
  }

  /**
   * PROTOCOL: "the cosigning private key lives in a separate secret that only
   * the origin-request function may read". IAM alone would let any admin-like
   * principal in the account read it; this resource policy denies
   * GetSecretValue to every principal but the cosigner's role. Only that one
   * action is denied, so the account can still describe, write
   * (put-signing-key.sh uses PutSecretValue), re-policy and delete the secret.
   */
  restrictSigningKey(cosignerRoleArn: string): SecretsmanagerSecretPolicy {
    return new SecretsmanagerSecretPolicy(this, 'signing-key-policy', {
      secretArn: this.signingKey.arn,
      blockPublicPolicy: true,
      policy: policyJson([
        {
          Sid: 'OnlyTheCosignerReadsTheKey',
          Effect: 'Deny',
          Principal: '*',
          Action: 'secretsmanager:GetSecretValue',
          // In a secret's resource policy "*" is the secret itself.
          Resource: '*',
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': cosignerRoleArn } },
        },
      ]),
    });
  }
}
