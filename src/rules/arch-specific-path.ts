/**
 * AA110: a path that exists under that name on one architecture only: Debian multiarch
 * directories (`/usr/lib/x86_64-linux-gnu`), dynamic loaders (`/lib64/ld-linux-x86-64.so.2`,
 * `/lib/ld-musl-aarch64.so.1`) and Debian JVM directories (`/usr/lib/jvm/java-17-openjdk-amd64`).
 * In ENV, ARG, COPY/ADD, WORKDIR and RUN, such a path is wrong (or missing) on every other platform.
 */
import type { Instruction, SourceText } from '../dockerfile/ast.js';
import type { Model, Stage } from '../dockerfile/model.js';
import { parseShell, type ShellScript, type SimpleCommand } from '../dockerfile/shell.js';
import { rangeAt, toSourceOffset } from '../dockerfile/text.js';
import { PLATFORM_DATA, formatPlatform, isArchIndependentPath, samePlatform, type Platform } from '../platform/index.js';
import { isArchGuarded } from './support/arch-branches.js';
import { stageCrossCompiles } from './support/mentions.js';
import { onlyNames } from './support/command-kind.js';
import { stagePlatforms } from './support/stage-platforms.js';
import { URL_RE, families as wordFamilies, findArchTokens, tokenNames, type TokenHit } from './support/url-arch-words.js';
import { defineRule, type RuleContext } from './types.js';

const messages = {
  path: '{path} is the path on {arch}; the image for {platforms} has no such path',
  builderPath: '{path} is the path on {arch}, but this stage runs on the build machine, which may be another CPU',
  copySource: '{path} is the {arch} directory or file: the image for {platforms} gets the files built for another CPU',
} as const;
type Kind = 'multiarch' | 'loader' | 'jvm';

interface Hit {
  /** offsets in the scanned string */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly kind: Kind;
  readonly platforms: readonly Platform[];
}

interface Tables {
  readonly words: Map<string, { kind: Kind; platforms: Platform[] }>;
  readonly res: readonly { re: RegExp; kind: Kind }[];
}

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

let tables: Tables | undefined;

/** Path words and their regular expressions, built once from the platform data. */
function init(): Tables {
  if (tables) return tables;
  const words = new Map<string, { kind: Kind; platforms: Platform[] }>();
  const add = (word: string, kind: Kind, p: Platform): void => {
    const key = `${kind}|${word.toLowerCase()}`;
    const e = words.get(key) ?? { kind, platforms: [] };
    if (!e.platforms.some((q) => samePlatform(q, p))) e.platforms.push(p);
    words.set(key, e);
  };
  const triplets: string[] = [];
  const distinct: string[] = [];
  const generic: string[] = [];
  const dpkg: string[] = [];
  for (const d of PLATFORM_DATA) {
    triplets.push(d.multiarch);
    add(d.multiarch, 'multiarch', d.platform);
    dpkg.push(d.dpkg);
    add(d.dpkg, 'jvm', d.platform);
    const loaders = [d.elf.glibcLoader, d.elf.muslLoader, ...d.elf.otherLoaders.map((l) => l.split(' ')[0] ?? '')];
    const musl = /\/ld-musl-([a-z0-9_]+)\.so\.1$/.exec(d.elf.muslLoader);
    if (musl) loaders.push(`/lib/libc.musl-${musl[1]}.so.1`);
    for (const path of loaders) {
      if (!path.startsWith('/')) continue;
      const base = path.slice(path.lastIndexOf('/') + 1);
      if (/^(ld-linux|ld64|ld)\.so\.\d+$/.test(base)) {
        generic.push(path);
        add(path, 'loader', d.platform);
      } else {
        distinct.push(base);
        add(base, 'loader', d.platform);
      }
    }
  }
  const alt = (xs: readonly string[]): string =>
    [...new Set(xs)].sort((a, b) => b.length - a.length).map(esc).join('|');
  const res = [
    // /usr/lib/x86_64-linux-gnu, /lib/aarch64-linux-gnu, /usr/include/x86_64-linux-gnu, /usr/local/lib/...
    {
      re: new RegExp(`(?<![A-Za-z0-9_.$-])(?:lib|lib32|lib64|libexec|include)/(${alt(triplets)})(?![A-Za-z0-9_+-])`, 'gi'),
      kind: 'multiarch' as const,
    },
    { re: new RegExp(`(?<![A-Za-z0-9_.-])(${alt(distinct)})(?![A-Za-z0-9_.-])`, 'gi'), kind: 'loader' as const },
    { re: new RegExp(`(?<![A-Za-z0-9_.$-])(?:/usr)?(${alt(generic)})(?![A-Za-z0-9_.-])`, 'gi'), kind: 'loader' as const },
    // /usr/lib/jvm/java-17-openjdk-amd64 (the directory name ends in the dpkg architecture)
    { re: new RegExp(`/usr/lib/jvm/([A-Za-z0-9_.+]+(?:-[A-Za-z0-9_.+]+)*?-(?:${alt(dpkg)}))(?![A-Za-z0-9_.+-])`, 'gi'), kind: 'jvm' as const },
  ];
  tables = { words, res };
  return tables;
}

