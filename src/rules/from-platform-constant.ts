/**
 * AA108: `FROM --platform=linux/amd64 …` (a constant, no variable) builds the stage for that one
 * platform whatever the target is. BuildKit calls this FromPlatformFlagConstDisallowed, hadolint
 * DL3029. Pins are often deliberate (Cloud Run runs only amd64), so nothing is fixed
 * automatically; single-architecture intent is declared through the target platforms.
 */
import type { Flag } from '../dockerfile/ast.js';
import type { Model, Stage } from '../dockerfile/model.js';
import {
  KNOWN_OSES,
  formatPlatform,
  isArchIndependentPath,
  isWebOutputPath,
  normalizeOS,
  samePlatform,
  tryParsePlatform,
  type Platform,
} from '../platform/index.js';
import { dropFlagEdit } from './support/fix.js';
import { targetsBuilding } from './support/stage-platforms.js';
import { defineRule, type RuleContext, type Suggestion } from './types.js';

const messages = {
  pinned: '--platform={value} builds this stage as {platform} for every target, also for {others}',
  pinnedBuilder:
    '--platform={value} runs this build stage as {platform} on every build machine; it cross-compiles for the target, so use --platform=$BUILDPLATFORM to avoid emulation on other machines',
  osOnly: '--platform={value} names no architecture: BuildKit uses the build machine\'s CPU for every target',
  badPlatform: '--platform={value} is not a valid platform (expected os/arch[/variant], e.g. linux/arm64)',
} as const;

const FIX_NOTE =
  'a constant --platform is often deliberate (a runtime that only runs one CPU, a tool published for one ' +
  'architecture); drop the flag for a multi-platform stage, use $BUILDPLATFORM for a build stage that ' +
  'cross-compiles, or declare the single target (platforms: [linux/amd64] in .anyarch.yaml)';

/** BuildKit's exemption: the stage name contains the platform's OS or architecture (`AS build_amd64`). */
function nameExempts(stage: Stage, os: string, archs: readonly string[]): boolean {
  const name = stage.name;
  if (!name) return false;
  if (os && name.includes(os)) return true;
  return archs.some((a) => a !== '' && name.includes(a.toLowerCase()));
}

function suggestionsFor(model: Model, stage: Stage, flag: Flag, image: ReadonlySet<Stage>): Suggestion[] {
  const out: Suggestion[] = [{ title: 'Remove the --platform flag (build the stage for each target)', edits: [dropFlagEdit(model, flag)] }];
  if (!image.has(stage) && flag.valueRange) {
    out.push({
      title: 'Run this build stage on the build machine ($BUILDPLATFORM) and cross-compile',
      edits: [{ start: flag.valueRange.start.offset, end: flag.valueRange.end.offset, text: '$BUILDPLATFORM' }],
    });
  }
  return out;
}

/** A JavaScript build stage (node, bun or deno image, or npm/yarn/pnpm run in it): its dist/ and build/ are web assets. */
const JS_IMAGE = /(?:^|\/)(?:node|bun|deno|oven\/bun|denoland\/deno)(?::|@|$)/i;
const JS_BUILD = /\b(?:npm|yarn|pnpm|npx|bun|deno)\b/;

function jsStage(stage: Stage): boolean {
  for (let s: Stage | null = stage; s; s = s.parent) {
    if (JS_IMAGE.test(s.image.value) || s.instructions.some((i) => i.keyword === 'run' && JS_BUILD.test(i.body.text))) return true;
  }
  return false;
}

/**
 * The stage only provides files that are the same on every CPU (CA bundles, zoneinfo, passwd,
 * scripts, the static output of a JavaScript build) to the stages that read it: pinning it to one
 * platform changes no byte of any image. A stage that becomes the image, is built FROM by another
 * stage, or that nothing reads is not such a provider.
 */
function providesOnlyIndependentFiles(model: Model, stage: Stage, image: ReadonlySet<Stage>): boolean {
  if (image.has(stage) || (model.perPlatformStages && model.chosenPerPlatform.has(stage))) return false;
  const consumers = model.graph.consumers(stage);
  if (!consumers.length) return false;
  const js = jsStage(stage);
  return consumers.every(
    (e) => e.kind !== 'from' && e.paths.length > 0 && e.paths.every((p) => isArchIndependentPath(p) || (js && isWebOutputPath(p))),
  );
}

