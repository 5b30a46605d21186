/**
 * The customer's own bucket setup for the demo: the report's objects go
 * straight into the S3 emulator with the customer's own (owner) key, never
 * through the vendor app (which only ever learns their keys).
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DEMO_ATTACHMENTS, DEMO_OBJECTS } from './report';

export interface SeedTarget {
  endpoint: string;
  bucket: string;
  region?: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** Puts every demo object (overwriting, so a restart restores them); returns the keys written. */
export async function seedDemoReport(t: SeedTarget): Promise<string[]> {
  const s3 = new S3Client({
    endpoint: t.endpoint,
    region: t.region ?? 'us-east-1',
    forcePathStyle: true,
    // A copy: the SDK annotates the object it is given.
    credentials: { ...t.credentials },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000 }),
    maxAttempts: 2,
  });
  try {
    const keys: string[] = [];
    for (const o of [...DEMO_OBJECTS, ...DEMO_ATTACHMENTS]) {
      await s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: o.key, Body: o.body, ContentType: o.contentType }));
      keys.push(o.key);
    }
    return keys;
  } finally {
    s3.destroy();
  }
}
