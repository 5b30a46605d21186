import type { AuditIo } from '../../../scripts/cli/audit';

export interface CapturedIo extends AuditIo {
  out: string[];
  err: string[];
  /** stdout as parsed JSON lines. */
  rows(): Record<string, unknown>[];
}

export function captureIo(): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    rows: () =>
      out
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
