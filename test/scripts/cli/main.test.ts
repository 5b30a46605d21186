import { ACL_PUSH_USAGE, ACL_SIMULATE_USAGE, ACL_USAGE, ACL_VALIDATE_USAGE } from '../../../scripts/cli/acl';
import { GRANT_USAGE } from '../../../scripts/cli/grant';
import { INSPECT_USAGE } from '../../../scripts/cli/inspect';
import { KEYGEN_USAGE } from '../../../scripts/cli/keys';
import { main, MAIN_USAGE } from '../../../scripts/cli/main';
import { memoryIo } from './helpers';

// The real audit command loads DuckDB and Athena; its own tests cover it. Here only the wiring.
const runAudit = jest.fn();
jest.mock('../../../scripts/cli/audit', () => ({ runAudit: (...args: unknown[]) => runAudit(...args) }));

describe('gatekeeper main', () => {
  it.each<[string[], string]>([
    [['--help'], MAIN_USAGE],
    [['-h'], MAIN_USAGE],
    [['help'], MAIN_USAGE],
    [['keygen', '--help'], KEYGEN_USAGE],
    [['grant', '--help'], GRANT_USAGE],
    [['grant', '--aud', 'x', '-h'], GRANT_USAGE],
    [['inspect', '--help'], INSPECT_USAGE],
    [['acl', '--help'], ACL_USAGE],
    [['acl', 'validate', '--help'], ACL_VALIDATE_USAGE],
    [['acl', 'simulate', '--help'], ACL_SIMULATE_USAGE],
    [['acl', 'push', '--help'], ACL_PUSH_USAGE],
  ])('%p prints its usage and exits 0', async (argv, usage) => {
    const m = memoryIo();
    expect(await main(argv, m.io)).toBe(0);
    expect(m.out()).toBe(usage);
    expect(m.out()).toMatch(/^Usage: gatekeeper/);
    expect(m.err()).toBe('');
  });

  it('lists every command in the main usage', () => {
    for (const c of ['keygen', 'grant', 'inspect', 'acl validate', 'acl simulate', 'acl push', 'audit']) expect(MAIN_USAGE).toContain(`  ${c} `);
  });

  it.each<[string[], string]>([
    [[], 'gatekeeper: a command is required; see "gatekeeper --help"\n'],
    [['sign'], 'gatekeeper: unknown command; see "gatekeeper --help"\n'],
  ])('%p is one line and exit 2', async (argv, line) => {
    const m = memoryIo();
    expect(await main(argv, m.io)).toBe(2);
    expect(m.err()).toBe(line);
    expect(m.out()).toBe('');
  });

  it('hands audit its arguments and an io that takes functions or writes', async () => {
    // Prepare
    runAudit.mockReset();
    runAudit.mockImplementation(async (_argv: string[], io: { stdout: ((s: string) => void) & { write(s: string): void }; stderr: (s: string) => void }) => {
      io.stdout('rows: ');
      io.stdout.write('3\n');
      io.stderr('note\n');
      return 7;
    });
    const m = memoryIo();

    // Act
    const code = await main(['audit', 'query', 'denials-by-country', '--since', '1h'], m.io);

    // Assess
    expect(code).toBe(7);
    expect(runAudit).toHaveBeenCalledTimes(1);
    expect(runAudit.mock.calls[0][0]).toEqual(['query', 'denials-by-country', '--since', '1h']);
    expect(m.out()).toBe('rows: 3\n');
    expect(m.err()).toBe('note\n');
  });

  it('turns an unexpected exception into one line and exit 1', async () => {
    const m = memoryIo({
      now: () => {
        throw new Error('clock\nbroke');
      },
    });
    const token = 'eyJ2IjoxLCJraWQiOiJnayIsImdoIjoiUWZCa3p4WjBtamE0ZTExMnRqYVRaMGpEX3UtLU1GUEhGQjlmYUJCdUtVYyIsImlwIjoiMS4yLjMuNCIsImN0cnkiOiJVUyIsImlhdCI6MSwiZXhwIjoyfQ.' + 'A'.repeat(86);
    expect(await main(['inspect', token], m.io)).toBe(1);
    expect(m.err()).toBe('gatekeeper: internal error: Error: clock broke\n');
  });
});
