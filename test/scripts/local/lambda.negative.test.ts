import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaRuntimeError, LambdaTimeoutError, startLambda } from '../../../scripts/local/lambda';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 's3gk-lambda-neg-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bundle(name: string, code: string): string {
  const file = join(dir, `${name}.js`);
  writeFileSync(file, code);
  return file;
}

describe('local Lambda runtime failures', () => {
  it('a bundle that does not load fails the start, naming the function', async () => {
    const file = bundle('broken', `throw new Error('init failed');`);
    await expect(startLambda({ name: 'gate', bundle: file, env: {}, log: () => undefined })).rejects.toThrow('gate: the bundle failed to load: init failed');
    const none = bundle('nohandler', `exports.other = 1;`);
    await expect(startLambda({ name: 'gate', bundle: none, env: {}, log: () => undefined })).rejects.toThrow('exports no handler');
  });

  it('a handler that throws rejects the invocation with its name and message', async () => {
    const fn = await startLambda({ name: 'x', bundle: bundle('throws', `exports.handler = async () => { throw new TypeError('bad'); };`), env: {}, log: () => undefined });
    try {
      await expect(fn.invoke({})).rejects.toThrow('TypeError: bad');
    } finally {
      await fn.stop();
    }
  });

  it('a runtime that dies fails its pending invocation and is replaced at the next one (a new cold start)', async () => {
    // Prepare
    const file = bundle('dies', `let n = 0; exports.handler = async (e) => { if (e.die) process.exit(3); return ++n; };`);
    const lines: string[] = [];
    const fn = await startLambda({ name: 'x', bundle: file, env: {}, log: (l) => lines.push(l) });
    try {
      expect(await fn.invoke({})).toBe(1);
      // Act
      await expect(fn.invoke({ die: true })).rejects.toThrow('the runtime exited during the invocation');
      const after = await fn.invoke({});
      // Assess: module state is fresh, as in a new container
      expect(after).toBe(1);
      expect(lines.some((l) => /runtime exited \(3\)/.test(l))).toBe(true);
    } finally {
      await fn.stop();
    }
  });

  it('an invocation past its timeout fails, its runtime is replaced and the invocations still in it fail cleanly', async () => {
    // Prepare: `hang` never settles (a stuck bundle), `slow` would settle after 2 s
    const file = bundle(
      'hangs',
      `let n = 0; exports.handler = (e) => e.hang ? new Promise(() => {}) : e.slow ? new Promise((r) => setTimeout(() => r('slow'), 2000)) : Promise.resolve(++n);`,
    );
    const lines: string[] = [];
    const fn = await startLambda({ name: 'gate', bundle: file, env: {}, log: (l) => lines.push(l) });
    try {
      expect(await fn.invoke({})).toBe(1);
      // Act
      const t0 = Date.now();
      const slow = fn.invoke({ slow: true }).catch((e: unknown) => e);
      const hung = await fn.invoke({ hang: true }, { timeoutMs: 200 }).catch((e: unknown) => e);
      const elapsed = Date.now() - t0;
      const lost = await slow;
      const after = await fn.invoke({}, { timeoutMs: 2000 });
      // Assess
      expect(hung).toBeInstanceOf(LambdaTimeoutError);
      expect((hung as Error).message).toBe('gate: the invocation timed out after 200 ms');
      expect(elapsed).toBeLessThan(1500);
      expect(lost).toBeInstanceOf(LambdaRuntimeError);
      expect((lost as Error).message).toBe('gate: the runtime was replaced after an invocation timed out');
      // A fresh process: module state starts again.
      expect(after).toBe(1);
      expect(lines.filter((l) => /timed out after 200 ms; runtime killed \(1 other invocation\(s\) failed\), starting a new one/.test(l))).toHaveLength(1);
      expect(lines.some((l) => /runtime exited/.test(l))).toBe(false);
    } finally {
      await fn.stop();
    }
  });

  it('an invocation within its timeout is not affected by it', async () => {
    const lines: string[] = [];
    const fn = await startLambda({ name: 'x', bundle: bundle('quick', `exports.handler = async () => 'ok';`), env: {}, log: (l) => lines.push(l) });
    try {
      // Act: let the first timeout's moment pass with nothing pending
      expect(await fn.invoke({}, { timeoutMs: 300 })).toBe('ok');
      await new Promise((r) => setTimeout(r, 400));
      // Assess
      expect(await fn.invoke({}, { timeoutMs: 300 })).toBe('ok');
      expect(lines.filter((l) => /timed out|runtime killed/.test(l))).toEqual([]);
    } finally {
      await fn.stop();
    }
  });

  it('a stopped runtime refuses invocations', async () => {
    const fn = await startLambda({ name: 'x', bundle: bundle('ok', `exports.handler = async () => 1;`), env: {}, log: () => undefined });
    await fn.stop();
    await expect(fn.invoke({})).rejects.toThrow('stopped');
  });
});
