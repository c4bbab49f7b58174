/**
 * What a base image's name says about the system an install runs on: the distribution and its
 * release, the C library and its version, the Python or Node.js version of an official language
 * image, and the compilers and headers the image already carries. Tables only, read from the
 * reference's words (no registry, no I/O); an image these tables do not know is `known: false`,
 * and then nothing is claimed about its toolchain.
 *
 * Sources for the tables: the distributions' release notes (glibc of Debian, Ubuntu, RHEL/UBI,
 * Amazon Linux, Fedora; musl of Alpine), the Docker official images' Dockerfiles (which variants
 * are built on buildpack-deps and so carry gcc, make and python3), and which Debian release a
 * bare tag names: python's moved to trixie in 2025-08 (mozilla-releng/balrog#3532), node's
 * for the maintained lines in 2026-07 (nodejs/docker-node#2558).
 */
import type { Libc, Toolchain } from './types.js';
import { tryParseReference } from '../oci/reference.js';

export type Family = 'debian' | 'ubuntu' | 'alpine' | 'rhel' | 'amazonlinux' | 'fedora' | 'wolfi';

/** The compilers and headers an image carries, before any RUN (a toolchain without its evidence). */
export type ImageTools = Omit<Toolchain, 'evidence'>;

export interface BaseTraits {
  /** the image as given */
  readonly image: string;
  /** the tables know the image: its toolchain (`tools`) is a fact, not a guess */
  readonly known: boolean;
  /** `FROM scratch`: nothing at all, not even a shell */
  readonly scratch?: boolean;
  readonly family?: Family;
  /** the release (`bookworm`, `3.20`, `9`, `2023`) */
  readonly release?: string;
  readonly libc?: Libc;
  readonly libcVersion?: string;
  /** the Python version an official python image names (`3.12`) */
  readonly python?: string;
  /** the Node.js major version an official node image names (`20`) */
  readonly node?: string;
  readonly tools: ImageTools;
  /** one sentence: how the image was read (`node:20-alpine3.20 is Alpine 3.20: musl 1.2.5`) */
  readonly evidence: string;
}

const NO_TOOLS: ImageTools = Object.freeze({ cc: false, cxx: false, make: false, python3: false, rust: false, headers: Object.freeze([]) as readonly string[] });

interface Release {
  readonly family: Family;
  readonly release: string;
  readonly libcVersion: string;
  /** the distribution's python3 */
  readonly python?: string;
}

const deb = (release: string, libcVersion: string, python: string): Release => ({ family: 'debian', release, libcVersion, python });
const ubu = (release: string, libcVersion: string, python: string): Release => ({ family: 'ubuntu', release, libcVersion, python });

/** Debian and Ubuntu releases by codename and number: glibc and python3 versions. */
export const DEBIAN_RELEASES: ReadonlyMap<string, Release> = new Map([
  ['stretch', deb('stretch', '2.24', '3.5')],
  ['buster', deb('buster', '2.28', '3.7')],
  ['bullseye', deb('bullseye', '2.31', '3.9')],
  ['bookworm', deb('bookworm', '2.36', '3.11')],
  ['trixie', deb('trixie', '2.41', '3.13')],
]);
const DEBIAN_NUMBERS: ReadonlyMap<string, string> = new Map([['9', 'stretch'], ['10', 'buster'], ['11', 'bullseye'], ['12', 'bookworm'], ['13', 'trixie']]);

export const UBUNTU_RELEASES: ReadonlyMap<string, Release> = new Map([
  ['bionic', ubu('bionic', '2.27', '3.6')],
  ['focal', ubu('focal', '2.31', '3.8')],
  ['jammy', ubu('jammy', '2.35', '3.10')],
  ['noble', ubu('noble', '2.39', '3.12')],
  ['oracular', ubu('oracular', '2.40', '3.12')],
  ['plucky', ubu('plucky', '2.41', '3.13')],
]);
const UBUNTU_NUMBERS: ReadonlyMap<string, string> = new Map([['18.04', 'bionic'], ['20.04', 'focal'], ['22.04', 'jammy'], ['24.04', 'noble'], ['24.10', 'oracular'], ['25.04', 'plucky']]);