const QUICK = /linux-gnu|ld-|ld64|ld\.so|jvm\/|musl-/i;

/** Architecture-specific path words in a string (URLs excluded: AA101 looks at downloads). */
function findArchPaths(s: string): Hit[] {
  if (!QUICK.test(s)) return [];
  const { words, res } = init();
  const urls: [number, number][] = [];
  URL_RE.lastIndex = 0;
  for (let m = URL_RE.exec(s); m; m = URL_RE.exec(s)) urls.push([m.index, m.index + m[0].length]);
  const hits: Hit[] = [];
  for (const { re, kind } of res) {
    re.lastIndex = 0;
    for (let m = re.exec(s); m; m = re.exec(s)) {
      const word = m[1] as string;
      const end = m.index + m[0].length;
      const start = end - word.length;
      if (urls.some(([a, b]) => start >= a && start < b)) continue;
      const key = kind === 'jvm' ? word.slice(word.lastIndexOf('-') + 1) : word;
      const e = words.get(`${kind}|${key.toLowerCase()}`);
      if (!e) continue;
      hits.push({ start, end, text: word, kind, platforms: e.platforms });
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}

/** Commands that decide an if/elif/while branch (`if ls /usr/lib/x86_64-linux-gnu; then`). */
function conditionCommands(cmds: readonly SimpleCommand[]): Set<SimpleCommand> {
  const out = new Set<SimpleCommand>();
  for (const c of cmds) {
    for (const b of c.branches) {
      if (b.kind === 'if' || b.kind === 'elif' || b.kind === 'while') for (const x of b.condition) out.add(x);
    }
  }
  return out;
}

const TEST_COMMANDS = new Set(['[', '[[', 'test']);

interface Found {
  readonly hit: Hit;
  readonly offset: number;
}

function describe(ps: readonly Platform[]): string {
  return ps.map(formatPlatform).join(', ');
}

function fixNoteFor(kind: Kind, keyword: string): string {
  if (kind === 'loader') {
    return 'the loader is named after the CPU: choose it per architecture in a RUN step (case "$(dpkg --print-architecture)" in ...), or install the package that provides it';
  }
  if (kind === 'jvm') {
    return 'use /usr/lib/jvm/default-java (Debian and Ubuntu keep it pointing at the installed JDK), or create an architecture-independent symlink in a RUN step';
  }
  if (keyword === 'run') {
    return 'use "$(dpkg-architecture -qDEB_HOST_MULTIARCH)" (package dpkg-dev) or "$(gcc -print-multiarch)" in place of the triplet';
  }
  return `${keyword.toUpperCase()} runs no command: create an architecture-independent symlink in a RUN step ` +
    '(ln -s "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)" /usr/lib/multiarch) and use that path';
}

function scanText(text: SourceText, s: string, base: number, out: Found[]): void {
  for (const hit of findArchPaths(s)) out.push({ hit, offset: toSourceOffset(text, base + hit.start) });
}

/** Path hits of one instruction, with source offsets. */
function instructionHits(model: Model, ins: Instruction): Found[] {
  const out: Found[] = [];
  switch (ins.keyword) {
    case 'env':
    case 'arg':
    case 'workdir':
    case 'copy':
    case 'add':
      scanText(ins.body, ins.body.text, 0, out);
      for (const h of ins.heredocs) scanHeredoc(h.content, h.contentOffset, out, model.file.escape);
      return out;
    case 'run': {
      if (ins.json) {
        scanText(ins.body, ins.body.text, 0, out);
        return out;
      }
      const sources = model.shell(ins);
      for (const source of sources) scanShell(source.text, source.script, out);
      // heredocs written to files (`cat <<EOF > /etc/ld.so.conf.d/x.conf`)
      const scripts = new Set(sources.filter((s) => s.heredoc).map((s) => s.text.segments[0]?.sourceOffset));
      for (const h of ins.heredocs) if (!scripts.has(h.contentOffset)) scanHeredoc(h.content, h.contentOffset, out, model.file.escape);
      return out;
    }
    default:
      return out;
  }
}

/** Shell commands' words, except in commands that test the path, only name it (rm, ls, echo: command-kind.ts) or run in an architecture branch. */
function scanShell(text: SourceText, script: ShellScript, out: Found[]): void {
  const cmds = script.commands;
  let conditions: Set<SimpleCommand> | undefined;
  for (const cmd of cmds) {
    const before = out.length;
    for (const w of [...cmd.assignments, ...cmd.words, ...cmd.redirects]) {
      scanText(text, text.text.slice(w.start, w.end), w.start, out);
    }
    if (out.length === before) continue;
    conditions ??= conditionCommands(cmds);
    if (conditions.has(cmd) || TEST_COMMANDS.has(cmd.words[0]?.value ?? '') || onlyNames(cmd) || isArchGuarded(cmd)) out.length = before;
  }
}

const SHEBANG_SH = /^#!\s*(?:\/usr)?\/bin\/(?:env\s+)?(?:ba|da|a)?sh\b/;

/** File content written by a heredoc: a shell script (read as one) or a plain file. */
function scanHeredoc(content: string, offset: number, out: Found[], escape: '\\' | '`'): void {
  if (!QUICK.test(content)) return;
  if (SHEBANG_SH.test(content)) {
    const text: SourceText = { text: content, segments: [{ textOffset: 0, sourceOffset: offset, length: content.length }] };
    scanShell(text, parseShell(content, { escape }), out);
    return;
  }
  for (const hit of findArchPaths(content)) out.push({ hit, offset: offset + hit.start });
}

function families(found: readonly Found[]): Set<string> {
  return new Set(found.map((f) => [...new Set(f.hit.platforms.map((p) => p.architecture))].sort().join('|')));
}

function checkStage(model: Model, stage: Stage, ctx: RuleContext<typeof messages>): void {
  if (stage.windows) return;
  const platforms = stagePlatforms(stage, ctx.platforms, model);
  const builder = platforms === 'builder';
  const targets = builder ? ctx.builderPlatforms : platforms.filter((p) => p.os === 'linux');
  if (!targets.length) return;
  if (!builder) checkCopySources(model, stage, targets, ctx);
  let cross: boolean | undefined;
  for (const ins of stage.instructions) {
    const found = instructionHits(model, ins);
    if (!found.length) continue;
    cross ??= stageCrossCompiles(stage);
    if (cross) return;
    if (families(found).size > 1) continue; // paths of several architectures: handled on purpose
    const seen = new Set<string>();
    for (const { hit, offset } of found) {
      if (seen.has(hit.text)) continue;
      seen.add(hit.text);
      const wrong = targets.filter((t) => !hit.platforms.some((p) => samePlatform(p, t) || sameCpu(p, t)));
      if (!wrong.length) continue; // every target has this path: single-architecture on purpose
      const range = rangeAt(model.file.lineStarts, offset, offset + hit.text.length);
      const fixNote = fixNoteFor(hit.kind, ins.keyword);
      const data = { path: hit.text, arch: describe(hit.platforms) };
      ctx.report(
        builder
          ? { messageId: 'builderPath', range, data, platforms: [], fixNote }
          : { messageId: 'path', range, data: { ...data, platforms: describe(wrong) }, platforms: wrong.map(formatPlatform), fixNote },
      );
    }
  }
}

/** amd64 v2..v4 run amd64 files, arm64 v8.x/v9 run arm64 files; arm keeps its variants apart. */
function sameCpu(a: Platform, b: Platform): boolean {
  return a.os === b.os && a.architecture === b.architecture && a.architecture !== 'arm' && a.variant !== b.variant;
}

/** A COPY/ADD line that may name an architecture directory (the rule's gate and a per-instruction test). */
const COPY_QUICK = /^[ \t]*(?:COPY|ADD)\b[^\n]*(?:amd64|arm64|x86_64|x86-64|aarch64|armv[5-7]|armhf|armel|i386|i686|ppc64le|s390x|riscv64|x64)/im;
const PLATFORM_VARIABLE = /\$\{?(?:TARGET|BUILD)(?:ARCH|PLATFORM|VARIANT)\b/;
/** qemu user-mode emulators are named after the CPU they emulate, not the one they run on */
const EMULATOR = /(?:^|\/)qemu-[a-z0-9_]+(?:-static)?$/;

interface SourceWord {
  readonly text: string;
  /** offset of the word in the instruction body */
  readonly at: number;
}

/** The source operands of a COPY/ADD (not the destination, not URLs, not heredocs). */
function copySources(ins: Instruction): SourceWord[] {
  const body = ins.body.text;
  const words: SourceWord[] = [];
  const re = ins.json ? /"((?:[^"\\]|\\.)*)"/g : /\S+/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const text = ins.json ? (m[1] as string) : m[0];
    words.push({ text, at: m.index + (ins.json ? 1 : 0) });
  }
  return words.slice(0, -1).filter((w) => !w.text.startsWith('<<') && !w.text.includes('://') && !PLATFORM_VARIABLE.test(w.text) && !EMULATOR.test(w.text));
}

