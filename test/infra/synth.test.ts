import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildConfigFor, loadStackConfig } from '../../infra/config';
import { checkPolicy, formatViolation } from '../../infra/policy';

const ROOT = resolve(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'infra', 'gatekeeper.stack.example.json');

/**
 * The real path a customer takes (`npm run synth` is `CHECKPOINT_DISABLE=1
 * cdktf synth`): cdktf-cli runs infra/main.ts, which builds the edge bundles
 * from the stack config and synthesizes. Output and bundles go to temporary
 * directories so the repository's cdktf.out/ and dist/edge/ stay untouched.
 */
describe('cdktf synth (offline)', () => {
  it(
    'writes cdktf.out with the stack, its assets and the build config it baked in',
    () => {
      // Prepare
      const out = mkdtempSync(join(tmpdir(), 'gk-synth-out-'));
      const edge = mkdtempSync(join(tmpdir(), 'gk-synth-edge-'));
      try {
        // Act
        const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'cdktf'), ['synth', '--output', out], {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 150_000,
          env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1', GATEKEEPER_STACK_CONFIG: EXAMPLE, GATEKEEPER_EDGE_OUT: edge },
        });
        // Assess
        expect({ status: r.status, tail: r.status === 0 ? '' : (r.stderr + r.stdout).slice(-2000) }).toEqual({ status: 0, tail: '' });
        const config = loadStackConfig(EXAMPLE);
        expect(JSON.parse(readFileSync(join(out, 'edge-build-config.json'), 'utf8'))).toEqual(buildConfigFor(config));
        const dir = join(out, 'stacks', config.stackName);
        const tf = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
        expect(checkPolicy(tf).map(formatViolation)).toEqual([]);
        for (const fn of ['edge_gate', 'edge_cosigner']) {
          const f = tf.resource.aws_lambda_function[fn];
          expect(existsSync(join(dir, f.filename))).toBe(true);
          expect(readFileSync(join(dir, f.filename))).toEqual(readFileSync(join(edge, f.filename.endsWith('gate.zip') ? 'gate.zip' : 'cosigner.zip')));
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
        rmSync(edge, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
