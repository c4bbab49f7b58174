/**
 * AA121: packages and language installers pinned to one architecture: apt sources with
 * `[arch=amd64]`, `apt-get install pkg:amd64` outside a cross-compiling set-up, `pip
 * download/install --platform manylinux2014_x86_64`, `auditwheel repair --plat ..._x86_64`,
 * `npm install --arch=x64` (and `--cpu`, `--target_arch`, `npm_config_arch`), and npm packages
 * that are one platform's build (`@img/sharp-linux-x64`). Wheel URLs and files stay with AA101,
 * which reads every download URL.
 */
import type { Instruction } from '../dockerfile/ast.js';
import type { Model, ShellSource, Stage } from '../dockerfile/model.js';
import type { ShellWord, SimpleCommand } from '../dockerfile/shell.js';
import { rangeAt, toSourceOffset } from '../dockerfile/text.js';
import { compatiblePlatforms, formatPlatform, platformsForToken, toVocabulary, type Platform, type Vocabulary } from '../platform/index.js';
import { isArchGuarded } from './support/arch-branches.js';
import { inSingleQuotes } from './support/download.js';
import { instructionMentions, stageSetsUpCross } from './support/mentions.js';
import { stagePlatforms } from './support/stage-platforms.js';
import { defineRule, type Edit, type RuleContext } from './types.js';

/** Every message names what was written ({what}) and the platforms it is wrong for. */
const messages = {
  aptArch: 'apt source pinned to {what}: the image for {platforms} finds no packages in it',
  aptPackage: '{what} asks apt for one architecture\'s package: the image for {platforms} gets a package built for another CPU',
  pythonPlatform: '{what} selects one architecture\'s wheels: the image for {platforms} gets extensions it cannot load',
  nodeArch: '{what} builds or fetches native Node.js modules for one architecture: the image for {platforms} gets modules it cannot load',
  nodePackage: '{what} is one platform\'s build of a native npm package: the image for {platforms} needs its own build',
} as const;
type Ctx = RuleContext<typeof messages>;

/** Cheap test before any work: one of the shapes this rule reads. */
const GATE = /arch=|Architectures:|:(?:amd64|arm64|armhf|armel|i386|ppc64el|s390x|riscv64|mips64el)\b|--plat|--arch|--cpu|target.arch|npm_config_|-linux-(?:x64|arm64|arm|ia32)/i;

/** A stage (or a stage it builds on) that sets up cross-compiling with foreign-architecture packages. */
const CROSS = /crossbuild-essential-|\b(?:gcc|g\+\+|cpp|binutils)-(?:\d+-)?[a-z0-9_]+-linux-gnu|\bxx-apt|\bxx-info\b/;

function crossSetUp(stage: Stage): boolean {
  return stageSetsUpCross(stage, CROSS);
}

/** Whether a word's platforms include the target (arm variants must agree when both say one). */
function names(platforms: readonly Platform[], t: Platform): boolean {
  return platforms.some(
    (p) => p.architecture === t.architecture && (p.architecture !== 'arm' || !p.variant || !t.variant || p.variant === t.variant),
  );
}

/** The platforms a word names, in the first of the vocabularies that knows it. */
function platformsOf(word: string, vocabularies: readonly Vocabulary[]): readonly Platform[] {
  for (const v of vocabularies) {
    const ps = platformsForToken(word, v);
    if (ps.length) return ps;
  }
  return [];
}

interface Hit {
  readonly messageId: keyof typeof messages;
  readonly start: number;
  readonly end: number;
  /** the text the message quotes (`arch=amd64`, `--arch=x64`, `libssl-dev:amd64`) */
  readonly what: string;
  readonly platforms: readonly Platform[];
  readonly fix?: readonly Edit[];
  readonly fixNote?: string;
  /**
   * true for Debian multiarch (apt sources and packages): a package of a platform's 32-bit
   * sibling (i386 on amd64, armhf on arm64) is a multilib set-up there, not a mistake
   */
  readonly multiarch?: boolean;
}

