/**
 * AA119: BUILDARCH, BUILDPLATFORM, BUILDOS or BUILDVARIANT choosing what a RUN or ADD fetches,
 * installs or compiles, when the result ends up in the target-platform image: a download
 * (`curl .../linux-${BUILDARCH}.tar.gz`), a package (`apt-get install foo-$BUILDARCH`), a compile
 * target (`GOARCH=$BUILDARCH go build`). These name the build machine; on an amd64 runner the
 * arm64 image gets the amd64 file. Right for a tool only run during the build (a code generator,
 * protoc, a thrift compiler), in a build-platform stage or even in a target-platform stage (it runs
 * there: the kernel is the build machine's), as long as the image does not keep it.
 */
import type { Instruction } from '../dockerfile/ast.js';
import type { Model, ShellSource, Stage } from '../dockerfile/model.js';
import type { ShellWord, SimpleCommand } from '../dockerfile/shell.js';
import { rangeAt, toSourceOffset } from '../dockerfile/text.js';
import type { Platform } from '../platform/index.js';
import { declareArgs } from './support/fix.js';
import { instructionMentions } from './support/mentions.js';
import { commandWords, envWords, settingWords, spanRange } from './support/shell-words.js';
import { runOutputs, targetReadsAny } from './support/stage-outputs.js';
import { defineRule, type Edit, type RuleContext } from './types.js';

const messages = {
  targetStage:
    '${name} names the build machine, but stage {stage} builds the target image: {what} is the build machine\'s, so an arm64 image built on an amd64 runner gets the amd64 one (use ${replacement})',
  buildStage:
    '${name} chooses {what} in stage {stage} (FROM --platform=$BUILDPLATFORM), and a target-platform stage copies the result: the image gets the build machine\'s build (use ${replacement} for what the image copies)',
} as const;

