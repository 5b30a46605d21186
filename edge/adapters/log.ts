/**
 * One log line per call. At the edge this is console.log, which CloudWatch
 * stores in the region of the edge location that ran the function.
 */
export type Logger = (line: string) => void;

export const defaultLogger: Logger = (line) => console.log(line);

/**
 * Anything that came from outside (a viewer string, an SDK error message) is
 * written through this before it reaches the log: a control character or a
 * line separator could otherwise start a forged line, such as a fake
 * `GK_AUDIT_FALLBACK` record.
 */
export function oneLine(s: string, max = 200): string {
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * `abcdefgh…123`: enough to correlate log lines, never the whole token, key or
 * signature. A short input shows at most half of itself, so even a
 * 10-character secret is never logged in full.
 */
export function redact(token: string): string {
  const shown = Math.min(8, Math.floor(token.length / 2));
  return `${oneLine(token.slice(0, shown))}…${token.length}`;
}

/** `Name (status): message` of an SDK or network error, for a log line. */
export function describeError(e: unknown): string {
  if (typeof e !== 'object' || e === null) return 'non-error thrown';
  const err = e as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const name = typeof err.name === 'string' ? err.name : 'Error';
  const status = typeof err.$metadata?.httpStatusCode === 'number' ? ` (${err.$metadata.httpStatusCode})` : '';
  const message = typeof err.message === 'string' && err.message !== '' ? `: ${err.message}` : '';
  return oneLine(`${name}${status}${message}`);
}
