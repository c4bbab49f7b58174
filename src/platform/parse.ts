/**
 * Platform specifiers: parsing with containerd/platforms `Parse` + `Normalize` semantics
 * (the same steps BuildKit runs on `--platform`), formatting, and comparison.
 */
import { AnyarchError } from '../errors.js';
import { formatPlatform, makePlatform } from './make.js';
import type { Platform } from './types.js';

/** Operating systems accepted in a specifier (Go's GOOS list). */
export const KNOWN_OSES: readonly string[] = Object.freeze([
  'linux',
  'windows',
  'darwin',
  'freebsd',
  'aix',
  'android',
  'dragonfly',
  'hurd',
  'illumos',
  'ios',
  'js',
  'nacl',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'wasip1',
  'zos',
]);

/** Architectures accepted in a specifier: the ten known platforms' first, then the rest of Go's GOARCH list. */
export const KNOWN_ARCHITECTURES: readonly string[] = Object.freeze([
  'amd64',
  'arm64',
  'arm',
  '386',
  'ppc64le',
  's390x',
  'riscv64',
  'mips64le',
  'loong64',
  'amd64p32',
  'armbe',
  'arm64be',
  'ppc64',
  'ppc',
  'mips',
  'mipsle',
  'mips64',
  'mips64p32',
  'mips64p32le',
  'riscv',
  's390',
  'sparc',
  'sparc64',
  'wasm',
]);

/** `v8.0` .. `v8.<last>` */
function minorLevels(major: string, last: number): string[] {
  return Array.from({ length: last + 1 }, (_, i) => `${major}.${i}`);
}

/** Valid variants per architecture, after normalisation (an architecture not listed takes none). */
const VARIANTS: Readonly<Record<string, readonly string[]>> = {
  amd64: ['', 'v2', 'v3', 'v4'],
  arm64: ['', ...minorLevels('v8', 9), 'v9', ...minorLevels('v9', 5)],
  arm: ['v5', 'v6', 'v7', 'v8'],
};

/** The valid variants as written in messages. */
const VARIANT_NAMES: Readonly<Record<string, string>> = {
  amd64: 'v1, v2, v3, v4',
  arm64: 'v8, v8.0 to v8.9, v9, v9.0 to v9.5',
  arm: 'v5, v6, v7, v8',
};

function archPair(arch: string): [string, string] {
  const n = normalizeArch(arch, '');
  return [n.architecture, n.variant];
}

/** Aliases that fix the variant themselves; a different explicit variant contradicts them. */
const FIXED_VARIANT_ALIASES: Readonly<Record<string, readonly string[]>> = {
  armhf: ['', '7', 'v7'],
  armel: ['', '6', 'v6'],
  i386: [''],
};

const COMPONENT_RE = /^[A-Za-z0-9_.-]+$/;

/**
 * containerd's `normalizeArch`: lower-cases and maps aliases.
 * x86_64/x86-64 -> amd64 (v1 -> ''), aarch64 -> arm64 (8/v8 -> ''), armhf -> arm/v7,
 * armel -> arm/v6, i386 -> 386, arm with no variant -> v7 (5/6/7/8 -> v5..v8).
 */
export function normalizeArch(architecture: string, variant: string): { architecture: string; variant: string } {
  let arch = architecture.toLowerCase();
  let v = variant.toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      v = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      if (v === 'v1') v = '';
      break;
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      if (v === '8' || v === 'v8') v = '';
      break;
    case 'armhf':
      arch = 'arm';
      v = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      v = 'v6';
      break;
    case 'arm':
      if (v === '' || v === '7') v = 'v7';
      else if (v === '5' || v === '6' || v === '8') v = `v${v}`;
      break;
    default:
      break;
  }
  return { architecture: arch, variant: v };
}

/** containerd's `normalizeOS`: lower-case, `macos` -> `darwin`. */
export function normalizeOS(os: string): string {
  const o = os.toLowerCase();
  return o === 'macos' ? 'darwin' : o;
}

/**
 * containerd's `Normalize` applied to a platform value (no validation): `{linux, aarch64, v8}`
 * becomes `{linux, arm64, ''}`, `{linux, arm, ''}` becomes `{linux, arm, v7}`.
 */
export function normalizePlatform(p: Platform): Platform {
  // the same few frozen platform objects are normalised again and again (every samePlatform,
  // platformKey and vocabulary lookup): their answer is kept
  const frozen = Object.isFrozen(p);
  const known = frozen ? normalMemo.get(p) : undefined;
  if (known !== undefined) return known;
  const { architecture, variant } = normalizeArch(p.architecture, p.variant);
  const n = makePlatform(normalizeOS(p.os), architecture, variant);
  if (frozen) normalMemo.set(p, n);
  return n;
}

