/**
 * Small helpers shared by the constructs. Every string in Terraform JSON is a
 * template, so text that comes from files or config must have `${` and `%{`
 * escaped, or Terraform would try to evaluate it.
 */
export function tfLiteral(s: string): string {
  // Function replacers: in a replacement string `$$` would itself collapse to `$`.
  return s.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | Record<string, string | string[]>;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * A policy document as a JSON string. References such as
 * `${aws_s3_bucket.x.arn}` stay inside JSON strings, so the synthesized policy
 * is still plain JSON that a reviewer (and infra/policy.ts) can read.
 */
export function policyJson(statements: PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** Trust policy for a role assumed by the given service principals, optionally only under a condition. */
export function trustPolicy(services: string[], condition?: PolicyStatement['Condition']): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: services }, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) }],
  });
}

/** AWS managed cache policy "Managed-CachingDisabled" (min/default/max TTL 0). */
export const CACHING_DISABLED_POLICY_ID = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

export const EDGE_REGION = 'us-east-1';

/** Deny every request to the bucket that does not use TLS. */
export function tlsOnlyStatement(bucketArn: string): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}