interface CopyHit {
  readonly ins: Instruction;
  readonly word: SourceWord;
  readonly hit: TokenHit;
}

/**
 * COPY/ADD sources that name one architecture (`release/linux-amd64/app`, `bin/linux_amd64/`,
 * `target/x86_64-unknown-linux-musl/release/app`), in a stage built for targets that word does
 * not name. Silent when the stage copies several architectures' files (a fan-out on purpose),
 * in stages on the build machine, and for paths AA110's other kinds already cover.
 */
function checkCopySources(model: Model, stage: Stage, targets: readonly Platform[], ctx: RuleContext<typeof messages>): void {
  const found: CopyHit[] = [];
  for (const ins of stage.instructions) {
    if ((ins.keyword !== 'copy' && ins.keyword !== 'add') || !COPY_QUICK.test(`COPY ${ins.body.text}`)) continue;
    for (const word of copySources(ins)) {
      if (findArchPaths(word.text).length) continue; // multiarch directories and loaders: reported as such
      if (isArchIndependentPath(word.text)) continue; // a script, config or asset: the same bytes on every CPU
      const hits = findArchTokens(word.text);
      if (hits.length === 0 || wordFamilies(hits).size !== 1) continue;
      found.push({ ins, word, hit: hits[0] as TokenHit });
    }
  }
  if (found.length === 0 || wordFamilies(found.map((f) => f.hit)).size > 1) return;
  for (const { ins, word, hit } of found) {
    const wrong = targets.filter((t) => !tokenNames(hit, t));
    if (wrong.length === 0) continue;
    const start = toSourceOffset(ins.body, word.at + hit.start);
    const end = toSourceOffset(ins.body, word.at + hit.end - 1) + 1;
    ctx.report({
      messageId: 'copySource',
      range: rangeAt(model.file.lineStarts, start, end),
      data: { path: word.text, arch: hit.text, platforms: describe(wrong) },
      platforms: wrong.map(formatPlatform),
      fixNote: 'name the directory after the platform being built: ${TARGETOS}_${TARGETARCH} (declare ARG TARGETOS TARGETARCH in the stage), or copy it in a stage per architecture',
    });
  }
}

export default defineRule({
  meta: {
    id: 'AA110',
    name: 'arch-specific-path',
    title: 'A path that exists under this name on one architecture only',
    severity: 'warning',
    description:
      'Debian multiarch directories (/usr/lib/x86_64-linux-gnu), dynamic loaders (/lib64/ld-linux-x86-64.so.2, ' +
      '/lib/ld-musl-aarch64.so.1) and Debian JVM directories (/usr/lib/jvm/java-17-openjdk-amd64) are named ' +
      'after the CPU. Written literally in ENV, COPY, WORKDIR or RUN, they point at nothing (or at the wrong ' +
      'files) in the image built for another platform. COPY/ADD sources in a directory named for one ' +
      'architecture (release/linux-amd64/app, bin/linux_amd64/) copy that CPU\'s build into every image.',
    related: [],
    fixable: false,
  },
  messages,
  gate: new RegExp(`${QUICK.source}|${COPY_QUICK.source}`, 'im'),
  check(model, ctx) {
    for (const stage of model.stages) checkStage(model, stage, ctx);
  },
});
