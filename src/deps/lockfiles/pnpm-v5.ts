/**
 * The keys of pnpm-lock.yaml lockfileVersion 5.x (pnpm 3 to 7): `/name/1.2.3`,
 * `/@scope/name/1.2.3`, with a peer suffix after `_` (`/react-dom/17.0.2_react@17.0.2`,
 * `/@emotion/react/11.10.5_@babel+core@7.20.2`, or a hash of it in 5.4), a registry host instead
 * of the leading slash for another registry (`registry.example.com/name/1.2.3`), and the project's
 * own folders (`file:packages/a`, `link:../b`). Everything else of 5.x is read as 6.x is (pnpm.ts:
 * `resolution`, `requiresBuild`, `os`, `cpu`, `libc`, `optional`, `dev`, `dependencies`,
 * `optionalDependencies`; `importers` of a workspace share one `packages` map).
 */

/** Name and version of a 5.x key; undefined when it has none (a git or tarball key names them in `name` and `version` fields). */
export function pnpmV5KeyNameVersion(key: string): { name: string; version: string } | undefined {
  const rest = key.startsWith('/') ? key.slice(1) : key.slice(key.indexOf('/') + 1);
  const segs = rest.split('/');
  const scoped = segs[0]?.startsWith('@') === true;
  const name = scoped ? `${segs[0]}/${segs[1] ?? ''}` : segs[0];
  const tail = segs.slice(scoped ? 2 : 1).join('/');
  const underscore = tail.indexOf('_');
  const version = underscore === -1 ? tail : tail.slice(0, underscore);
  if (!name || name.endsWith('/') || !/^\d/.test(version)) return undefined;
  return { name, version };
}

/** A 5.x key of the project's own folder (`file:packages/a`, `link:../b`): local code, not a package of a registry. */
export function isPnpmV5LocalKey(key: string): boolean {
  return key.startsWith('file:') || key.startsWith('link:');
}
