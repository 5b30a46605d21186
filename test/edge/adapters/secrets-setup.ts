import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { CachedSecret, type CachedSecretOptions, type ParseResult } from '../../../edge/adapters/secrets';
import { memoryLog } from './helpers';

export const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;
export type Region = (typeof REGIONS)[number];

export interface Acl {
  version: string;
}

/** A stand-in for the ACL parser: `{"version": "..."}` and nothing else. */
export function parseAcl(text: string): ParseResult<Acl> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, errors: ['(root): not JSON'] };
  }
  if (typeof doc !== 'object' || doc === null) return { ok: false, errors: ['(root): must be an object'] };
  const o = doc as Record<string, unknown>;
  const errors = Object.keys(o)
    .filter((k) => k !== 'version')
    .map((k) => `${k}: unknown field`);
  if (typeof o.version !== 'string') errors.unshift('version: must be a string');
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { version: o.version as string } };
}

export const acl = (version: string): string => JSON.stringify({ version });

export interface Harness<T> {
  secret: CachedSecret<T>;
  mocks: Record<Region, AwsClientStub<SecretsManagerClient>>;
  clock: { t: number };
  lines: string[];
  parse: jest.Mock<ParseResult<T>, [string]>;
  calls(region: Region): number;
  total(): number;
}

export function harness<T = Acl>(over: Partial<CachedSecretOptions<T>> = {}): Harness<T> {
  const clock = { t: 1_000_000 };
  const { lines, log } = memoryLog();
  const clients = {} as Record<Region, SecretsManagerClient>;
  const mocks = {} as Record<Region, AwsClientStub<SecretsManagerClient>>;
  for (const r of REGIONS) {
    clients[r] = new SecretsManagerClient({ region: r });
    mocks[r] = mockClient(clients[r]);
  }
  const parse = jest.fn((over.parse ?? (parseAcl as unknown as (t: string) => ParseResult<T>)) as (t: string) => ParseResult<T>);
  const secret = new CachedSecret<T>({
    secretId: 'gatekeeper/acl',
    regions: ['us-east-1', 'eu-west-1'],
    ttlMs: 60_000,
    client: (r) => clients[r as Region],
    now: () => clock.t,
    log,
    fetchTimeoutMs: 100,
    ...over,
    parse,
  });
  return {
    secret,
    mocks,
    clock,
    lines,
    parse,
    calls: (r) => mocks[r].calls().length,
    total: () => REGIONS.reduce((n, r) => n + mocks[r].calls().length, 0),
  };
}
