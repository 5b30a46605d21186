import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stackInput } from '../../infra/fixture';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const SCRIPTS = join(ROOT, 'scripts', 'infra');

/**
 * Stand-ins for `aws`, `terraform`, the `gatekeeper` CLI and `cdktf` (given
 * to the scripts as GK_CLI and GK_CDKTF) that record every call in
 * $STUB/calls.log and answer like the real tools would for the runbooks:
 * - aws secretsmanager get-secret-value --region R: prints $STUB/acl.json, or
 *   a stale document while $STUB/replica-lag-R counts down to 0
 * - aws secretsmanager put-secret-value --secret-string file://F: copies F to
 *   $STUB/signing-secret.json and records F's mode
 * - aws lambda delete-function: fails with Lambda's replica error
 *   $STUB/replica-fails-<name> times, then succeeds; "missing" in that file
 *   answers ResourceNotFoundException
 * - gatekeeper keygen --kid K --out F: a real Ed25519 pair into F
 * - gatekeeper acl push F: copies F to $STUB/acl.json
 * - cdktf ...: records GATEKEEPER_DETACH_EDGE
 * - terraform state list: prints $STUB/state.txt; output -raw X: prints X-value
 */
const STUB = join(__dirname, 'stub.sh');

export interface Sandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  calls(): string[];
  read(name: string): string;
  write(name: string, text: string): void;
}

const made: string[] = [];

export function removeSandboxes(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A temp dir with the stubs on PATH, a stack config, and an empty cdktf.out stack dir. */
export function sandbox(over: Record<string, unknown> = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'gk-runbook-'));
  made.push(dir);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const stub = join(bin, 'stub');
  copyFileSync(STUB, stub);
  chmodSync(stub, 0o755);
  for (const name of ['aws', 'gatekeeper', 'cdktf', 'terraform']) symlinkSync(stub, join(bin, name));
  const config = join(dir, 'gatekeeper.stack.json');
  writeFileSync(config, JSON.stringify(stackInput(over)));
  mkdirSync(join(dir, 'cdktf.out', 'stacks', 'gatekeeper'), { recursive: true });
  writeFileSync(join(dir, 'calls.log'), '');
  return {
    dir,
    env: {
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      STUB: dir,
      GATEKEEPER_STACK_CONFIG: config,
      GK_CDKTF_OUT: join(dir, 'cdktf.out'),
      GK_CLI: join(bin, 'gatekeeper'),
      GK_CDKTF: join(bin, 'cdktf'),
      GK_NO_WAIT: '1',
      GK_REPLICA_WAIT: '0',
    },
    calls: () => readFileSync(join(dir, 'calls.log'), 'utf8').split('\n').filter(Boolean),
    read: (name) => readFileSync(join(dir, name), 'utf8'),
    write: (name, text) => writeFileSync(join(dir, name), text),
  };
}

export function runScript(sb: Sandbox, script: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', [join(SCRIPTS, script), ...args], { cwd: sb.dir, env: { ...sb.env, ...extraEnv }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
