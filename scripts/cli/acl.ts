/** `gatekeeper acl validate | simulate | push`: the customer's ACL document (PROTOCOL "ACL document"). */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { compileAcl, evaluateAcl, parseAclText, type AclDocument, type CompiledAcl } from '../../edge/core/acl';
import { countryHint, ISO_COUNTRIES, UNKNOWN_COUNTRY } from '../../edge/core/countries';
import { normalizeIp } from '../../edge/core/ip';
import { isKid } from '../../edge/core/keys';
import { EXIT_FAILED, guarded, oneLine, parseArgs, positionals, stringOption, UsageError, type CliIo } from './args';
import { readSmallTextFile } from './grant';

export const ACL_VALIDATE_USAGE = `Usage: gatekeeper acl validate FILE

Checks an ACL document exactly as the gatekeeper will when it reads it from
Secrets Manager. Prints "ok" with what the document holds, or every error,
one per line, each naming its field (for example: ips.deny[3]: not a CIDR),
and then exits 1.

Options:
  -h, --help   show this help
`;

export const ACL_SIMULATE_USAGE = `Usage: gatekeeper acl simulate FILE --ip IP [--country CC] [--kid KID] [--jti JTI]

Applies the ACL decision order (PROTOCOL "ACL decision order") to one viewer
and prints {"decision","reason"} as JSON, for example
  {"decision":"deny","reason":"country_denied"}
Signatures, times and scope are not part of the ACL decision; see
"gatekeeper inspect" for a token.

Options:
  --ip IP          the viewer address (IPv4 or IPv6)
  --country CC     the viewer country, ISO 3166-1 alpha-2 (XX: unknown). Left out,
                   the country step is skipped, as at object access, where the
                   country was already decided when the cosig was made
  --kid KID        the grant's vendor key id (trusted? revoked?)
  --jti JTI        the grant's jti (revoked?)
  -h, --help       show this help
`;

export const ACL_PUSH_USAGE = `Usage: gatekeeper acl push FILE --secret-id ID [--region REGION]

Validates FILE and, only when it is valid, writes its exact text as the new
value of the ACL secret (Secrets Manager PutSecretValue). The gatekeeper
picks it up at its next configuration refresh.

Options:
  --secret-id ID     the ACL secret's name or ARN
  --region REGION    the secret's region (default: AWS_REGION or the AWS profile)
  -h, --help         show this help

Credentials come from the usual AWS chain (environment, profile, SSO, role).
AWS_ENDPOINT_URL_SECRETS_MANAGER points the call at another endpoint
(for example a local stand-in).
`;

export const ACL_USAGE = `Usage: gatekeeper acl <validate|simulate|push> FILE [options]

  validate FILE                       check an ACL document; exit 1 when invalid
  simulate FILE --ip IP [--country CC] [--kid KID] [--jti JTI]
                                      print the ACL decision for one viewer
  push FILE --secret-id ID [--region R]
                                      validate, then write it to Secrets Manager

Run "gatekeeper acl <command> --help" for the details of one command.
`;

/** Secrets Manager's limit for a SecretString. */
export const MAX_SECRET_BYTES = 65536;
/** Reading stops well above the secret limit, so that validate can say by how much a file is over. */
const MAX_FILE_BYTES = 1024 * 1024;

export type AclCheck = { ok: true; text: string; acl: AclDocument; compiled: CompiledAcl } | { ok: false; text: string; errors: string[] };

/**
 * What the gatekeeper would make of this text, plus what only the path to the
 * secret adds (its size limit, and a byte order mark that an editor added).
 * The text is checked as is: `acl push` sends these exact bytes.
 */
