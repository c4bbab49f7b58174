/**
 * AA113: a base image that exists for one architecture only: the arch-prefixed Docker Hub
 * namespaces docker-library publishes per architecture (`amd64/alpine`, `arm64v8/debian`) and
 * tags that name one architecture (`foo:1.2-amd64`, `foo:latest-arm64v8`). Every platform
 * variant of the image gets that architecture's base. Checked after expanding ARGs, per target.
 */
import type { Model, Stage } from '../dockerfile/model.js';
import { archTokens, formatPlatform, platformsForToken, samePlatform, tryParsePlatform, type Platform } from '../platform/index.js';
import { stagePlatforms } from './support/stage-platforms.js';
import { defineRule, type RuleContext, type Suggestion } from './types.js';

const messages = {
  namespace: '{image} comes from the {word}/ namespace, which holds only {arch} images; this stage is also built for {platforms}',
  tag: 'the tag of {image} names one architecture ({word}, {arch}); this stage is also built for {platforms}',
  builder: '{image} holds only {arch} images, but this stage runs on the build machine, which may be another CPU',
} as const;

/** How per-architecture tags spell an architecture, besides the namespace words (`foo:1.2-x86_64`, `…-armhf`). */
const TAG_SPELLINGS: readonly string[] = ['x86_64', 'x86-64', 'aarch64', 'arm64', 'armv7', 'armv7l', 'armhf', 'armv6', 'armv6l', 'armel', 'i686', 'ppc64el'];

interface PinWords {
  /** docker-library's per-architecture namespaces: the bashbrew vocabulary (`arm32v7`) */
  readonly namespaces: ReadonlyMap<string, Platform>;
  /** the namespace words and the tag spellings, lower-cased */
  readonly tags: ReadonlyMap<string, Platform>;
  /** a tag word between separators, the longest first */
  readonly tagRe: RegExp;
}

let pinWords: PinWords | undefined;

/** The words that pin an image to one architecture and the platform each names, read from src/platform once. */
function words(): PinWords {
  if (pinWords) return pinWords;
  const namespaces = new Map<string, Platform>();
  for (const t of archTokens()) if (t.vocabularies.includes('bashbrew')) namespaces.set(t.token, platformsForToken(t.token, 'bashbrew')[0] as Platform);
  const tags = new Map(namespaces);
  for (const w of TAG_SPELLINGS) {
    // a word the vocabularies disagree on (armhf: arm/v7 for dpkg, arm/v6 for apk) names what containerd reads it as
    const all = platformsForToken(w);
    tags.set(w, (all.length === 1 ? all[0] : platformsForToken(w, 'oci')[0]) as Platform);
  }
  const alternatives = [...tags.keys()].sort((a, b) => b.length - a.length).map((w) => w.replace(/[-.]/g, '\\$&'));
  pinWords = { namespaces, tags, tagRe: new RegExp(`(?:^|[-_.])(${alternatives.join('|')})(?=$|[-_.])`, 'i') };
  return pinWords;
}

/** Tags and repositories of cross toolchains name the *target* of the compiler (`rust-musl-cross:aarch64-musl`). */
const CROSS_TAG = /musl|gnu|eabi|cross/i;
const CROSS_REPO = /cross|toolchain|musl|sdk-?arm|mingw|qemu|binfmt/i;

interface ImageRef {
  /** registry host (docker.io forms removed: '' for Docker Hub) */
  readonly registry: string;
  /** the repository path without the registry */
  readonly path: string;
  readonly tag: string;
  readonly digest: string;
}