/** Alpine release → musl version. */
export const ALPINE_MUSL: ReadonlyMap<string, string> = new Map([
  ['3.12', '1.1.24'], ['3.13', '1.2.2'], ['3.14', '1.2.2'], ['3.15', '1.2.2'], ['3.16', '1.2.3'], ['3.17', '1.2.3'],
  ['3.18', '1.2.4'], ['3.19', '1.2.4'], ['3.20', '1.2.5'], ['3.21', '1.2.5'], ['3.22', '1.2.5'], ['3.23', '1.2.5'],
]);
/** Alpine release → its python3 package's version. */
export const ALPINE_PYTHON: ReadonlyMap<string, string> = new Map([
  ['3.16', '3.10'], ['3.17', '3.10'], ['3.18', '3.11'], ['3.19', '3.11'], ['3.20', '3.12'], ['3.21', '3.12'], ['3.22', '3.12'],
]);
/** Alpine without a release named: every Alpine since 3.13 (2021) has musl 1.2. */
const ALPINE_ANY_MUSL = '1.2';

/** RHEL family major → glibc (UBI, Rocky, Alma, CentOS, Oracle Linux). */
const RHEL_GLIBC: ReadonlyMap<string, string> = new Map([['7', '2.17'], ['8', '2.28'], ['9', '2.34'], ['10', '2.39']]);
const AMAZON_GLIBC: ReadonlyMap<string, string> = new Map([['2', '2.26'], ['2023', '2.34']]);
const FEDORA_GLIBC: ReadonlyMap<string, string> = new Map([
  ['37', '2.36'], ['38', '2.37'], ['39', '2.38'], ['40', '2.39'], ['41', '2.40'], ['42', '2.41'], ['43', '2.42'],
]);

/** Node.js release codenames (the official image tags them too: `node:iron`). */
const NODE_CODENAMES: ReadonlyMap<string, string> = new Map([
  ['argon', '4'], ['boron', '6'], ['carbon', '8'], ['dubnium', '10'], ['erbium', '12'], ['fermium', '14'],
  ['gallium', '16'], ['hydrogen', '18'], ['iron', '20'], ['jod', '22'], ['krypton', '24'],
]);

/** Headers the buildpack-deps (full) images carry, among those native builds ask for most. */
const BUILDPACK_HEADERS = ['libc6-dev', 'libffi-dev', 'libssl-dev', 'zlib1g-dev', 'libjpeg-dev', 'libpng-dev', 'libpq-dev', 'libxml2-dev', 'libxslt1-dev', 'libyaml-dev', 'libsqlite3-dev', 'libcurl4-openssl-dev'];
const FULL: ImageTools = { cc: true, cxx: true, make: true, python3: true, rust: false, headers: BUILDPACK_HEADERS };

/** The last segment of a repository and whether it is a Docker official image (on any mirror). */
function repoName(repository: string): { name: string; official: boolean } {
  const parts = repository.split('/');
  const name = parts[parts.length - 1] as string;
  const official = parts.length === 1 || parts[parts.length - 2] === 'library';
  return { name, official };
}

function version(word: string | undefined): string | undefined {
  return word && /^\d+(\.\d+)*$/.test(word) ? word : undefined;
}

/** The Debian release of a tag's variant words (`slim-bookworm`, `bullseye`), or of a language image's bare tag. */
function debianOf(words: readonly string[]): Release | undefined {
  for (const w of words) {
    const r = DEBIAN_RELEASES.get(w) ?? UBUNTU_RELEASES.get(w);
    if (r) return r;
  }
  return undefined;
}

function alpineOf(words: readonly string[]): { release?: string; musl: string } | undefined {
  for (const w of words) {
    const m = /^alpine(\d+\.\d+)?$/.exec(w);
    if (!m) continue;
    const release = m[1];
    const musl = release ? ALPINE_MUSL.get(release) : undefined;
    return release ? { release, musl: musl ?? ALPINE_ANY_MUSL } : { musl: ALPINE_ANY_MUSL };
  }
  return undefined;
}

function traits(image: string, t: Omit<BaseTraits, 'image'>): BaseTraits {
  return { image, ...t };
}

function releaseTraits(image: string, r: Release, tools: ImageTools, extra: Partial<BaseTraits>, how: string): BaseTraits {
  return traits(image, {
    known: true,
    family: r.family,
    release: r.release,
    libc: 'glibc',
    libcVersion: r.libcVersion,
    tools,
    ...extra,
    evidence: `${how} ${r.family === 'ubuntu' ? 'Ubuntu' : 'Debian'} ${r.release}: glibc ${r.libcVersion}`,
  });
}

function alpineTraits(image: string, a: { release?: string; musl: string }, tools: ImageTools, extra: Partial<BaseTraits>, how: string): BaseTraits {
  return traits(image, {
    known: true,
    family: 'alpine',
    ...(a.release ? { release: a.release } : {}),
    libc: 'musl',
    libcVersion: a.musl,
    tools,
    ...extra,
    evidence: `${how} Alpine${a.release ? ` ${a.release}` : ''}: musl ${a.musl}${a.release ? '' : ' (every Alpine since 3.13)'}`,
  });
}

