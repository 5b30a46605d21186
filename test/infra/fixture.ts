import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { publicKeyOfSeed } from '../../edge/core/keys';
import { parseStackConfig } from '../../infra/config';
import type { EdgeBundles } from '../../infra/edge-functions';
import { GatekeeperStack } from '../../infra/stack';

const temps: string[] = [];

/** A temp dir removed after the test file (hooks registered by importing this module). */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}

afterAll(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
  bundles = null;
});

/** Deterministic Ed25519 key pairs (seed = 32 × n). */
export function keyPair(n: number): { publicKey: string; privateKey: string } {
  const seed = Buffer.alloc(32, n);
  return { publicKey: publicKeyOfSeed(seed).toString('base64url'), privateKey: seed.toString('base64url') };
}

export const GK_KEY = keyPair(1);
export const GK_KEY_2 = keyPair(2);
export const VENDOR_KEY = keyPair(3);

/** A complete, valid stack config input; `over` replaces top-level fields. */
export function stackInput(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    prefix: 'acme-gk',
    region: 'eu-west-1',
    gatekeeperId: 'acme-prod',
    vendorOrigins: ['https://reports.vendor.example'],
    vendorKeys: [{ kid: 'vendor-2026-12', publicKey: VENDOR_KEY.publicKey }],
    gatekeeperKeys: [{ kid: 'gk-2026-12', publicKey: GK_KEY.publicKey }],
    dataBucket: { name: 'acme-gk-data' },
    ...over,
  };
}

let bundles: EdgeBundles | null = null;

/** Small stand-ins for dist/edge/*.zip (the stack only hashes and copies them). */
export function dummyBundles(): EdgeBundles {
  if (bundles) return bundles;
  const dir = tempDir('gk-infra-zips-');
  const gate = join(dir, 'gate.zip');
  const cosigner = join(dir, 'cosigner.zip');
  writeFileSync(gate, 'PK-gate-stand-in');
  writeFileSync(cosigner, 'PK-cosigner-stand-in');
  bundles = { gate, cosigner };
  return bundles;
}

export function sha256b64(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('base64');
}

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Synthesized {
  stack: GatekeeperStack;
  /** Testing.synth output (what the cdktf jest matchers take). */
  text: string;
  json: Json;
}

/** Testing.app() with an outdir that is cleaned up (the default leaves one temp dir per app). */
export function testApp(): ReturnType<typeof Testing.app> {
  return Testing.app({ outdir: tempDir('gk-cdktf-app-') });
}

export function synthStack(over: Record<string, unknown> = {}, opts: { detachEdge?: boolean; queriesDir?: string } = {}): Synthesized {
  const config = parseStackConfig(stackInput(over));
  const stack = new GatekeeperStack(testApp(), 'gatekeeper', { config, edgeBundles: dummyBundles(), ...opts });
  const text = Testing.synth(stack);
  return { stack, text, json: JSON.parse(text) as Json };
}

/** One resource body by type and readable name. */
export function res(json: Json, type: string, name: string): Json {
  const r = json.resource?.[type]?.[name];
  if (!r) throw new Error(`no ${type}.${name} in the synthesized stack`);
  return r as Json;
}

export function names(json: Json, type: string): string[] {
  return Object.keys(json.resource?.[type] ?? {}).sort();
}

export function policyOf(r: Json, field = 'policy'): { Statement: Json[] } {
  return JSON.parse(r[field] as string) as { Statement: Json[] };
}

export function statement(r: Json, sid: string): Json {
  const s = policyOf(r).Statement.find((x) => x.Sid === sid);
  if (!s) throw new Error(`no statement ${sid}`);
  return s;
}
