/**
 * A Lambda@Edge runtime for one built bundle: a Node child process that
 * requires `<bundle>/index.js` and calls its `handler` for each event sent
 * over IPC, as the Lambda runtime would in a container.
 *
 * Why a process and not an in-process require: the bundle is production code
 * and may use what the Lambda runtime offers but a test runner's module
 * sandbox does not (the AWS SDK inside it does `await import("node:http")`,
 * which Jest's VM refuses); its environment is exactly the one a function
 * gets (credentials and region variables only, never the developer's AWS
 * profile); and its log is its stdout, as CloudWatch is the function's.
 * JSON crosses the boundary both ways, as it does between CloudFront and a
 * function.
 *
 * An invocation given a timeout fails past it (LambdaTimeoutError) and its
 * process is killed and replaced at once, as Lambda discards a timed-out
 * sandbox: a stuck bundle does not stay stuck, and the invocations still in
 * that process fail (LambdaRuntimeError) instead of waiting forever.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface LambdaOptions {
  /** For log lines: `gate`, `cosigner`. */
  name: string;
  /** The bundle file (`dist/edge/<fn>/index.js`). */
  bundle: string;
  /** The function's whole environment (nothing else is inherited). */
  env: Record<string, string>;
  /** Each line the function logs. */
  log: (line: string) => void;
}

export interface InvokeOptions {
  /** The function's timeout: past it the invocation fails and the runtime is replaced. */
  timeoutMs?: number;
}

export interface LocalLambda {
  invoke(event: unknown, opts?: InvokeOptions): Promise<unknown>;
  stop(): Promise<void>;
}

/** An invocation that ran past its timeout (Lambda's "Task timed out"). */
export class LambdaTimeoutError extends Error {
  override readonly name = 'LambdaTimeoutError';
}

/** An invocation lost with its runtime: the process exited or was replaced. */
export class LambdaRuntimeError extends Error {
  override readonly name = 'LambdaRuntimeError';
}

/** Runs inside the child: plain CommonJS, no TypeScript. */
const RUNNER = `
const file = process.argv[1];
let handler;
try {
  handler = require(file).handler;
  if (typeof handler !== 'function') throw new Error('the bundle exports no handler');
} catch (e) {
  process.send({ t: 'init-error', message: String(e && e.message) });
  process.exit(1);
}
process.on('message', (m) => {
  Promise.resolve()
    .then(() => handler(m.event))
    .then(
      (result) => process.send({ t: 'result', id: m.id, ok: true, result }),
      (e) => process.send({ t: 'result', id: m.id, ok: false, error: String(e && e.name) + ': ' + String(e && e.message) }),
    );
});
process.on('disconnect', () => process.exit(0));
process.send({ t: 'ready' });
`;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

/** One process and the invocations sent to it (a container, but one that takes several at once). */
interface Runtime {
  proc: ChildProcess;
  pending: Map<number, Pending>;
  /** Set when we kill it on purpose, so that its exit is not reported as a crash. */
  replaced: boolean;
}

export async function startLambda(o: LambdaOptions): Promise<LocalLambda> {
  let current: Runtime | null = null;
  let starting: Promise<Runtime> | null = null;
  let stopped = false;
  let nextId = 0;

  const failAll = (r: Runtime, err: Error): void => {
    for (const [id, p] of r.pending) {
      r.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(err);
    }
  };

  const spawnOne = (): Promise<Runtime> =>
    new Promise((resolve, reject) => {
      const c = spawn(process.execPath, ['-e', RUNNER, o.bundle], {
        env: o.env,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'json',
      });
      const r: Runtime = { proc: c, pending: new Map(), replaced: false };
      for (const stream of [c.stdout, c.stderr]) {
        if (stream) createInterface({ input: stream }).on('line', (line) => o.log(`${o.name}: ${line}`));
      }
      let ready = false;
      c.on('message', (m: { t: string; id?: number; ok?: boolean; result?: unknown; error?: string; message?: string }) => {
        if (m.t === 'ready') {
          ready = true;
          resolve(r);
        } else if (m.t === 'init-error') {
          reject(new Error(`${o.name}: the bundle failed to load: ${m.message ?? ''}`));
        } else if (m.t === 'result' && m.id !== undefined) {
          const p = r.pending.get(m.id);
          r.pending.delete(m.id);
          if (p === undefined) return;
          clearTimeout(p.timer);
          if (m.ok) p.resolve(m.result);
          else p.reject(new Error(m.error ?? 'handler failed'));
        }
      });
      c.on('error', (err) => {
        if (!ready) reject(err);
      });
      c.on('exit', (code, signal) => {
        if (current === r) current = null;
        if (!ready) reject(new Error(`${o.name}: the runtime exited during init (${signal ?? code})`));
        if (!stopped && !r.replaced) o.log(`${o.name}: runtime exited (${signal ?? code}); the next invocation starts a new one`);
        failAll(r, new LambdaRuntimeError(`${o.name}: the runtime exited during the invocation`));
      });
    });

  const ensure = async (): Promise<Runtime> => {
    if (current !== null) return current;
    starting ??= spawnOne().then(
      (r) => {
        starting = null;
        if (stopped) {
          r.replaced = true;
          r.proc.kill('SIGKILL');
          throw new Error(`${o.name}: stopped`);
        }
        current = r;
        return r;
      },
      (err: unknown) => {
        starting = null;
        throw err;
      },
    );
    return starting;
  };

  /**
   * A timed-out invocation may leave the bundle stuck (a hung await, a busy
   * loop): as Lambda does with its sandbox, the process goes, the
   * invocations still in it fail, and a fresh one is started.
   */
  const replace = (r: Runtime, timeoutMs: number): void => {
    if (r.replaced) return;
    r.replaced = true;
    if (current === r) current = null;
    const others = r.pending.size;
    failAll(r, new LambdaRuntimeError(`${o.name}: the runtime was replaced after an invocation timed out`));
    r.proc.kill('SIGKILL');
    o.log(`${o.name}: an invocation timed out after ${timeoutMs} ms; runtime killed (${others} other invocation(s) failed), starting a new one`);
    if (!stopped) ensure().catch((err: unknown) => o.log(`${o.name}: restart failed: ${(err as Error).message}`));
  };

  await ensure();

  return {
    async invoke(event: unknown, opts: InvokeOptions = {}): Promise<unknown> {
      if (stopped) throw new Error(`${o.name}: stopped`);
      const r = await ensure();
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        const p: Pending = { resolve, reject };
        const timeoutMs = opts.timeoutMs;
        if (timeoutMs !== undefined) {
          p.timer = setTimeout(() => {
            if (r.pending.get(id) !== p) return;
            r.pending.delete(id);
            reject(new LambdaTimeoutError(`${o.name}: the invocation timed out after ${timeoutMs} ms`));
            replace(r, timeoutMs);
          }, timeoutMs);
        }
        r.pending.set(id, p);
        r.proc.send({ id, event }, (err) => {
          if (err && r.pending.get(id) === p) {
            r.pending.delete(id);
            clearTimeout(p.timer);
            reject(err);
          }
        });
      });
    },
    async stop(): Promise<void> {
      stopped = true;
      const r = current ?? (starting === null ? null : await starting.catch(() => null));
      if (r === null) return;
      const c = r.proc;
      if (c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => c.kill('SIGKILL'), 2000);
        c.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        if (c.connected) c.disconnect();
        else c.kill();
      });
    },
  };
}
