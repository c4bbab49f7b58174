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
  | 'E_RULE' // a rule broke its contract (a fix its meta does not declare, an unknown message id): a bug of that rule
  | 'E_REFERENCE' // an image reference or source specifier that cannot be parsed
  | 'E_DIGEST' // content whose digest is not the one expected, or a malformed digest
  | 'E_MANIFEST' // a manifest, index or config that is not valid JSON of its media type
  | 'E_NOT_FOUND' // an image, manifest, blob or file that does not exist
  | 'E_AUTH' // credentials missing or refused (never carries the credential)
  | 'E_REGISTRY' // a registry answered with an error status or broke the protocol
  | 'E_NETWORK' // a connection failed, timed out or was reset (after the retries)
  | 'E_LIMIT' // content larger than anyarch accepts (manifest size, token size, ...)
  | 'E_SOURCE'; // an image source (OCI layout, archive, engine) that cannot be read

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
