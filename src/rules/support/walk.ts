/**
 * Questions many rules ask of a model: is this command inside a branch chosen by the
 * architecture, which C library and distribution a stage has, does an instruction mention X.
 */
import type { Instruction, Range, SourceText } from '../../dockerfile/ast.js';
import type { Model, Stage } from '../../dockerfile/model.js';
import type { Branch, ShellWord, SimpleCommand } from '../../dockerfile/shell.js';
import { rangeAt, toSourceRange } from '../../dockerfile/text.js';
import type { Platform } from '../../platform/index.js';
import { findArchTokens } from './tokens.js';

/** Does the instruction's text (body and heredocs) match? A cheap test before reading it as shell. */
export function instructionMentions(ins: Instruction, re: RegExp): boolean {
  return re.test(ins.body.text) || ins.heredocs.some((h) => re.test(h.content));
}

/** Source range of a span of a shell source's text. */
export function spanRange(model: Model, text: SourceText, start: number, end: number): Range {
  const [s, e] = toSourceRange(text, start, end);
  return rangeAt(model.file.lineStarts, s, e);
}

/** Words that mention the architecture: detectors, platform args, variables named *arch*. */
const ARCH_MENTION =
  /arch|platform|uname|dpkg|apk\b|machine|TARGET|BUILDOS|BUILDARCH|\$\{?(ARCH|arch|GOARCH|goarch)|x86_64|amd64|aarch64|arm64/i;

function wordsMentionArch(words: readonly ShellWord[]): boolean {
  return words.some((w) => ARCH_MENTION.test(w.value) || findArchTokens(`/${w.value}/`).length > 0 || isArchWord(w.value));
}

function isArchWord(v: string): boolean {
  return findArchTokens(`linux-${v.replace(/^['"]|['"]$/g, '')}`).length > 0;
}

/** True when a branch is chosen by the architecture (case on an arch, if/test of an arch). */
export function isArchBranch(b: Branch): boolean {
  if (b.kind === 'case') {
    return ARCH_MENTION.test(b.subject.value) || b.patterns.some((p) => p !== '*' && isArchWord(p));
  }
  return b.condition.some((c) => wordsMentionArch(c.words) || wordsMentionArch(c.assignments));
}

/** Commands that test something: on the left of `&&`/`||` they make a guard. */
export const TEST_COMMANDS: ReadonlySet<string> = new Set(['[', '[[', 'test', 'grep']);

/**
 * A branch that selects by architecture. For `a && b` / `a || b` only a test on the left counts
 * (`[ "$arch" = amd64 ] && …`): `ARCH=$(dpkg --print-architecture) && curl …` chooses nothing.
 */
function isGuardBranch(b: Branch): boolean {
  if (b.kind !== 'and' && b.kind !== 'or') return isArchBranch(b);
  const tests = b.condition.filter((c) => TEST_COMMANDS.has(c.words[0]?.value ?? ''));
  return tests.length > 0 && isArchBranch({ kind: b.kind, condition: tests });
}

/** True when any enclosing branch of the command is chosen by the architecture. */
export function isArchGuarded(cmd: SimpleCommand): boolean {
  for (let c: SimpleCommand | undefined = cmd; c; c = c.parent) {
    if (c.branches.some(isGuardBranch)) return true;
  }
  return false;
}

/** Does the stage mention any TARGET* arg anywhere (FROM flag, instructions)? */
export function stageMentionsTarget(stage: Stage): boolean {
  if (/TARGET(PLATFORM|OS|ARCH|VARIANT)/.test(stage.platform?.value ?? '')) return true;
  return stage.instructions.some(
    (i) => /\bTARGET(PLATFORM|OS|ARCH|VARIANT)\b/.test(i.body.text) || i.heredocs.some((h) => /\bTARGET(PLATFORM|OS|ARCH|VARIANT)\b/.test(h.content)),
  );
}

/** Tools like tonistiigi/xx that derive the target themselves. */
export function stageUsesXx(stage: Stage): boolean {
  return stage.instructions.some((i) => /\bxx-(go|cargo|clang|apk|apt|apt-get|info|gcc|c\+\+|cc|ld|verify|windres)\b/.test(i.body.text));
}

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
