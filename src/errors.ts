/**
 * Errors are values with a stable code (for programs) and a sentence (for people).
 * Only src/cli turns them into exit codes and text.
 */
export type ErrorCode =
  | 'E_PLATFORM_SPEC' // a platform specifier that cannot be parsed or is unknown
  | 'E_PARSE' // a Dockerfile that cannot be parsed (position in `location`)
  | 'E_INPUT' // unreadable, binary, too large or not UTF-8 input
  | 'E_CONFIG' // a bad .anyarch.yaml
  | 'E_USAGE' // bad command-line use
  | 'E_FIX' // a fix that could not be applied
  | 'E_CONFLICT' // a file changed since it was read, so a fix was not written over it
  | 'E_RULE' // a rule broke its contract (a fix its meta does not declare, an unknown message id): a bug of that rule
  | 'E_INTERNAL' // an unexpected failure inside anyarch or a rule while checking one file (a bug; `cause` holds what was thrown)
  | 'E_REFERENCE' // an image reference or source specifier that cannot be parsed
  | 'E_DIGEST' // content whose digest is not the one expected, or a malformed digest
  | 'E_MANIFEST' // a manifest, index or config that is not valid JSON of its media type
  | 'E_NOT_FOUND' // an image, manifest, blob or file that does not exist
  | 'E_AUTH' // credentials missing or refused (never carries the credential)
  | 'E_REGISTRY' // a registry answered with an error status or broke the protocol
  | 'E_NETWORK' // a connection failed, timed out or was reset (after the retries)
  | 'E_LIMIT' // content larger than anyarch accepts (manifest size, token size, ...)
  | 'E_SOURCE' // an image source (OCI layout, archive, engine) that cannot be read
  | 'E_BUILD' // an engine's build (or a cross-compile) failed: its own output says where
  | 'E_LOCKFILE'; // a lockfile that cannot be read (malformed, truncated, an unknown or unsupported version; position in `location`)

export interface ErrorLocation {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

export class AnyarchError extends Error {
  override readonly name = 'AnyarchError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    readonly location?: ErrorLocation,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** `file:line:col: message` when a location is known. */
  describe(): string {
    const loc = this.location;
    if (!loc?.file) return this.message;
    const pos = loc.line ? `:${loc.line}${loc.column ? `:${loc.column}` : ''}` : '';
    return `${loc.file}${pos}: ${this.message}`;
  }
}

export function isAnyarchError(e: unknown): e is AnyarchError {
  return e instanceof AnyarchError;
}

/** Errors that are bugs of anyarch or of a rule, never of the input: a fix that broke the syntax, a rule that broke its contract or failed. */
export function isBug(e: AnyarchError): boolean {
  return e.code === 'E_FIX' || e.code === 'E_RULE' || e.code === 'E_INTERNAL';
}

/** What was thrown, in one line: `RangeError: Maximum call stack size exceeded`. */
export function thrownSummary(e: unknown): string {
  const line = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
