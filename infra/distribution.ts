import { Construct } from 'constructs';
import { Annotations, type TerraformProvider } from 'cdktf';
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import {
  CloudfrontDistribution,
  type CloudfrontDistributionDefaultCacheBehaviorLambdaFunctionAssociation,
  type CloudfrontDistributionViewerCertificate,
} from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudfrontOriginAccessControl } from '@cdktf/provider-aws/lib/cloudfront-origin-access-control';
import { CloudfrontOriginRequestPolicy } from '@cdktf/provider-aws/lib/cloudfront-origin-request-policy';
import { CloudfrontResponseHeadersPolicy } from '@cdktf/provider-aws/lib/cloudfront-response-headers-policy';
import type { StackConfig, StackNames } from './config';
import { CACHING_DISABLED_POLICY_ID } from './tf';
import {
  CONTENT_SECURITY_POLICY,
  CORS_MAX_AGE_SECONDS,
  EXPOSED_HEADERS,
  HSTS_MAX_AGE_SECONDS,
  OBJECT_CORS_HEADERS,
  GATEKEEPER_ORIGIN_HEADERS as SHARED_GATEKEEPER_ORIGIN_HEADERS,
  S3_ORIGIN_HEADERS as SHARED_S3_ORIGIN_HEADERS,
} from '../edge/core/http-policy';

export interface DistributionProps {
  config: StackConfig;
  names: StackNames;
  dataBucketDomain: string;
  /** Published (qualified) ARNs; null detaches both functions (and disables the distribution). */
  edge: { gateArn: string; cosignerArn: string } | null;
  /** us-east-1 provider, for a certificate CloudFront can use. */
  edgeProvider: TerraformProvider;
}

export const GATEKEEPER_PATH = '/_gatekeeper/*';
const ALL_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];
/** Only what S3 needs to answer GET/HEAD/PUT (shared with the preflight and the local proxy). */
export const S3_ORIGIN_HEADERS = [...SHARED_S3_ORIGIN_HEADERS];
/** What the cosigner sees at origin-request (shared with the local proxy). */
export const GATEKEEPER_ORIGIN_HEADERS = [...SHARED_GATEKEEPER_ORIGIN_HEADERS];
export const CORS_ALLOW_HEADERS = [...OBJECT_CORS_HEADERS];

/**
 * CloudFront in front of the data bucket. The default behaviour serves
 * objects through the `gate` (viewer-request, so it runs for every request
 * before the cache); `/_gatekeeper/*` goes to the `cosigner` (origin-request,
 * with the body). Nothing is cached, S3 is reached only through the OAC.
 */
export class Distribution extends Construct {
  readonly distribution: CloudfrontDistribution;
  /** Set when the stack requests the certificate itself (aliases without certificateArn). */
  readonly certificate: AcmCertificate | null;