const normalMemo = new WeakMap<Platform, Platform>();

function specError(message: string, hint?: string): AnyarchError {
  return new AnyarchError('E_PLATFORM_SPEC', message, hint);
}

/** A suggestion for an unknown architecture word that some other vocabulary uses. */
export type ArchSuggester = (word: string) => readonly Platform[];

let suggester: ArchSuggester = () => [];

/** @internal Lets the token table offer "did you mean" hints without an import cycle. */
export function setArchSuggester(fn: ArchSuggester): void {
  suggester = fn;
}

function suggestionHint(word: string): string | undefined {
  const found = suggester(word);
  if (found.length === 0) return undefined;
  return `did you mean ${found.map((p) => `"${formatPlatform(p)}"`).join(' or ')}?`;
}

function archList(): string {
  return KNOWN_ARCHITECTURES.join(', ');
}

function checkComponent(spec: string, part: string, what: string): void {
  if (part === '') throw specError(`invalid platform "${spec}": the ${what} is empty`);
  if (part.includes('(')) {
    throw specError(
      `invalid platform "${spec}": OS versions and features such as "${part}" are not supported`,
      'write the platform as os/arch[/variant], e.g. windows/amd64',
    );
  }
  if (!COMPONENT_RE.test(part)) {
    const variable = part.includes('$');
    throw specError(
      `invalid platform "${spec}": ${what} "${part}" may contain only letters, digits, '_', '.' and '-'`,
      variable ? 'build variables such as $TARGETPLATFORM must be expanded before parsing' : undefined,
    );
  }
}

function checkArch(spec: string, rawArch: string, rawVariant: string, hasVariant: boolean): Platform | AnyarchError {
  const lowerArch = rawArch.toLowerCase();
  const fixed = FIXED_VARIANT_ALIASES[lowerArch];
  if (fixed && hasVariant && !fixed.includes(rawVariant.toLowerCase())) {
    return specError(
      `unknown platform "${spec}": variant "${rawVariant}" contradicts "${rawArch}"`,
      `"${rawArch}" alone already means ${formatPlatform(makePlatform('linux', ...archPair(lowerArch)))}`,
    );
  }
  const { architecture, variant } = normalizeArch(rawArch, rawVariant);
  if (!KNOWN_ARCHITECTURES.includes(architecture)) {
    return specError(
      `unknown platform "${spec}": architecture "${rawArch}" is not one of ${archList()}`,
      suggestionHint(rawArch),
    );
  }
  const allowed = VARIANTS[architecture] ?? [''];
  if (!allowed.includes(variant)) {
    const valid = VARIANT_NAMES[architecture];
    const detail =
      valid === undefined
        ? `architecture "${architecture}" takes no variant`
        : `variant "${rawVariant}" is not valid for ${architecture} (expected one of ${valid})`;
    return specError(`unknown platform "${spec}": ${detail}`);
  }
  return makePlatform('', architecture, variant);
}

/**
 * Parses a platform specifier the way BuildKit does (containerd `Parse`, then `Normalize`).
 *
 * - `os/arch[/variant]`, or a bare architecture (`arm64`), which gets the OS `linux`;
 * - case-insensitive; `macos` -> `darwin`; aliases `x86_64`, `x86-64`, `aarch64`, `armhf`,
 *   `armel`, `i386`; `arm` alone is `arm/v7`; `arm64/v8` is `arm64`; `amd64/v1` is `amd64`;
 * - surrounding whitespace is ignored.
 *
 * Stricter than containerd: an unknown OS or architecture, a variant the architecture does not
 * have (`linux/amd64/v9`, `linux/arm/v9`, `linux/s390x/v1`), a bare OS (`linux`, whose
 * architecture containerd would take from the host), wildcards and build variables are errors.
 *
 * @throws AnyarchError with code `E_PLATFORM_SPEC`; the message quotes the specifier.
 */
export function parsePlatform(spec: string): Platform {
  const result = tryParse(spec);
  if (result instanceof AnyarchError) throw result;
  return result;
}

/** Like {@link parsePlatform} but returns `undefined` instead of throwing. */
export function tryParsePlatform(spec: string): Platform | undefined {
  const result = tryParse(spec);
  return result instanceof AnyarchError ? undefined : result;
}

