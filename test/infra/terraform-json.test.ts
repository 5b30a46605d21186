import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { synthStack, type Json } from './fixture';

/** Top-level keys Terraform's JSON syntax knows ("//" is its comment key). */
const TERRAFORM_TOP = new Set(['//', 'terraform', 'provider', 'resource', 'data', 'output', 'variable', 'locals', 'module', 'moved', 'import', 'check', 'removed']);

/** Every string in a JSON value. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (typeof v === 'object' && v !== null) Object.values(v).forEach((x) => strings(x, out));
  return out;
}

/** `type.name` of every resource or data source an interpolation refers to (escaped `$${` skipped). */
function references(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/(?<!\$)\$\{([^}]*)\}/g)) {
    for (const r of m[1].matchAll(/\b((?:data\.)?aws_[a-z0-9_]+\.[a-z0-9_]+)\b/g)) out.push(r[1]);
  }
  return out;
}

describe('the synthesized JSON is plain Terraform JSON', () => {
  const variants: [string, Record<string, unknown>][] = [
    ['defaults', {}],
    ['KMS, aliases, replicas, S3 backend', {
      dataBucket: { name: 'acme-gk-data', encryption: 'aws:kms' },
      distribution: { aliases: ['f.acme.example'] },
      acl: { replicaRegions: ['us-east-1'] },
      backend: { s3: { bucket: 'acme-tf-state', key: 'gk.tfstate' } },
    }],
  ];

  it.each(variants)('%s: only Terraform keys, resources keyed by type then name', (_n, over) => {
    const { json } = synthStack(over);
    for (const k of Object.keys(json)) expect(TERRAFORM_TOP.has(k)).toBe(true);
    expect(json.terraform.required_providers).toEqual({ aws: { source: 'aws', version: '6.25.0' } });
    // The S3 backend's use_lockfile needs Terraform 1.10; plain `terraform` enforces the floor from the JSON.
    expect(json.terraform.required_version).toBe('>= 1.10.0');
    for (const [type, byName] of Object.entries(json.resource as Json)) {
      expect(type).toMatch(/^aws_[a-z0-9_]+$/);
      for (const [name, body] of Object.entries(byName as Json)) {
        expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(typeof body).toBe('object');
      }
    }
  });

  it.each(variants)('%s: no unresolved CDKTF tokens, and every reference points at something defined', (_n, over) => {
    const { json } = synthStack(over);
    const all = strings(json);
    expect(all.filter((s) => /TfToken|Token\[/.test(s))).toEqual([]);
    const defined = new Set<string>();
    for (const [type, byName] of Object.entries(json.resource as Json)) for (const n of Object.keys(byName as Json)) defined.add(`${type}.${n}`);
    for (const [type, byName] of Object.entries((json.data ?? {}) as Json)) for (const n of Object.keys(byName as Json)) defined.add(`data.${type}.${n}`);
    const dangling = all.flatMap(references).filter((r) => !defined.has(r));
    expect(dangling).toEqual([]);
    expect(all.flatMap(references).length).toBeGreaterThan(50);
  });

  it('the S3 backend is plain backend configuration', () => {
    const { json } = synthStack({ backend: { s3: { bucket: 'acme-tf-state', key: 'gk.tfstate', useLockfile: true } } });
    expect(json.terraform.backend).toEqual({ s3: { bucket: 'acme-tf-state', key: 'gk.tfstate', region: 'eu-west-1', encrypt: true, use_lockfile: true } });
  });

  it('fullSynth writes cdk.tf.json with relative asset paths that exist beside it', () => {
    const { stack } = synthStack();
    const out = Testing.fullSynth(stack);
    try {
      const dir = join(out, 'stacks', 'gatekeeper');
      const tf = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as Json;
      for (const f of Object.values(tf.resource.aws_lambda_function as Json) as Json[]) {
        expect(f.filename.startsWith('/')).toBe(false);
        expect(existsSync(join(dir, f.filename))).toBe(true);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

/**
 * `terraform validate` against a local provider mirror, when this machine has
 * one (no network is needed or used). The mirror may hold another major
 * version of the AWS provider than the bindings target (6.25.0); the pin is
 * rewritten to it, which checks every block and attribute both versions share.
 */
const PLUGIN_DIR = process.env.GK_TF_PLUGIN_DIR ?? '/opt/tf-plugins';
const MIRROR = join(PLUGIN_DIR, 'registry.terraform.io', 'hashicorp', 'aws');
const terraformOk = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;
const mirrorVersion = existsSync(MIRROR) ? readdirSync(MIRROR).sort().pop() : undefined;
const withTerraform = terraformOk && mirrorVersion ? it : it.skip;
if (!terraformOk || !mirrorVersion) {
  console.log(`skipping terraform validate: ${terraformOk ? `no provider mirror at ${MIRROR}` : 'no terraform binary'}`);
}

describe('terraform validate', () => {
  withTerraform(
    'accepts the synthesized stack',
    () => {
      const { stack } = synthStack({ dataBucket: { name: 'acme-gk-data', encryption: 'aws:kms', lifecycle: { expireAfterDays: 400 } }, distribution: { aliases: ['f.acme.example'] } });
      const work = mkdtempSync(join(tmpdir(), 'gk-tf-validate-'));
      const out = Testing.fullSynth(stack);
      cpSync(join(out, 'stacks', 'gatekeeper'), work, { recursive: true });
      rmSync(out, { recursive: true, force: true });
      const file = join(work, 'cdk.tf.json');
      const tf = JSON.parse(readFileSync(file, 'utf8')) as Json;
      tf.terraform.required_providers.aws = { source: 'hashicorp/aws', version: mirrorVersion };
      writeFileSync(file, JSON.stringify(tf));
      const env = { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
      let v;
      try {
        const init = spawnSync('terraform', ['init', '-backend=false', '-input=false', `-plugin-dir=${PLUGIN_DIR}`], { cwd: work, env, encoding: 'utf8' });
        expect(init.stderr + init.stdout).toContain('initialized');
        v = spawnSync('terraform', ['validate', '-json'], { cwd: work, env, encoding: 'utf8' });
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
      const result = JSON.parse(v.stdout) as { valid: boolean; diagnostics: { summary: string; detail: string }[] };
      expect(result.diagnostics.filter((d) => d.summary !== 'Unable to open CLI configuration file')).toEqual([]);
      expect(result.valid).toBe(true);
    },
    120_000,
  );
});