const BUILD_REF = /\$\{?(BUILDARCH|BUILDPLATFORM|BUILDOS|BUILDVARIANT)\b/g;
/** A cheap test before reading an instruction as shell. */
const BUILD_NAME = /\$\{?BUILD(ARCH|PLATFORM|OS|VARIANT)\b/;
const REPLACEMENT: Readonly<Record<string, string>> = {
  BUILDARCH: 'TARGETARCH',
  BUILDPLATFORM: 'TARGETPLATFORM',
  BUILDOS: 'TARGETOS',
  BUILDVARIANT: 'TARGETVARIANT',
};

/** Commands that fetch or install what their words name. */
const FETCHERS = new Set([
  'curl', 'wget', 'aria2c', 'fetch', 'apt-get', 'apt', 'aptitude', 'apk', 'dnf', 'yum', 'microdnf', 'zypper', 'pacman',
  'pip', 'pip3', 'pipx', 'npm', 'yarn', 'pnpm', 'gem', 'dpkg', 'rpm', 'gh', 'oras', 'crane', 'skopeo',
]);
/** Compilers whose target a variable set from BUILD* chooses. */
const COMPILE_VARS = /^(GOARCH|GOOS|GOARM|CARGO_BUILD_TARGET|npm_config_arch|npm_config_target_arch|TARGET_ARCH|CROSS_COMPILE|CC|CXX)=/;
const COMPILERS = /^(go|cargo|make|cmake|gcc|cc|clang|g\+\+|npm|yarn|pnpm|node-gyp|dotnet)$/;

interface Use {
  readonly name: string;
  /** shell-text offsets of the reference */
  readonly start: number;
  readonly end: number;
  readonly what: string;
}

function refsIn(word: ShellWord): { name: string; start: number; end: number }[] {
  if (!word.raw.includes('BUILD') || word.raw.startsWith("'")) return [];
  const out: { name: string; start: number; end: number }[] = [];
  BUILD_REF.lastIndex = 0;
  for (let m = BUILD_REF.exec(word.raw); m; m = BUILD_REF.exec(word.raw)) {
    const start = word.start + m.index;
    const braced = word.raw[m.index + 1] === '{';
    const close = braced ? word.raw.indexOf('}', m.index) : -1;
    out.push({ name: m[1] as string, start, end: braced && close !== -1 ? word.start + close + 1 : start + m[0].length });
  }
  return out;
}

function fetches(cmd: SimpleCommand): boolean {
  const w = commandWords(cmd);
  const first = w[0]?.value.replace(/^.*\//, '') ?? '';
  if (FETCHERS.has(first)) return true;
  // go install pkg@v, cargo install crate: fetched and built for the builder
  return (first === 'go' && (w[1]?.value === 'install' || w[1]?.value === 'get')) || (first === 'cargo' && w[1]?.value === 'install');
}

function compiles(cmd: SimpleCommand): boolean {
  return COMPILERS.test(commandWords(cmd)[0]?.value.replace(/^.*\//, '') ?? '');
}

/** Where BUILD* chooses what a shell source fetches, installs or compiles. */
function usesIn(source: ShellSource): Use[] {
  const text = source.text.text;
  if (!text.includes('BUILD')) return [];
  const out: Use[] = [];
  const cmds = source.script.commands;
  // variables set from BUILD* (`ARCH=$BUILDARCH`, `ARCH=$(echo $BUILDPLATFORM | cut -d/ -f2)`), by name
  const carriers = new Map<string, { name: string; start: number; end: number }[]>();
  for (const cmd of cmds) {
    const settings = settingWords(cmd);
    const prefixes = cmd.words.length ? [...cmd.assignments, ...envWords(cmd)] : [];
    for (const w of [...settings, ...prefixes]) {
      const refs = refsIn(w);
      const m = /^([A-Za-z_]\w*)\+?=/.exec(w.raw);
      if (!refs.length || !m) continue;
      if (COMPILE_VARS.test(w.raw) && (compiles(cmd) || cmd.words.length === 0 || /^export\b/.test(cmd.words[0]?.value ?? ''))) {
        for (const r of refs) out.push({ ...r, what: `the compile target (${m[1]})` });
        continue;
      }
      if (settings.includes(w)) carriers.set(m[1] as string, [...(carriers.get(m[1] as string) ?? []), ...refs]);
    }
  }
  for (const cmd of cmds) {
    const isFetch = fetches(cmd);
    for (const w of [...cmd.words, ...cmd.assignments]) {
      const url = w.raw.includes('://');
      if (!isFetch && !url) continue;
      const what = url ? 'the download' : 'what it installs';
      for (const r of refsIn(w)) out.push({ ...r, what });
      if (!w.raw.includes('$')) continue;
      for (const [name, refs] of carriers) {
        if (new RegExp(`\\$\\{?${name}\\b`).test(w.raw)) for (const r of refs) out.push({ ...r, what });
      }
    }
  }
  // `case "$BUILDARCH" in` whose branches fetch
  for (const cmd of cmds) {
    for (const b of cmd.branches) {
      if (b.kind !== 'case' || !fetches(cmd) && !cmd.words.some((w) => w.raw.includes('://')) && !cmd.assignments.some((w) => w.raw.includes('://'))) continue;
      for (const r of refsIn(b.subject)) out.push({ ...r, what: 'the download' });
    }
  }
  const seen = new Set<number>();
  return out.filter((u) => !seen.has(u.start) && (seen.add(u.start), true)).sort((a, b) => a.start - b.start);
}

/** Every use of `use.name` in the shell source changed to its TARGET* twin (a partial change would break the RUN: `tar` then `cp` of the same directory), and the ARG declared. */
function fixFor(model: Model, stage: Stage, index: number, source: ShellSource, use: Use, target: Platform): Edit[] {
  const replacement = REPLACEMENT[use.name] as string;
  const edits: Edit[] = [];
  const seen = new Set<number>();
  for (const cmd of source.script.commands) {
    for (const w of [...cmd.assignments, ...cmd.words, ...cmd.redirects]) {
      for (const r of refsIn(w)) {
        if (r.name !== use.name || seen.has(r.start)) continue;
        seen.add(r.start);
        const s = toSourceOffset(source.text, r.start);
        const e = toSourceOffset(source.text, r.end - 1) + 1;
        const written = model.file.source.slice(s, e);
        if (!written.includes(use.name)) return [];
        edits.push({ start: s, end: e, text: written.replace(use.name, replacement) });
      }
    }
  }
  // a use the reader did not see as a word (inside a heredoc marker, a case pattern): no safe fix
  const all = source.text.text.split(use.name).length - 1;
  if (!edits.length || edits.length !== all) return [];
  return [...declareArgs(model, stage, [replacement], index, target), ...edits.sort((a, b) => a.start - b.start)];
}

/** A compile-target variable an ARG or ENV sets from BUILD* (`ARG GOARCH=$BUILDARCH`): what it says for a later build. */
const DECLARED_COMPILE_VAR = /(?:^|\s)(GOARCH|GOOS|GOARM|CARGO_BUILD_TARGET)=("?)([^\s"]*)\2/g;
/** Go's variables: an empty value (BUILD* not declared in the stage) is the build machine's too. */
const GO_VAR = /^GO(ARCH|OS|ARM)$/;
const BUILD_COMMAND = /(^|[\s;&|(])(go\s+(build|install)|cargo\s+(build|install)|xcaddy\s+build)\b/;

/**
 * `ARG GOARCH=$BUILDARCH` / `ENV GOARCH=${BUILDARCH}` followed by a `go build` whose result a
 * target-platform stage reads: the binary is the build machine's (auth0-cas-server-go).
 */
function checkDeclarations(model: Model, stage: Stage, ctx: RuleContext<typeof messages>, target: Platform): void {
  const view = model.view(stage, target);
  const name = stage.name ?? String(stage.index);
  stage.instructions.forEach((ins: Instruction, index) => {
    if ((ins.keyword !== 'arg' && ins.keyword !== 'env') || !BUILD_NAME.test(ins.body.text)) return;
    const text = ins.body.text;
    const scope = view.scopes[index] ?? view.end;
    DECLARED_COMPILE_VAR.lastIndex = 0;
    for (let m = DECLARED_COMPILE_VAR.exec(text); m; m = DECLARED_COMPILE_VAR.exec(text)) {
      const variable = m[1] as string;
      const value = m[3] as string;
      const valueAt = m.index + m[0].indexOf('=') + 1 + (m[2] ? 1 : 0);
      BUILD_REF.lastIndex = 0;
      const ref = BUILD_REF.exec(value);
      if (!ref) continue;
      const build = ref[1] as string;
      // undeclared, it is empty: for Go that is the build machine's value as well; otherwise AA102's
      if (!scope.get(build) && !GO_VAR.test(variable)) continue;
      // a later RUN that builds, does not set the variable itself, and whose result the image reads
      const reads = stage.instructions.some((later, j) => {
        if (j <= index || later.keyword !== 'run' || !BUILD_COMMAND.test(later.body.text)) return false;
        if (new RegExp(`(^|[\\s;&|(])${variable}=`).test(later.body.text) || /\bxx-(go|cargo)\b/.test(later.body.text)) return false;
        const outputs = runOutputs(model, stage, j);
        return stage.onBuildPlatform ? targetReadsAny(model, stage, outputs) : model.graph.imageStages.has(stage) || targetReadsAny(model, stage, outputs);
      });
      if (!reads) continue;
      const at = valueAt + ref.index;
      const braced = text[at + 1] === '{';
      const end = braced ? text.indexOf('}', at) + 1 : at + ref[0].length;
      const st = toSourceOffset(ins.body, at);
      const en = toSourceOffset(ins.body, end - 1) + 1;
      const data = { name: build, stage: name, what: `the compile target (${variable})`, replacement: REPLACEMENT[build] as string };
      ctx.report({ messageId: stage.onBuildPlatform ? 'buildStage' : 'targetStage', range: rangeAt(model.file.lineStarts, st, en), data });
    }
  });
}

function checkStage(model: Model, stage: Stage, ctx: RuleContext<typeof messages>, target: Platform): void {
  if (stage.windows || !stage.reachable) return;
  checkDeclarations(model, stage, ctx, target);
  // scopes only for a stage whose RUN or ADD names a BUILD* arg (the file's may be only in FROM --platform)
  if (!stage.instructions.some((i) => (i.keyword === 'run' || i.keyword === 'add') && instructionMentions(i, BUILD_NAME))) return;
  const view = model.view(stage, target);
  const name = stage.name ?? String(stage.index);
  stage.instructions.forEach((ins: Instruction, index) => {
    if ((ins.keyword !== 'run' && ins.keyword !== 'add') || !instructionMentions(ins, BUILD_NAME)) return;
    const scope = view.scopes[index] ?? view.end;
    if (ins.keyword === 'add') {
      checkAdd(model, stage, index, ins, scope.get.bind(scope), ctx, target);
      return;
    }
    let reads: boolean | undefined;
    for (const source of model.shell(ins)) {
      for (const use of usesIn(source)) {
        // undeclared, it is empty: AA102 says so
        if (!scope.get(use.name)) continue;
        const replacement = REPLACEMENT[use.name] as string;
        const range = spanRange(model, source.text, use.start, use.end);
        const inScript = source.origin !== undefined;
        if (!stage.onBuildPlatform) {
          // a build-machine tool in a target-platform stage runs (the kernel is the build machine's), and is
          // right there as long as the image does not keep it
          reads ??= model.graph.imageStages.has(stage) || targetReadsAny(model, stage, runOutputs(model, stage, index));
          if (!reads) return;
          const fix = inScript ? [] : fixFor(model, stage, index, source, use, target);
          ctx.report({ messageId: 'targetStage', range, data: { name: use.name, stage: name, what: use.what, replacement }, ...(fix.length ? { fix } : {}) });
          continue;
        }
        reads ??= targetReadsAny(model, stage, runOutputs(model, stage, index));
        if (!reads) return;
        const edits = inScript ? [] : fixFor(model, stage, index, source, use, target);
        ctx.report({
          messageId: 'buildStage',
          range,
          data: { name: use.name, stage: name, what: use.what, replacement },
          ...(edits.length ? { suggestions: [{ title: `Choose by $${replacement} (a tool this stage also runs then needs its own build-platform copy)`, edits }] } : {}),
        });
      }
    }
  });
}

/** `ADD https://.../tool-${BUILDARCH} /dest`: the download is for the build machine. */
function checkAdd(model: Model, stage: Stage, index: number, ins: Instruction, declared: (n: string) => unknown, ctx: RuleContext<typeof messages>, target: Platform): void {
  const text = ins.body.text;
  if (!text.includes('://') || !text.includes('BUILD')) return;
  const urls = text.split(/\s+/).filter((w) => w.includes('://'));
  if (!urls.length) return;
  const dest = text.trim().split(/\s+/).pop() ?? '/';
  if (!(stage.onBuildPlatform ? false : model.graph.imageStages.has(stage)) && !targetReadsAny(model, stage, [dest.startsWith('/') ? dest : '/'])) return;
  BUILD_REF.lastIndex = 0;
  for (let m = BUILD_REF.exec(text); m; m = BUILD_REF.exec(text)) {
    const at = m.index;
    if (!urls.some((u) => { const i = text.indexOf(u); return at >= i && at < i + u.length; })) continue;
    const name = m[1] as string;
    if (!declared(name)) continue;
    const replacement = REPLACEMENT[name] as string;
    const braced = text[at + 1] === '{';
    const end = braced ? text.indexOf('}', at) + 1 : at + m[0].length;
    const s = toSourceOffset(ins.body, at);
    const e = toSourceOffset(ins.body, end - 1) + 1;
    const edits = [...declareArgs(model, stage, [replacement], index, target), { start: s, end: e, text: model.file.source.slice(s, e).replace(name, replacement) }];
    const data = { name, stage: stage.name ?? String(stage.index), what: 'the download', replacement };
    const range = rangeAt(model.file.lineStarts, s, e);
    if (stage.onBuildPlatform) ctx.report({ messageId: 'buildStage', range, data, suggestions: [{ title: `Choose by $${replacement}`, edits }] });
    else ctx.report({ messageId: 'targetStage', range, data, fix: edits });
  }
}

export default defineRule({
  meta: {
    id: 'AA119',
    name: 'build-arch-for-target',
    title: 'BUILDARCH chooses what ends up in the target image',
    severity: 'error',
    description:
      'BUILDARCH, BUILDPLATFORM, BUILDOS and BUILDVARIANT name the machine that runs the build, not the platform of the ' +
      'image. A download, package or compile target chosen by them (`curl .../tool-linux-${BUILDARCH}`, ' +
      '`GOARCH=$BUILDARCH go build`) is the build machine\'s, so an arm64 image built on an amd64 runner gets the amd64 ' +
      'file. In a target-platform stage that is always wrong; in a `--platform=$BUILDPLATFORM` stage it is right for a ' +
      'tool the build runs (protoc, a code generator) and wrong for what a target-platform stage copies. Use the TARGET* ' +
      'args (declared with `ARG TARGETARCH`) for what the image gets.',
    related: [],
    fixable: true,
  },
  messages,
  gate: /BUILD(?:ARCH|PLATFORM|OS|VARIANT)/,
  check(model, ctx) {
    const target = ctx.platforms.find((p) => p.os === 'linux') ?? ctx.platforms[0];
    if (!target) return;
    for (const stage of model.stages) checkStage(model, stage, ctx, target);
  },
});