  constructor(scope: Construct, id: string, p: DistributionProps) {
    super(scope, id);
    const { config: c, names: n } = p;

    const oac = new CloudfrontOriginAccessControl(this, 'oac', {
      name: n.originAccessControl,
      description: 'S3 Gatekeeper data bucket',
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    });
    const s3Policy = new CloudfrontOriginRequestPolicy(this, 's3-origin-policy', {
      name: n.s3OriginRequestPolicy,
      comment: 'Only the headers S3 needs; no cookies, no query strings',
      cookiesConfig: { cookieBehavior: 'none' },
      queryStringsConfig: { queryStringBehavior: 'none' },
      headersConfig: { headerBehavior: 'whitelist', headers: { items: S3_ORIGIN_HEADERS } },
    });
    const gkPolicy = new CloudfrontOriginRequestPolicy(this, 'gatekeeper-origin-policy', {
      name: n.gatekeeperOriginRequestPolicy,
      comment: 'Viewer country and CORS headers for the cosigner',
      cookiesConfig: { cookieBehavior: 'none' },
      queryStringsConfig: { queryStringBehavior: 'none' },
      headersConfig: { headerBehavior: 'whitelist', headers: { items: GATEKEEPER_ORIGIN_HEADERS } },
    });
    const headers = new CloudfrontResponseHeadersPolicy(this, 'response-headers', {
      name: n.responseHeadersPolicy,
      comment: 'Security headers and CORS for the vendor origins',
      securityHeadersConfig: {
        strictTransportSecurity: { accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS, includeSubdomains: false, preload: false, override: true },
        contentTypeOptions: { override: true },
        contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
        referrerPolicy: { referrerPolicy: 'no-referrer', override: true },
        frameOptions: { frameOption: 'DENY', override: true },
      },
      corsConfig: {
        accessControlAllowCredentials: false,
        accessControlAllowOrigins: { items: c.vendorOrigins },
        accessControlAllowMethods: { items: ['GET', 'HEAD', 'PUT', 'POST', 'OPTIONS'] },
        accessControlAllowHeaders: { items: CORS_ALLOW_HEADERS },
        accessControlExposeHeaders: { items: [...EXPOSED_HEADERS] },
        accessControlMaxAgeSec: CORS_MAX_AGE_SECONDS,
        // The edge answers its own preflights and errors; keep what it set.
        originOverride: false,
      },
    });

    let viewerCertificate: CloudfrontDistributionViewerCertificate;
    let requested: AcmCertificate | null = null;
    if (c.distribution.aliases.length === 0) {
      // The *.cloudfront.net certificate only accepts the TLSv1 policy; TLS 1.2 needs an alias.
      Annotations.of(this).addWarning('no distribution.aliases: the default CloudFront certificate cannot enforce TLS 1.2 as the minimum');
      viewerCertificate = { cloudfrontDefaultCertificate: true, minimumProtocolVersion: 'TLSv1' };
    } else {
      let certificateArn = c.distribution.certificateArn;
      if (certificateArn === null) {
        requested = new AcmCertificate(this, 'certificate', {
          provider: p.edgeProvider,
          domainName: c.distribution.aliases[0],
          subjectAlternativeNames: c.distribution.aliases.slice(1),
          validationMethod: 'DNS',
          lifecycle: { createBeforeDestroy: true },
        });
        // Waits (up to 75 minutes) until the DNS records in the `certificate_validation` output exist.
        const validation = new AcmCertificateValidation(this, 'certificate-validation', {
          provider: p.edgeProvider,
          certificateArn: requested.arn,
        });
        certificateArn = validation.certificateArn;
      }
      viewerCertificate = { acmCertificateArn: certificateArn, sslSupportMethod: 'sni-only', minimumProtocolVersion: 'TLSv1.2_2021' };
    }
    this.certificate = requested;

    const gateAssoc: CloudfrontDistributionDefaultCacheBehaviorLambdaFunctionAssociation[] = p.edge
      ? [{ eventType: 'viewer-request', lambdaArn: p.edge.gateArn, includeBody: false }]
      : [];
    const cosignerAssoc: CloudfrontDistributionDefaultCacheBehaviorLambdaFunctionAssociation[] = p.edge
      ? [{ eventType: 'origin-request', lambdaArn: p.edge.cosignerArn, includeBody: true }]
      : [];
    const originId = 'data-bucket';

    this.distribution = new CloudfrontDistribution(this, 'distribution', {
      comment: `S3 Gatekeeper ${c.gatekeeperId}`,
      // Without its functions the distribution would serve objects unchecked, so detaching disables it.
      enabled: p.edge !== null,
      isIpv6Enabled: true,
      httpVersion: 'http2and3',
      priceClass: c.distribution.priceClass,
      aliases: c.distribution.aliases.length > 0 ? c.distribution.aliases : undefined,
      origin: [{ originId, domainName: p.dataBucketDomain, originAccessControlId: oac.id }],
      defaultCacheBehavior: {
        targetOriginId: originId,
        allowedMethods: ALL_METHODS,
        cachedMethods: ['GET', 'HEAD'],
        viewerProtocolPolicy: 'https-only',
        compress: false,
        cachePolicyId: CACHING_DISABLED_POLICY_ID,
        originRequestPolicyId: s3Policy.id,
        responseHeadersPolicyId: headers.id,
        lambdaFunctionAssociation: gateAssoc,
      },
      orderedCacheBehavior: [
        {
          pathPattern: GATEKEEPER_PATH,
          targetOriginId: originId,
          allowedMethods: ALL_METHODS,
          cachedMethods: ['GET', 'HEAD'],
          viewerProtocolPolicy: 'https-only',
          compress: false,
          cachePolicyId: CACHING_DISABLED_POLICY_ID,
          originRequestPolicyId: gkPolicy.id,
          responseHeadersPolicyId: headers.id,
          lambdaFunctionAssociation: cosignerAssoc,
        },
      ],
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      viewerCertificate,
      loggingConfig: c.distribution.logging
        ? { bucket: `${c.distribution.logging.bucket}.s3.amazonaws.com`, prefix: c.distribution.logging.prefix, includeCookies: false }
        : undefined,
    });
  }
}
