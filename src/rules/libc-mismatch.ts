/**
 * AA111: a download built for the other C library than the stage has. glibc builds (Rust
 * `-unknown-linux-gnu`, manylinux wheels, the Node.js linux tarball, AWS CLI v2, Temurin, .NET,
 * Bun, Miniforge) fail on Alpine with a confusing "not found" (the missing loader); musl builds
 * that are linked dynamically (Node `-musl`, musllinux wheels, Temurin Alpine, .NET musl) fail
 * the same way on Debian. Static musl binaries (ripgrep `-unknown-linux-musl`) run everywhere.
 */
import type { Instruction } from '../dockerfile/ast.js';
import type { Model, Stage } from '../dockerfile/model.js';
import type { SimpleCommand } from '../dockerfile/shell.js';
import { rangeAt, toSourceOffset } from '../dockerfile/text.js';
import { runUrls } from './support/download.js';
import { instructionMentions } from './support/mentions.js';
import { stageHasGlibcCompat, stageLibc, type Libc } from './support/stage-distro.js';
import { URL_RE } from './support/url-arch-words.js';
import { archToken } from '../platform/index.js';
import { defineRule, type RuleContext } from './types.js';

const messages = {
  glibcOnMusl: '{file} is {what}, linked against glibc, but this stage uses musl (Alpine): it will not run here',
  muslOnGlibc: '{file} is {what}, linked against musl, but this stage uses glibc: it will not run here',
} as const;
type Kind = 'node' | 'wheel' | 'rust' | 'aws' | 'temurin' | 'dotnet' | 'bun' | 'conda';

interface LibcBuild {
  readonly libc: 'glibc' | 'musl';
  readonly kind: Kind;
  /** what it is, for messages */
  readonly what: string;
}

/** The C library a download (URL or file name) is built for, when its name tells. */
function downloadLibc(text: string): LibcBuild | undefined {
  const s = text.replace(/[?#].*$/, '');
  const file = s.slice(s.lastIndexOf('/') + 1);
  if (/\.whl$/i.test(file)) {
    const many = /manylinux/i.test(file);
    const musl = /musllinux/i.test(file);
    if (many && !musl) return { libc: 'glibc', kind: 'wheel', what: 'a manylinux wheel' };
    if (musl && !many) return { libc: 'musl', kind: 'wheel', what: 'a musllinux wheel' };
    return undefined;
  }
  // the version may be a variable (node-v$NODE_VERSION-…); after -linux-, a variable other than
  // BuildKit's platform ARGs (whose values are fixed words) could hide -musl
  const node = /^node-v(?:\d[^/]*|\$\{?\w+\}?)-linux-(.+)\.(tar\.gz|tar\.xz|tgz|zip)$/i.exec(file);
  const arch = (node?.[1] ?? '').replace(/\$\{?(TARGET|BUILD)(ARCH|VARIANT)\}?/g, '');
  if (node && (!arch.includes('$') || /-musl\b/i.test(file))) {
    return /-musl\b/i.test(file)
      ? { libc: 'musl', kind: 'node', what: 'the Node.js musl build' }
      : { libc: 'glibc', kind: 'node', what: 'the Node.js linux build' };
  }
  if (/^awscli-exe-linux-/i.test(file)) return { libc: 'glibc', kind: 'aws', what: 'AWS CLI v2' };
  if (/^OpenJDK\d+U-(jdk|jre)_/i.test(file)) {
    if (/_alpine-linux_/i.test(file)) return { libc: 'musl', kind: 'temurin', what: 'the Temurin Alpine build' };
    if (/_linux_/i.test(file)) return { libc: 'glibc', kind: 'temurin', what: 'the Temurin linux build' };
    return undefined;
  }
  const adoptium = /api\.adoptium\.net\/v\d+\/binary\/.*?\/(alpine-linux|linux)\//i.exec(s);
  if (adoptium) {
    return adoptium[1]?.toLowerCase() === 'alpine-linux'
      ? { libc: 'musl', kind: 'temurin', what: 'the Temurin Alpine build' }
      : { libc: 'glibc', kind: 'temurin', what: 'the Temurin linux build' };
  }
  if (/^(dotnet|aspnetcore)-(sdk|runtime)-.*-linux-/i.test(file)) {
    return /-linux-musl-/i.test(file)
      ? { libc: 'musl', kind: 'dotnet', what: 'the .NET musl build' }
      : { libc: 'glibc', kind: 'dotnet', what: 'the .NET linux build' };
  }
  if (/^bun-linux-[^/]+\.zip$/i.test(file)) {
    return /-musl\b/i.test(file)
      ? { libc: 'musl', kind: 'bun', what: 'the Bun musl build' }
      : { libc: 'glibc', kind: 'bun', what: 'the Bun linux build' };
  }
  if (/^(Miniforge3|Mambaforge|Miniconda3|Anaconda3)-.*Linux-/i.test(file)) {
    return { libc: 'glibc', kind: 'conda', what: 'a conda installer' };
  }
  // Rust target triples: only the gnu one says something (musl builds are usually static)
  if (/-unknown-linux-gnu(eabihf|eabi|abi64)?\b/i.test(s) && !/-musl/i.test(s)) {
    return { libc: 'glibc', kind: 'rust', what: 'a Rust -unknown-linux-gnu build' };
  }
  return undefined;
}

const LIBC_WORD = /alpine|musl|glibc|libc|ldd|os-release|apk\b|gnu/i;

/** True when an enclosing branch is chosen by the C library (alpine-release, ldd, musl). */
function isLibcGuarded(cmd: SimpleCommand): boolean {
  for (let c: SimpleCommand | undefined = cmd; c; c = c.parent) {
    for (const b of c.branches) {
      if (b.kind === 'case') {
        if (LIBC_WORD.test(b.subject.value) || b.patterns.some((p) => LIBC_WORD.test(p))) return true;
      } else if (b.condition.some((x) => [...x.assignments, ...x.words].some((w) => LIBC_WORD.test(w.value)))) {
        return true;
      }
    }
  }
  return false;
}

/**
 * Variables of a RUN whose every assigned value is an architecture word (a mapping from
 * TARGETARCH or dpkg/apk to a vendor's word), with one of those values: standing in for the
 * variable, it names the same build of the same C library as any other.
 */
function architectureVariables(model: Model, ins: Instruction): Map<string, string> {
  const values = new Map<string, string[]>();
  for (const source of model.shell(ins)) {
    for (const cmd of source.script.commands) {
      for (const a of cmd.assignments) {
        const m = /^(\w+)\+?=(.*)$/s.exec(a.value);
        if (!m) continue;
        const list = values.get(m[1] as string) ?? [];
        list.push(m[2] as string);
        values.set(m[1] as string, list);
      }
    }
  }
  const out = new Map<string, string>();
  for (const [name, list] of values) {
    if (list.every((v) => archToken(v) !== undefined && !/musl/i.test(v))) out.set(name, list[0] as string);
  }
  return out;
}

function substitute(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a?: string, b?: string) => vars.get((a ?? b) as string) ?? m);
}