function report(model: Model, ctx: Ctx, targets: readonly Platform[], hit: Hit): void {
  const wrong = targets.filter((t) =>
    hit.multiarch ? !compatiblePlatforms(t).some((c) => names(hit.platforms, c)) : !names(hit.platforms, t),
  );
  if (!wrong.length) return; // every target is this architecture: single-arch on purpose
  const list = wrong.map(formatPlatform);
  ctx.report({
    messageId: hit.messageId,
    range: rangeAt(model.file.lineStarts, hit.start, hit.end),
    data: { what: hit.what, platforms: list.join(', ') },
    platforms: list,
    ...(hit.fix ? { fix: hit.fix } : {}),
    ...(hit.fixNote ? { fixNote: hit.fixNote } : {}),
  });
}

/** A word's text in the RUN source, and source offsets of positions in it. */
interface At {
  readonly raw: string;
  readonly at: (i: number) => number;
}

function wordAt(source: ShellSource, w: ShellWord): At {
  return { raw: source.text.text.slice(w.start, w.end), at: (i) => toSourceOffset(source.text, w.start + i) };
}

/** A command's words without a leading `sudo` (and its options). */
function commandWords(cmd: SimpleCommand): readonly ShellWord[] {
  const words = cmd.words;
  if (words[0]?.value !== 'sudo') return words;
  let i = 1;
  while (words[i]?.value.startsWith('-')) i++;
  return words.slice(i);
}

// ---------------------------------------------------------------- apt

const APT_ARCH = /\[([^\]]*?\b)arch=([a-z0-9]+(?:,[a-z0-9]+)*)/g;
/** deb822 sources (`/etc/apt/sources.list.d/*.sources`): `Architectures: amd64 arm64` */
const DEB822_ARCH = /(^|\\n|\n)([ \t]*Architectures:[ \t]*)([a-z0-9]+(?:[ \t]+[a-z0-9]+)*)/g;
const DPKG_PKG = /^([a-z0-9][a-z0-9+.-]*):([a-z0-9]+)(?:=\S*)?$/;
const APT_TOOLS = new Set(['apt-get', 'apt', 'aptitude']);
const PRINT_ARCH = '$(dpkg --print-architecture)';
const APT_WORD = /arch=|Architectures:/;

/**
 * Apt sources in a piece of text (a shell word, or a file written by a heredoc): `[arch=amd64]`
 * one-line sources and deb822 `Architectures:` fields. `expands(i)`: whether `$(...)` at position
 * `i` would run (not in single quotes, not in a quoted-delimiter heredoc).
 */
function aptSources(w: At, targets: readonly Platform[], expands: (i: number) => boolean, out: Hit[]): void {
  const push = (at: number, value: string, separator: string, what: string): void => {
    const list = value.split(separator === ',' ? ',' : /[ \t]+/);
    const platforms = list.flatMap((a) => platformsOf(a, ['dpkg']));
    if (platforms.length === 0) return;
    const start = w.at(at);
    const end = w.at(at + value.length - 1) + 1;
    const single = list.length === 1 && targets.some((t) => toVocabulary(t, 'dpkg') === list[0]);
    const runs = expands(at);
    out.push({
      messageId: 'aptArch',
      start,
      end,
      what,
      platforms,
      multiarch: true,
      ...(single && runs
        ? { fix: [{ start, end, text: PRINT_ARCH }] }
        : {
            fixNote: runs
              ? `list every target architecture, or use ${PRINT_ARCH}`
              : `the source is quoted where ${PRINT_ARCH} would not run: write it where the shell expands it`,
          }),
    });
  };
  APT_ARCH.lastIndex = 0;
  for (let m = APT_ARCH.exec(w.raw); m; m = APT_ARCH.exec(w.raw)) {
    const value = m[2] as string;
    push(m.index + 1 + (m[1] as string).length + 'arch='.length, value, ',', `arch=${value}`);
  }
  DEB822_ARCH.lastIndex = 0;
  for (let m = DEB822_ARCH.exec(w.raw); m; m = DEB822_ARCH.exec(w.raw)) {
    const value = m[3] as string;
    push(m.index + (m[1] as string).length + (m[2] as string).length, value, ' ', `Architectures: ${value}`);
  }
}

