/**
 * cdktf app entry (cdktf.json "app"): stack config → build config → edge
 * bundles → stack → cdktf.out/. Run through `npx cdktf synth|deploy`.
 *
 *   GATEKEEPER_STACK_CONFIG  stack config file (default gatekeeper.stack.json)
 *   GATEKEEPER_DETACH_EDGE=1 detach both functions and disable the distribution
 *                            (first step of scripts/infra/destroy.sh)
 *   GATEKEEPER_EDGE_OUT      where the bundles are built (default dist/edge)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App } from 'cdktf';
import { buildEdge } from '../scripts/build';
import { buildConfigFor, loadStackConfig } from './config';
import { GatekeeperStack } from './stack';

const ROOT = resolve(__dirname, '..');

async function main(): Promise<void> {
  const configPath = resolve(process.env.GATEKEEPER_STACK_CONFIG ?? join(ROOT, 'gatekeeper.stack.json'));
  const config = loadStackConfig(configPath);
  const buildConfig = buildConfigFor(config);

  const app = new App();
  mkdirSync(app.outdir, { recursive: true });
  // For the record: exactly what was baked into the bundles (no secrets in it).
  writeFileSync(join(app.outdir, 'edge-build-config.json'), `${JSON.stringify(buildConfig, null, 2)}\n`);

  const bundles = await buildEdge({ config: buildConfig, outDir: resolve(process.env.GATEKEEPER_EDGE_OUT ?? join(ROOT, 'dist', 'edge')) });
  new GatekeeperStack(app, config.stackName, {
    config,
    edgeBundles: { gate: bundles.gate, cosigner: bundles.cosigner },
    detachEdge: process.env.GATEKEEPER_DETACH_EDGE === '1',
  });
  app.synth();
}

main().catch((e: unknown) => {
  console.error(`infra: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
