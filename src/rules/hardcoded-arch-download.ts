/**
 * AA101: a download or package whose name hard-codes one CPU architecture (the Zasper case:
 * `curl -LO https://go.dev/dl/go1.23.4.linux-amd64.tar.gz` in an image built for arm64 too).
 */
import type { Model, ShellSource, Stage } from '../dockerfile/model.js';
import { instructionMentions } from './support/mentions.js';
import { rangeAt, toSourceOffset } from '../dockerfile/text.js';
import {
  findVendor,
  formatPlatform,
  matchVendorUrl,
  toVocabulary,
  vendorToken,
  type Platform,
  type Vendor,
  type Vocabulary,
} from '../platform/index.js';
import { downloadCandidates, inSingleQuotes, runUrls, type Candidate } from './support/download.js';
import { declareArgs, mappingEdits } from './support/fix.js';
import { isArchBranch, isArchGuarded } from './support/arch-branches.js';
import { onlyNames } from './support/command-kind.js';
import { stagePlatforms } from './support/stage-platforms.js';
import { URL_RE, families, findArchTokens, tokenNames, type TokenHit } from './support/url-arch-words.js';
import { UNKNOWN, archWordValue, downloadUses, originOf, type DownloadUse, type ValueOrigin } from './support/value-flow.js';
import { defineRule, type Edit, type RuleContext } from './types.js';

const messages = {
  download: '{file} is the {arch} build, but the image is also built for {platforms}',
  downloadOther: '{file} is the {arch} build, but the image is built for {platforms}',
  builder: '{file} is the {arch} build of a tool for the build machine; builders on other CPUs get the wrong binary (use BUILDARCH)',
  branchMismatch: '{file} is the {arch} build, downloaded in the branch for {branch}',
  templateWord: '{file} takes {variable}, but {vendor} names {platform} "{word}", not "{arch}": that file does not exist',
  templateMissing: '{vendor} publishes no build for {platforms}, but this download takes {variable} as if it did',
  flow: '{variable} is set to "{arch}" here, and {use} on line {line} downloads {file} with it: the {arch} build, but the image is also built for {platforms}',
  flowBuilder: '{variable} is set to "{arch}" here, and {use} on line {line} downloads {file} with it for the build machine: the {arch} build; builders on other CPUs get the wrong binary (use BUILDARCH)',
} as const;

