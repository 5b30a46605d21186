import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Construct } from 'constructs';
import { AssetType, TerraformAsset, type TerraformProvider } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import type { StackNames } from './config';
import { policyJson, trustPolicy, type PolicyStatement } from './tf';

export interface EdgeBundles {
  /** Absolute paths of the zips `buildEdge` wrote (dist/edge/*.zip). */
  gate: string;
  cosigner: string;
}

export interface EdgeFunctionsProps {
  names: StackNames;
  bundles: EdgeBundles;
  /** The us-east-1 provider: Lambda@Edge functions must live there. */
  edgeProvider: TerraformProvider;
  partition: string;
  accountId: string;
  auditStreamArn: string;
  /** ARN of the ACL secret in every region that holds it (primary and replicas). */
  aclSecretArns: string[];
  signingKeySecretArn: string;
  dataBucketArn: string;
}

/** Both bundles export `handler` from index.js (scripts/build.ts). */
export const EDGE_HANDLER = 'index.handler';
export const EDGE_RUNTIME = 'nodejs22.x';

/**
 * The two Lambda@Edge functions with one role each. Lambda@Edge allows no
 * environment variables (the build config is baked in), needs a published
 * version, and replicates to every edge region, which writes its logs to
 * `/aws/lambda/us-east-1.<name>` in the region that ran it.
 */
export class EdgeFunctions extends Construct {
  readonly gate: LambdaFunction;
  readonly cosigner: LambdaFunction;
  readonly gateRole: IamRole;
  readonly cosignerRole: IamRole;

  constructor(scope: Construct, id: string, p: EdgeFunctionsProps) {
    super(scope, id);
    const common: PolicyStatement[] = [
      {
        Sid: 'Audit',
        Effect: 'Allow',
        Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
        Resource: p.auditStreamArn,
      },
      { Sid: 'ReadAcl', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: p.aclSecretArns },
    ];
    this.gateRole = this.role('gate', p.names.gateRole, p, p.names.gateFunction, common);
    this.cosignerRole = this.role('cosigner', p.names.cosignerRole, p, p.names.cosignerFunction, [
      ...common,
      { Sid: 'ReadSigningKey', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: p.signingKeySecretArn },
      { Sid: 'ListDataBucket', Effect: 'Allow', Action: 's3:ListBucket', Resource: p.dataBucketArn },
    ]);
    // Viewer-request functions are capped at 128 MB and 5 s; origin-request at 30 s.
    this.gate = this.fn('gate', p.names.gateFunction, p.bundles.gate, this.gateRole, p, 128, 5);
    this.cosigner = this.fn('cosigner', p.names.cosignerFunction, p.bundles.cosigner, this.cosignerRole, p, 256, 10);
  }

  private role(id: string, name: string, p: EdgeFunctionsProps, fnName: string, statements: PolicyStatement[]): IamRole {
    const role = new IamRole(this, `${id}-role`, {
      name,
      assumeRolePolicy: trustPolicy(['lambda.amazonaws.com', 'edgelambda.amazonaws.com']),
    });
    const logGroup = `arn:${p.partition}:logs:*:${p.accountId}:log-group:/aws/lambda/us-east-1.${fnName}`;
    new IamRolePolicy(this, `${id}-policy`, {
      name: `${name}-least-privilege`,
      role: role.id,
      policy: policyJson([
        ...statements,
        {
          Sid: 'EdgeLogsInAnyRegion',
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [logGroup, `${logGroup}:*`],
        },
      ]),
    });
    return role;
  }

  private fn(id: string, name: string, zip: string, role: IamRole, p: EdgeFunctionsProps, memoryMb: number, timeoutS: number): LambdaFunction {
    const asset = new TerraformAsset(this, `${id}-code`, { path: zip, type: AssetType.FILE });
    return new LambdaFunction(this, id, {
      provider: p.edgeProvider,
      functionName: name,
      description: `S3 Gatekeeper ${id} (Lambda@Edge)`,
      role: role.arn,
      runtime: EDGE_RUNTIME,
      handler: EDGE_HANDLER,
      architectures: ['x86_64'],
      memorySize: memoryMb,
      timeout: timeoutS,
      filename: asset.path,
      sourceCodeHash: createHash('sha256').update(readFileSync(zip)).digest('base64'),
      publish: true,
    });
  }
}
