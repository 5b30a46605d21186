import type { AuditRecord } from './audit';

/** A viewer request as the core sees it, after a trigger adapter unwrapped the CloudFront event. */
export interface CoreRequest {
  requestId: string;
  /** Upper case. */
  method: string;
  /** As CloudFront gives it: percent-encoded, starting with `/`. */
  uri: string;
  /** Raw query string without the `?`. */
  querystring: string;
  /** Lower-case header names, each with all of its values in order. */
  headers: Record<string, string[]>;
  /** CloudFront's `clientIp`, not yet normalized. */
  clientIp: string;
  /** `cloudfront-viewer-country` at origin-request; always null at viewer-request. */
  country: string | null;
  /** Decoded UTF-8 body (origin-request with include_body), null when absent. */
  body: string | null;
  /** CloudFront truncates bodies above 1 MB; a truncated body is malformed. */
  bodyTruncated: boolean;
  edgeLocation: string | null;
}

/** Answer the viewer directly. */
export interface RespondVerdict {
  action: 'respond';
  status: number;
  headers: Record<string, string>;
  body: string;
  audit: AuditRecord[];
}

/** Pass the (rewritten) request on to the origin. */
export interface ForwardVerdict {
  action: 'forward';
  uri: string;
  querystring: string;
  headers: Record<string, string[]>;
  audit: AuditRecord[];
}

/** An allowed listing: the adapter lists S3 and answers. */
export interface ListVerdict {
  action: 'list';
  prefix: string;
  continuationToken: string | undefined;
  maxKeys: number;
  headers: Record<string, string>;
  audit: AuditRecord[];
}

/** What a decision tells the trigger adapter to do. Every verdict carries its audit records. */
export type Verdict = RespondVerdict | ForwardVerdict | ListVerdict;

/** PROTOCOL's `/_gatekeeper/v1/list` answer: one listed object. */
export interface ListedObject {
  key: string;
  size: number;
  /** ISO 8601, UTC, millisecond precision (`2026-12-04T10:00:00.000Z`). */
  lastModified: string;
  /**
   * Exactly as S3 returns it, quotes included (`"9b2cf535f27731c974343645a3985328"`),
   * so it compares equal to the `ETag` header of a GET or HEAD of the object.
   */
  etag: string;
}

export interface ListResult {
  objects: ListedObject[];
  /** Present only when S3 says the listing is truncated. */
  nextContinuationToken?: string;
}