/** Vocabularies a file name's form tells (a .deb names dpkg words, a wheel Python's). */
function contextVocabularies(text: string, hit: TokenHit): Vocabulary[] {
  text = text.replace(/[?#].*$/, '');
  if (/\.deb$/i.test(text)) return ['dpkg'];
  if (/\.rpm$/i.test(text)) return ['rpm'];
  if (/\.apk$/i.test(text)) return ['apk'];
  if (/\.whl$/i.test(text) || /manylinux|musllinux/i.test(text)) return ['python'];
  const after = text.slice(hit.end);
  if (/^-unknown-linux-musl/i.test(after)) return ['rust-musl'];
  if (/^-unknown-linux-gnu/i.test(after)) return ['rust-gnu'];
  if (/^-linux-gnu/i.test(after)) return ['gnu'];
  return [...hit.vocabularies];
}

function matchCase(word: string, like: string): string {
  return like === like.toUpperCase() && like !== like.toLowerCase() ? word.toUpperCase() : word;
}

type Words = { ok: true; words: Map<string, string> } | { ok: false; note: string };

/** The vendor's (or the token's own vocabulary's) word for each platform. */
function wordsFor(c: Pick<Candidate, 'text'>, hit: TokenHit, vendor: Vendor | undefined, platforms: readonly Platform[]): Words {
  const words = new Map<string, string>();
  if (vendor) {
    for (const p of platforms) {
      const w = vendorToken(vendor, p);
      if (w === null) return { ok: false, note: `${vendor.name} publishes no build for ${formatPlatform(p)}` };
      if (w === undefined) return { ok: false, note: `the word ${vendor.name} uses for ${formatPlatform(p)} is not known` };
      words.set(formatPlatform(p), w);
    }
    return { ok: true, words };
  }
  // The token's own vocabularies, minus those that only alias it (oci) or rarely name files
  // (node, bashbrew); triplet vocabularies count by their CPU part.
  let vocabs = contextVocabularies(c.text, hit);
  const narrowed = vocabs.filter((v) => v !== 'oci' && v !== 'node' && v !== 'bashbrew');
  if (narrowed.length) vocabs = narrowed;
  const triplet = new Set<Vocabulary>(['gnu', 'multiarch', 'rust-gnu', 'rust-musl']);
  const whole = !/^-(unknown-)?linux-/i.test(c.text.slice(hit.end));
  for (const p of platforms) {
    const options = new Set(
      vocabs
        .map((v) => {
          const w = toVocabulary(p, v);
          return w && whole && triplet.has(v) ? w.split('-')[0] : w;
        })
        .filter((w): w is string => !!w),
    );
    if (options.size !== 1) {
      return {
        ok: false,
        note: `unknown vendor, and the word "${hit.text}" does not tell which name it uses for ${formatPlatform(p)}`,
      };
    }
    words.set(formatPlatform(p), matchCase([...options][0] as string, hit.text));
  }
  return { ok: true, words };
}

/** Other places in the same instruction that repeat the downloaded file's name. */
function occurrences(model: Model, c: Candidate, hit: TokenHit): { offset: number; singleQuoted: boolean }[] {
  const out = [{ offset: c.sourceAt(hit.start), singleQuoted: c.singleQuoted }];
  const segStart = c.text.lastIndexOf('/', hit.start) + 1;
  let segEnd = c.text.indexOf('/', hit.end);
  if (segEnd === -1) segEnd = c.text.length;
  const segment = c.text.slice(segStart, segEnd);
  if (segment.length < hit.text.length + 4 || c.kind !== 'run-url') return out;
  const within = hit.start - segStart;
  for (const source of model.shell(c.instruction)) {
    for (const cmd of source.script.commands) {
      for (const w of [...cmd.assignments, ...cmd.words]) {
        const raw = source.text.text.slice(w.start, w.end);
        for (let i = raw.indexOf(segment); i !== -1; i = raw.indexOf(segment, i + 1)) {
          const off = toSourceOffset(source.text, w.start + i + within);
          if (out.some((o) => o.offset === off)) continue;
          out.push({ offset: off, singleQuoted: inSingleQuotes(raw, i + within) });
        }
      }
    }
  }
  return out;
}

/** The word a message shows: the architecture word, or for an unsuffixed vendor asset its platform. */
function archText(hit: TokenHit): string {
  return hit.implicit ? hit.platforms.map(formatPlatform).join(', ') : hit.text;
}

function planFix(
  model: Model,
  ctx: RuleContext<typeof messages>,
  c: Candidate,
  hit: TokenHit,
  platforms: readonly Platform[],
  builder: boolean,
): { fix?: Edit[]; note?: string } {
  if (hit.implicit) {
    return { note: 'the vendor names this build with no architecture word (the others have one): pick each platform\'s file in a RUN step (case "$TARGETARCH" in ...)' };
  }
  const vendor = findVendor(c.text);
  const words = wordsFor(c, hit, vendor, platforms);
  if (!words.ok) return { note: words.note };
  const occ = occurrences(model, c, hit);
  if (occ.some((o) => o.singleQuoted)) return { note: 'the architecture word sits inside single quotes, where the shell expands nothing' };
  const prefix = builder ? 'BUILD' : 'TARGET';
  const style = builder ? 'targetarch' : ctx.fixStyle;
  const equalsArg = platforms.every((p) => words.words.get(formatPlatform(p)) === toVocabulary(p, 'targetarch'));
  const replace = (text: string): Edit[] => occ.map((o) => ({ start: o.offset, end: o.offset + hit.text.length, text }));
  const stage = c.stage;

  if (style === 'targetarch' && equalsArg) {
    return { fix: [...declareArgs(model, stage, [`${prefix}ARCH`], c.index, platforms[0] as Platform), ...replace(`\${${prefix}ARCH}`)] };
  }
  if (c.kind !== 'run-url' && c.kind !== 'run-file') {
    return { note: `${c.instruction.keyword.toUpperCase()} runs no shell to map ${prefix}ARCH to the vendor's word; download it in a RUN instead` };
  }
  if (!c.source) return {};
  const mapped = mappingEdits(model, stage, c.source, c.index, words.words, platforms, vendor?.name, style, builder);
  if (!mapped) return { note: 'two target platforms share one architecture word but need different files' };
  return { fix: [...mapped.edits, ...replace(`\${${mapped.variable}}`)] };
}

function linuxTargets(ctx: RuleContext<typeof messages>): Platform[] {
  return ctx.platforms.filter((p) => p.os === 'linux');
}

function checkStage(model: Model, stage: Stage, ctx: RuleContext<typeof messages>): void {
  // the targets this stage is built for: one per-architecture stage (`FROM build-${TARGETARCH}`) only its own
  const own = stagePlatforms(stage, ctx.platforms, model);
  const targets = own === 'builder' ? linuxTargets(ctx) : own.filter((p) => p.os === 'linux');
  if (stage.windows || targets.length === 0) return;
  const candidates = downloadCandidates(model, stage);
  // Several architectures downloaded by one instruction: a deliberate multi-arch fetch.
  const perInstruction = new Map<number, Set<string>>();
  for (const c of candidates) {
    const set = perInstruction.get(c.index) ?? new Set<string>();
    for (const f of families(c.hits)) set.add(f);
    perInstruction.set(c.index, set);
  }
  // The same file for several architectures in one instruction (`curl …-amd64.tgz && curl …-arm64.tgz`):
  // on purpose; two different tools, one of them for one architecture only, are not.
  const perTemplate = new Map<string, Set<string>>();
  for (const c of candidates) {
    const key = `${c.index}|${fileTemplate(c)}`;
    const set = perTemplate.get(key) ?? new Set<string>();
    for (const f of families(c.hits)) set.add(f);
    perTemplate.set(key, set);
  }
  const covered = new Set<string>();
  const urlFiles = new Set(
    candidates.filter((c) => c.kind === 'run-url').map((c) => `${c.index}|${c.text.slice(c.text.lastIndexOf('/') + 1)}`),
  );
  const fanOut = fanOutFiles(candidates);
  for (const c of candidates) {
    if (families(c.hits).size !== 1) continue; // host and target in one name (cross toolchains): cannot tell
    if ((perTemplate.get(`${c.index}|${fileTemplate(c)}`)?.size ?? 0) > 1) continue;
    if (c.command && onlyNames(c.command)) continue; // rm, ls, test -f, echo: names the file, brings nothing in
    if (fanOut.has(fileTemplate(c))) continue; // the stage fetches this file for several architectures on purpose
    if (c.kind === 'run-file' && urlFiles.has(`${c.index}|${c.text}`)) continue;
    const hit = c.hits[0] as TokenHit;
    const key = `${c.sourceAt(hit.start)}`;
    if (covered.has(key)) continue;
    covered.add(key);
    const range = rangeAt(model.file.lineStarts, c.sourceAt(hit.start), c.sourceAt(hit.end - 1) + 1);
    const file = c.text.slice(c.text.lastIndexOf('/') + 1) || c.text;
    if (c.command && isArchGuarded(c.command)) {
      const caseBranch = [...c.command.branches].reverse().find((b) => b.kind === 'case' && isArchBranch(b));
      if (caseBranch && caseBranch.kind === 'case') {
        const pats = caseBranch.patterns.filter((p) => p !== '*');
        const patHits = pats.flatMap((p) => findArchTokensLoose(p));
        const tokenArchs = new Set(hit.platforms.map((p) => p.architecture));
        if (patHits.length === pats.length && patHits.length > 0 && !patHits.some((a) => tokenArchs.has(a))) {
          ctx.report({
            messageId: 'branchMismatch',
            range,
            data: { file, arch: archText(hit), branch: pats.join('|') },
            fixNote: 'the intended file for this branch is not known',
          });
        }
      }
      continue;
    }
    if (stage.onBuildPlatform) {
      const fix = planFix(model, ctx, c, hit, ctx.builderPlatforms, true);
      ctx.report({
        messageId: 'builder',
        range,
        severity: 'warning',
        data: { file, arch: archText(hit) },
        ...(fix.fix ? { fix: fix.fix } : {}),
        ...(fix.note ? { fixNote: fix.note } : {}),
      });
      continue;
    }
    const wrong = targets.filter((p) => !tokenNames(hit, p));
    if (wrong.length === 0) continue; // every target is this architecture: single-arch on purpose
    const fix = planFix(model, ctx, c, hit, targets, false);
    ctx.report({
      // every target is another architecture (a per-architecture Dockerfile, a one-platform build): not "also"
      messageId: wrong.length === targets.length ? 'downloadOther' : 'download',
      range,
      data: { file, arch: archText(hit), platforms: wrong.map(formatPlatform).join(', ') },
      platforms: wrong.map(formatPlatform),
      ...(fix.fix ? { fix: fix.fix } : {}),
      ...(fix.note ? { fixNote: fix.note } : {}),
    });
  }
  checkFlow(model, stage, ctx, targets, covered, perInstruction);
  checkTemplates(model, stage, ctx, stage.onBuildPlatform ? ctx.builderPlatforms : targets);
}

/** The file a candidate names with its architecture word left out (`tool-linux-*.tar.gz`). */
function fileTemplate(c: Candidate): string {
  const hit = c.hits[0] as TokenHit;
  const file = c.text.slice(0, hit.start) + '*' + c.text.slice(hit.end);
  return file.slice(file.lastIndexOf('/') + 1);
}

/**
 * Files a stage fetches for several architectures, in separate instructions (a release stage
 * that downloads every build): deliberate, as within one instruction.
 */
function fanOutFiles(candidates: readonly Candidate[]): Set<string> {
  const archs = new Map<string, Set<string>>();
  for (const c of candidates) {
    if (c.hits.length !== 1 || (c.command && onlyNames(c.command))) continue;
    const key = fileTemplate(c);
    const set = archs.get(key) ?? new Set<string>();
    for (const f of families(c.hits)) set.add(f);
    archs.set(key, set);
  }
  return new Set([...archs].filter(([, set]) => set.size > 1).map(([key]) => key));
}

/** The file a traced URL names, unknown parts shown as `…`. */
function tracedFile(text: string): string {
  const path = text.replace(/[?#].*$/, '');
  return (path.slice(path.lastIndexOf('/') + 1) || path).split(UNKNOWN).join('…');
}

/**
 * Architecture words that reach a download through variables (`ENV ARCH linux-x86_64`, then
 * `curl …protoc-$V-$ARCH.zip`; `GH_ARCH=linux_amd64; curl …${GH_ARCH}…`): reported once, at the
 * assignment that wrote the word, naming the download. An ARG whose default is just an
 * architecture word is AA117's.
 */
function checkFlow(
  model: Model,
  stage: Stage,
  ctx: RuleContext<typeof messages>,
  targets: readonly Platform[],
  covered: Set<string>,
  perInstruction: Map<number, Set<string>>,
): void {
  const uses = downloadUses(model, stage, targets[0] as Platform);
  if (!uses.length) return;
  type Found = { use: DownloadUse; hit: TokenHit; url: string; origin: ValueOrigin; offset: number };
  const found: Found[] = [];
  const fams = new Map<number, Set<string>>();
  for (const use of uses) {
    if (use.guarded) continue;
    const url = use.traced.text.slice(use.start, use.end);
    const hits = findArchTokens(url);
    const f = families(hits);
    const set = fams.get(use.index) ?? new Set(perInstruction.get(use.index));
    for (const x of f) set.add(x);
    fams.set(use.index, set);
    if (f.size !== 1) continue;
    const hit = hits[0] as TokenHit;
    const o = originOf(use.traced, use.start + hit.start, use.start + hit.end);
    if (!o) continue;
    found.push({ use, hit, url, origin: o.origin, offset: o.offset });
  }
  for (const f of found) {
    if ((fams.get(f.use.index)?.size ?? 0) > 1) continue; // several architectures on purpose
    if (f.origin.kind === 'arg' && archWordValue(f.origin.raw)) continue; // AA117
    const key = `${f.offset}`;
    if (covered.has(key)) continue;
    covered.add(key);
    const builder = stage.onBuildPlatform;
    const platforms = builder ? ctx.builderPlatforms : targets;
    const wrong = builder ? platforms : platforms.filter((p) => !tokenNames(f.hit, p));
    if (!wrong.length) continue;
    const range = rangeAt(model.file.lineStarts, f.offset, f.offset + f.hit.text.length);
    const fix = planFlowFix(model, ctx, f.url, f.hit, f.origin, f.offset, platforms, builder);
    const data = { variable: f.origin.name, arch: f.hit.text, use: f.use.use, line: String(f.use.line), file: tracedFile(f.url) };
    const extra = { ...(fix.fix ? { fix: fix.fix } : {}), ...(fix.note ? { fixNote: fix.note } : {}) };
    if (builder) ctx.report({ messageId: 'flowBuilder', range, severity: 'warning', data, ...extra });
    else {
      const names = wrong.map(formatPlatform);
      ctx.report({ messageId: 'flow', range, platforms: names, data: { ...data, platforms: names.join(', ') }, ...extra });
    }
  }
}

/** The fix at the assignment: `${TARGETARCH}` where it is the vendor's word, else a mapping in the RUN. */
function planFlowFix(
  model: Model,
  ctx: RuleContext<typeof messages>,
  url: string,
  hit: TokenHit,
  origin: ValueOrigin,
  offset: number,
  platforms: readonly Platform[],
  builder: boolean,
): { fix?: Edit[]; note?: string } {
  const vendor = findVendor(url);
  const words = wordsFor({ text: url }, hit, vendor, platforms);
  if (!words.ok) return { note: words.note };
  const at = (() => {
    for (let i = 0; i < origin.raw.length; i++) if (origin.sourceAt(i) === offset) return i;
    return -1;
  })();
  if (at === -1 || origin.singleQuoted(at)) return { note: 'the architecture word sits inside single quotes, where nothing is expanded' };
  const prefix = builder ? 'BUILD' : 'TARGET';
  const equalsArg = platforms.every((p) => words.words.get(formatPlatform(p)) === toVocabulary(p, 'targetarch'));
  const replace = (text: string): Edit => ({ start: offset, end: offset + hit.text.length, text });
  const shell = origin.kind === 'shell' && origin.source && origin.stage;
  if (equalsArg && (ctx.fixStyle === 'targetarch' || builder || !shell)) {
    const declare = origin.stage ? declareArgs(model, origin.stage, [`${prefix}ARCH`], origin.index, platforms[0] as Platform) : [];
    return { fix: [...declare, replace(`\${${prefix}ARCH}`)] };
  }
  if (!shell || !origin.source || !origin.stage) {
    return { note: `${origin.kind.toUpperCase()} runs no shell to map ${prefix}ARCH to the vendor's word; set ${origin.name} in the RUN that downloads, with a case` };
  }
  const style = builder ? 'targetarch' : ctx.fixStyle;
  const mapped = mappingEdits(model, origin.stage, origin.source, origin.index, words.words, platforms, vendor?.name, style, builder);
  if (!mapped) return { note: 'two target platforms share one architecture word but need different files' };
  return { fix: [...mapped.edits, replace(`\${${mapped.variable}}`)] };
}

/** The architectures a whole word names (a case pattern, an apt arch=), or []. */
function findArchTokensLoose(word: string): string[] {
  const clean = word.replace(/^['"]|['"]$/g, '');
  const hits = findArchTokens(`linux-${clean}`);
  if (hits.length !== 1 || (hits[0] as TokenHit).text.length !== clean.length) return [];
  return [...new Set((hits[0] as TokenHit).platforms.map((p) => p.architecture))];
}

interface TemplateUse {
  readonly url: string;
  /** source offset of position i of the URL */
  readonly at: (i: number) => number;
  readonly run?: { readonly source: ShellSource; readonly raw: string; readonly index: number };
  readonly guarded: boolean;
  readonly index: number;
}

/** URLs with a variable in them: RUN words, and ADD, ENV and ARG values. */
function templateUrls(model: Model, stage: Stage): TemplateUse[] {
  const out: TemplateUse[] = [];
  stage.instructions.forEach((ins, index) => {
    if (!instructionMentions(ins, /ARCH/)) return;
    if (ins.keyword === 'run') {
      for (const u of runUrls(model, ins)) {
        if (!u.url.includes('$')) continue;
        const start = u.word.start + u.index;
        out.push({
          url: u.url,
          at: (i) => toSourceOffset(u.source.text, start + i),
          run: { source: u.source, raw: u.raw, index: u.index },
          guarded: isArchGuarded(u.command),
          index,
        });
      }
    } else if (ins.keyword === 'add' || ins.keyword === 'env' || ins.keyword === 'arg') {
      URL_RE.lastIndex = 0;
      for (let m = URL_RE.exec(ins.body.text); m; m = URL_RE.exec(ins.body.text)) {
        if (!m[0].includes('$')) continue;
        const start = m.index;
        out.push({ url: m[0], at: (i) => toSourceOffset(ins.body, start + i), guarded: false, index });
      }
    }
  });
  return out;
}

/**
 * `tini-${TARGETARCH}`: the platform ARG gives BuildKit's word, which is not the vendor's word on
 * every target (tini calls arm/v7 `armhf` and ppc64le `ppc64el`; TARGETARCH says `arm`, `ppc64le`).
 */
function checkTemplates(model: Model, stage: Stage, ctx: RuleContext<typeof messages>, platforms: readonly Platform[]): void {
  if (stage.windows || platforms.length === 0) return;
  const prefix = stage.onBuildPlatform ? 'BUILD' : 'TARGET';
  for (const t of templateUrls(model, stage)) {
    if (t.guarded) continue;
    const m = matchVendorUrl(t.url, { allowVariables: true });
    if (!m || !m.isVariable || m.token === undefined || m.tokenStart < 0) continue;
    const ref = /^\$\{?([A-Z]+ARCH)\}?$/.exec(m.token);
    if (!ref || ref[1] !== `${prefix}ARCH`) continue;
    const vendor = m.vendor;
    const range = rangeAt(model.file.lineStarts, t.at(m.tokenStart), t.at(m.tokenEnd - 1) + 1);
    const file = t.url.slice(t.url.lastIndexOf('/') + 1) || t.url;
    const missing = platforms.filter((p) => vendorToken(vendor, p) === null);
    if (missing.length) {
      ctx.report({
        messageId: 'templateMissing',
        range,
        data: { vendor: vendor.name, platforms: missing.map(formatPlatform).join(', '), variable: m.token },
        platforms: missing.map(formatPlatform),
        fixNote: `${vendor.name} publishes nothing for ${missing.map(formatPlatform).join(', ')}: build it another way there, or leave that platform out`,
      });
      continue;
    }
    const words = new Map<string, string>();
    for (const p of platforms) {
      const w = vendorToken(vendor, p);
      if (typeof w === 'string' && w !== '*') words.set(formatPlatform(p), w);
    }
    const wrong = platforms.filter((p) => {
      const w = words.get(formatPlatform(p));
      return w !== undefined && w !== toVocabulary(p, 'targetarch');
    });
    if (!wrong.length) continue;
    const first = wrong[0] as Platform;
    let fix: Edit[] | undefined;
    let fixNote: string | undefined;
    const complete = platforms.every((p) => words.has(formatPlatform(p)));
    if (!t.run) fixNote = `${prefix}ARCH cannot be mapped to the vendor's word outside a RUN: download it in a RUN instead`;
    else if (!complete) fixNote = `the word ${vendor.name} uses for some target platform is not known`;
    else if (inSingleQuotes(t.run.raw, t.run.index + m.tokenStart)) fixNote = 'the URL is in single quotes, where the shell expands nothing';
    else {
      const mapped = mappingEdits(model, stage, t.run.source, t.index, words, platforms, vendor.name, ctx.fixStyle, stage.onBuildPlatform);
      if (!mapped) fixNote = 'two target platforms share one architecture word but need different files';
      else fix = [...mapped.edits, { start: range.start.offset, end: range.end.offset, text: `\${${mapped.variable}}` }];
    }
    ctx.report({
      messageId: 'templateWord',
      range,
      data: {
        file,
        variable: m.token,
        vendor: vendor.name,
        platform: formatPlatform(first),
        word: words.get(formatPlatform(first)) ?? '',
        arch: toVocabulary(first, 'targetarch') ?? '',
      },
      platforms: wrong.map(formatPlatform),
      ...(fix ? { fix } : {}),
      ...(fixNote ? { fixNote } : {}),
    });
  }
}

export default defineRule({
  meta: {
    id: 'AA101',
    name: 'hardcoded-arch-download',
    title: 'A download or package name hard-codes one CPU architecture',
    severity: 'error',
    description:
      'A URL or file name in RUN, ADD, ARG or ENV names one architecture (amd64, x86_64, aarch64, armhf, ...), ' +
      'so every platform variant of the image gets that one binary. This is the Zasper bug: its Dockerfile ' +
      'downloaded go1.23.4.linux-amd64.tar.gz, and the arm64 image shipped x86-64 Go.',
    related: [],
    fixable: true,
  },
  messages,
  gate: /:\/\/|\.(?:deb|rpm|apk|whl|tar|tgz|txz|tbz2?|tzst|zip|gz|xz|bz2|zst|7z|run|bin|appimage|msi|pkg|exe|jar|sh)\b|arch=/i,
  check(model, ctx) {
    for (const stage of model.stages) checkStage(model, stage, ctx);
  },
});