/** The Debian release a bare (or `-slim`) tag of an official language image names today. */
function defaultDebian(name: string, major: string | undefined): Release | undefined {
  const n = major === undefined ? undefined : Number(major);
  if (name === 'python') {
    // 3.8 left before trixie (2025-08); the maintained lines moved to it
    if (major === undefined || !/^3\.\d+$/.test(major)) return undefined;
    return Number(major.slice(2)) <= 8 ? DEBIAN_RELEASES.get('bookworm') : DEBIAN_RELEASES.get('trixie');
  }
  if (name === 'node') {
    if (n === undefined || Number.isNaN(n)) return undefined;
    if (n <= 14) return DEBIAN_RELEASES.get('bullseye');
    // the lines maintained in 2026-07 (22, 24, 26...) moved to trixie; the others ended on bookworm
    return n >= 22 && n % 2 === 0 ? DEBIAN_RELEASES.get('trixie') : DEBIAN_RELEASES.get('bookworm');
  }
  return undefined;
}

/** Official language images: their variants' tools. */
function languageTraits(image: string, name: string, tag: string): BaseTraits | undefined {
  const words = tag.split('-');
  const first = words[0] as string;
  const slim = words.includes('slim');
  const alpine = alpineOf(words);
  let python: string | undefined;
  let node: string | undefined;
  if (name === 'python') {
    const v = version(first);
    python = v && /^\d+\.\d+/.test(v) ? (/^\d+\.\d+/.exec(v) as RegExpExecArray)[0] : undefined;
  } else if (name === 'node') {
    node = version(first)?.split('.')[0] ?? NODE_CODENAMES.get(first);
  }
  const lang: Partial<BaseTraits> = { ...(python ? { python } : {}), ...(node ? { node } : {}) };
  let tools: ImageTools;
  switch (name) {
    case 'python':
      // every variant carries Python.h (Python is built from source in /usr/local); the full one, buildpack-deps
      tools = slim || alpine ? { ...NO_TOOLS, python3: true, headers: ['python3-dev'] } : { ...FULL, headers: ['python3-dev', ...BUILDPACK_HEADERS] };
      break;
    case 'node':
      tools = slim || alpine ? NO_TOOLS : FULL;
      break;
    case 'golang':
      tools = alpine ? NO_TOOLS : { cc: true, cxx: true, make: true, python3: false, rust: false, headers: ['libc6-dev'] };
      break;
    case 'rust':
      // rustc needs a linker: every variant installs gcc
      tools = slim || alpine ? { ...NO_TOOLS, cc: true, rust: true } : { ...FULL, rust: true };
      break;
    case 'ruby':
      tools = slim || alpine ? NO_TOOLS : FULL;
      break;
    case 'gcc':
      tools = { ...FULL, python3: false };
      break;
    default:
      return undefined;
  }
  const shown = `${name}:${tag}`;
  if (alpine) return alpineTraits(image, alpine, tools, lang, `${shown} is`);
  const named = debianOf(words);
  if (named) return releaseTraits(image, named, tools, lang, `${shown} is`);
  const fallback = defaultDebian(name, name === 'python' ? python : node);
  if (fallback) return releaseTraits(image, fallback, tools, lang, `${shown} (no release named) is today's`);
  return traits(image, { known: true, family: 'debian', libc: 'glibc', tools, ...lang, evidence: `${shown} is Debian (release not named: the glibc version is not checked)` });
}

function majorOf(tag: string): string | undefined {
  return /^(\d+)/.exec(tag)?.[1];
}

/**
 * What the name of `image` (as expanded for a target: `node:20-alpine3.20`,
 * `registry.access.redhat.com/ubi9/python-311`) says. Unknown images are `known: false`, with
 * no tools and no libc claimed.
 */
