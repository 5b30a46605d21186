import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initialAclDocument } from '../../../infra/acl-document';
import { parseStackConfig } from '../../../infra/config';
import { run } from '../../../scripts/infra/acl-edit';
import { GK_KEY, GK_KEY_2, stackInput, tempDir } from '../../infra/fixture';

const NOW = new Date('2026-12-04T10:00:00Z');

export function files(): { dir: string; acl: string; key: string; key2: string } {
  const dir = tempDir('gk-acl-edit-');
  const acl = join(dir, 'acl.json');
  writeFileSync(acl, JSON.stringify(initialAclDocument(parseStackConfig(stackInput()))));
  const key = join(dir, 'k1.json');
  writeFileSync(key, JSON.stringify({ kid: 'gk-2026-12', ...GK_KEY }));
  const key2 = join(dir, 'k2.json');
  writeFileSync(key2, JSON.stringify({ kid: 'gk-2027-01', ...GK_KEY_2 }));
  return { dir, acl, key, key2 };
}

/** Runs the CLI in-process and returns its exit code and stdout. */
export function capture(argv: string[]): { code: number; out: string } {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  try {
    return { code: run(argv, NOW), out };
  } finally {
    spy.mockRestore();
  }
}
