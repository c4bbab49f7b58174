/**
 * AA106: a `FROM --platform=$BUILDPLATFORM` stage that compiles without naming the target:
 * `go build` without GOARCH, `cargo build` without `--target`, `gcc`/`clang` without a cross
 * toolchain. The stage runs natively on the build machine, so the binary is for the builder's
 * CPU, and the target-platform image that copies it gets an `exec format error`.
 */
import type { Instruction } from '../dockerfile/ast.js';
import type { Model, ShellSource, Stage } from '../dockerfile/model.js';
import type { ShellWord, SimpleCommand } from '../dockerfile/shell.js';
import { toSourceOffset } from '../dockerfile/text.js';
import type { Platform } from '../platform/index.js';
import { envFor } from './support/command-env.js';
import { declareArgs } from './support/fix.js';
import { instructionText, mentionsTarget, stageMentionsTarget, stageUsesXx } from './support/mentions.js';
import { commandWords, spanRange } from './support/shell-words.js';
import { feedsTarget, runOutputs, targetConsumers, targetReadsAny, workdirAt } from './support/stage-outputs.js';
import {
  cargoCommand,
  cCompilerCommand,
  CROSS_SETUP_HINT,
  goCommand,
  goOutput,
  hasTargetFlag,
  isCargoToolInstall,
  NATIVE_TOOLCHAIN_HINT,
  nativeBuildCommand,
  type NativeBuild,
  type NativeBuildKind,
} from './support/toolchains.js';
import { defineRule, type Edit, type RuleContext, type Suggestion } from './types.js';

const messages = {
  go: '`go {kind}` in stage {stage} (FROM --platform=$BUILDPLATFORM) has no GOARCH: it builds for the build machine\'s CPU, but a target-platform image copies the binary (set GOOS=$TARGETOS GOARCH=$TARGETARCH)',
  cargo: '`cargo {kind}` without --target in stage {stage} (FROM --platform=$BUILDPLATFORM) builds for the build machine\'s CPU, but a target-platform image copies the binary',
  cc: '{compiler} in stage {stage} (FROM --platform=$BUILDPLATFORM) compiles for the build machine\'s CPU, but a target-platform image copies the result',
  native: '`{command}` in stage {stage} (FROM --platform=$BUILDPLATFORM) {what} for the build machine\'s CPU, but a target-platform image copies the result',
} as const;

/** What each native build does without a target, and what to do instead. */
const NATIVE: Readonly<Record<NativeBuildKind, { what: string; note: string }>> = {
  make: { what: 'builds', note: 'give make a cross toolchain for the target (CC=<triple>-gcc or CROSS_COMPILE=<triple>- from TARGETARCH, or xx-clang), or build in a target-platform stage' },
  configure: { what: 'configures the build', note: 'pass --host=<triple> chosen from TARGETARCH (xx-info triple gives it), or build in a target-platform stage' },
  cmake: { what: 'configures the build', note: 'pass a toolchain for the target ($(xx-clang --print-cmake-defines), or -DCMAKE_TOOLCHAIN_FILE), or build in a target-platform stage' },
  npm: { what: 'builds native addons (node-gyp, prebuild)', note: 'native addons need the target\'s CPU: install in a target-platform stage, or pass --arch/--cpu (npm_config_arch) from TARGETARCH with a cross compiler' },
  pip: { what: 'builds wheels with native code', note: 'build wheels in a target-platform stage, or pass --platform with --only-binary=:all: for the target' },
  dotnet: { what: 'publishes a self-contained app', note: 'pass -a $TARGETARCH (or -r linux-<arch> from TARGETARCH) to dotnet publish' },
  goreleaser: { what: 'builds (--single-target reads GOOS/GOARCH from the environment)', note: 'set GOOS=$TARGETOS GOARCH=$TARGETARCH for goreleaser build --single-target' },
};

/** Where `pip wheel -w`/`pip install --target|--prefix|--user` writes, resolved against WORKDIR. */
function pipOutputs(words: readonly ShellWord[], workdir: string): string[] {
  const out: string[] = [];
  const abs = (p: string): string => (p.startsWith('/') ? p : `${workdir.replace(/\/$/, '')}/${p}`);
  for (let i = 0; i < words.length; i++) {
    const v = (words[i] as ShellWord).value;
    const m = /^(-t|--target|--prefix|--root|-w|--wheel-dir)(?:=(.*))?$/.exec(v);
    if (m) {
      const p = m[2] ?? words[i + 1]?.value;
      if (p && !p.includes('$')) out.push(abs(p));
    } else if (v === '--user') out.push('/root/.local');
  }
  // `pip wheel` without -w writes to the working directory
  if (!out.length) out.push(workdir);
  return out;
}