export function baseTraits(image: string): BaseTraits {
  const trimmed = image.trim();
  if (trimmed.toLowerCase() === 'scratch') return traits(image, { known: true, scratch: true, tools: NO_TOOLS, evidence: 'scratch has no shell and no C library' });
  const ref = tryParseReference(trimmed);
  if (!ref) return traits(image, { known: false, tools: NO_TOOLS, evidence: `${image} is not an image reference anyarch can read` });
  const { name, official } = repoName(ref.repository);
  const tag = ref.tag ?? 'latest';
  const repo = ref.repository;
  const unknown = traits(image, { known: false, tools: NO_TOOLS, evidence: `${image} is not an image anyarch knows: its C library and toolchain are not known` });

  if (name === 'debian' || name === 'ubuntu') {
    const words = tag.split('-');
    const first = words[0] as string;
    const codename = name === 'debian' ? (DEBIAN_NUMBERS.get(first.split('.')[0] as string) ?? first) : (UBUNTU_NUMBERS.get(first) ?? first.replace(/-.*$/, ''));
    const r = (name === 'debian' ? DEBIAN_RELEASES : UBUNTU_RELEASES).get(codename);
    if (r) return releaseTraits(image, r, NO_TOOLS, {}, `${name}:${tag} is`);
    return traits(image, { known: true, family: name, libc: 'glibc', tools: NO_TOOLS, evidence: `${name}:${tag} is ${name === 'debian' ? 'Debian' : 'Ubuntu'} (release not named: the glibc version is not checked)` });
  }
  if (name === 'alpine') {
    const v = /^(\d+\.\d+)/.exec(tag)?.[1];
    return alpineTraits(image, v ? { release: v, musl: ALPINE_MUSL.get(v) ?? ALPINE_ANY_MUSL } : { musl: ALPINE_ANY_MUSL }, NO_TOOLS, {}, `${name}:${tag} is`);
  }
  if (name === 'buildpack-deps') {
    const words = tag.split('-');
    const r = debianOf(words);
    const tools = words.includes('curl') || words.includes('scm') ? NO_TOOLS : { ...FULL, python3: false };
    if (r) return releaseTraits(image, r, tools, {}, `buildpack-deps:${tag} is`);
    return traits(image, { known: true, family: 'debian', libc: 'glibc', tools, evidence: `buildpack-deps:${tag} is Debian (release not named)` });
  }
  // AWS Lambda base images: python 3.12+ and nodejs 20+ on Amazon Linux 2023, older ones on Amazon Linux 2
  const lambda = /(?:^|\/)lambda\/(python|nodejs)$/.exec(repo);
  if (lambda) {
    const v = /^(\d+(?:\.\d+)?)/.exec(tag)?.[1];
    const lang = lambda[1] === 'python' ? { python: v } : { node: v?.split('.')[0] };
    const al2023 = v !== undefined && (lambda[1] === 'python' ? Number(v.split('.')[1]) >= 12 : Number(v) >= 20);
    const glibc = v === undefined ? undefined : al2023 ? '2.34' : '2.26';
    return traits(image, {
      known: true,
      family: 'amazonlinux',
      libc: 'glibc',
      ...(glibc ? { libcVersion: glibc, release: al2023 ? '2023' : '2' } : {}),
      tools: lambda[1] === 'python' ? { ...NO_TOOLS, python3: true, headers: ['python3-dev'] } : NO_TOOLS,
      ...(lang.python ? { python: lang.python } : {}),
      ...(lang.node ? { node: lang.node } : {}),
      evidence: `${image} is an AWS Lambda image${glibc ? ` on Amazon Linux ${al2023 ? '2023' : '2'}: glibc ${glibc}` : ''}`,
    });
  }
  if (ref.registry === 'cgr.dev' || /(^|\/)wolfi-base$/.test(repo)) {
    return traits(image, { known: false, family: 'wolfi', libc: 'glibc', tools: NO_TOOLS, evidence: `${image} is Wolfi (Chainguard): glibc, version and toolchain not known` });
  }
  if (official || /(^|\/)(python|node)$/.test(repo)) {
    const lang = languageTraits(image, name, tag);
    if (lang) return lang;
  }
  // Red Hat's UBI and its rebuilds
  const ubi = /(?:^|\/)ubi(\d+)(?:\/(python|nodejs)-(\d+))?/.exec(repo);
  if (ubi || /^(rockylinux|almalinux|centos|oraclelinux)$/.test(name)) {
    const major = ubi ? (ubi[1] as string) : majorOf(tag.replace(/^stream/, ''));
    const glibc = major ? RHEL_GLIBC.get(major) : undefined;
    const extra: Partial<BaseTraits> = {};
    if (ubi?.[2] === 'python') (extra as { python?: string }).python = (ubi[3] as string).replace(/^(\d)(\d+)$/, '$1.$2');
    if (ubi?.[2] === 'nodejs') (extra as { node?: string }).node = ubi[3] as string;
    // the UBI language images are s2i builders: gcc, make and the headers come with them
    const tools = ubi?.[2] ? { cc: true, cxx: true, make: true, python3: ubi[2] === 'python' || ubi[2] === 'nodejs', rust: false, headers: ubi[2] === 'python' ? ['python3-dev'] : [] } : NO_TOOLS;
    return traits(image, {
      known: true,
      family: 'rhel',
      ...(major ? { release: major } : {}),
      libc: 'glibc',
      ...(glibc ? { libcVersion: glibc } : {}),
      tools,
      ...extra,
      evidence: `${image} is RHEL ${major ?? '(release not named)'}${glibc ? `: glibc ${glibc}` : ''}`,
    });
  }
  if (name === 'amazonlinux') {
    const major = majorOf(tag);
    const glibc = major ? AMAZON_GLIBC.get(major) : undefined;
    return traits(image, { known: true, family: 'amazonlinux', ...(major ? { release: major } : {}), libc: 'glibc', ...(glibc ? { libcVersion: glibc } : {}), tools: NO_TOOLS, evidence: `${image} is Amazon Linux ${major ?? ''}${glibc ? `: glibc ${glibc}` : ''}`.replace(/ +:/, ':') });
  }
  if (name === 'fedora') {
    const major = majorOf(tag);
    const glibc = major ? FEDORA_GLIBC.get(major) : undefined;
    return traits(image, { known: true, family: 'fedora', ...(major ? { release: major } : {}), libc: 'glibc', ...(glibc ? { libcVersion: glibc } : {}), tools: NO_TOOLS, evidence: `${image} is Fedora${major ? ` ${major}` : ''}${glibc ? `: glibc ${glibc}` : ''}` });
  }
  // distroless: gcr.io/distroless/<kind>-debian12
  const distroless = /(?:^|\/)distroless\/([a-z]+?)(\d+)?-debian(\d+)$/.exec(repo);
  if (distroless) {
    const r = DEBIAN_RELEASES.get(DEBIAN_NUMBERS.get(distroless[3] as string) ?? '');
    const extra: Partial<BaseTraits> = {};
    if (distroless[1] === 'nodejs' && distroless[2]) (extra as { node?: string }).node = distroless[2];
    if (distroless[1] === 'python' && r?.python) (extra as { python?: string }).python = r.python;
    if (r) return releaseTraits(image, r, NO_TOOLS, extra, `${image} (distroless, no shell) is`);
    return unknown;
  }
  return fromTagWords(image, tag) ?? unknown;
}

