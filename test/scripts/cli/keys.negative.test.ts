import { readFileSync } from 'fs';
import { runKeygen } from '../../../scripts/cli/keys';
import { memoryIo, tempDir } from './helpers';

describe('gatekeeper keygen refuses bad input with one line and exit 2', () => {
  it.each<[string, string[], string]>([
    ['no --kid', [], 'gatekeeper keygen: --kid is required\n'],
    ['--kid without a value', ['--kid'], 'gatekeeper keygen: --kid needs a value\n'],
    ['an empty kid', ['--kid='], 'gatekeeper keygen: --kid must be 1-64 characters of [A-Za-z0-9._-]\n'],
    ['a kid with a slash', ['--kid', 'a/b'], 'gatekeeper keygen: --kid must be 1-64 characters of [A-Za-z0-9._-]\n'],
    ['a 65-character kid', ['--kid', 'k'.repeat(65)], 'gatekeeper keygen: --kid must be 1-64 characters of [A-Za-z0-9._-]\n'],
    ['a repeated --kid', ['--kid', 'a', '--kid', 'b'], 'gatekeeper keygen: --kid is given twice\n'],
    ['an unknown option', ['--kid', 'a', '--force'], 'gatekeeper keygen: unknown option "--force"\n'],
    ['a positional', ['a', '--kid', 'a'], 'gatekeeper keygen: unexpected argument #1 (expected none)\n'],
  ])('%s', async (_name, argv, line) => {
    const m = memoryIo();
    expect(await runKeygen(argv, m.io)).toBe(2);
    expect(m.err()).toBe(line);
    expect(m.out()).toBe('');
  });

  it('never overwrites a key file', async () => {
    const t = tempDir();
    try {
      const file = t.file('old.json', 'OLD KEY\n');
      const m = memoryIo();
      expect(await runKeygen(['--kid', 'k', '--out', file], m.io)).toBe(2);
      expect(m.err()).toBe('gatekeeper keygen: --out: the file exists; refusing to overwrite a key\n');
      expect(m.out()).toBe('');
      expect(readFileSync(file, 'utf8')).toBe('OLD KEY\n');
    } finally {
      t.cleanup();
    }
  });

  it('reports an unwritable --out without printing the key', async () => {
    const m = memoryIo();
    expect(await runKeygen(['--kid', 'k', '--out', '/nonexistent-dir/k.json'], m.io)).toBe(2);
    expect(m.err()).toBe('gatekeeper keygen: --out: cannot write the file (ENOENT)\n');
    expect(m.out()).toBe('');
  });
});
