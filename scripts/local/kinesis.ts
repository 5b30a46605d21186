import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** The emulator's options we use (kinesalite ships no type declarations). */
interface KinesaliteOptions {
  createStreamMs?: number;
  deleteStreamMs?: number;
  updateStreamMs?: number;
  shardLimit?: number;
  /** Absent: an in-memory store. */
  path?: string;
}
type KinesaliteFactory = (opts: KinesaliteOptions) => Server;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kinesalite = require('kinesalite') as KinesaliteFactory;

export interface LocalKinesis {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export const LOCAL_REGION = 'us-east-1';

/**
 * Tag naming one creation of a stream. After an emulator restart the new
 * stream has the same name, shard ids and (within a second) sequence numbers
 * as the old one; only this tells a consumer to start over.
 */
export const INCARNATION_TAG = 'gatekeeper-local-incarnation';

/**
 * A Kinesis client for the local emulators. kinesalite checks neither the key
 * nor the signature, but the SDK insists on credentials to sign with.
 */
export function localKinesisClient(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000 }),
    // The emulator answers at once or not at all; retrying a dead port only delays the error.
    maxAttempts: 1,
  });
}

/** Starts kinesalite in this process, in memory, on 127.0.0.1 (port 0: a free one). */
export async function startKinesis(opts: { port?: number; host?: '127.0.0.1' } = {}): Promise<LocalKinesis> {
  const host = opts.host ?? '127.0.0.1';
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    stop(): Promise<void> {
      stopped ??= new Promise<void>((resolve, reject) => {
        // Idle keep-alive sockets of SDK clients would otherwise hold close() open.
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      });
      return stopped;
    },
  };
}

/** Creates the stream (one shard) unless it exists, and waits until it is ACTIVE. */
export async function ensureStream(endpoint: string, name: string, timeoutMs = 10_000): Promise<void> {
  const client = localKinesisClient(endpoint);
  try {
    let created = false;
    try {
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      created = true;
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        const status = d.StreamDescriptionSummary?.StreamStatus;
        if (status === 'ACTIVE' || status === 'UPDATING') {
          if (created) {
            await client.send(new AddTagsToStreamCommand({ StreamName: name, Tags: { [INCARNATION_TAG]: randomUUID() } }));
          }
          return;
        }
        if (status === 'DELETING') throw new Error(`stream ${name} is being deleted`);
      } catch (err) {
        if (!(err instanceof ResourceNotFoundException)) throw err;
      }
      if (Date.now() > deadline) throw new Error(`stream ${name} not ACTIVE after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    client.destroy();
  }
}
