/**
 * Names the runbook scripts need, derived from the stack config exactly as
 * the stack derives them (infra/config.ts), so a script never guesses.
 *
 *   tsx scripts/infra/stack-info.ts --shell    KEY='value' lines for `eval`
 *   tsx scripts/infra/stack-info.ts --json     the same as JSON
 *   terraform state list | tsx scripts/infra/stack-info.ts --retain
 *                                              the addresses destroy.sh keeps
 *
 * The config file is GATEKEEPER_STACK_CONFIG or gatekeeper.stack.json at the
 * repository root; GK_CDKTF_OUT overrides cdktf.out.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadStackConfig, stackNames, type StackConfig } from '../../infra/config';
import { retainedOnDestroy } from '../../infra/retain';
import { EDGE_REGION } from '../../infra/tf';

const ROOT = resolve(__dirname, '..', '..');

export function stackInfo(c: StackConfig, cdktfOut: string): Record<string, string> {
  const n = stackNames(c);
  return {
    GK_STACK_NAME: c.stackName,
    GK_STACK_DIR: join(cdktfOut, 'stacks', c.stackName),
    GK_REGION: c.region,
    GK_EDGE_REGION: EDGE_REGION,
    GK_ACL_SECRET: n.aclSecret,
    /** Space-separated; empty without replicas. */
    GK_ACL_REPLICA_REGIONS: c.acl.replicaRegions.join(' '),
    GK_SIGNING_SECRET: n.signingKeySecret,
    GK_GATE_FUNCTION: n.gateFunction,
    GK_COSIGNER_FUNCTION: n.cosignerFunction,
    GK_ACL_REFRESH_SECONDS: String(c.acl.refreshSeconds),
    GK_COSIGN_TTL_SECONDS: String(c.acl.cosignTtlSeconds),
    GK_CLOCK_SKEW_SECONDS: String(c.acl.clockSkewSeconds),
    GK_GATEKEEPER_ID: c.gatekeeperId,
    GK_DATA_BUCKET: c.dataBucket.name,
    /** `true` when the stack only wrote the policy of a bucket it did not create. */
    GK_DATA_BUCKET_EXISTING: String(c.dataBucket.existing),
  };
}

/** POSIX single-quoting: safe to `eval` whatever the value holds. */
export function shellQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

function main(argv: string[]): number {
  const mode = argv[0];
  if (mode === '--retain') {
    const lines = readFileSync(0, 'utf8').split('\n').map((l) => l.trim());
    for (const a of lines) if (a && retainedOnDestroy(a)) process.stdout.write(`${a}\n`);
    return 0;
  }
  if (mode !== '--shell' && mode !== '--json') {
    process.stderr.write('usage: stack-info.ts --shell | --json | --retain\n');
    return 2;
  }
  const file = resolve(process.env.GATEKEEPER_STACK_CONFIG ?? join(ROOT, 'gatekeeper.stack.json'));
  const info = stackInfo(loadStackConfig(file), resolve(process.env.GK_CDKTF_OUT ?? join(ROOT, 'cdktf.out')));
  if (mode === '--json') {
    process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
  } else {
    for (const [k, v] of Object.entries(info)) process.stdout.write(`${k}=${shellQuote(v)}\n`);
  }
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`stack-info: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
