/**
 * AA109: `FROM --platform=$BUILDPLATFORM …` on the stage that becomes the image (the final stage,
 * or a stage the final stage is built FROM). That stage is pulled for the build machine, so every
 * platform variant of the image gets the builder's CPU (hadolint#982; zone-eu/wildduck#1004).
 * Build stages that cross-compile on $BUILDPLATFORM and hand files to the final stage are fine.
 */
import type { Model, Stage } from '../dockerfile/model.js';
import { dropFlagEdit } from './support/fix.js';
import { defineRule, type RuleContext } from './types.js';

const messages = {
  final: 'the final stage uses the build machine\'s platform ({flag}): every platform variant of the image gets the builder\'s CPU',
  base: 'stage {stage} uses the build machine\'s platform ({flag}) and the final stage {final} is built FROM it: the image gets the builder\'s CPU',
} as const;

const FIX_NOTE =
  'removing the flag makes the stage run on each target platform (under emulation when it is not the ' +
  'build machine\'s): keep the build on $BUILDPLATFORM in a separate stage and COPY its output into a ' +
  'final stage without --platform';

/** An export-only stage: `FROM scratch` with files and no command, for `--output type=local`. */
function isArtifactStage(stage: Stage): boolean {
  if (stage.image.value.toLowerCase() !== 'scratch' || stage.parent) return false;
  return !stage.instructions.some((i) => i.keyword === 'cmd' || i.keyword === 'entrypoint');
}

/** The flag value for a message, with `${NAME}` written as `$NAME`. */
function flagText(value: string): string {
  return `--platform=${value.replace(/\$\{(\w+)\}/g, '$$$1')}`;
}

function stageLabel(s: Stage): string {
  return s.name ?? `stage-${s.index}`;
}

/**
 * Final stages named for a CI or developer target (`validate`, `lint`, `update`, `dev`): the
 * Dockerfile is run for its checks or outputs (`--output type=cacheonly`), not pushed as an image.
 */
const TOOL_TARGET =
  /^(validate|lint|tests?|update|vendor|vendored|generate|generated|gen|docs?|check|fmt|format|release|releaser|export|artifacts?|binaries|out|output|dist|dev|devcontainer|ci)([-_.].*)?$/;

function checkStage(model: Model, stage: Stage, ctx: RuleContext<typeof messages>): void {
  const flag = stage.platform;
  if (!flag || !flag.valueRange || !stage.onBuildPlatform) return;
  const final = model.finalStage as Stage;
  if (stage === final && isArtifactStage(stage)) return;
  if (final.name && TOOL_TARGET.test(final.name)) return;
  const rest = {
    range: flag.valueRange,
    fixNote: FIX_NOTE,
    suggestions: [{ title: 'Remove the --platform flag (the stage is built for each target)', edits: [dropFlagEdit(model, flag)] }],
  };
  const text = flagText(flag.value ?? '');
  ctx.report(
    stage === final
      ? { messageId: 'final', data: { flag: text }, ...rest }
      : { messageId: 'base', data: { flag: text, stage: stageLabel(stage), final: stageLabel(final) }, ...rest },
  );
}

export default defineRule({
  meta: {
    id: 'AA109',
    name: 'final-stage-build-platform',
    title: 'The stage that becomes the image runs on $BUILDPLATFORM',
    severity: 'warning',
    description:
      '`--platform=$BUILDPLATFORM` makes a stage use the build machine\'s platform. That is right for a build ' +
      'stage that cross-compiles, but on the final stage (or a stage the final stage is built FROM) it puts ' +
      'the builder\'s base image into every platform variant: an image built on amd64 for arm64 contains amd64 ' +
      'binaries and fails with "exec format error".',
    related: [],
    fixable: false,
  },
  messages,
  gate: /BUILD(?:PLATFORM|OS|ARCH)/,
  check(model, ctx) {
    for (const stage of model.graph.imageStages) checkStage(model, stage, ctx);
  },
});
