/**
 * Downloads that are the same file for every platform: never rewrite them per architecture.
 * From the research notes' `archIndependentPatterns`.
 */

interface Rule {
  /** what the rule recognises, for readers */
  readonly what: string;
  /** tested against the last path segment (decoded) */
  readonly file?: RegExp;
  /** tested against the host name (lower case) */
  readonly host?: RegExp;
  /** tested against the whole path */
  readonly path?: RegExp;
}

const RULES: readonly Rule[] = [
  { what: 'JVM archives', file: /\.(?:jar|war|ear)$/i },
  { what: 'Maven distribution', file: /^apache-maven-.+-bin\.(?:tar\.gz|zip)$/i },
  { what: 'Gradle distribution', file: /^gradle-.+-(?:bin|all)\.zip$/i },
  { what: 'Ant distribution', file: /^apache-ant-.+-bin\..+$/i },
  { what: 'sbt distribution', file: /^sbt-.+\.(?:tgz|zip)$/i },
  { what: 's6-overlay noarch', file: /-noarch\.tar\.(?:xz|gz)$/i },
  { what: 's6-overlay symlinks-arch (despite the name)', file: /^s6-overlay-symlinks-arch\.tar\.xz$/i },
  { what: 'RPM noarch', file: /\.noarch\.rpm$/i },
  { what: 'Debian arch-all', file: /_all\.deb$/i },
  { what: 'pure-Python wheel', file: /-none-any\.whl$/i },
  { what: 'npm package tarball', host: /^registry\.(?:npmjs\.org|yarnpkg\.com)$/, path: /\/-\/[^/]+\.tgz$/i },
  { what: 'yarn release tarball', file: /^yarn-v.+\.tar\.gz$/i },
  { what: 'PHP archive', file: /\.phar$/i },
  { what: 'Go source', file: /^go(?:\d|\$)[^/]*\.src\.tar\.gz$/i },
  { what: 'Node headers', file: /^node-v.+-headers\.tar\.(?:gz|xz)$/i },
  { what: 'Helm chart', path: /\/charts?\/[^/]+\.tgz$/i },
  { what: 'install scripts', file: /^(?:get[-_]helm(?:-\d+|\.sh)?|(?:[\w.-]+-)?install\.(?:sh|ps1)|install|rustup-init\.sh)$/i },
  { what: 'install script hosts', host: /^(?:sh\.rustup\.rs|get\.docker\.com|test\.docker\.com|get\.k3s\.io|bun\.sh)$/ },
  {
    what: 'checksum manifests',
    file: /^(?:(?:[\w.+-]+[_-])?(?:SHA(?:1|256|512)SUMS?|SHASUMS(?:1|256|512)?|MD5SUMS|CHECKSUMS?)(?:\.(?:asc|sig|gpg|txt|sign))*|(?:[\w.+-]+[_-])?(?:checksums?|sha256sums?|sha512sums?)\.txt(?:\.(?:asc|sig|pem))?)$/i,
  },
  {
    what: 'GPG keys',
    file: /^(?:gpg|KEYS|[\w.-]*\.(?:gpg|pgp|pub)|[\w.-]*(?:key|gpg)[\w.-]*\.(?:asc|key|txt)|[\w.-]+\.key)$/i,
  },
];

/** Host and path of a URL (a light split: WHATWG URL parsing costs more than all the rules). */
function splitUrl(url: string): { host: string; path: string } {
  const noQuery = url.trim().replace(/[?#].*$/, '');
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?([^/:]*)(?::\d+)?(\/.*)?$/i.exec(noQuery);
  return { host: (m?.[1] ?? '').toLowerCase(), path: m?.[2] ?? noQuery };
}

function lastSegment(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const seg = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

/**
 * True when the URL downloads a file that is the same for every platform (so it must not be
 * rewritten per architecture): `*.jar`, `*.war`, Maven and Gradle distributions, `*_all.deb`,
 * `*.noarch.rpm`, `*-none-any.whl`, `s6-overlay-noarch.tar.xz`, `go{v}.src.tar.gz`,
 * `node-v{v}-headers.tar.gz`, npm tarballs, `.phar`, install scripts (`get-helm-3`, `install.sh`,
 * `sh.rustup.rs`), checksum manifests (`SHA256SUMS`, `checksums.txt`) and GPG keys.
 */
export function isArchIndependentUrl(url: string): boolean {
  return archIndependentReason(url) !== undefined;
}

/** Why {@link isArchIndependentUrl} holds (e.g. `'JVM archives'`), or undefined when it does not. */
export function archIndependentReason(url: string): string | undefined {
  const { host, path } = splitUrl(url);
  const file = lastSegment(path);
  for (const rule of RULES) {
    if (rule.file && !rule.file.test(file)) continue;
    if (rule.host && !rule.host.test(host)) continue;
    if (rule.path && !rule.path.test(path)) continue;
    return rule.what;
  }
  return undefined;
}

/**
 * Files that are the same on every CPU, by where they live in an image: CA bundles
 * (`/etc/ssl/certs`, `/etc/pki/ca-trust`), time zones (`/usr/share/zoneinfo`, `/etc/localtime`),
 * the account files (`/etc/passwd`, `/etc/group`, ...), everything under `/usr/share` (the FHS's
 * architecture-independent data), and files whose type is text or bytecode that any CPU reads:
 * scripts, web assets, configuration, certificates, JVM archives.
 */
const INDEPENDENT_PATH =
  /^\/?(?:etc\/ssl(?:\/|$)|etc\/pki\/(?:ca-trust|tls)(?:\/|$)|etc\/ca-certificates(?:\.conf)?(?:\/|$)|usr\/share\/|usr\/share$|usr\/local\/share\/ca-certificates(?:\/|$)|etc\/(?:localtime|timezone|passwd|group|shadow|gshadow|nsswitch\.conf|mime\.types|os-release|services|protocols)$)/;
const INDEPENDENT_FILE =
  /\.(?:sh|bash|py|rb|pl|php|lua|js|mjs|cjs|ts|css|html?|json|ya?ml|toml|ini|conf|cfg|xml|properties|txt|md|csv|svg|png|jpe?g|gif|ico|webp|woff2?|ttf|otf|eot|map|pem|crt|cer|key|jar|war|ear|sql|tmpl|tpl)$/i;

/** True when a path an image copies from another stage holds the same bytes on every CPU (see INDEPENDENT_PATH). */
export function isArchIndependentPath(path: string): boolean {
  const p = path.trim().replace(/^["']|["']$/g, '').replace(/\/+$/, '');
  if (p === '' || p.includes('$') || p.includes('*') && !INDEPENDENT_FILE.test(p)) return false;
  if (INDEPENDENT_PATH.test(p.replace(/^\.\//, '/').replace(/^\/+/, '/'))) return true;
  if (p.includes('ca-certificates') || /(?:^|\/)zoneinfo(?:\/|$)/.test(p)) return true;
  return INDEPENDENT_FILE.test(p);
}

/** Directories a JavaScript build writes its static output to (`npm run build`: dist/, build/, public/). */
const WEB_OUTPUT = /(?:^|\/)(?:dist|build|public|static|assets|www|html|out|\.next\/static|storybook-static)(?:\/|$)/;

/** True when a path is the static output of a JavaScript build (only meaningful for a stage that runs one). */
export function isWebOutputPath(path: string): boolean {
  const p = path.trim().replace(/^["']|["']$/g, '').replace(/\/+$/, '');
  return p !== '' && !p.includes('$') && WEB_OUTPUT.test(p);
}
