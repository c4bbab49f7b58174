/**
 * URLs a user gives (a registry, an index) and what may be printed of them: only http and https
 * are spoken, and the user-info of a URL (`https://user:token@host/`, which pip and npm accept
 * for a private index) is never printed. Pure, so that the command line's flag parsers can use it
 * without loading a network client.
 */

/** The schemes anyarch speaks. */
export const HTTP_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:']);

/** `value` with the user-info of anything that looks like a URL in it replaced by `***`. */
export function redactUserInfo(value: string): string {
  // up to the last @ before the path: a password may hold @ itself (`//u:p@ss@host`)
  return value.replace(/(\/\/)[^/?#\s]*@/g, '$1***@');
}

/**
 * Why `value` is no http(s) URL (`not a URL`, `a URL with scheme ftp:`), undefined when it is one. The
 * reason never repeats the value (nor its user-info).
 */
export function httpUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'not a URL';
  }
  if (!HTTP_SCHEMES.has(url.protocol)) return `a URL with scheme ${url.protocol}`;
  if (!url.hostname) return 'a URL without a host';
  return undefined;
}