export function checkAclText(text: string): AclCheck {
  if (text.charCodeAt(0) === 0xfeff) {
    return { ok: false, text, errors: ['(root): starts with a byte order mark; save the file as UTF-8 without BOM'] };
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  const sizeError = bytes > MAX_SECRET_BYTES ? [`(root): ${bytes} bytes; a Secrets Manager secret holds at most ${MAX_SECRET_BYTES}`] : [];
  const v = parseAclText(text);
  if (!v.ok) return { ok: false, text, errors: [...v.errors, ...sizeError] };
  if (sizeError.length > 0) return { ok: false, text, errors: sizeError };
  try {
    return { ok: true, text, acl: v.acl, compiled: compileAcl(v.acl) };
  } catch {
    return { ok: false, text, errors: ['(root): the document could not be compiled'] };
  }
}

export async function readAclFile(path: string, label: string): Promise<AclCheck> {
  return checkAclText(await readSmallTextFile(path, label, MAX_FILE_BYTES));
}

/** For the commands that need a valid ACL: one usage line when it is not. */
export async function requireAcl(path: string, label: string): Promise<{ acl: AclDocument; compiled: CompiledAcl; text: string }> {
  const c = await readAclFile(path, label);
  if (!c.ok) {
    const n = c.errors.length;
    throw new UsageError(
      `${label} is not a valid ACL (${n} error${n === 1 ? '' : 's'}; first: ${oneLine(c.errors[0])}); see "gatekeeper acl validate"`,
    );
  }
  return c;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function aclSummary(acl: AclDocument): string {
  return [
    `ok: version ${JSON.stringify(acl.version)}, mode ${acl.mode}`,
    `${plural(acl.vendorKeys.length, 'vendor key')}, ${plural(acl.gatekeeperKeys.length, 'gatekeeper key')}`,
    `countries: ${acl.countries.allow.length} allowed, ${acl.countries.deny.length} denied`,
    `ips: ${acl.ips.allow === null ? 'all' : acl.ips.allow.length} allowed, ${acl.ips.deny.length} denied`,
    `revoked: ${acl.revoked.jti.length} jti, ${acl.revoked.kid.length} kid`,
    `ttl: grant ${acl.maxGrantTtlSeconds} s, cosig ${acl.cosignTtlSeconds} s, skew ${acl.clockSkewSeconds} s`,
  ].join('; ');
}

export async function runAclValidate(argv: string[], io: CliIo): Promise<number> {
  return guarded('gatekeeper acl validate', io, async () => {
    const p = parseArgs(argv, {});
    if (p.help) {
      io.stdout.write(ACL_VALIDATE_USAGE);
      return 0;
    }
    const [file] = positionals(p, ['FILE']);
    const c = await readAclFile(file, 'FILE');
    if (c.ok) {
      io.stdout.write(aclSummary(c.acl) + '\n');
      return 0;
    }
    for (const e of c.errors) io.stdout.write(oneLine(e) + '\n');
    io.stderr.write(`gatekeeper acl validate: not a valid ACL (${plural(c.errors.length, 'error')})\n`);
    return EXIT_FAILED;
  });
}

const JTI = /^[A-Za-z0-9_-]{16,64}$/;

/** A country as CloudFront writes it: ISO 3166-1 alpha-2 upper case, or XX when it has none. */
export function countryOption(value: string | undefined, flag: string): string | null {
  if (value === undefined) return null;
  if (value === UNKNOWN_COUNTRY || ISO_COUNTRIES.has(value)) return value;
  const hint = countryHint(value);
  throw new UsageError(
    hint === null
      ? `${flag} must be an ISO 3166-1 alpha-2 code in upper case (XX: unknown)`
      : `${flag}: not an ISO 3166-1 alpha-2 code; use "${hint}"`,
  );
}

export function ipOption(value: string, flag: string): string {
  const ip = normalizeIp(value);
  if (ip === null) throw new UsageError(`${flag} must be an IPv4 or IPv6 address`);
  return ip;
}

export async function runAclSimulate(argv: string[], io: CliIo): Promise<number> {
  return guarded('gatekeeper acl simulate', io, async () => {
    const p = parseArgs(argv, { ip: 'string', country: 'string', kid: 'string', jti: 'string' });
    if (p.help) {
      io.stdout.write(ACL_SIMULATE_USAGE);
      return 0;
    }
    const [file] = positionals(p, ['FILE']);
    const ip = ipOption(stringOption(p, 'ip', true), '--ip');
    const country = countryOption(stringOption(p, 'country'), '--country');
    const kid = stringOption(p, 'kid');
    if (kid !== undefined && !isKid(kid)) throw new UsageError('--kid must be 1-64 characters of [A-Za-z0-9._-]');
    const jti = stringOption(p, 'jti');
    if (jti !== undefined && !JTI.test(jti)) throw new UsageError('--jti must be 16-64 characters of [A-Za-z0-9_-]');
    const { compiled } = await requireAcl(file, 'FILE');
    const { decision, reason } = evaluateAcl(compiled, { ip, country, vendorKid: kid ?? null, jti: jti ?? null });
    io.stdout.write(JSON.stringify({ decision, reason }) + '\n');
    return 0;
  });
}

export interface AclPushIo extends CliIo {
  /** Builds the Secrets Manager client; a real one (HTTP/1.1 handler) when absent. */
  secretsManager?: (region: string | undefined) => SecretsManagerClient;
}

const SECRET_ID = /^[\x21-\x7e]{1,2048}$/;
const REGION = /^[a-z0-9-]{1,32}$/;

export async function runAclPush(argv: string[], io: AclPushIo): Promise<number> {
  return guarded('gatekeeper acl push', io, async () => {
    const p = parseArgs(argv, { 'secret-id': 'string', region: 'string' });
    if (p.help) {
      io.stdout.write(ACL_PUSH_USAGE);
      return 0;
    }
    const [file] = positionals(p, ['FILE']);
    const secretId = stringOption(p, 'secret-id', true);
    if (!SECRET_ID.test(secretId)) throw new UsageError('--secret-id must be a secret name or ARN (1-2048 visible characters)');
    const region = stringOption(p, 'region');
    if (region !== undefined && !REGION.test(region)) throw new UsageError('--region must be an AWS region such as us-east-1');
    const { acl, text } = await requireAcl(file, 'FILE');

    // Loaded here, not at the top: the SDK is the slowest part of starting the CLI.
    const sm = await import('@aws-sdk/client-secrets-manager');
    let client: SecretsManagerClient;
    let own = false;
    if (io.secretsManager !== undefined) {
      client = io.secretsManager(region);
    } else {
      const { NodeHttpHandler } = await import('@smithy/node-http-handler');
      client = new sm.SecretsManagerClient({
        ...(region !== undefined ? { region } : {}),
        requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30000 }),
      });
      own = true;
    }
    try {
      const out = await client.send(new sm.PutSecretValueCommand({ SecretId: secretId, SecretString: text }));
      io.stdout.write(
        `pushed ACL version ${JSON.stringify(acl.version)} to ${JSON.stringify(secretId)}` +
          (out.VersionId !== undefined ? ` (secret version ${out.VersionId})` : '') +
          '\n',
      );
      return 0;
    } catch (err) {
      const e = err as Error;
      io.stderr.write(`gatekeeper acl push: PutSecretValue failed: ${oneLine(`${e.name}: ${e.message}`).slice(0, 400)}\n`);
      return EXIT_FAILED;
    } finally {
      if (own) client.destroy();
    }
  });
}

export async function runAcl(argv: string[], io: AclPushIo): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'validate':
      return runAclValidate(rest, io);
    case 'simulate':
      return runAclSimulate(rest, io);
    case 'push':
      return runAclPush(rest, io);
    case '-h':
    case '--help':
    case 'help':
      io.stdout.write(ACL_USAGE);
      return 0;
    case undefined:
      io.stderr.write('gatekeeper acl: a command is required (validate, simulate or push); see "gatekeeper acl --help"\n');
      return 2;
    default:
      io.stderr.write('gatekeeper acl: unknown command; use validate, simulate or push (see "gatekeeper acl --help")\n');
      return 2;
  }
}
