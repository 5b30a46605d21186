/**
 * The file work behind the key runbooks, so the bash scripts only move files
 * and call AWS. Key files are what `gatekeeper keygen` writes:
 * {"kid","publicKey","privateKey"}.
 *
 *   acl-edit.ts add-gatekeeper-key ACL_FILE KEY_FILE     new ACL on stdout
 *   acl-edit.ts remove-gatekeeper-key ACL_FILE KID       new ACL on stdout
 *   acl-edit.ts has-gatekeeper-key ACL_FILE KEY_FILE     exit 0 when trusted, 1 when not
 *   acl-edit.ts signing-secret KEY_FILE OUT_FILE         writes {"kid","privateKey"} (mode 0600)
 *   acl-edit.ts public KEY_FILE                          {"kid","publicKey"} for the stack config
 *
 * Every ACL it prints has passed the edge's own validation (parseAclText).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseAclText } from '../../edge/core/acl';
import { isKid, publicKeyOfSeed } from '../../edge/core/keys';
import { addGatekeeperKey, removeGatekeeperKey } from '../../infra/acl-document';
import { isB64uKey32 } from '../../infra/config';

export interface KeyPair {
  kid: string;
  publicKey: string;
  privateKey: string;
}

/** Reads a keygen file and checks that its private seed really belongs to its public key. */
export function readKeyPair(file: string): KeyPair {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`${file}: not a JSON key file`);
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const { kid, publicKey, privateKey } = o;
  if (!isKid(kid)) throw new Error(`${file}: kid must be 1-64 chars of [A-Za-z0-9._-]`);
  if (typeof publicKey !== 'string' || !isB64uKey32(publicKey)) throw new Error(`${file}: publicKey is not 32 bytes of b64u`);
  // Never echo the private key, not even in an error.
  if (typeof privateKey !== 'string' || !isB64uKey32(privateKey)) throw new Error(`${file}: privateKey is not a 32-byte b64u seed`);
  if (publicKeyOfSeed(Buffer.from(privateKey, 'base64url')).toString('base64url') !== publicKey) {
    throw new Error(`${file}: privateKey does not belong to publicKey`);
  }
  return { kid, publicKey, privateKey };
}

function readAcl(file: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  const v = parseAclText(text);
  if (!v.ok) throw new Error(`${file}: the current ACL is invalid: ${v.errors.join('; ')}`);
  return JSON.parse(text) as Record<string, unknown>;
}

function printAcl(doc: Record<string, unknown>): void {
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  const v = parseAclText(text);
  if (!v.ok) throw new Error(`the edited ACL would be invalid: ${v.errors.join('; ')}`);
  process.stdout.write(text);
}

export function run(argv: string[], now: Date): number {
  const [cmd, a, b] = argv;
  switch (cmd) {
    case 'add-gatekeeper-key': {
      const key = readKeyPair(b);
      printAcl(addGatekeeperKey(readAcl(a), { kid: key.kid, publicKey: key.publicKey }, now));
      return 0;
    }
    case 'remove-gatekeeper-key':
      if (!isKid(b)) throw new Error('KID must be 1-64 chars of [A-Za-z0-9._-]');
      printAcl(removeGatekeeperKey(readAcl(a), b, now));
      return 0;
    case 'has-gatekeeper-key': {
      const key = readKeyPair(b);
      const keys = readAcl(a).gatekeeperKeys as { kid: string; publicKey: string }[];
      return keys.some((k) => k.kid === key.kid && k.publicKey === key.publicKey) ? 0 : 1;
    }
    case 'signing-secret': {
      const key = readKeyPair(a);
      // wx: never overwrite; 0600: only this user may read the private key.
      writeFileSync(b, JSON.stringify({ kid: key.kid, privateKey: key.privateKey }), { mode: 0o600, flag: 'wx' });
      return 0;
    }
    case 'public': {
      const key = readKeyPair(a);
      process.stdout.write(`${JSON.stringify({ kid: key.kid, publicKey: key.publicKey })}\n`);
      return 0;
    }
    default:
      process.stderr.write('usage: acl-edit.ts add-gatekeeper-key|remove-gatekeeper-key|has-gatekeeper-key|signing-secret|public ...\n');
      return 2;
  }
}

if (require.main === module) {
  try {
    process.exitCode = run(process.argv.slice(2), new Date());
  } catch (e) {
    process.stderr.write(`acl-edit: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
