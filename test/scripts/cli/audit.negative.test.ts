import { runAudit } from '../../../scripts/cli/audit';
import { captureIo } from './io';

describe('gatekeeper audit: bad usage is one line on stderr and exit 2', () => {
  it.each([
    [[], /missing command/],
    [['audit'], /missing command/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['query', '--verbose'], /unknown option --verbose/],
    [['query'], /query needs "SQL" or --saved NAME/],
    [['query', ' '], /the SQL is empty/],
    [['query', 'SELECT', '1'], /one SQL argument/],
    [['query', 'SELECT 1', '--saved', 'ip_activity'], /either "SQL" or --saved/],
    [['query', '--saved'], /--saved needs a value/],
    [['query', '--saved', 'ip_activity', '--param', 'ip'], /expected name=value/],
    [['query', '--saved', 'ip_activity', '--param', '=x'], /expected name=value/],
    [['query', '--saved', 'ip_activity', '--param', 'ip=1', '--param', 'ip=2'], /given twice/],
    [['query', 'SELECT 1', '--param', 'ip=1'], /--param applies to --saved/],
    [['query', 'SELECT 1', '--athena', '--database', 'd'], /--athena needs --workgroup/],
    [['query', 'SELECT 1', '--athena', '--workgroup', 'w'], /--athena needs --database/],
    [['query', 'SELECT 1', '--workgroup', 'w'], /apply to --athena only/],
    [['query', 'SELECT 1', '--athena', '--workgroup', 'w', '--database', 'd', '--region', 'moon'], /not an AWS region/],
    [['query', 'SELECT 1', '--athena', '--workgroup', 'w', '--database', 'd', '--timeout', '0'], /--timeout/],
    [['query', 'SELECT 1', '--athena=yes'], /--athena takes no value/],
    [['list', 'extra'], /list takes no arguments/],
    [['flush', '--saved', 'x'], /apply to query only/],
    [['flush', '--athena'], /apply to query only/],
    [['query', '--saved', 'no_such_query'], /unknown saved query "no_such_query"; saved queries: decisions_by_country, decisions_for_key, denied_last_24h, ip_activity, subject_activity, would_deny/],
    [['query', '--saved', 'ip_activity', '--param', 'sub=x'], /has no parameter "sub" \(it takes: ip, since, until\)/],
  ])('%j', async (argv, message) => {
    const io = captureIo();
    // Act
    const code = await runAudit(argv as string[], io);
    // Assess
    expect(code).toBe(2);
    expect(io.out).toEqual([]);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toMatch(message);
    expect(io.err[0]).toMatch(/^audit: [^\n]*\n$/);
  });
});