function tryParse(rawSpec: string): Platform | AnyarchError {
  const spec = rawSpec.trim();
  if (spec === '') return specError(`invalid platform "${rawSpec}": the specifier is empty`);
  if (spec.includes('*')) return specError(`invalid platform "${spec}": wildcards are not supported`);
  const parts = spec.split('/');
  if (parts.length > 3) {
    return specError(`invalid platform "${spec}": expected os/arch[/variant], got ${parts.length} parts`);
  }
  const names = parts.length === 1 ? ['OS or architecture'] : ['OS', 'architecture', 'variant'];
  try {
    parts.forEach((part, i) => checkComponent(spec, part, names[i] ?? 'component'));
  } catch (e) {
    if (e instanceof AnyarchError) return e;
    throw e;
  }

  if (parts.length === 1) {
    const word = parts[0] ?? '';
    const os = normalizeOS(word);
    if (KNOWN_OSES.includes(os)) {
      return specError(
      `invalid platform "${spec}": "${word}" names an operating system but no architecture`,
        `write it as ${os}/<arch>, e.g. "${os}/amd64"`,
      );
    }
    const arch = checkArch(spec, word, '', false);
    if (arch instanceof AnyarchError) {
      const { architecture } = normalizeArch(word, '');
      if (!KNOWN_ARCHITECTURES.includes(architecture)) {
        return specError(
      `unknown platform "${spec}": "${word}" is neither an operating system nor an architecture (one of ${archList()})`,
          arch.hint,
        );
      }
      return arch;
    }
    return makePlatform('linux', arch.architecture, arch.variant);
  }

  const [rawOs = '', rawArch = '', rawVariant = ''] = parts;
  const os = normalizeOS(rawOs);
  if (!KNOWN_OSES.includes(os)) {
    return specError(
      `unknown platform "${spec}": operating system "${rawOs}" is not one of ${KNOWN_OSES.join(', ')}`,
      KNOWN_ARCHITECTURES.includes(normalizeArch(rawOs, '').architecture)
        ? 'the OS comes first: os/arch[/variant]'
        : undefined,
    );
  }
  const arch = checkArch(spec, rawArch, rawVariant, parts.length === 3);
  if (arch instanceof AnyarchError) return arch;
  return makePlatform(os, arch.architecture, arch.variant);
}

/**
 * Parses a comma- and/or whitespace-separated list (`linux/amd64,linux/arm64`,
 * `linux/amd64, linux/arm/v7`). Empty items are skipped; duplicates (by {@link samePlatform})
 * are dropped, keeping the first, as buildx does.
 *
 * @throws AnyarchError `E_PLATFORM_SPEC` for the first bad item (its message quotes the item),
 *   or when the list names no platform at all.
 */
export function parsePlatformList(list: string): Platform[] {
  const items = list.split(/[\s,]+/).filter((s) => s !== '');
  if (items.length === 0) {
    throw specError(`invalid platform list "${list}": it names no platform`);
  }
  const out: Platform[] = [];
  for (const item of items) {
    const p = parsePlatform(item);
    if (!out.some((q) => samePlatform(p, q))) out.push(p);
  }
  return out;
}

/** The variant after treating the documented equivalences: arm64 v8/v8.0 = '', arm '' = v7, amd64 v1 = ''. */
function canonicalVariant(p: Platform): string {
  if (p.architecture === 'arm64' && p.variant === 'v8.0') return '';
  return p.variant;
}

/**
 * True when both name the same platform after normalisation: arm64 `''` == `v8`,
 * arm `''` == `v7`, amd64 `''` == `v1`, `aarch64` == `arm64`, case ignored.
 */
export function samePlatform(a: Platform, b: Platform): boolean {
  const x = normalizePlatform(a);
  const y = normalizePlatform(b);
  return x.os === y.os && x.architecture === y.architecture && canonicalVariant(x) === canonicalVariant(y);
}

/**
 * The key of vendor token tables: the normalised platform without `linux/` (`amd64`, `arm/v7`);
 * other OSes keep their OS (`windows/amd64`).
 */
export function platformKey(p: Platform): string {
  // rules ask for the keys of the same few (frozen) platform objects again and again
  const frozen = Object.isFrozen(p);
  const known = frozen ? keyMemo.get(p) : undefined;
  if (known !== undefined) return known;
  const n = normalizePlatform(p);
  const s = formatPlatform(n);
  const key = n.os === 'linux' ? s.slice('linux/'.length) : s;
  if (frozen) keyMemo.set(p, key);
  return key;
}

const keyMemo = new WeakMap<Platform, string>();
