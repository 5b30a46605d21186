/**
 * A bounded load test over loopback: 50 concurrent clients doing valid GETs
 * through the whole stack (gate bundle, audit to Kinesis, S3 emulator) for at
 * most LOAD_MS or LOAD_REQUESTS requests. No request may fail, and the audit
 * log must hold exactly one access record per request.
 */
import { Agent } from 'node:http';
import { queryLocalAudit } from '../../scripts/cli/audit';
import { DEMO_OBJECTS } from '../../scripts/local/demo/report';
import { canonicalKeyUri } from '../../edge/core/objectKey';
import { IP, payloadOf, send, startHarness, type Harness } from './harness';

jest.setTimeout(90_000);

const CLIENTS = 50;
const LOAD_MS = 20_000;
const LOAD_REQUESTS = 3000;
const OBJECT = DEMO_OBJECTS[0];

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ name: 'load' });
});

afterAll(async () => {
  await h?.stop();
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

it(`${CLIENTS} concurrent clients of valid GETs: no errors, and one audit record per request`, async () => {
  // Prepare
  const grant = h.vendor.grantGet(OBJECT.key, { sub: 'load' });
  const c = await h.cosign([grant]);
  const cosig = c.json<{ results: { cosig: string }[] }>().results[0].cosig;
  const url = `${h.stack.urls.gatekeeper}${canonicalKeyUri(OBJECT.key)}`;
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const latencies: number[] = [];
  const failures: string[] = [];
  let started = 0;
  const deadline = Date.now() + LOAD_MS;

  const client = async (): Promise<void> => {
    while (started < LOAD_REQUESTS && Date.now() < deadline) {
      started++;
      const t0 = process.hrtime.bigint();
      try {
        const r = await send(url, { agent, from: IP.main, headers: { 'x-gk-grant': grant, 'x-gk-cosig': cosig } });
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (r.status !== 200 || r.text !== OBJECT.body) failures.push(`${r.status} ${r.text.slice(0, 120)}`);
      } catch (err) {
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        failures.push((err as Error).message);
      }
    }
  };

  // Act
  const t0 = Date.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const seconds = (Date.now() - t0) / 1000;
  agent.destroy();
  await h.stack.flushAudit();
  const [audit] = await queryLocalAudit(
    h.stack.files.auditDir,
    `SELECT count(*) AS n, count(DISTINCT request_id) AS ids, count(*) FILTER (WHERE decision = 'allow' AND reason = 'ok') AS ok
       FROM audit WHERE phase = 'access' AND grant_jti = '${payloadOf(grant).jti}'`,
  );

  // Assess
  const sorted = [...latencies].sort((a, b) => a - b);
  const report = {
    clients: CLIENTS,
    requests: latencies.length,
    seconds: Number(seconds.toFixed(2)),
    requestsPerSecond: Math.round(latencies.length / seconds),
    p50Ms: Number(percentile(sorted, 50).toFixed(1)),
    p99Ms: Number(percentile(sorted, 99).toFixed(1)),
    maxMs: Number(sorted[sorted.length - 1].toFixed(1)),
    errors: failures.length,
    auditRecords: audit.n,
  };
  // The figures of this run, for the README and the report.
  process.stdout.write(`\nload: ${JSON.stringify(report)}\n`);
  expect(failures.slice(0, 5)).toEqual([]);
  expect(latencies.length).toBe(started);
  expect(latencies.length).toBeGreaterThanOrEqual(CLIENTS);
  expect(seconds).toBeLessThanOrEqual(LOAD_MS / 1000 + 5);
  expect(audit).toEqual({ n: latencies.length, ids: latencies.length, ok: latencies.length });
});
