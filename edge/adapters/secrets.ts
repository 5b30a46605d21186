import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeError, oneLine, type Logger } from './log';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

export interface CachedSecretOptions<T> {
  secretId: string;
  /** Regions holding the secret (primary first, then replicas). */
  regions: string[];
  /** The function's own region (process.env.AWS_REGION at the edge); tried first when it is one of `regions`. */
  ownRegion?: string;
  /** How long a fetched document is used without asking Secrets Manager again. */
  ttlMs: number;
  /**
   * Validates the document. Its error strings are logged, so they must name
   * fields, never quote the content (in particular not a JSON.parse message,
   * which embeds the text it failed on).
   */
  parse: (text: string) => ParseResult<T>;
  client: (region: string) => SecretsManagerClient;
  now: () => number;
  log: Logger;
  /** Per region attempt, default 1500. */
  fetchTimeoutMs?: number;
  /** After a refresh failed in every region, no new attempt before this many ms (default 5000). */
  failureBackoffMs?: number;
}

export interface SecretSnapshot<T> {
  value: T;
  /** When Secrets Manager last confirmed this document (clock of `now`). */
  fetchedAt: number;
  version: string | undefined;
}

interface Good<T> extends SecretSnapshot<T> {
  text: string;
}

const MAX_LOGGED_ERRORS = 10;

class FetchTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'FetchTimeout';
  }
}

/**
 * A Secrets Manager document kept in memory for the life of the container:
 * the ACL (TTL refresh, last good kept) and, with another `parse`, the
 * cosigning key.
 *
 * - Fresh: returned with no I/O.
 * - Stale or empty: fetched, the caller waits (a revocation must take effect
 *   at the next refresh, not one refresh later); concurrent callers share one
 *   fetch.
 * - A failure in every region, or an invalid document, keeps the last good
 *   one. After a failure nothing is fetched again for `failureBackoffMs`, so a
 *   broken Secrets Manager does not add its timeout to every request.
 * - `get()` is null only while there has never been a good document; the
 *   caller fails closed.
 */
export class CachedSecret<T> {
  private good: Good<T> | null = null;
  /** The last document that failed `parse`: an unchanged bad document is not parsed again. */
  private rejectedText: string | null = null;
  private nextFetchAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | null = null;
  private readonly order: string[];
  private readonly fetchTimeoutMs: number;
  private readonly backoffMs: number;

  constructor(private readonly o: CachedSecretOptions<T>) {
    if (o.secretId === '') throw new Error('CachedSecret: secretId must not be empty');
    if (o.regions.length === 0) throw new Error('CachedSecret: regions must not be empty');
    if (!(o.ttlMs > 0)) throw new Error('CachedSecret: ttlMs must be positive');
    this.fetchTimeoutMs = o.fetchTimeoutMs ?? 1500;
    this.backoffMs = o.failureBackoffMs ?? 5000;
    if (!(this.fetchTimeoutMs > 0)) throw new Error('CachedSecret: fetchTimeoutMs must be positive');
    if (!(this.backoffMs >= 0)) throw new Error('CachedSecret: failureBackoffMs must not be negative');
    const own = o.ownRegion !== undefined && o.regions.includes(o.ownRegion) ? [o.ownRegion] : [];
    this.order = [...new Set([...own, ...o.regions])];
  }

  /** The region order a refresh tries. */
  get regionOrder(): readonly string[] {
    return this.order;
  }

  async get(): Promise<SecretSnapshot<T> | null> {
    if (this.o.now() >= this.nextFetchAt) {
      this.inflight ??= this.refresh().finally(() => {
        this.inflight = null;
      });
      await this.inflight;
    }
    const g = this.good;
    return g === null ? null : { value: g.value, fetchedAt: g.fetchedAt, version: g.version };
  }

  private line(msg: string): void {
    try {
      this.o.log(`GK_SECRET ${msg} secret=${oneLine(this.o.secretId)}`);
    } catch {
      // A failing logger must not turn a good document into a failure.
    }
  }

  private async refresh(): Promise<void> {
    try {
      for (const region of this.order) {
        let text: string | undefined;
        let version: string | undefined;
        try {
          const out = await this.fetchOne(region);
          text = out.SecretString;
          version = out.VersionId;
        } catch (e) {
          this.line(`fetch_failed region=${region} error=${describeError(e)}`);
          continue;
        }
        this.accept(text, version, region);
        return;
      }
      this.line(`unavailable regions=${this.order.join(',')} keeping=${this.good === null ? 'none' : 'last_good'}`);
    } catch (e) {
      this.line(`refresh_error error=${describeError(e)}`);
    }
    this.nextFetchAt = this.o.now() + this.backoffMs;
  }

  private async fetchOne(region: string) {
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The race, and not only the signal, bounds the wait: it holds whatever the
    // client does with the signal.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ac.abort();
        reject(new FetchTimeout(this.fetchTimeoutMs));
      }, this.fetchTimeoutMs);
    });
    try {
      const send = this.o.client(region).send(new GetSecretValueCommand({ SecretId: this.o.secretId }), { abortSignal: ac.signal });
      return await Promise.race([send, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A region answered: its document is authoritative for this refresh, valid or not. */
  private accept(text: string | undefined, version: string | undefined, region: string): void {
    const now = this.o.now();
    const g = this.good;
    if (g !== null && text === g.text) {
      g.fetchedAt = now;
      g.version = version;
      this.rejectedText = null;
      this.nextFetchAt = now + this.o.ttlMs;
      return;
    }
    // While a good document is served, an invalid one is checked again at the
    // normal TTL; with none, sooner, so a fix is picked up quickly.
    const retryInvalidAt = now + (g === null ? this.backoffMs : this.o.ttlMs);
    if (text === undefined) {
      this.line(`invalid region=${region} version=${oneLine(version ?? '-')} errors=["no SecretString (binary secret)"] keeping=${g === null ? 'none' : 'last_good'}`);
      this.nextFetchAt = retryInvalidAt;
      return;
    }
    if (text === this.rejectedText) {
      this.line(`invalid_unchanged region=${region} version=${oneLine(version ?? '-')} keeping=${g === null ? 'none' : 'last_good'}`);
      this.nextFetchAt = retryInvalidAt;
      return;
    }
    let r: ParseResult<T>;
    try {
      r = this.o.parse(text);
    } catch (e) {
      // Name only: a parser's message may quote the document.
      r = { ok: false, errors: [`parse threw ${e instanceof Error ? e.name : 'a non-error'}`] };
    }
    if (!r.ok) {
      this.rejectedText = text;
      const shown = r.errors.slice(0, MAX_LOGGED_ERRORS).map((s) => oneLine(s));
      const more = r.errors.length > MAX_LOGGED_ERRORS ? ` (+${r.errors.length - MAX_LOGGED_ERRORS} more)` : '';
      this.line(
        `invalid region=${region} version=${oneLine(version ?? '-')} errors=${JSON.stringify(shown)}${more} keeping=${g === null ? 'none' : 'last_good'}`,
      );
      this.nextFetchAt = retryInvalidAt;
      return;
    }
    this.good = { value: r.value, text, fetchedAt: now, version };
    this.rejectedText = null;
    this.nextFetchAt = now + this.o.ttlMs;
    this.line(`loaded region=${region} version=${oneLine(version ?? '-')}`);
  }
}