interface Site {
  readonly stage: Stage;
  readonly index: number;
  readonly source: ShellSource;
  readonly command: SimpleCommand;
}

/** Does a target-platform stage copy from a `bin` directory of the stage (where tools get installed)? */
function targetCopiesBin(model: Model, stage: Stage): boolean {
  if (stage.final) return true;
  return targetConsumers(model, stage).some((c) => c.paths.some((p) => p === '/' || p.includes('$') || /(^|\/)bin(\/|$)/.test(p)));
}

/**
 * Where `cargo install` puts the binaries: `--root DIR/bin`, else $CARGO_INSTALL_ROOT/bin, else
 * $CARGO_HOME/bin (the rust images set /usr/local/cargo), else ~/.cargo/bin; undefined when unknown.
 */
function cargoInstallBins(model: Model, site: Site, words: readonly ShellWord[], target: Platform): string[] | undefined {
  const i = words.findIndex((w) => w.value === '--root' || w.value.startsWith('--root='));
  if (i !== -1) {
    const w = words[i] as ShellWord;
    const root = unquoted(w.value.startsWith('--root=') ? w.value.slice('--root='.length) : words[i + 1]?.value);
    return root && !root.includes('$') ? [`${root.replace(/\/+$/, '')}/bin`] : undefined;
  }
  for (const name of ['CARGO_INSTALL_ROOT', 'CARGO_HOME']) {
    const env = envFor(model, site.stage, site.index, site.source, site.command, name, target);
    if (!env.set) continue;
    const v = unquoted(env.value);
    return v && !v.includes('$') && v.startsWith('/') ? [`${v.replace(/\/+$/, '')}/bin`] : undefined;
  }
  return ['/usr/local/cargo/bin', '/root/.cargo/bin'];
}

