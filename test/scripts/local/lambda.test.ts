import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLambda, type LocalLambda } from '../../../scripts/local/lambda';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 's3gk-lambda-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bundle(name: string, code: string): string {
  const file = join(dir, `${name}.js`);
  writeFileSync(file, code);
  return file;
}

describe('local Lambda runtime', () => {
  let fn: LocalLambda | undefined;
  afterEach(async () => {
    await fn?.stop();
    fn = undefined;
  });

  it('calls the bundle\'s handler with the event and returns its JSON result; env is exactly the one given', async () => {
    // Prepare
    const file = bundle(
      'echo',
      `exports.handler = async (event) => ({ got: event, env: Object.keys(process.env).sort(), region: process.env.AWS_REGION });`,
    );
    const lines: string[] = [];
    fn = await startLambda({ name: 'echo', bundle: file, env: { AWS_REGION: 'us-east-1', PATH: '/usr/bin' }, log: (l) => lines.push(l) });
    // Act
    const out = (await fn.invoke({ Records: [{ cf: { request: { uri: '/a' } } }] })) as Record<string, unknown>;
    // Assess
    expect(out.got).toEqual({ Records: [{ cf: { request: { uri: '/a' } } }] });
    expect(out.region).toBe('us-east-1');
    expect(out.env).toEqual(expect.arrayContaining(['AWS_REGION', 'PATH']));
    expect(out.env).not.toContain('HOME');
  });

  it('runs concurrent invocations and keeps their answers apart', async () => {
    const file = bundle('slow', `exports.handler = (e) => new Promise((r) => setTimeout(() => r(e.n), 50 - e.n * 10));`);
    fn = await startLambda({ name: 'slow', bundle: file, env: {}, log: () => undefined });
    const out = await Promise.all([1, 2, 3, 4].map((n) => fn!.invoke({ n })));
    expect(out).toEqual([1, 2, 3, 4]);
  });

  it('turns the function log into log lines with the function name', async () => {
    const file = bundle('logs', `exports.handler = async () => { console.log('GK_AUDIT_FALLBACK {"a":1}'); console.error('oops'); return 1; };`);
    const lines: string[] = [];
    fn = await startLambda({ name: 'gate', bundle: file, env: {}, log: (l) => lines.push(l) });
    await fn.invoke({});
    const deadline = Date.now() + 2000;
    while (lines.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(lines).toEqual(expect.arrayContaining(['gate: GK_AUDIT_FALLBACK {"a":1}', 'gate: oops']));
  });
});