function aptPackages(cmd: SimpleCommand, source: ShellSource, targets: readonly Platform[], cross: () => boolean, out: Hit[]): void {
  const words = commandWords(cmd);
  const tool = words[0]?.value ?? '';
  if (!APT_TOOLS.has(tool) || !words.some((w) => w.value === 'install')) return;
  for (const w of words.slice(1)) {
    const m = DPKG_PKG.exec(w.value);
    if (!m) continue;
    const arch = m[2] as string;
    const platforms = platformsOf(arch, ['dpkg']);
    if (!platforms.length || cross()) continue;
    const a = wordAt(source, w);
    const i = a.raw.indexOf(`:${arch}`);
    if (i === -1) continue;
    // dropping the qualifier is safe when it names a target's own architecture: the same package
    // there, and each other platform's own one elsewhere
    const own = targets.some((t) => toVocabulary(t, 'dpkg') === arch);
    out.push({
      messageId: 'aptPackage',
      start: a.at(0),
      end: a.at(a.raw.length - 1) + 1,
      what: w.value,
      platforms,
      multiarch: true,
      ...(own
        ? { fix: [{ start: a.at(i), end: a.at(i + arch.length) + 1, text: '' }] }
        : { fixNote: `install it only where ${arch} packages run, in a branch on "$(dpkg --print-architecture)"` }),
    });
  }
}

// ---------------------------------------------------------------- Python

const PIP_TOOLS = /^(?:pip|pip3(?:\.\d+)?|uv|poetry)$/;
/** A wheel platform tag's CPU part: manylinux2014_x86_64, manylinux_2_17_aarch64, linux_armv7l, musllinux_1_1_x86_64. */
const PLATFORM_TAG = /^(?:(?:many|musl)linux(?:1|2010|2014|_\d+_\d+)|linux)_([a-z0-9_]+)$/i;

function pythonOptions(cmd: SimpleCommand, source: ShellSource, out: Hit[]): void {
  const words = commandWords(cmd);
  let first = 0;
  if (/^python(?:\d(?:\.\d+)?)?$/.test(words[0]?.value ?? '') && words[1]?.value === '-m') first = 2;
  const tool = words[first]?.value ?? '';
  const option = PIP_TOOLS.test(tool) ? '--platform' : tool === 'auditwheel' ? '--plat' : undefined;
  if (!option) return;
  for (let i = first + 1; i < words.length; i++) {
    const w = words[i] as ShellWord;
    let value: string | undefined;
    let valueWord = w;
    if (w.value === option || (option === '--plat' && w.value === '--platform')) {
      const next = words[i + 1];
      if (!next) continue;
      value = next.value;
      valueWord = next;
    } else if (w.value.startsWith(`${option}=`)) {
      value = w.value.slice(option.length + 1);
    }
    if (value === undefined) continue;
    const tag = PLATFORM_TAG.exec(value);
    if (!tag) continue;
    const platforms = platformsOf(tag[1] as string, ['uname', 'python']);
    if (!platforms.length) continue;
    const a = wordAt(source, valueWord);
    out.push({
      messageId: 'pythonPlatform',
      start: a.at(0),
      end: a.at(a.raw.length - 1) + 1,
      what: `${option} ${value}`,
      platforms,
      fixNote:
        option === '--plat'
          ? 'let auditwheel pick the tag of the wheel it repairs (auditwheel repair with no --plat), or choose it per TARGETARCH'
          : 'leave --platform out so pip picks wheels for the interpreter running the build, or choose the tag per TARGETARCH',
    });
  }
}

// ---------------------------------------------------------------- Node.js