/** Does a target-platform stage copy one of these directories (or a directory holding one, or `/`)? */
function targetCopiesDir(model: Model, stage: Stage, dirs: readonly string[]): boolean {
  if (stage.final) return true;
  return targetConsumers(model, stage).some((c) =>
    c.paths.some((p) => {
      if (p === '/' || p.includes('$')) return true;
      const q = p.replace(/\/+$/, '');
      return dirs.some((d) => d === q || d.startsWith(`${q}/`) || q.startsWith(`${d}/`) || (/[*?[]/.test(q) && q.startsWith(`${d}`)));
    }),
  );
}

function unquoted(v: string | undefined): string | undefined {
  return v?.replace(/^(['"])(.*)\1$/, '$2');
}

/** Is the built program run later in the stage (a code generator, a test)? Then cross-building it breaks the build. */
function runLater(model: Model, site: Site, output: string): boolean {
  const base = output.replace(/^.*\//, '');
  const names = new Set([output, base, `./${base}`]);
  for (let i = site.index; i < site.stage.instructions.length; i++) {
    const ins = site.stage.instructions[i] as Instruction;
    if (ins.keyword !== 'run') continue;
    for (const source of model.shell(ins)) {
      for (const c of source.script.commands) {
        if (i === site.index && source === site.source && c.start <= site.command.start) continue;
        if (names.has(commandWords(c)[0]?.value ?? '')) return true;
      }
    }
  }
  return false;
}

function goFix(
  model: Model,
  site: Site,
  install: boolean,
  ctx: RuleContext<typeof messages>,
  target: Platform,
): { fix?: Edit[]; suggestions?: Suggestion[]; note?: string } {
  const { stage, index, source, command } = site;
  const env = (name: string) => envFor(model, stage, index, source, command, name, target);
  const assigns: string[] = [];
  const args: string[] = [];
  if (!env('GOOS').set) {
    assigns.push('GOOS=$TARGETOS');
    args.push('TARGETOS');
  }
  assigns.push('GOARCH=$TARGETARCH');
  args.push('TARGETARCH');
  if (ctx.platforms.some((p) => p.architecture === 'arm') && !env('GOARM').set) {
    assigns.push('GOARM=${TARGETVARIANT#v}');
    args.push('TARGETVARIANT');
  }
  const at = toSourceOffset(source.text, command.start);
  const edits: Edit[] = [...declareArgs(model, stage, args, index, target), { start: at, end: at, text: `${assigns.join(' ')} ` }];
  const title = `Build for the target: ${assigns.join(' ')}`;
  const cgo = env('CGO_ENABLED');
  if (!cgo.set || unquoted(cgo.value) !== '0') {
    return { suggestions: [{ title: `${title} (cgo needs a C cross compiler for the target too)`, edits }], note: 'cgo may be on (CGO_ENABLED=0 is not set): cross-compiling it needs a C toolchain for the target' };
  }
  if (install) {
    return { suggestions: [{ title: `${title} (go install then writes to $GOPATH/bin/<os>_<arch>/)`, edits }], note: 'a cross-compiling go install puts the binary in $GOPATH/bin/<os>_<arch>/, so later COPY paths change' };
  }
  return { fix: edits };
}

function checkStage(model: Model, stage: Stage, ctx: RuleContext<typeof messages>, target: Platform): void {
  if (!stage.onBuildPlatform || stage.windows) return;
  const texts = stage.instructions.filter((i) => i.keyword === 'run').map(instructionText);
  if (!texts.some((t) => /\b(go|cargo|gcc|cc|g\+\+|c\+\+|clang|clang\+\+|make|cmake|configure|npm|yarn|pnpm|pip[\d.]*|dotnet|goreleaser)\b/.test(t))) return;
  if (stageUsesXx(stage) || !feedsTarget(model, stage)) return;
  const stageTarget = stageMentionsTarget(stage);
  const cargoConfig = texts.some((t) => /\.cargo\/config|CARGO_BUILD_TARGET/.test(t));
  const name = stage.name ?? String(stage.index);
  let copiesBin: boolean | undefined;
  /** RUNs with a native-build finding already (one per RUN: `./configure && make` is one build) */
  const native = new Set<number>();
  let nativeHint: boolean | undefined;
  const reads = new Map<string, boolean>();
  /** Does a target-platform stage read what RUN `index` writes (its outputs, and its WORKDIR when asked)? */
  const readsOutput = (index: number, withWorkdir: boolean): boolean => {
    const key = `${index}|${withWorkdir}`;
    let r = reads.get(key);
    if (r === undefined) {
      const paths = runOutputs(model, stage, index);
      if (withWorkdir) paths.push(workdirAt(stage, index));
      r = targetReadsAny(model, stage, paths);
      reads.set(key, r);
    }
    return r;
  };
  stage.instructions.forEach((ins, index) => {
    if (ins.keyword !== 'run') return;
    // in a stage that names its target elsewhere, only RUNs that mention it too are clearly for the target
    if (stageTarget && !mentionsTarget(ins)) return;
    for (const source of model.shell(ins)) {
      for (const command of source.script.commands) {
        const site: Site = { stage, index, source, command };
        const go = goCommand(command);
        if (go) {
          // go install writes to $GOBIN or $GOPATH/bin; go build to -o, else the working directory
          const read = go.kind === 'install' ? (copiesBin ??= targetCopiesBin(model, stage)) || readsOutput(index, false) : readsOutput(index, !goOutput(go.words));
          if (!read) continue;
          if (envFor(model, stage, index, source, command, 'GOARCH', target).set) continue;
          // a program the stage runs itself (a code generator) is rightly built for the builder
          const output = goOutput(go.words);
          if (output && runLater(model, site, output)) continue;
          const plan = goFix(model, site, go.kind === 'install', ctx, target);
          ctx.report({
            messageId: 'go',
            range: spanRange(model, source.text, (go.words[0] as ShellWord).start, (go.words.find((w) => w.value === go.kind) as ShellWord).end),
            data: { kind: go.kind, stage: name },
            ...(plan.fix ? { fix: plan.fix } : {}),
            ...(plan.note ? { fixNote: plan.note } : {}),
            ...(plan.suggestions ? { suggestions: plan.suggestions } : {}),
          });
          continue;
        }
        const cargo = cargoCommand(command);
        if (cargo) {
          if (hasTargetFlag(cargo.words) || cargoConfig) continue;
          // cargo install writes to $CARGO_HOME/bin or --root; cargo build to target/ under WORKDIR
          const project = cargo.kind === 'build' || !isCargoToolInstall(cargo.words);
          // a tool `cargo install` puts in $CARGO_HOME/bin is the target's only if a target stage copies that directory
          const bins = cargo.kind === 'install' && !project ? cargoInstallBins(model, site, cargo.words, target) : undefined;
          const copied = cargo.kind === 'install' && (bins ? targetCopiesDir(model, stage, bins) : (copiesBin ??= targetCopiesBin(model, stage)));
          const read = readsOutput(index, project) || copied;
          if (!read) continue;
          if (envFor(model, stage, index, source, command, 'CARGO_BUILD_TARGET', target).set) continue;
          const sub = cargo.words.find((w) => w.value === cargo.kind || (cargo.kind === 'build' && w.value === 'b')) as ShellWord;
          ctx.report({
            messageId: 'cargo',
            range: spanRange(model, source.text, (cargo.words[0] as ShellWord).start, sub.end),
            data: { kind: cargo.kind, stage: name },
            fixNote: 'the Rust target triple depends on the C library and on TARGETARCH/TARGETVARIANT; map them in a case, or use xx-cargo',
          });
          continue;
        }
        if (stageTarget) continue;
        const nb = nativeBuildCommand(command);
        if (nb) {
          if (native.has(index) || !nativeReported(model, site, nb, readsOutput, () => (nativeHint ??= stageBuildsNative(stage)), target)) continue;
          native.add(index);
          const label = nb.words.slice(0, nb.kind === 'make' || nb.kind === 'configure' ? 1 : 2).map((w) => w.value).join(' ');
          ctx.report({
            messageId: 'native',
            range: spanRange(model, source.text, nb.tool.start, (nb.words[nb.kind === 'make' || nb.kind === 'configure' ? 0 : 1] ?? nb.tool).end),
            data: { command: label, stage: name, what: NATIVE[nb.kind].what },
            fixNote: NATIVE[nb.kind].note,
          });
          continue;
        }
        const cc = cCompilerCommand(command);
        if (cc && readsOutput(index, true)) {
          ctx.report({
            messageId: 'cc',
            range: spanRange(model, source.text, cc.start, cc.end),
            data: { compiler: cc.value, stage: name },
            fixNote: 'cross-compiling C needs a cross toolchain and target libraries (for example tonistiigi/xx: xx-apk/xx-apt and xx-clang)',
          });
        }
      }
    }
  });
}

/** Does the stage (or a stage it is built FROM) install a C toolchain or name node-gyp/prebuild/a C extension tool? */
function stageBuildsNative(stage: Stage): boolean {
  for (let s: Stage | null = stage; s; s = s.parent) {
    if (s.instructions.some((i) => (i.keyword === 'run' || i.keyword === 'env' || i.keyword === 'arg') && NATIVE_TOOLCHAIN_HINT.test(instructionText(i)))) return true;
  }
  return false;
}

/** Should this native build be reported: no cross setting in its environment, native code at all (npm, pip), and a target-platform stage reads what it makes? */
function nativeReported(
  model: Model,
  site: Site,
  nb: NativeBuild,
  readsOutput: (index: number, withWorkdir: boolean) => boolean,
  buildsNative: () => boolean,
  target: Platform,
): boolean {
  const { stage, index, source, command } = site;
  const set = (n: string): boolean => envFor(model, stage, index, source, command, n, target).set;
  switch (nb.kind) {
    case 'make':
    case 'configure':
    case 'cmake':
      if (['CC', 'CXX', 'CROSS_COMPILE', 'CMAKE_TOOLCHAIN_FILE', 'GOARCH', 'CARGO_BUILD_TARGET'].some(set)) return false;
      // make after `./configure --host` or a CMake toolchain builds what they chose
      if (nb.kind === 'make' && stage.instructions.slice(0, index + 1).some((i) => i.keyword === 'run' && CROSS_SETUP_HINT.test(instructionText(i)))) return false;
      return readsOutput(index, true);
    case 'npm':
      if (!buildsNative() || ['npm_config_arch', 'npm_config_target_arch', 'npm_config_cpu'].some(set)) return false;
      return targetReadsAny(model, stage, [`${workdirAt(stage, index).replace(/\/$/, '')}/node_modules`]);
    case 'pip':
      if (!buildsNative()) return false;
      return targetReadsAny(model, stage, pipOutputs(nb.words, workdirAt(stage, index)));
    case 'dotnet':
      return readsOutput(index, true);
    case 'goreleaser':
      return !set('GOARCH') && readsOutput(index, true);
  }
}

export default defineRule({
  meta: {
    id: 'AA106',
    name: 'cross-compile-no-target',
    title: 'A --platform=$BUILDPLATFORM stage compiles for the build machine',
    severity: 'warning',
    description:
      'A stage built `FROM --platform=$BUILDPLATFORM` runs natively on the build machine, which is the point of it: ' +
      'compile once, fast, for every target. But the compiler must be told the target: `go build` needs ' +
      'GOOS/GOARCH from TARGETOS/TARGETARCH, `cargo build` needs `--target`, and a C compiler needs a cross ' +
      'toolchain. Without that, the binary is for the builder\'s CPU and the target-platform image that copies ' +
      'it fails with `exec format error` (hadolint#1071).',
    related: [],
    fixable: true,
  },
  messages,
  gate: /BUILD(?:PLATFORM|OS|ARCH)/,
  check(model, ctx) {
    const target = ctx.platforms.find((p) => p.os === 'linux') ?? ctx.platforms[0];
    if (!target) return;
    for (const stage of model.stages) checkStage(model, stage, ctx, target);
  },
});
