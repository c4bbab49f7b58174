/**
 * AA112: a RUN (or ADD) that installs a language toolchain by hand from a one-architecture
 * download (Go, Node.js, Temurin, rustup-init, Docker static binaries) while a multi-arch
 * Docker Official Image ships it. Zasper's fix for its arm64 bug (zasper-io/zasper#16) was exactly
 * this: `FROM ubuntu:noble` plus a go1.23.4.linux-amd64 download became `FROM golang`.
 */
import type { Instruction } from '../dockerfile/ast.js';
import type { Model, Stage } from '../dockerfile/model.js';
import { rangeAt, toSourceOffset } from '../dockerfile/text.js';
import { VENDORS, matchVendorUrl, platformKey, type Vendor } from '../platform/index.js';
import { isArchGuarded } from './support/arch-branches.js';
import { runUrls } from './support/download.js';
import { stagePlatforms } from './support/stage-platforms.js';
import { URL_RE } from './support/url-arch-words.js';
import { defineRule, type RuleContext } from './types.js';

const messages = {
  useOfficial:
    'this installs {tool} by hand from a one-architecture download; the official image {image} ships it for every platform: use FROM {image} instead (the Zasper maintainers did)',
} as const;

/** Toolchains whose by-hand install is per architecture and whose official image is multi-arch. */
const TOOLCHAINS = new Set(['go', 'node', 'temurin', 'rust', 'docker']);

/** The official image with the tag the download's version suggests. */
function officialImageFor(vendor: Vendor, url: string, variant?: string): string | undefined {
  const image = vendor.officialImage;
  if (!image) return undefined;
  let m: RegExpExecArray | null;
  switch (vendor.name) {
    case 'go':
      m = /\/go(\d+\.\d+(?:\.\d+)?(?:rc\d+|beta\d+)?)\.linux-/.exec(url);
      return m ? `${image}:${m[1]}` : image;
    case 'node':
      m = /\/node-v(\d+\.\d+\.\d+)-linux-/.exec(url);
      if (variant === 'musl') return `${image}:${m ? `${m[1]}-` : ''}alpine`;
      return m ? `${image}:${m[1]}` : image;
    case 'temurin':
      m = /\/OpenJDK(\d+)U-(jdk|jre)_/i.exec(url);
      if (!m) return variant === 'alpine' ? `${image}:alpine` : image;
      return `${image}:${m[1]}-${(m[2] as string).toLowerCase()}${variant === 'alpine' ? '-alpine' : ''}`;
    case 'docker':
      m = /\/docker-(\d+\.\d+\.\d+)\.tgz/.exec(url);
      return m ? `${image}:${m[1]}-cli` : image;
    default:
      return image;
  }
}

interface Found {
  readonly url: string;
  readonly offset: number;
  readonly vendor: Vendor;
  readonly keys: readonly string[];
  readonly variant?: string;
}

/** Literal URL prefixes of the toolchains' patterns (`dl.google.com/go/go`), to skip other URLs fast. */
let prefixes: readonly string[] | undefined;
function mayMatch(url: string): boolean {
  prefixes ??= VENDORS.filter((v) => TOOLCHAINS.has(v.name)).flatMap((v) =>
    v.urlPatterns.map((p) => p.replace(/^https?:\/\//i, '').split('{')[0]?.toLowerCase() ?? ''),
  );
  const u = url.toLowerCase();
  return prefixes.some((p) => p !== '' && u.includes(p));
}

function match(url: string): { vendor: Vendor; keys: readonly string[]; variant?: string } | undefined {
  if (!mayMatch(url)) return undefined;
  const m = matchVendorUrl(url);
  if (!m || m.isVariable || m.token === undefined || !TOOLCHAINS.has(m.vendor.name) || !m.vendor.officialImage) return undefined;
  if (m.vendor.archIndependent || m.platformKeys.length === 0) return undefined;
  return { vendor: m.vendor, keys: m.platformKeys, ...(m.variant !== undefined ? { variant: m.variant } : {}) };
}

/** The first one-architecture toolchain download of an instruction. */
function firstDownload(model: Model, ins: Instruction): Found | undefined {
  if (ins.keyword === 'run') {
    for (const u of runUrls(model, ins)) {
      const v = match(u.url);
      // a per-architecture install (as the official images do it) is fine
      if (v && !isArchGuarded(u.command)) return { url: u.url, offset: u.offset, ...v };
    }
  } else if (ins.keyword === 'add') {
    URL_RE.lastIndex = 0;
    for (let m = URL_RE.exec(ins.body.text); m; m = URL_RE.exec(ins.body.text)) {
      const v = match(m[0]);
      if (v) return { url: m[0], offset: toSourceOffset(ins.body, m.index), ...v };
    }
  }
  return undefined;
}

/** `golang:1.22`, `docker.io/library/golang`, `golang@sha256:…` -> golang. */
function repository(image: string): string {
  const noDigest = image.split('@')[0] ?? '';
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const name = colon > slash ? noDigest.slice(0, colon) : noDigest;
  return name.replace(/^(docker\.io\/|index\.docker\.io\/)?(library\/)?/, '').toLowerCase();
}

function checkStage(model: Model, stage: Stage, ctx: RuleContext<typeof messages>): void {
  if (stage.windows) return;
  const platforms = stagePlatforms(stage, ctx.platforms, model);
  if (platforms === 'builder') return; // a tool for the build machine: AA101 says how to pick it
  const targets = platforms.filter((p) => p.os === 'linux').map(platformKey);
  if (!targets.length) return;
  const base = ctx.platforms[0] ? model.view(stage, ctx.platforms[0]).image : stage.image.value;
  for (const ins of stage.instructions) {
    const d = firstDownload(model, ins);
    if (!d) continue;
    if (repository(base) === d.vendor.officialImage) continue;
    if (targets.every((t) => d.keys.includes(t))) continue; // every target is this architecture
    const image = officialImageFor(d.vendor, d.url, d.variant) ?? (d.vendor.officialImage as string);
    ctx.report({
      messageId: 'useOfficial',
      range: rangeAt(model.file.lineStarts, d.offset, d.offset + d.url.length),
      data: { tool: d.vendor.title, image },
      fixNote: 'changing the base image changes the whole image (distribution, packages, users): a choice, not a fix',
    });
  }
}

export default defineRule({
  meta: {
    id: 'AA112',
    name: 'official-image-available',
    title: 'A toolchain installed by hand has a multi-arch official image',
    severity: 'info',
    description:
      'Downloading Go, Node.js, a JDK, rustup or Docker by hand ties the image to the CPU in the file name. ' +
      'The Docker Official Images (golang, node, eclipse-temurin, rust, docker) are built for every common ' +
      'platform and pick the right binary themselves. Zasper fixed its arm64 image (zasper-io/zasper#16) by ' +
      'replacing `FROM ubuntu:noble` and a go1.23.4.linux-amd64 download with `FROM golang`.',
    related: [],
    fixable: false,
  },
  messages,
  gate: /:\/\//,
  check(model, ctx) {
    for (const stage of model.stages) checkStage(model, stage, ctx);
  },
});
