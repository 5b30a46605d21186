/** `gatekeeper keygen`: a fresh Ed25519 key pair, as PROTOCOL writes keys. */
import { writeFile } from 'fs/promises';
import { generateEd25519, isKid } from '../../edge/core/keys';
import { guarded, parseArgs, positionals, stringOption, UsageError, type CliIo } from './args';

export const KEYGEN_USAGE = `Usage: gatekeeper keygen --kid KID [--out FILE]

Creates an Ed25519 key pair (a vendor's grant key or a gatekeeper's
cosigning key) and prints it as one line of JSON:
  {"kid":"KID","publicKey":"<b64u, 32 bytes>","privateKey":"<b64u seed, 32 bytes>"}

Options:
  --kid KID    key id, 1-64 characters of [A-Za-z0-9._-]
  --out FILE   write the key pair to FILE instead (created with mode 0600,
               never overwritten) and print only {"kid","publicKey"},
               the entry for an ACL's vendorKeys or gatekeeperKeys
  -h, --help   show this help

The private key is printed (or written) once and nowhere else. Keep it
secret: whoever holds it can sign grants (or countersignatures).
`;

export async function runKeygen(argv: string[], io: CliIo): Promise<number> {
  return guarded('gatekeeper keygen', io, async () => {
    const p = parseArgs(argv, { kid: 'string', out: 'string' });
    if (p.help) {
      io.stdout.write(KEYGEN_USAGE);
      return 0;
    }
    positionals(p, []);
    const kid = stringOption(p, 'kid', true);
    if (!isKid(kid)) throw new UsageError('--kid must be 1-64 characters of [A-Za-z0-9._-]');
    const out = stringOption(p, 'out');
    const { publicKey, privateKey } = generateEd25519();
    const pair = JSON.stringify({ kid, publicKey, privateKey });
    if (out === undefined) {
      io.stdout.write(pair + '\n');
      return 0;
    }
    try {
      await writeFile(out, pair + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(code === 'EEXIST' ? '--out: the file exists; refusing to overwrite a key' : `--out: cannot write the file (${code ?? 'error'})`);
    }
    io.stdout.write(JSON.stringify({ kid, publicKey }) + '\n');
    return 0;
  });
}
