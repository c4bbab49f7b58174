/**
 * The distribution and C library of a stage: from its base image (at the root of its FROM chain)
 * or the package manager its RUNs use, and whether it installs a glibc compatibility layer on musl.
 */
import type { Model, Stage } from '../../dockerfile/model.js';
import type { Platform } from '../../platform/index.js';

export type Libc = 'glibc' | 'musl' | 'unknown';

const MUSL_IMAGE = /(^|[/:@-])(alpine|musl|wolfi-base|chainguard\/static)([:.@/-]|\d|$)/i;
const GLIBC_IMAGE =
  /(^|[/:@-])(debian|ubuntu|bookworm|bullseye|buster|trixie|stretch|jammy|noble|focal|bionic|slim|fedora|centos|rockylinux|almalinux|ubi\d*|ubi-minimal|amazonlinux|oraclelinux|opensuse|archlinux|gcr\.io\/distroless\/(base|cc)|buildpack-deps)([:.@/-]|\d|$)/i;

/** Docker official images whose default (non-alpine) variants are Debian or Ubuntu based. */
const DEBIAN_OFFICIAL =
  /^(?:(?:docker\.io|index\.docker\.io)\/)?(?:library\/)?(node|python|golang|rust|ruby|php|perl|openjdk|eclipse-temurin|maven|gradle|nginx|httpd|postgres|mysql|mariadb|redis|mongo|elixir|erlang|haskell|julia|gcc|swift|dart|clojure|groovy|tomcat|jetty|rabbitmq|memcached|haproxy|buildpack-deps|ibm-semeru-runtimes|amazoncorretto-debian)(?::|@|$)/i;

/**
 * The first fact about a stage's distribution that its base image (for the stage at the root of
 * its FROM chain) or its package-manager commands tell, walking from the stage to its parents.
 */
function stageFact<T>(
  stage: Stage,
  imageOf: (s: Stage) => string,
  fromImage: (image: string) => T | undefined,
  fromText: (text: string) => T | undefined,
): T | undefined {
  for (let s: Stage | null = stage; s; s = s.parent) {
    if (s.parent === null) {
      const f = fromImage(imageOf(s));
      if (f !== undefined) return f;
    }
    const f = fromText(s.instructions.map((i) => i.body.text).join('\n'));
    if (f !== undefined) return f;
  }
  return undefined;
}

/** The C library of a stage, from its base image or the package manager it uses. */
export function stageLibc(model: Model, stage: Stage, platform?: Platform): Libc {
  return (
    stageFact<Libc>(
      stage,
      (s) => (platform ? model.view(s, platform).image : s.image.value),
      (image) => (MUSL_IMAGE.test(image) ? 'musl' : GLIBC_IMAGE.test(image) || DEBIAN_OFFICIAL.test(image) ? 'glibc' : undefined),
      (text) => (/\bapk\s+(add|--)/.test(text) ? 'musl' : /\b(apt-get|apt|dpkg|dnf|yum|microdnf|zypper)\s/.test(text) ? 'glibc' : undefined),
    ) ?? 'unknown'
  );
}

export type Distro = 'debian' | 'alpine' | 'rpm' | 'unknown';

const DEBIAN_IMAGE = /(^|[/:@-])(debian|ubuntu|bookworm|bullseye|buster|trixie|stretch|jammy|noble|focal|bionic|buildpack-deps)([:.@/-]|\d|$)/i;
const RPM_IMAGE = /(^|[/:@-])(fedora|centos|rockylinux|almalinux|ubi\d*|ubi-minimal|amazonlinux|oraclelinux|opensuse|sles|rhel)([:.@/-]|\d|$)/i;

/** The distribution family of a stage, which decides how it names its own architecture. */
export function stageDistro(stage: Stage): Distro {
  return (
    stageFact<Distro>(
      stage,
      (s) => s.image.value,
      (image) =>
        MUSL_IMAGE.test(image)
          ? 'alpine'
          : RPM_IMAGE.test(image)
            ? 'rpm'
            : DEBIAN_IMAGE.test(image) || DEBIAN_OFFICIAL.test(image)
              ? 'debian'
              : undefined,
      (text) =>
        /\bapk\s+(add|--)/.test(text)
          ? 'alpine'
          : /\b(apt-get|apt|dpkg)\s/.test(text)
            ? 'debian'
            : /\b(dnf|yum|microdnf|zypper|rpm)\s/.test(text)
              ? 'rpm'
              : undefined,
    ) ?? 'unknown'
  );
}

/** Does the stage install a glibc compatibility layer on musl? */
export function stageHasGlibcCompat(stage: Stage): boolean {
  for (let s: Stage | null = stage; s; s = s.parent) {
    if (s.instructions.some((i) => /\b(gcompat|libc6-compat|glibc-compat|sgerrand)\b/.test(i.body.text))) return true;
  }
  return false;
}