/** Compiling for the target platform: GOARCH/--target from TARGET* ARGs, or tonistiigi/xx's helpers. */
const TARGET_COMPILE = /\b(?:GOARCH|GOOS|CARGO_BUILD_TARGET)=["']?\$\{?TARGET(?:ARCH|OS)\b|--target[= ]["']?\$\{?TARGET|\bxx-(?:go|cargo|clang|apk|apt-get|verify)\b/;

function crossCompilesForTarget(stage: Stage): boolean {
  for (let s: Stage | null = stage; s; s = s.parent) {
    if (s.instructions.some((i) => i.keyword === 'run' && TARGET_COMPILE.test(i.body.text))) return true;
  }
  return false;
}

/**
 * The constant platform the image itself is pinned to (`FROM --platform=linux/amd64 alpine` as the
 * final stage, or a stage it is built FROM), or undefined.
 */
function imagePlatform(image: ReadonlySet<Stage>): Platform | undefined {
  for (const s of image) {
    const v = s.platform?.value?.trim();
    if (v && !v.includes('$')) return tryParsePlatform(v);
  }
  return undefined;
}

function checkStage(
  model: Model,
  stage: Stage,
  ctx: RuleContext<typeof messages>,
  image: ReadonlySet<Stage>,
  imagePin: Platform | undefined,
): void {
  const flag = stage.platform;
  if (!flag || flag.value === null || !flag.valueRange) return;
  // built only for the targets that choose it (`FROM build-${TARGETARCH}`): judged against those
  const targets = targetsBuilding(stage, ctx.platforms, model);
  if (!targets.length) return;
  const value = flag.value.trim();
  if (value.includes('$')) return; // a variable: not a constant (BuildKit skips any substitution)
  const range = flag.valueRange;
  const words = value.split('/');
  const written = (words.length === 1 ? words[0] : words[1]) ?? '';

  // `--platform=linux`: containerd fills in the architecture of the machine that runs the build
  if (words.length === 1 && KNOWN_OSES.includes(normalizeOS(value))) {
    const os = normalizeOS(value);
    if (nameExempts(stage, os, [])) return;
    ctx.report({
      messageId: 'osOnly',
      range,
      data: { value },
      fixNote: FIX_NOTE,
      suggestions: suggestionsFor(model, stage, flag, image),
    });
    return;
  }

  const p: Platform | undefined = tryParsePlatform(value);
  if (!p) {
    ctx.report({ messageId: 'badPlatform', range, data: { value } });
    return;
  }
  if (nameExempts(stage, p.os, [p.architecture, written])) return;
  // another OS than every target (a darwin SDK stage, a Windows stage in a Linux check): deliberate
  if (!targets.some((t) => t.os === p.os)) return;
  // single-architecture on purpose: every target is this platform
  if (targets.every((t) => samePlatform(t, p))) return;
  // a stage that only hands CA bundles, zoneinfo, passwd, scripts or web assets to the image
  if (providesOnlyIndependentFiles(model, stage, image)) return;
  // the image itself is pinned to this platform (reported there): a build stage pinned alike follows it
  if (imagePin && !image.has(stage) && samePlatform(imagePin, p)) return;
  // a build stage that compiles for TARGETARCH: the pin only chooses the build machine (like $BUILDPLATFORM)
  if (!image.has(stage) && crossCompilesForTarget(stage)) {
    ctx.report({
      messageId: 'pinnedBuilder',
      severity: 'info',
      range,
      data: { value, platform: formatPlatform(p) },
      fixNote: FIX_NOTE,
      suggestions: suggestionsFor(model, stage, flag, image),
    });
    return;
  }
  const others = targets.filter((t) => !samePlatform(t, p)).map(formatPlatform);
  ctx.report({
    messageId: 'pinned',
    range,
    data: { value, platform: formatPlatform(p), others: others.join(', ') },
    platforms: others,
    fixNote: FIX_NOTE,
    suggestions: suggestionsFor(model, stage, flag, image),
  });
}

export default defineRule({
  meta: {
    id: 'AA108',
    name: 'from-platform-constant',
    title: 'FROM --platform with a constant pins every target to one platform',
    severity: 'warning',
    description:
      '`FROM --platform=linux/amd64` builds the stage for amd64 whatever platform the image is built for, so the ' +
      'arm64 variant of the image contains amd64 files (or the build runs under emulation). Stages named after ' +
      'the platform (`AS build_amd64`) are exempt, as in BuildKit, and so is a pin equal to every target platform.',
    related: ['DL3029', 'FromPlatformFlagConstDisallowed'],
    fixable: false,
  },
  messages,
  gate: /--platform/i,
  check(model, ctx) {
    const image = model.graph.imageStages;
    const imagePin = imagePlatform(image);
    for (const stage of model.stages) checkStage(model, stage, ctx, image, imagePin);
  },
});
