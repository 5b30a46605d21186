/** `gatekeeper grant`: one grant token signed with a vendor key file, through the vendor SDK. */
import { readFile } from 'fs/promises';
import { GrantSigner, loadVendorKey, MAX_GRANT_TTL_SECONDS, type VendorKey } from '../../sdk/vendor';
import { guarded, integerOption, parseArgs, positionals, stringOption, UsageError, type CliIo } from './args';

export const GRANT_USAGE = `Usage: gatekeeper grant --key-file FILE --aud GATEKEEPER_ID --op get|put|list
                        (--key KEY | --prefix PREFIX) [--ttl SECONDS] [--sub USER]
                        [--max-bytes N] [--content-type TYPE] [--sha256 HEX]

Signs one grant (PROTOCOL "Grant payload") with a vendor key and prints the
token. The key file is the JSON that "gatekeeper keygen" writes.

Options:
  --key-file FILE      the vendor key pair {"kid","publicKey","privateKey"}
  --aud ID             the customer's gatekeeper id
  --op OP              get (GET and HEAD), put (PUT) or list (prefix listing)
  --key KEY            one exact object key (get, put)
  --prefix PREFIX      every key under PREFIX, which ends with "/" (get, list)
  --ttl SECONDS        lifetime, 1-${MAX_GRANT_TTL_SECONDS} (default 300; the customer's ACL
                       refuses grants longer than its maxGrantTtlSeconds, 900 by default)
  --sub USER           the vendor-side user, recorded in the customer's audit log
  --max-bytes N        put only: the largest Content-Length allowed
  --content-type TYPE  put only: the Content-Type the upload must carry
  --sha256 HEX         put only: SHA-256 of the exact body (64 hex digits)
  -h, --help           show this help
`;

export interface GrantIo extends CliIo {
  /** Milliseconds since the epoch; Date.now when absent. */
  now?: () => number;
}

/** SDK argument names as the CLI spells them. */
const FLAG_OF: Record<string, string> = {
  audience: '--aud',
  key: '--key',
  prefix: '--prefix',
  sub: '--sub',
  ttlSeconds: '--ttl',
  maxBytes: '--max-bytes',
  contentType: '--content-type',
  sha256: '--sha256',
};

/** "grantPut: contentType must be …" → "--content-type must be …". */
function asFlagMessage(message: string): string {
  const text = message.replace(/^[A-Za-z]+: /, '');
  const word = /^[A-Za-z0-9]+/.exec(text)?.[0];
  return word !== undefined && FLAG_OF[word] !== undefined ? FLAG_OF[word] + text.slice(word.length) : text;
}

export async function readSmallTextFile(path: string, flag: string, maxBytes: number): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new UsageError(`${flag}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (bytes.length > maxBytes) throw new UsageError(`${flag}: the file is larger than ${maxBytes} bytes`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new UsageError(`${flag}: the file is not UTF-8 text`);
  } finally {
    bytes.fill(0);
  }
}

async function readKey(path: string): Promise<VendorKey> {
  const text = await readSmallTextFile(path, '--key-file', 64 * 1024);
  try {
    return loadVendorKey(text.trim());
  } catch (err) {
    throw new UsageError(`--key-file: ${(err as Error).message.replace(/^loadVendorKey: /, '')}`);
  }
}

export async function runGrant(argv: string[], io: GrantIo): Promise<number> {
  return guarded('gatekeeper grant', io, async () => {
    const p = parseArgs(argv, {
      'key-file': 'string',
      aud: 'string',
      op: 'string',
      key: 'string',
      prefix: 'string',
      ttl: 'string',
      sub: 'string',
      'max-bytes': 'string',
      'content-type': 'string',
      sha256: 'string',
    });
    if (p.help) {
      io.stdout.write(GRANT_USAGE);
      return 0;
    }
    positionals(p, []);
    const keyFile = stringOption(p, 'key-file', true);
    const aud = stringOption(p, 'aud', true);
    const op = stringOption(p, 'op', true);
    if (op !== 'get' && op !== 'put' && op !== 'list') throw new UsageError('--op must be get, put or list');
    const key = stringOption(p, 'key');
    const prefix = stringOption(p, 'prefix');
    if ((key === undefined) === (prefix === undefined)) throw new UsageError('give exactly one of --key and --prefix');
    if (op === 'put' && prefix !== undefined) throw new UsageError('--op put needs --key (an upload grant names one object)');
    if (op === 'list' && key !== undefined) throw new UsageError('--op list needs --prefix');
    const ttl = integerOption(p, 'ttl', 1, MAX_GRANT_TTL_SECONDS);
    const sub = stringOption(p, 'sub');
    const maxBytes = integerOption(p, 'max-bytes', 0, Number.MAX_SAFE_INTEGER);
    const contentType = stringOption(p, 'content-type');
    const sha256 = stringOption(p, 'sha256');
    if (op !== 'put') {
      for (const flag of ['max-bytes', 'content-type', 'sha256']) {
        if (p.options.has(flag)) throw new UsageError(`--${flag} is only for --op put`);
      }
    }

    const vendorKey = await readKey(keyFile);
    let token: string;
    try {
      const signer = new GrantSigner(vendorKey, { audience: aud, ...(io.now !== undefined ? { now: io.now } : {}) });
      const common = { ...(sub !== undefined ? { sub } : {}), ...(ttl !== undefined ? { ttlSeconds: ttl } : {}) };
      if (op === 'put') {
        token = signer.grantPut(key as string, {
          ...common,
          ...(maxBytes !== undefined ? { maxBytes } : {}),
          ...(contentType !== undefined ? { contentType } : {}),
          ...(sha256 !== undefined ? { sha256 } : {}),
        });
      } else if (op === 'list') {
        token = signer.grantList(prefix as string, common);
      } else if (key !== undefined) {
        token = signer.grantGet(key, common);
      } else {
        token = signer.grantPrefix(prefix as string, 'get', common);
      }
    } catch (err) {
      throw new UsageError(asFlagMessage((err as Error).message));
    }
    io.stdout.write(token + '\n');
    return 0;
  });
}
