/**
 * The small shared part of every `gatekeeper` command: argument parsing and
 * the one-line usage error. Written out rather than node:util.parseArgs so
 * that a repeated option is an error (parseArgs keeps the last one silently)
 * and every message fits on one line.
 */

export interface Writable {
  write(s: string): unknown;
}

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
}

/** A command: argv after its name; resolves to the exit status. */
export type Command<Io extends CliIo = CliIo> = (argv: string[], io: Io) => Promise<number>;

/** Exit statuses shared by every command. */
export const EXIT_OK = 0;
/** The command ran and its answer is negative (invalid ACL, a failed check, a remote error). */
export const EXIT_FAILED = 1;
/** Bad input: usage, a missing or unreadable file, a malformed value. */
export const EXIT_USAGE = 2;

/** Thrown for bad input; the command catches it, prints its one line and exits 2. */
export class UsageError extends Error {}

export interface Parsed {
  options: Map<string, string | true>;
  positionals: string[];
  help: boolean;
}

/**
 * `spec` maps option names (without `--`) to whether they take a value.
 * Accepts `--name value`, `--name=value` and `--` before positionals that
 * begin with `-`. `-h` and `--help` are always known.
 */
export function parseArgs(argv: readonly string[], spec: Record<string, 'string' | 'boolean'>): Parsed {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unknown option ${shown(arg)}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = Object.prototype.hasOwnProperty.call(spec, name) ? spec[name] : undefined;
    if (kind === undefined) throw new UsageError(`unknown option ${shown('--' + name)}`);
    if (options.has(name)) throw new UsageError(`--${name} is given twice`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      options.set(name, true);
      continue;
    }
    let value: string;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      // `--key --ttl 5` means a forgotten value, not a key named "--ttl".
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    options.set(name, value);
  }
  return { options, positionals, help };
}

/** An option's text value; required ones throw when absent. */
export function stringOption(p: Parsed, name: string, required: true): string;
export function stringOption(p: Parsed, name: string, required?: false): string | undefined;
export function stringOption(p: Parsed, name: string, required = false): string | undefined {
  const v = p.options.get(name);
  if (v === undefined) {
    if (required) throw new UsageError(`--${name} is required`);
    return undefined;
  }
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

/** A whole decimal number within bounds (no sign, no exponent, no leading zeros). */
export function integerOption(p: Parsed, name: string, min: number, max: number): number | undefined {
  const v = stringOption(p, name);
  if (v === undefined) return undefined;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(v);
}

/** Exactly `n` positionals, named for the message. */
export function positionals(p: Parsed, names: readonly string[]): string[] {
  if (p.positionals.length < names.length) throw new UsageError(`${names[p.positionals.length]} is required`);
  // Not echoed: a stray argument may be a pasted token or key.
  if (p.positionals.length > names.length) throw new UsageError(`unexpected argument #${names.length + 1} (expected ${names.join(' ') || 'none'})`);
  return p.positionals;
}

/**
 * An option name quoted for a message: cut short and with control characters
 * escaped (JSON). Only names are echoed, never values, which may be tokens.
 */
export function shown(s: string): string {
  return JSON.stringify(s.length > 16 ? `${s.slice(0, 16)}…` : s);
}

/** Runs a command body, turning a UsageError into one stderr line and exit 2. */
export async function guarded(prefix: string, io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${prefix}: ${oneLine(err.message)}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

export function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '?');
}
