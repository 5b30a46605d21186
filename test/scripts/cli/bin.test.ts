import { spawnSync } from 'child_process';
import { readFileSync, statSync } from 'fs';
import { join } from 'path';
import { b64uDecode } from '../../../edge/core/b64u';
import { publicKeyOfSeed } from '../../../edge/core/keys';
import { MAIN_USAGE } from '../../../scripts/cli/main';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'scripts', 'gatekeeper.js');

function run(command: string, args: string[]) {
  return spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
}

describe('the gatekeeper executable (a real process)', () => {
  it('is the package bin, executable, with a node shebang', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.bin.gatekeeper).toBe('scripts/gatekeeper.js');
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(BIN).mode & 0o111).toBe(0o111);
  });

  it('prints the usage for --help and exits 0', () => {
    const r = run('node', [BIN, '--help']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(MAIN_USAGE);
  });

  it('runs keygen through its shebang', () => {
    const r = run(BIN, ['keygen', '--kid', 'bin-test']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const pair = JSON.parse(r.stdout);
    expect(pair.kid).toBe('bin-test');
    expect(publicKeyOfSeed(b64uDecode(pair.privateKey) as Buffer).equals(b64uDecode(pair.publicKey) as Buffer)).toBe(true);
  });

  it('loads the audit command (DuckDB, lazily) in the real process', () => {
    const r = run('node', [BIN, 'audit', '--help']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: gatekeeper audit');
  });

  it('exits 2 with one line for bad input', () => {
    const r = run('node', [BIN, 'keygen']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('gatekeeper keygen: --kid is required\n');
  });
});