interface Download {
  readonly build: LibcBuild;
  readonly text: string;
  readonly offset: number;
}

function runDownloads(model: Model, ins: Instruction): Download[] {
  const out: Download[] = [];
  const guarded = new Map<SimpleCommand, boolean>();
  const keep = (cmd: SimpleCommand): boolean => {
    let g = guarded.get(cmd);
    if (g === undefined) guarded.set(cmd, (g = isLibcGuarded(cmd)));
    return !g;
  };
  let archVars: Map<string, string> | undefined;
  for (const u of runUrls(model, ins)) {
    // `node-v20-linux-${node_arch}.tar.xz`, where node_arch is set from TARGETARCH (what AA101's
    // fix writes): the file is the one a plain architecture word gives
    let build = downloadLibc(u.url);
    if (!build && u.url.includes('$')) {
      archVars ??= architectureVariables(model, ins);
      const url = substitute(u.url, archVars);
      if (url !== u.url) build = downloadLibc(url);
    }
    if (build && keep(u.command)) out.push({ build, text: u.url, offset: u.offset });
  }
  // wheel files named without a URL (pip install ./x-manylinux_2_17_x86_64.whl)
  if (!instructionMentions(ins, /\.whl\b/i)) return out;
  for (const source of model.shell(ins)) {
    for (const cmd of source.script.commands) {
      for (const list of [cmd.assignments, cmd.words]) {
        for (const w of list) {
          if (!/\.whl$/i.test(w.value) || w.value.includes('$') || w.value.includes('://')) continue;
          const raw = source.text.text.slice(w.start, w.end);
          const build = downloadLibc(w.value);
          const at = raw.indexOf(w.value);
          if (build && at !== -1 && keep(cmd)) out.push({ build, text: w.value, offset: toSourceOffset(source.text, w.start + at) });
        }
      }
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

function valueDownloads(ins: Instruction): Download[] {
  const out: Download[] = [];
  URL_RE.lastIndex = 0;
  for (let m = URL_RE.exec(ins.body.text); m; m = URL_RE.exec(ins.body.text)) {
    const build = downloadLibc(m[0]);
    if (build) out.push({ build, text: m[0], offset: toSourceOffset(ins.body, m.index) });
  }
  return out;
}

const FIX_NOTES: Record<Kind, Record<'glibc' | 'musl', string>> = {
  node: {
    glibc: 'download the -musl build (unofficial-builds.nodejs.org), or use FROM node:<version>-alpine',
    musl: 'download the linux build without -musl from nodejs.org, or use FROM node:<version>',
  },
  wheel: {
    glibc: 'let pip pick the wheel (pip install name==version) so it takes the musllinux one, or use a Debian-based image',
    musl: 'let pip pick the wheel (pip install name==version) so it takes the manylinux one',
  },
  rust: {
    glibc: 'download the -unknown-linux-musl build of the tool, or use a Debian-based image',
    musl: 'download the -unknown-linux-gnu build',
  },
  aws: {
    glibc: 'AWS CLI v2 is published for glibc only: apk add aws-cli, or use a Debian-based image',
    musl: 'AWS CLI v2 is published for glibc only',
  },
  temurin: {
    glibc: 'download the alpine-linux build (OpenJDK…U-jdk_x64_alpine-linux_hotspot…), or use FROM eclipse-temurin:<version>-alpine',
    musl: 'download the linux build (not alpine-linux), or use FROM eclipse-temurin:<version>',
  },
  dotnet: {
    glibc: 'download the linux-musl-… build, or use an Alpine-based .NET image',
    musl: 'download the linux-… build without musl',
  },
  bun: { glibc: 'download the -musl build of Bun', musl: 'download the build without -musl' },
  conda: {
    glibc: 'conda needs glibc: use a Debian-based image (or the condaforge/miniforge3 image)',
    musl: 'conda needs glibc',
  },
};

function checkStage(model: Model, stage: Stage, ctx: RuleContext<typeof messages>, image: ReadonlySet<Stage>): void {
  if (stage.windows) return;
  const libc: Libc = stageLibc(model, stage, ctx.platforms[0]);
  if (libc === 'unknown') return;
  const compat = libc === 'musl' && stageHasGlibcCompat(stage);
  // a stage that only fetches files for other stages: what matters is where the files go
  if (!image.has(stage)) {
    const readers = new Set(model.graph.consumers(stage).map((e) => e.to));
    if ([...readers].some((c) => stageLibc(model, c, ctx.platforms[0]) !== libc)) return;
  }
  for (const ins of stage.instructions) {
    const found =
      ins.keyword === 'run' ? runDownloads(model, ins) : ins.keyword === 'add' || ins.keyword === 'env' || ins.keyword === 'arg' ? valueDownloads(ins) : [];
    const seen = new Set<string>();
    for (const d of found) {
      if (d.build.libc === libc) continue;
      if (d.build.libc === 'glibc' && compat) continue;
      // one finding per instruction and kind (a case with one URL per architecture repeats the problem)
      if (seen.has(d.build.kind)) continue;
      seen.add(d.build.kind);
      const file = d.text.replace(/[?#].*$/, '');
      const name = file.slice(file.lastIndexOf('/') + 1) || file;
      ctx.report({
        messageId: libc === 'musl' ? 'glibcOnMusl' : 'muslOnGlibc',
        range: rangeAt(model.file.lineStarts, d.offset, d.offset + d.text.length),
        data: { file: name.replace(/\$\{(\w+)\}/g, '$$$1'), what: d.build.what },
        fixNote: FIX_NOTES[d.build.kind][d.build.libc],
      });
    }
  }
}

export default defineRule({
  meta: {
    id: 'AA111',
    name: 'libc-mismatch',
    title: 'A download built for the other C library (glibc on Alpine, musl on Debian)',
    severity: 'warning',
    description:
      'Most Linux binaries are linked against glibc and look for its loader (/lib64/ld-linux-x86-64.so.2); on ' +
      'Alpine, which uses musl, they fail with "not found" although the file exists. The reverse holds for ' +
      'dynamically linked musl builds on Debian or Ubuntu. Node.js tarballs, manylinux wheels, Rust ' +
      '-unknown-linux-gnu builds, AWS CLI v2, Temurin and .NET name their C library; the stage\'s base image ' +
      'tells which one it has.',
    related: [],
    fixable: false,
  },
  messages,
  gate: /:\/\/|\.whl\b/i,
  check(model, ctx) {
    const image = model.graph.imageStages;
    for (const stage of model.stages) checkStage(model, stage, ctx, image);
  },
});