function parseRef(image: string): ImageRef {
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry = '';
  const first = rest.split('/')[0] ?? '';
  if (rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first.toLowerCase();
    rest = rest.slice(first.length + 1);
  }
  if (registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = '';
  return { registry, path: rest, tag, digest };
}

interface Pin {
  readonly kind: 'namespace' | 'tag';
  readonly word: string;
  readonly platform: Platform;
}

function pinOf(image: string, builder: boolean): Pin | undefined {
  if (!image || image.includes('$')) return undefined;
  const ref = parseRef(image);
  const parts = ref.path.split('/');
  // the per-architecture namespaces are Docker Hub's (ghcr.io/amd64/... is somebody's account)
  const ns = ref.registry === '' && parts.length >= 2 ? (parts[0] ?? '').toLowerCase() : '';
  const { namespaces, tags, tagRe } = words();
  const nsPlatform = namespaces.get(ns);
  if (nsPlatform) return { kind: 'namespace', word: ns, platform: nsPlatform };
  if (builder || !ref.tag || CROSS_TAG.test(ref.tag) || CROSS_REPO.test(ref.path)) return undefined;
  const m = tagRe.exec(ref.tag);
  if (!m) return undefined;
  const word = m[1] as string;
  const platform = tags.get(word.toLowerCase());
  if (!platform) return undefined;
  // two architectures in one tag (`x86_64-aarch64`): a host and a target, not a pin
  const rest = ref.tag.slice(m.index + m[0].length);
  const again = tagRe.exec(rest);
  if (again && !samePlatform(tags.get((again[1] as string).toLowerCase()) ?? platform, platform)) return undefined;
  return { kind: 'tag', word, platform };
}

/** A pinned image serves a target with the same CPU; an older arm variant runs on a newer one (v6 on v7). */
function runsOn(pin: Platform, target: Platform): boolean {
  if (samePlatform(pin, target)) return true;
  if (pin.architecture !== target.architecture) return false;
  if (pin.architecture !== 'arm') return true;
  const level = (v: string): number => Number(/^v(\d)/.exec(v)?.[1] ?? 7);
  return level(pin.variant) <= level(target.variant);
}

/** The namespace suggestion: the same docker-library image without the prefix, when written literally. */
function dropNamespace(stage: Stage, ns: string): Suggestion | undefined {
  const written = stage.image.value;
  const m = /^((?:docker\.io\/|index\.docker\.io\/)?)([^/]+)\/([^/@]+)$/i.exec(written);
  if (!m || (m[2] as string).toLowerCase() !== ns) return undefined;
  const start = stage.image.range.start.offset + (m[1] as string).length;
  return {
    title: `Use the multi-arch image ${m[1] as string}${m[3] as string} (a different image: check its tags)`,
    edits: [{ start, end: start + ns.length + 1, text: '' }],
  };
}

function relevantPlatforms(model: Model, stage: Stage, ctx: RuleContext<typeof messages>): readonly Platform[] | undefined {
  const flag = stage.platform?.value;
  // a stage chosen per platform (`FROM build-${TARGETARCH}`, `FROM arm64v8/alpine AS build-arm64`): its own targets
  const own = stagePlatforms(stage, ctx.platforms, model);
  if (own !== 'builder' && own.length === 0) return undefined;
  if (stage.onBuildPlatform) return ctx.builderPlatforms;
  if (flag && !flag.includes('$')) {
    const p = tryParsePlatform(flag);
    return p ? [p] : undefined;
  }
  const linux = (own === 'builder' ? ctx.platforms : own).filter((p) => p.os === 'linux');
  return linux.length ? linux : undefined;
}

function checkStage(model: Model, stage: Stage, ctx: RuleContext<typeof messages>): void {
  if (stage.windows || stage.parent || stage.image.value.toLowerCase() === 'scratch') return;
  const platforms = relevantPlatforms(model, stage, ctx);
  if (!platforms) return;
  const builder = stage.onBuildPlatform;
  const target0 = ctx.platforms[0] ?? ctx.builderPlatforms[0] as Platform;
  const wrong: Platform[] = [];
  let first: { pin: Pin; image: string } | undefined;
  for (const p of platforms) {
    const view = builder ? model.view(stage, target0, p) : model.view(stage, p);
    const pin = pinOf(view.image, builder);
    if (!pin || runsOn(pin.platform, p)) continue;
    wrong.push(p);
    first ??= { pin, image: view.image };
  }
  if (!first) return;
  const { pin, image } = first;
  const suggestion = pin.kind === 'namespace' ? dropNamespace(stage, pin.word) : undefined;
  const arch = formatPlatform(pin.platform);
  const rest = {
    range: stage.image.range,
    platforms: builder ? [] : wrong.map(formatPlatform),
    ...(suggestion ? { suggestions: [suggestion] } : {}),
    fixNote:
      pin.kind === 'namespace'
        ? 'the image without the prefix is the multi-arch one, but it is a different image (its own tags and digests): offered as a suggestion'
        : 'use the tag without the architecture (the multi-arch manifest list), or select it per platform with ${TARGETARCH}',
  };
  ctx.report(
    builder
      ? { messageId: 'builder', data: { image, arch }, ...rest }
      : { messageId: pin.kind, data: { image, word: pin.word, arch, platforms: wrong.map(formatPlatform).join(', ') }, ...rest },
  );
}

export default defineRule({
  meta: {
    id: 'AA113',
    name: 'arch-pinned-base-image',
    title: 'The base image exists for one architecture only',
    severity: 'warning',
    description:
      'docker-library publishes every official image per architecture under namespaces such as amd64/, ' +
      'arm64v8/ and arm32v7/, and many vendors publish per-architecture tags (foo:1.2-amd64). Such a base ' +
      'image is the same single-architecture image for every target, so the other platform variants run ' +
      'under emulation or fail with "exec format error". The multi-arch image is the one without the prefix or suffix.',
    related: [],
    fixable: false,
  },
  messages,
  check(model, ctx) {
    for (const stage of model.stages) checkStage(model, stage, ctx);
  },
});
