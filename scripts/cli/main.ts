/**
 * `gatekeeper`: the command line of the S3 Gatekeeper, for vendors (keygen,
 * grant, inspect) and customers (acl, audit, inspect). Each command is a
 * function of its arguments and an io object, so tests run them in-process;
 * scripts/gatekeeper.js is the executable around `main`.
 */
import { runAcl, type AclPushIo } from './acl';
import { oneLine, type CliIo } from './args';
import { runGrant, type GrantIo } from './grant';
import { runInspect, type InspectIo } from './inspect';
import { runKeygen } from './keys';

export const MAIN_USAGE = `Usage: gatekeeper <command> [options]

Vendor:
  keygen --kid KID [--out FILE]          create an Ed25519 key pair
  grant --key-file F --aud ID --op get|put|list (--key K | --prefix P)
        [--ttl S] [--sub U] [--max-bytes N] [--content-type T] [--sha256 H]
                                         sign one grant
Customer:
  acl validate FILE                      check an ACL document
  acl simulate FILE --ip IP [--country CC] [--kid KID] [--jti JTI]
                                         the ACL decision for one viewer
  acl push FILE --secret-id ID [--region R]
                                         validate, then write to Secrets Manager
  audit ...                              query the audit log (see "gatekeeper audit --help")
Both:
  inspect TOKEN|- [--acl FILE] [--gatekeeper-id ID] [--ip IP] [--country CC]
          [--grant GRANT] [--json]       decode a grant or cosig and run the checks

Run "gatekeeper <command> --help" for the details of one command.
Exit status: 0 success, 1 a negative answer (invalid ACL, failed check,
remote error), 2 bad input.
`;

export type MainIo = CliIo & GrantIo & InspectIo & AclPushIo;

/**
 * The audit command's io takes write functions; ours takes writable streams.
 * Each stream is passed as a function that also has `write`, which suits either.
 */
function auditIo(io: CliIo): { stdout: ((s: string) => void) & CliIo['stdout']; stderr: ((s: string) => void) & CliIo['stderr'] } {
  const wrap = (w: CliIo['stdout']) => Object.assign((s: string): void => void w.write(s), { write: (s: string) => w.write(s) });
  return { stdout: wrap(io.stdout), stderr: wrap(io.stderr) };
}

export async function main(argv: string[], io: MainIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'keygen':
        return await runKeygen(rest, io);
      case 'grant':
        return await runGrant(rest, io);
      case 'inspect':
        return await runInspect(rest, io);
      case 'acl':
        return await runAcl(rest, io);
      case 'audit': {
        // Loaded on use: it brings DuckDB and the Athena client. require, not
        // import(): the bin registers tsx for CommonJS only, and an ESM import
        // of an extensionless .ts path does not resolve there.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { runAudit } = require('./audit') as typeof import('./audit');
        return await runAudit(rest, auditIo(io));
      }
      case 'help':
      case '-h':
      case '--help':
        io.stdout.write(MAIN_USAGE);
        return 0;
      case undefined:
        io.stderr.write('gatekeeper: a command is required; see "gatekeeper --help"\n');
        return 2;
      default:
        io.stderr.write('gatekeeper: unknown command; see "gatekeeper --help"\n');
        return 2;
    }
  } catch (err) {
    // A bug or an environment failure, not bad input. The message is the
    // library's; none of ours carries a key or a token.
    const e = err as Error;
    io.stderr.write(`gatekeeper: internal error: ${oneLine(`${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`).slice(0, 400)}\n`);
    return 1;
  }
}