const NODE_TOOLS = new Set(['npm', 'yarn', 'pnpm', 'npx', 'node-gyp', 'prebuild-install', 'node-pre-gyp', 'bun']);
const NODE_OPTIONS = new Set(['--arch', '--target_arch', '--target-arch', '--cpu']);
const NODE_ENV = /^(?:npm_config_(?:target_)?(?:arch|cpu)|NPM_CONFIG_(?:TARGET_)?(?:ARCH|CPU)|npm_config_target-arch)$/;
/** npm packages published per platform: `@img/sharp-linux-x64`, `@esbuild/linux-arm64`, `@swc/core-linux-x64-gnu`. */
const NODE_PACKAGE = /^(@[a-z0-9._-]+\/)?(?:[a-z0-9._-]*?-)?linux-(x64|arm64|arm|ia32|ppc64|s390x|riscv64|loong64)(?:-(?:gnu|musl|gnueabihf))?(?:@\S*)?$/;

/** The platforms a Node.js architecture word names (`x64`, `arm64`; other vocabularies' words too). */
function nodeWords(value: string): readonly Platform[] {
  const ps = platformsOf(value, ['node', 'go', 'dpkg', 'uname']);
  return ps.length ? ps : platformsForToken(value);
}

function nodeOptions(cmd: SimpleCommand, source: ShellSource, file: string, out: Hit[]): void {
  for (const w of cmd.assignments) nodeAssignment(w, source, out);
  const words = commandWords(cmd);
  const tool = words[0]?.value ?? '';
  if (tool === 'export') {
    for (const w of words.slice(1)) nodeAssignment(w, source, out);
    return;
  }
  if (!NODE_TOOLS.has(tool)) return;
  const installs = words.some((w) => ['install', 'i', 'add', 'ci'].includes(w.value));
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as ShellWord;
    const eq = w.value.indexOf('=');
    const name = eq === -1 ? w.value : w.value.slice(0, eq);
    if (NODE_OPTIONS.has(name)) {
      const next = words[i + 1];
      const value = eq === -1 ? next?.value : w.value.slice(eq + 1);
      if (value === undefined || value.startsWith('-')) continue;
      const platforms = nodeWords(value);
      if (!platforms.length) continue;
      const a = wordAt(source, w);
      const last = eq === -1 && next ? wordAt(source, next) : a;
      const prev = words[i - 1] as ShellWord;
      const gap = wordAt(source, prev);
      const startOfGap = gap.at(gap.raw.length - 1) + 1;
      const end = last.at(last.raw.length - 1) + 1;
      // drop the option (and the blank before it) when it sits on one line with the word before:
      // npm's default is the CPU running the build
      const oneLine = !/[\r\n]/.test(file.slice(startOfGap, end));
      out.push({
        messageId: 'nodeArch',
        start: a.at(0),
        end,
        what: eq === -1 ? `${w.value} ${value}` : w.value,
        platforms,
        ...(oneLine
          ? { fix: [{ start: startOfGap, end, text: '' }] }
          : { fixNote: 'use the target\'s word: map TARGETARCH (amd64 -> x64) in the RUN step' }),
      });
      continue;
    }
    if (!installs || w.value.startsWith('-')) continue;
    const pkg = NODE_PACKAGE.exec(w.value);
    if (!pkg) continue;
    const platforms = nodeWords(pkg[2] as string);
    if (!platforms.length) continue;
    const a = wordAt(source, w);
    out.push({
      messageId: 'nodePackage',
      start: a.at(0),
      end: a.at(a.raw.length - 1) + 1,
      what: w.value,
      platforms,
      fixNote: 'install the main package: npm picks the optional dependency built for the platform running the install',
    });
  }
}

function nodeAssignment(w: ShellWord, source: ShellSource, out: Hit[]): void {
  const eq = w.value.indexOf('=');
  if (eq === -1 || !NODE_ENV.test(w.value.slice(0, eq))) return;
  const value = w.value.slice(eq + 1);
  const platforms = nodeWords(value);
  if (!platforms.length) return;
  const a = wordAt(source, w);
  out.push({
    messageId: 'nodeArch',
    start: a.at(0),
    end: a.at(a.raw.length - 1) + 1,
    what: w.value,
    platforms,
    fixNote: "leave it unset (npm's default is the CPU running the build), or map TARGETARCH (amd64 -> x64)",
  });
}

