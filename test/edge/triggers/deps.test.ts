import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBuildConfig } from '../../../edge/config';
import { b64uEncode } from '../../../edge/core/b64u';
import { publicKeyOfSeed } from '../../../edge/core/keys';
import { aclFetchTimeoutMs, parseAcl, parseSigningKey } from '../../../edge/triggers/deps';
import { aclDoc } from '../../helpers/world';

const example = (over: Record<string, unknown> = {}) =>
  parseBuildConfig({ ...JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'gatekeeper.build.example.json'), 'utf8')), ...over });

describe('aclFetchTimeoutMs', () => {
  it('gives one region 1.5 s and shares what the audit write leaves among several', () => {
    expect(aclFetchTimeoutMs(example())).toBe(1500);
    expect(aclFetchTimeoutMs(example({ aclSecretRegions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] }))).toBe(1000);
    expect(aclFetchTimeoutMs(example({ auditTimeoutMs: 3600, aclSecretRegions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] }))).toBe(300);
  });

  it('keeps every accepted config inside the viewer-request budget', () => {
    for (let regions = 1; regions <= 6; regions++) {
      for (const audit of [50, 1500, 4000]) {
        let c;
        try {
          c = example({ auditTimeoutMs: audit, aclSecretRegions: Array.from({ length: regions }, (_, i) => ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'us-west-2', 'sa-east-1'][i]) });
        } catch {
          continue;
        }
        expect(audit + regions * aclFetchTimeoutMs(c)).toBeLessThanOrEqual(4500);
      }
    }
  });
});

describe('parseSigningKey', () => {
  it('takes {kid, privateKey} and knows its public half', () => {
    const seed = Buffer.alloc(32, 7);
    const r = parseSigningKey(JSON.stringify({ kid: 'gk-1', privateKey: b64uEncode(seed) }));
    expect(r.ok && r.value.kid).toBe('gk-1');
    expect(r.ok && r.value.publicKey).toBe(b64uEncode(publicKeyOfSeed(seed)));
  });

  it.each([
    ['not JSON', 'nope', '(root): not a JSON object'],
    ['an extra field', JSON.stringify({ kid: 'gk-1', privateKey: b64uEncode(Buffer.alloc(32)), note: 1 }), 'note: unknown field'],
    ['a bad kid', JSON.stringify({ kid: 'a b', privateKey: b64uEncode(Buffer.alloc(32)) }), 'kid:'],
    ['a short key', JSON.stringify({ kid: 'gk-1', privateKey: b64uEncode(Buffer.alloc(31)) }), 'privateKey: not 32 bytes'],
  ])('refuses %s, naming the field and never the key', (_n, text, error) => {
    const r = parseSigningKey(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.join('\n')).toContain(error);
    expect(r.errors.join('\n')).not.toContain(b64uEncode(Buffer.alloc(32)));
  });
});

describe('parseAcl', () => {
  it('compiles a valid document and reports an invalid one by field', () => {
    const ok = parseAcl(JSON.stringify(aclDoc()));
    expect(ok.ok && ok.value.version).toBe('test.1');
    const bad = parseAcl(JSON.stringify(aclDoc({ ips: { deny: ['nope'] } })));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.join('\n')).toContain('ips.deny[0]');
  });
});
