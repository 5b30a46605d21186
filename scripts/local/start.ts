/**
 * `npm start`: the whole gatekeeper on this machine, bound to 127.0.0.1.
 *
 * Reads $GATEKEEPER_LOCAL_CONFIG (default local/gatekeeper.local.json,
 * created with fresh keys on first run), starts the stack and prints the
 * gatekeeper and demo URLs. SIGINT or SIGTERM stops it, flushing the audit
 * records to Parquet first.
 */
import { relative } from 'node:path';
import { loadLocalConfig, localConfigPath } from './config';
import { startStack, type LocalStack } from './stack';

function rel(p: string): string {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
}

async function main(): Promise<void> {
  // The SDK's notice about future Node versions is not something a local run can act on.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const path = localConfigPath();
  const config = loadLocalConfig(path);
  const log = (line: string): void => console.log(line);
  log(`gatekeeper-local: config ${rel(path)}`);
  const stack: LocalStack = await startStack({ config, log });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      log(`gatekeeper-local: ${signal} again, exiting now`);
      process.exit(130);
    }
    stopping = true;
    log(`gatekeeper-local: ${signal}, stopping (flushing audit records)...`);
    stack
      .stop()
      .then(() => {
        log('gatekeeper-local: stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        console.error(`gatekeeper-local: stop failed: ${(err as Error).message}`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  log('');
  log(`gatekeeper:  ${stack.urls.gatekeeper}   (CloudFront-like proxy running dist bundles of ${rel(stack.files.bundles)})`);
  if (stack.urls.demo !== null) log(`demo page:   ${stack.urls.demo}   (demo vendor app; open it in a browser)`);
  log(`ACL file:    ${rel(stack.files.acl)}   (edit it: in effect within ${stack.buildConfig.aclTtlSeconds} s)`);
  log(`audit log:   ${rel(stack.files.auditDir)}/dt=YYYY-MM-DD/*.parquet   (npx gatekeeper audit query "SELECT * FROM audit")`);
  log('Ctrl-C stops the stack.');
  log('');
}

main().catch((err: unknown) => {
  console.error(`gatekeeper-local: ${(err as Error).message}`);
  process.exit(1);
});
