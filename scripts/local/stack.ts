/**
 * The whole gatekeeper on one machine, every listener on 127.0.0.1:
 * S3 emulator (private origin), Kinesis emulator with the audit stream, the
 * local Firehose writing Parquet, the local Secrets Manager serving the ACL
 * and the signing key from files, the CloudFront-like proxy running the
 * production bundles (built here with the local endpoints baked in), and the
 * demo vendor app. Used by `npm start` and by the end-to-end tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseBuildConfig, type BuildConfig } from '../../edge/config';
import { parseAclText } from '../../edge/core/acl';
import { buildEdge } from '../build';
import { buildBrowserClient } from '../build-browser';
import { publicKeyOf, type LocalConfig } from './config';
import { startDemo, type DemoApp } from './demo/server';
import { seedDemoReport } from './demo/seed';
import { LocalFirehose } from './firehose';
import { ensureStream, startKinesis, type LocalKinesis } from './kinesis';
import { startLambda } from './lambda';
import { startProxy, type EdgeHandler, type LocalProxy } from './proxy';
import { LOCAL_REGION, startS3, type LocalS3, type S3Principal } from './s3';
import { startSecrets, watchAclFile, type LocalSecrets } from './secrets';
import { randomCredentials, type Credentials } from './sigv4';

export const AUDIT_STREAM = 'gatekeeper-audit-local';
export const ACL_SECRET_ID = 'gatekeeper-local/acl';
export const SIGNING_KEY_SECRET_ID = 'gatekeeper-local/signing-key';

export interface StackPorts {
  /** The gatekeeper (CloudFront-like proxy); default config.port. */
  proxy?: number;
  /** The demo vendor app; default config.demoPort. */
  demo?: number;
  /** The emulators; default 0 (any free port). */
  s3?: number;
  kinesis?: number;
  secrets?: number;
}

export interface StartStackOptions {
  config: LocalConfig;
  /** Default: config.dataDir, resolved against the working directory. */
  dataDir?: string;
  ports?: StackPorts;
  /** One line per event; default console.log. */
  log?: (line: string) => void;
  /** false: no demo app (and no demo objects). host: a 127.x.y.z address for it (default 127.0.0.1). */
  demo?: false | { host?: string };
  /** The proxy's origin response timeout (default 5000). */
  originResponseTimeoutMs?: number;
  /** How often the ACL file is checked for edits to report (default 500). */
  aclWatchIntervalMs?: number;
  /** How often the local Firehose writes Parquet (default 1000). */
  flushIntervalMs?: number;
  /** The bundles' Kinesis deadline (build config auditTimeoutMs, default 1500). */
  auditTimeoutMs?: number;
}

/**
 * The key pairs of one stack run, fresh at every start and never written
 * anywhere. Each party holds only its own, as each IAM principal would:
 */
export interface StackCredentials {
  /** The proxy's origin key (OAC's): GET, HEAD and PUT of objects, no query string. */
  origin: Credentials;
  /** The gate's role: reads the ACL secret only. */
  gate: Credentials;
  /** The cosigner's role: reads the ACL and the signing key, lists the bucket (ListObjectsV2 only). */
  cosigner: Credentials;
  /** The customer's administrator, kept in this process to seed the demo objects: anything on the bucket. */
  owner: Credentials;
}

export interface LocalStack {
  config: LocalConfig;
  /** For tests and tools in this process; never logged. */
  credentials: StackCredentials;
  dataDir: string;
  buildConfig: BuildConfig;
  urls: { gatekeeper: string; demo: string | null; s3: string; kinesis: string; secrets: string };
  files: {
    /** Edit this to change the ACL of the running gatekeeper (in effect within aclTtlSeconds). */
    acl: string;
    signingKey: string;
    /** `dt=YYYY-MM-DD/*.parquet` */
    auditDir: string;
    /** The built bundles (`gate/index.js`, `cosigner/index.js`, zips). */
    bundles: string;
    /** The directory of the browser client the demo page loads (`gatekeeper-client.js`). */
    browserClient: string;
    buildConfig: string;
  };
  /** Makes every audit record sent so far queryable; returns how many were written. */
  flushAudit(): Promise<number>;
  /** For fault tests: stop and start an emulator on the same port. */
  faults: {
    stopKinesis(): Promise<void>;
    startKinesis(): Promise<void>;
    stopOrigin(): Promise<void>;
    startOrigin(): Promise<void>;
  };
  /** Stops everything, flushing audit records first. */
  stop(): Promise<void>;
}

/** Warns (does not refuse) when the ACL does not trust the stack's own keys: every request would fail. */
function checkKeys(config: LocalConfig, log: (line: string) => void): void {
  const acl = config.acl as { vendorKeys?: { kid?: string; publicKey?: string }[]; gatekeeperKeys?: { kid?: string; publicKey?: string }[] };
  const trusts = (list: typeof acl.vendorKeys, key: { kid: string; privateKey: string }): boolean => {
    const pub = publicKeyOf(key.privateKey);
    return (list ?? []).some((k) => k.kid === key.kid && k.publicKey === pub);
  };
  if (!trusts(acl.gatekeeperKeys, config.signingKey)) {
    log(`stack: WARNING acl.gatekeeperKeys does not list signingKey ${config.signingKey.kid}: every cosign will fail (config_unavailable)`);
  }
  if (!trusts(acl.vendorKeys, config.vendorKey)) {
    log(`stack: WARNING acl.vendorKeys does not list vendorKey ${config.vendorKey.kid}: the demo's grants will be unknown_kid`);
  }
}