const ENV_NODE = /\b(npm_config_(?:target_)?(?:arch|cpu))(?:=|\s+)["']?([A-Za-z0-9_]+)/gi;

function envInstruction(ins: Instruction, out: Hit[]): void {
  ENV_NODE.lastIndex = 0;
  for (let m = ENV_NODE.exec(ins.body.text); m; m = ENV_NODE.exec(ins.body.text)) {
    const value = m[2] as string;
    const platforms = nodeWords(value);
    if (!platforms.length) continue;
    const start = toSourceOffset(ins.body, m.index);
    out.push({
      messageId: 'nodeArch',
      start,
      end: toSourceOffset(ins.body, m.index + m[0].length - 1) + 1,
      what: `${m[1] as string}=${value}`,
      platforms,
      fixNote: "remove it (npm's default is the CPU running the build), or set it per TARGETARCH in a RUN step",
    });
  }
}

// ---------------------------------------------------------------- stages

function checkStage(model: Model, stage: Stage, ctx: Ctx): void {
  if (stage.windows) return;
  const platforms = stagePlatforms(stage, ctx.platforms);
  if (platforms === 'builder') return; // the build machine's own tools: AA105's question, not this rule's
  const targets = platforms.filter((p) => p.os === 'linux');
  if (targets.length === 0) return;
  let cross: boolean | undefined;
  const isCross = (): boolean => (cross ??= crossSetUp(stage));
  for (const ins of stage.instructions) {
    // body, heredocs and the build-context scripts a RUN executes
    if (!instructionMentions(ins, GATE)) continue;
    const hits: Hit[] = [];
    if (ins.keyword === 'env') envInstruction(ins, hits);
    if (ins.keyword !== 'run' || ins.json) {
      for (const h of hits) report(model, ctx, targets, h);
      continue;
    }
    const sources = model.shell(ins);
    // files written by heredocs (`cat <<EOF > /etc/apt/sources.list.d/x.sources`)
    const scripts = new Set(sources.filter((x) => x.heredoc).map((x) => x.text));
    for (const h of ins.heredocs) {
      if (scripts.has(h.text) || !APT_WORD.test(h.content)) continue;
      aptSources({ raw: h.content, at: (i) => toSourceOffset(h.text, i) }, targets, () => h.expand, hits);
    }
    for (const source of sources) {
      for (const cmd of source.script.commands) {
        if (isArchGuarded(cmd)) continue;
        for (const w of [...cmd.assignments, ...cmd.words]) {
          if (!APT_WORD.test(w.value)) continue;
          const a = wordAt(source, w);
          aptSources(a, targets, (i) => !inSingleQuotes(a.raw, i), hits);
        }
        aptPackages(cmd, source, targets, isCross, hits);
        pythonOptions(cmd, source, hits);
        nodeOptions(cmd, source, model.file.source, hits);
      }
    }
    for (const h of hits) report(model, ctx, targets, h);
  }
}

export default defineRule({
  meta: {
    id: 'AA121',
    name: 'arch-pinned-package',
    title: 'A package or language installer pinned to one architecture',
    severity: 'warning',
    description:
      'apt sources with [arch=amd64], apt-get install pkg:amd64 outside a cross-compiling set-up, pip --platform ' +
      'manylinux..._x86_64, auditwheel repair --plat ..._x86_64, npm/yarn/pnpm --arch=x64 (and --cpu, --target_arch, ' +
      'npm_config_arch) and per-platform npm packages (@img/sharp-linux-x64) fetch one CPU\'s packages whatever ' +
      'platform the image is built for.',
    related: ['AA101'],
    fixable: true,
  },
  messages,
  gate: GATE,
  check(model, ctx) {
    for (const stage of model.stages) checkStage(model, stage, ctx);
  },
});