/**
 * An image anyarch does not know, whose tag names its distribution (`nvidia/cuda:12.1.0-runtime-ubuntu22.04`,
 * `ros:humble-ros-base-jammy`, `foo:1-bookworm`, `bar:2-alpine3.20`): the C library and its
 * version from those words; the toolchain stays unknown.
 */
function fromTagWords(image: string, tag: string): BaseTraits | undefined {
  const words = tag.split(/[-_]/);
  // `ghcr.io/astral-sh/uv:python3.12-bookworm-slim`, `nikolaik/python-nodejs:python3.12-nodejs20`
  const python = words.map((w) => /^python(\d\.\d+)$/.exec(w)?.[1]).find((v) => v !== undefined);
  const node = words.map((w) => /^node(?:js)?(\d+)$/.exec(w)?.[1]).find((v) => v !== undefined);
  const lang = { ...(python ? { python } : {}), ...(node ? { node } : {}) };
  // astral-sh/uv's Python images are the official ones with uv added: `python3.12-bookworm-slim`
  // is `python:3.12-slim-bookworm` (no compiler), `python3.12-bookworm` the full one (gcc), `python3.12-alpine` Alpine
  if (python && /(^|\/)astral-sh\/uv$/.test(image.replace(/:.*$/, ''))) {
    const rest = words.filter((w) => !/^python\d/.test(w));
    const slim = rest.includes('slim');
    const official = `python:${[python, ...(slim ? ['slim'] : []), ...rest.filter((w) => w !== 'slim')].join('-')}`;
    const t = baseTraits(official);
    if (t.known) return { ...t, image, evidence: `${image} is ${official} with uv added; ${t.evidence}` };
  }
  const r = debianOf(words) ?? debianOf(words.map((w) => UBUNTU_NUMBERS.get(w.replace(/^ubuntu/, '')) ?? ''));
  if (r) return { ...releaseTraits(image, r, NO_TOOLS, lang, `${image} names`), known: false };
  const a = alpineOf(words);
  if (a) return { ...alpineTraits(image, a, NO_TOOLS, lang, `${image} names`), known: false };
  return python || node ? { image, known: false, ...lang, tools: NO_TOOLS, evidence: `${image} names ${python ? `Python ${python}` : `Node.js ${node}`}` } : undefined;
}