/**
 * Everything a function's environment holds, as in Lambda: credentials and
 * region variables. The credentials are the function's own role's for this
 * run, never a developer's own, and no AWS config or credentials file is read.
 */
export function functionEnv(fn: string, dataDir: string, credentials: Credentials): Record<string, string> {
  const none = join(dataDir, 'no-aws-config-here');
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: 'UTC',
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_CONFIG_FILE: none,
    AWS_SHARED_CREDENTIALS_FILE: none,
    AWS_LAMBDA_FUNCTION_NAME: `${LOCAL_REGION}.gatekeeper-local-${fn}`,
    // The SDK's notice about Node versions would otherwise open every function log.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export async function startStack(opts: StartStackOptions): Promise<LocalStack> {
  const { config } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = resolve(opts.dataDir ?? config.dataDir);
  const ports = opts.ports ?? {};
  const aclCheck = parseAclText(JSON.stringify(config.acl));
  if (!aclCheck.ok) throw new Error(`acl: the config's ACL is invalid: ${aclCheck.errors.map((e) => `acl.${e}`).join('; ')}`);
  checkKeys(config, log);

  const secretsDir = join(dataDir, 'secrets');
  const files = {
    acl: join(secretsDir, 'acl.json'),
    signingKey: join(secretsDir, 'signing-key.json'),
    auditDir: join(dataDir, 'audit'),
    bundles: join(dataDir, 'dist', 'edge'),
    browserClient: join(dataDir, 'dist', 'browser'),
    buildConfig: join(dataDir, 'dist', 'gatekeeper.build.local.json'),
  };
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });

  // Listeners that take requests stop first, so that no decision is made
  // after the Firehose's last flush; the rest stop in reverse start order.
  const front: (() => Promise<void>)[] = [];
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const s of [...front, ...stops.reverse()]) {
      try {
        await s();
      } catch (err) {
        log(`stack: stop failed: ${(err as Error).message}`);
      }
    }
    stops.length = 0;
    front.length = 0;
  };

  const credentials: StackCredentials = {
    origin: randomCredentials(),
    gate: randomCredentials(),
    cosigner: randomCredentials(),
    owner: randomCredentials(),
  };
  const s3Principals: S3Principal[] = [
    { credentials: credentials.origin, access: 'objects' },
    { credentials: credentials.cosigner, access: 'list' },
    { credentials: credentials.owner, access: 'admin' },
  ];

  try {
    // The private origin.
    let s3: LocalS3 | null = await startS3({ directory: join(dataDir, 's3'), bucket: config.bucket, port: ports.s3 ?? 0, principals: s3Principals, log });
    const s3Port = s3.port;
    stops.push(async () => {
      await s3?.stop();
      s3 = null;
    });

    // The audit stream.
    let kinesis: LocalKinesis | null = await startKinesis({ port: ports.kinesis ?? 0 });
    const kinesisPort = kinesis.port;
    const kinesisEndpoint = kinesis.endpoint;
    stops.push(async () => {
      await kinesis?.stop();
      kinesis = null;
    });
    await ensureStream(kinesisEndpoint, AUDIT_STREAM);

    // The secrets, written from the config at every start.
    writeFileSync(files.acl, JSON.stringify(config.acl, null, 2) + '\n', { mode: 0o600 });
    writeFileSync(files.signingKey, JSON.stringify(config.signingKey) + '\n', { mode: 0o600 });
    const secrets: LocalSecrets = await startSecrets({
      secrets: { [ACL_SECRET_ID]: files.acl, [SIGNING_KEY_SECRET_ID]: files.signingKey },
      region: LOCAL_REGION,
      port: ports.secrets ?? 0,
      principals: [
        { name: 'gatekeeper-local-gate', credentials: credentials.gate, secrets: [ACL_SECRET_ID] },
        { name: 'gatekeeper-local-cosigner', credentials: credentials.cosigner, secrets: [ACL_SECRET_ID, SIGNING_KEY_SECRET_ID] },
      ],
      log,
    });
    stops.push(() => secrets.stop());
    const unwatch = watchAclFile(files.acl, log, opts.aclWatchIntervalMs ?? 500);
    stops.push(async () => unwatch());

    // The proxy listens first (its URL goes into the demo page); the
    // handlers are the bundles, attached once built.
    let gate: EdgeHandler | null = null;
    let cosigner: EdgeHandler | null = null;
    let firehose: LocalFirehose | null = null;
    const vendorOrigins = [...config.vendorOrigins];
    const notReady = (): Promise<never> => Promise.reject(new Error('the stack is still starting'));
    const proxy: LocalProxy = await startProxy({
      port: ports.proxy ?? config.port,
      gate: (e, t) => (gate === null ? notReady() : gate(e, t)),
      cosigner: (e, t) => (cosigner === null ? notReady() : cosigner(e, t)),
      origin: { endpoint: `http://127.0.0.1:${s3Port}`, bucket: config.bucket, region: LOCAL_REGION, credentials: { ...credentials.origin } },
      geo: config.geo,
      vendorOrigins,
      flush: () => (firehose === null ? Promise.reject(new Error('no audit pipeline yet')) : firehose.flush()),
      log,
      originResponseTimeoutMs: opts.originResponseTimeoutMs,
    });
    front.push(() => proxy.stop());

    let demo: DemoApp | null = null;
    if (opts.demo !== false) {
      const client = await buildBrowserClient(files.browserClient);
      demo = await startDemo({
        clientBundle: client.file,
        host: opts.demo?.host,
        port: ports.demo ?? config.demoPort,
        gatekeeperUrl: proxy.url,
        gatekeeperId: config.gatekeeperId,
        vendorKey: config.vendorKey,
        log,
      });
      const d = demo;
      front.push(() => d.stop());
      if (!vendorOrigins.includes(demo.origin)) {
        vendorOrigins.push(demo.origin);
        log(`stack: the demo origin ${demo.origin} is not in vendorOrigins; allowed for this run`);
      }
    }

    // The production bundles, with the local endpoints baked in.
    const buildConfig = parseBuildConfig({
      gatekeeperId: config.gatekeeperId,
      aclSecretId: ACL_SECRET_ID,
      aclSecretRegions: [LOCAL_REGION],
      aclTtlSeconds: config.aclTtlSeconds ?? 60,
      signingKeySecretId: SIGNING_KEY_SECRET_ID,
      signingKeySecretRegion: LOCAL_REGION,
      auditStreamName: AUDIT_STREAM,
      auditStreamRegion: LOCAL_REGION,
      auditTimeoutMs: opts.auditTimeoutMs ?? 1500,
      auditFailOpen: false,
      vendorOrigins,
      bucket: config.bucket,
      bucketRegion: LOCAL_REGION,
      endpoints: { secretsManager: secrets.endpoint, kinesis: kinesisEndpoint, s3: `http://127.0.0.1:${s3Port}` },
    });
    mkdirSync(join(dataDir, 'dist'), { recursive: true });
    writeFileSync(files.buildConfig, JSON.stringify(buildConfig, null, 2) + '\n');
    const built = await buildEdge({ config: buildConfig, outDir: files.bundles });
    log(`stack: built gate.zip ${built.sizes.gate} bytes, cosigner.zip ${built.sizes.cosigner} bytes`);
    const [gateFn, cosignerFn] = await Promise.all(
      (['gate', 'cosigner'] as const).map((fn) =>
        startLambda({ name: fn, bundle: join(files.bundles, fn, 'index.js'), env: functionEnv(fn, dataDir, credentials[fn]), log }),
      ),
    );
    stops.push(() => gateFn.stop(), () => cosignerFn.stop());
    gate = gateFn.invoke;
    cosigner = cosignerFn.invoke;

    // Kinesis → Parquet.
    const fh = new LocalFirehose({
      endpoint: kinesisEndpoint,
      streamName: AUDIT_STREAM,
      outDir: files.auditDir,
      flushIntervalMs: opts.flushIntervalMs ?? 1000,
      log: (line) => log(`firehose: ${line}`),
    });
    await fh.start();
    firehose = fh;
    // Stopped after the proxy and before Kinesis, so its last flush sees every record.
    stops.push(async () => {
      firehose = null;
      await fh.stop();
    });

    if (demo !== null) {
      const keys = await seedDemoReport({
        endpoint: `http://127.0.0.1:${s3Port}`,
        bucket: config.bucket,
        region: LOCAL_REGION,
        credentials: { ...credentials.owner },
      });
      log(`stack: seeded ${keys.length} demo objects into s3://${config.bucket}/`);
    }

    let stopping: Promise<void> | null = null;
    return {
      config,
      credentials,
      dataDir,
      buildConfig,
      urls: { gatekeeper: proxy.url, demo: demo?.url ?? null, s3: `http://127.0.0.1:${s3Port}`, kinesis: kinesisEndpoint, secrets: secrets.endpoint },
      files,
      flushAudit: () => (firehose === null ? Promise.reject(new Error('the stack is stopped')) : firehose.flush()),
      faults: {
        async stopKinesis() {
          await kinesis?.stop();
          kinesis = null;
        },
        async startKinesis() {
          if (kinesis !== null) return;
          kinesis = await startKinesis({ port: kinesisPort });
          await ensureStream(kinesis.endpoint, AUDIT_STREAM);
        },
        async stopOrigin() {
          await s3?.stop();
          s3 = null;
        },
        async startOrigin() {
          if (s3 !== null) return;
          s3 = await startS3({ directory: join(dataDir, 's3'), bucket: config.bucket, port: s3Port, principals: s3Principals, log });
        },
      },
      stop(): Promise<void> {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
