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

export interface LocalLambda {
  invoke(event: unknown): Promise<unknown>;
  stop(): Promise<void>;
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
}

export async function startLambda(o: LambdaOptions): Promise<LocalLambda> {
  let child: ChildProcess | null = null;
  let starting: Promise<ChildProcess> | null = null;
  let stopped = false;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  const spawnOne = (): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      const c = spawn(process.execPath, ['-e', RUNNER, o.bundle], {
        env: o.env,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'json',
      });
      for (const stream of [c.stdout, c.stderr]) {
        if (stream) createInterface({ input: stream }).on('line', (line) => o.log(`${o.name}: ${line}`));
      }
      let ready = false;
      c.on('message', (m: { t: string; id?: number; ok?: boolean; result?: unknown; error?: string; message?: string }) => {
        if (m.t === 'ready') {
          ready = true;
          resolve(c);
        } else if (m.t === 'init-error') {
          reject(new Error(`${o.name}: the bundle failed to load: ${m.message ?? ''}`));
        } else if (m.t === 'result' && m.id !== undefined) {
          const p = pending.get(m.id);
          pending.delete(m.id);
          if (p === undefined) return;
          if (m.ok) p.resolve(m.result);
          else p.reject(new Error(m.error ?? 'handler failed'));
        }
      });
      c.on('error', (err) => {
        if (!ready) reject(err);
      });
      c.on('exit', (code, signal) => {
        if (child === c) child = null;
        if (!ready) reject(new Error(`${o.name}: the runtime exited during init (${signal ?? code})`));
        if (!stopped) o.log(`${o.name}: runtime exited (${signal ?? code}); the next invocation starts a new one`);
        for (const [id, p] of pending) {
          pending.delete(id);
          p.reject(new Error(`${o.name}: the runtime exited during the invocation`));
        }
      });
    });

  const ensure = async (): Promise<ChildProcess> => {
    if (child !== null) return child;
    starting ??= spawnOne().then(
      (c) => {
        child = c;
        starting = null;
        return c;
      },
      (err: unknown) => {
        starting = null;
        throw err;
      },
    );
    return starting;
  };

  await ensure();

  return {
    async invoke(event: unknown): Promise<unknown> {
      if (stopped) throw new Error(`${o.name}: stopped`);
      const c = await ensure();
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        c.send({ id, event }, (err) => {
          if (err) {
            pending.delete(id);
            reject(err);
          }
        });
      });
    },
    async stop(): Promise<void> {
      stopped = true;
      const c = child;
      if (c === null) return;
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
