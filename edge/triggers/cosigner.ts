import { decideCosign } from '../core/decide/cosign';
import type { Signer } from '../core/decide/context';
import { decideList } from '../core/decide/list';
import { decidePreflight } from '../core/decide/preflight';
import { settle } from '../core/decide/respond';
import { STATUS_OF, errorBody } from '../core/codes';
import type { Phase } from '../core/audit';
import type { CoreRequest, ListVerdict, RespondVerdict } from '../core/types';
import type { ListOutcome, ListResult } from '../adapters/s3-list';
import { toCoreRequest, unwrapEvent, type CfResult } from './cloudfront';
import { denyWithout, finish, logCrash, requestIdOf, safeGet, type FinalVerdict, type EdgeDeps, type SecretSource } from './runtime';

export const COSIGN_PATH = '/_gatekeeper/v1/cosign';
export const LIST_PATH = '/_gatekeeper/v1/list';


export interface CosignerDeps extends EdgeDeps {
  signer: SecretSource<Signer>;
  list(q: { prefix: string; continuationToken?: string; maxKeys: number }): Promise<ListOutcome>;
}

function phaseOf(req: CoreRequest): Phase {
  if (req.method === 'OPTIONS') return 'preflight';
  return req.uri === LIST_PATH ? 'list' : 'cosign';
}

/**
 * The origin-request function of `/_gatekeeper/*`. Only here is
 * `cloudfront-viewer-country` CloudFront's own, and only this function reads
 * the cosigning key. It always answers; nothing goes on to S3.
 */
export function createCosignerHandler(deps: CosignerDeps): (event: unknown) => Promise<CfResult> {
  return async (event) => {
    const started = deps.hrtime();
    const u = unwrapEvent(event);
    const req = toCoreRequest(u.cf, requestIdOf(u.requestId), { trustCountry: true, edgeLocation: deps.edgeLocation });
    const phase = phaseOf(req);
    let verdict: FinalVerdict;
    try {
      verdict = await decide(deps, req, phase);
    } catch (e) {
      logCrash(deps.log, 'cosigner', e);
      verdict = denyWithout(deps, req, phase, 'malformed_request');
    }
    return finish(deps, u.cf, req, verdict, started);
  };
}

async function decide(deps: CosignerDeps, req: CoreRequest, phase: Phase): Promise<FinalVerdict> {
  const known = req.uri === COSIGN_PATH || req.uri === LIST_PATH;
  const acl = await safeGet(deps.acl, deps.log, 'acl');
  if (acl === null) return denyWithout(deps, req, phase, 'config_unavailable');
  if (!known) return denyWithout(deps, req, phase, 'malformed_request', acl.value);
  const ctx = { now: deps.now(), acl: acl.value, config: deps.config };
  if (phase === 'preflight') return decidePreflight(req, ctx, 'gatekeeper');
  if (phase === 'list') return resolveList(deps, decideList(req, ctx), req);
  const signer = await safeGet(deps.signer, deps.log, 'signing-key');
  if (signer === null) return denyWithout(deps, req, phase, 'config_unavailable', acl.value);
  return decideCosign(req, ctx, signer.value);
}

/**
 * Lambda@Edge refuses a generated origin-request response above 1 MB
 * (headers included); a listing stays well below it.
 */
export const MAX_LIST_BODY_BYTES = 900_000;
/** Room for the envelope and a continuation token. */
const LIST_ENVELOPE_BYTES = 4_000;

function listBody(r: ListResult): string {
  const body: { objects: ListResult['objects']; nextContinuationToken?: string } = { objects: r.objects };
  if (r.nextContinuationToken !== undefined) body.nextContinuationToken = r.nextContinuationToken;
  return JSON.stringify(body);
}

/** How many of these objects fit in one answer. */
function objectsThatFit(objects: ListResult['objects']): number {
  let bytes = LIST_ENVELOPE_BYTES;
  for (let i = 0; i < objects.length; i++) {
    bytes += Buffer.byteLength(JSON.stringify(objects[i])) + 1;
    if (bytes > MAX_LIST_BODY_BYTES) return i;
  }
  return objects.length;
}

/**
 * Runs an allowed listing against S3; the audit record tells what the viewer
 * finally got. A page too large for CloudFront is listed again with fewer
 * keys, so S3 itself issues the continuation token for the rest.
 */
async function resolveList(deps: CosignerDeps, v: RespondVerdict | ListVerdict, req: CoreRequest): Promise<FinalVerdict> {
  if (v.action !== 'list') return v;
  const q = { prefix: v.prefix, continuationToken: v.continuationToken, maxKeys: v.maxKeys };
  let out: ListOutcome = await deps.list(q);
  let body = out.ok ? listBody(out.value) : '';
  if (out.ok && Buffer.byteLength(body) > MAX_LIST_BODY_BYTES) {
    out = await deps.list({ ...q, maxKeys: Math.max(1, objectsThatFit(out.value.objects)) });
    body = out.ok ? listBody(out.value) : '';
    if (out.ok && Buffer.byteLength(body) > MAX_LIST_BODY_BYTES) out = { ok: false, code: 'upstream_error' };
  }
  if (!out.ok) {
    for (const r of v.audit) settle(r, 'deny', out.code);
    return { action: 'respond', status: STATUS_OF[out.code], headers: v.headers, body: errorBody(out.code, req.requestId), audit: v.audit };
  }
  return { action: 'respond', status: 200, headers: v.headers, body, audit: v.audit };
}
