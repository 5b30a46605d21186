import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ListedObject, ListResult } from '../core/types';
import { describeError, type Logger } from './log';

export type { ListedObject, ListResult } from '../core/types';

export type ListOutcome = { ok: true; value: ListResult } | { ok: false; code: 'malformed_request' | 'upstream_error' };

/**
 * 400s that S3 answers for the gatekeeper's own state (its credentials, its
 * connection), not for anything the viewer sent: reporting them as the
 * viewer's mistake would hide an outage.
 */
const SERVER_SIDE_400 = new Set([
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AuthorizationHeaderMalformed',
  'RequestTimeout',
  'IncompleteBody',
]);

/**
 * One page of ListObjectsV2. The viewer-supplied parts are the prefix (already
 * checked by the core against the grant) and the opaque continuation token,
 * which S3 refuses with a 400 (InvalidArgument) when it is not one of its own:
 * a 400 is `malformed_request`, anything else `upstream_error`.
 */
export const LIST_TIMEOUT_MS = 4000;

export async function listObjects(
  client: S3Client,
  bucket: string,
  q: { prefix: string; continuationToken?: string; maxKeys: number },
  log?: Logger,
  /** One deadline for the whole call, retries included: past it the answer is upstream_error, never a Lambda timeout. */
  timeoutMs: number = LIST_TIMEOUT_MS,
): Promise<ListOutcome> {
  let out;
  try {
    out = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: q.prefix,
        MaxKeys: q.maxKeys,
        ...(q.continuationToken !== undefined ? { ContinuationToken: q.continuationToken } : {}),
      }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
  } catch (e) {
    const err = e as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
    const viewerFault =
      err?.$metadata?.httpStatusCode === 400 && !(typeof err.name === 'string' && SERVER_SIDE_400.has(err.name));
    log?.(`GK_S3_LIST ${viewerFault ? 'rejected' : 'failed'} bucket=${bucket} error=${describeError(e)}`);
    return { ok: false, code: viewerFault ? 'malformed_request' : 'upstream_error' };
  }
  const objects: ListedObject[] = [];
  for (const c of out.Contents ?? []) {
    // S3 always sends a key and a date; an entry without them is a broken answer, not an object to show.
    if (typeof c.Key !== 'string' || !(c.LastModified instanceof Date) || Number.isNaN(c.LastModified.getTime())) {
      log?.(`GK_S3_LIST failed bucket=${bucket} error=incomplete entry in ListObjectsV2 answer`);
      return { ok: false, code: 'upstream_error' };
    }
    objects.push({ key: c.Key, size: c.Size ?? 0, lastModified: c.LastModified.toISOString(), etag: c.ETag ?? '' });
  }
  const value: ListResult = { objects };
  if (out.IsTruncated === true && typeof out.NextContinuationToken === 'string' && out.NextContinuationToken !== '') {
    value.nextContinuationToken = out.NextContinuationToken;
  }
  return { ok: true, value };
}
