import { b64uEncode } from '../../../edge/core/b64u';
import { runGrant } from '../../../scripts/cli/grant';
import { memoryIo, tempDir, VENDOR_KEY_JSON, VENDOR_SEED } from './helpers';

const PRIVATE = b64uEncode(VENDOR_SEED);

async function fails(args: string[], keyText: string = VENDOR_KEY_JSON): Promise<string> {
  const t = tempDir();
  try {
    const keyFile = t.file('vendor.json', keyText);
    const m = memoryIo();
    const argv = args.map((a) => (a === 'KEYFILE' ? keyFile : a));
    expect(await runGrant(argv, m.io)).toBe(2);
    expect(m.out()).toBe('');
    const err = m.err();
    expect(err.split('\n')).toHaveLength(2); // one line and its newline
    expect(err).not.toContain(PRIVATE.slice(0, 10));
    return err.replace(/^gatekeeper grant: /, '').trimEnd();
  } finally {
    t.cleanup();
  }
}

const BASE = ['--key-file', 'KEYFILE', '--aud', 'gk-acme'];

describe('gatekeeper grant refuses bad input with one line and exit 2', () => {
  it.each<[string, string[], string]>([
    ['no --key-file', ['--aud', 'a', '--op', 'get', '--key', 'k'], '--key-file is required'],
    ['no --aud', ['--key-file', 'KEYFILE', '--op', 'get', '--key', 'k'], '--aud is required'],
    ['no --op', [...BASE, '--key', 'k'], '--op is required'],
    ['an unknown op', [...BASE, '--op', 'delete', '--key', 'k'], '--op must be get, put or list'],
    ['neither --key nor --prefix', [...BASE, '--op', 'get'], 'give exactly one of --key and --prefix'],
    ['both --key and --prefix', [...BASE, '--op', 'get', '--key', 'a', '--prefix', 'b/'], 'give exactly one of --key and --prefix'],
    ['put with --prefix', [...BASE, '--op', 'put', '--prefix', 'b/'], '--op put needs --key (an upload grant names one object)'],
    ['list with --key', [...BASE, '--op', 'list', '--key', 'b'], '--op list needs --prefix'],
    ['--max-bytes on get', [...BASE, '--op', 'get', '--key', 'b', '--max-bytes', '5'], '--max-bytes is only for --op put'],
    ['--sha256 on list', [...BASE, '--op', 'list', '--prefix', 'b/', '--sha256', 'a'.repeat(64)], '--sha256 is only for --op put'],
    ['--ttl 0', [...BASE, '--op', 'get', '--key', 'b', '--ttl', '0'], '--ttl must be a whole number from 1 to 86400'],
    ['--ttl 5m', [...BASE, '--op', 'get', '--key', 'b', '--ttl', '5m'], '--ttl must be a whole number from 1 to 86400'],
    ['--max-bytes -1', [...BASE, '--op', 'put', '--key', 'b', '--max-bytes=-1'], '--max-bytes must be a whole number from 0 to 9007199254740991'],
    ['a bad key', [...BASE, '--op', 'get', '--key', '/etc/passwd'], '--key must be a valid object key (no leading "/", no empty, "." or ".." segment, no control character, at most 1024 bytes of UTF-8)'],
    ['a bad prefix', [...BASE, '--op', 'list', '--prefix', 'reports'], '--prefix must end with "/" and, without it, be a valid object key (no leading "/", no empty, "." or ".." segment, no control character, at most 1024 bytes of UTF-8)'],
    ['a bad audience', ['--key-file', 'KEYFILE', '--aud', 'gk acme', '--op', 'get', '--key', 'k'], '--aud must be the gatekeeper id, 1-128 characters of [A-Za-z0-9._:-]'],
    ['a bad sub', [...BASE, '--op', 'get', '--key', 'k', '--sub', 'a\tb'], '--sub must be 1-256 characters without control characters'],
    ['a bad content type', [...BASE, '--op', 'put', '--key', 'k', '--content-type', 'é'], '--content-type must be 1-255 printable ASCII characters'],
    ['a bad digest', [...BASE, '--op', 'put', '--key', 'k', '--sha256', 'xyz'], '--sha256 must be the SHA-256 of the body as 64 hex digits'],
    ['a missing key file', ['--key-file', '/nonexistent/k.json', '--aud', 'a', '--op', 'get', '--key', 'k'], '--key-file: cannot read the file (ENOENT)'],
  ])('%s', async (_name, args, line) => {
    expect(await fails(args)).toBe(line);
  });

  it.each<[string, string, string]>([
    ['not JSON', 'kid=vendor', '--key-file: not a JSON object (invalid JSON)'],
    ['no privateKey (a public entry)', JSON.stringify({ kid: 'v', publicKey: PRIVATE }), '--key-file: privateKey is required'],
    ['a bad kid', JSON.stringify({ kid: 'a b', privateKey: PRIVATE }), '--key-file: kid must be 1-64 characters of [A-Za-z0-9._-]'],
    ['a short seed', JSON.stringify({ kid: 'v', privateKey: PRIVATE.slice(0, 40) }), '--key-file: privateKey must be the base64url (no padding) of a 32-byte Ed25519 seed'],
    ['a wrong public half', JSON.stringify({ kid: 'v', publicKey: PRIVATE, privateKey: PRIVATE }), '--key-file: publicKey is not the public half of privateKey'],
    ['not UTF-8', '\xff\xfe', '--key-file: the file is not UTF-8 text'],
  ])('a key file with %s', async (_name, keyText, line) => {
    const text = keyText === '\xff\xfe' ? (Buffer.from([0xff, 0xfe, 0x7b]) as unknown as string) : keyText;
    expect(await fails([...BASE, '--op', 'get', '--key', 'k'], text)).toBe(line);
  });
});
