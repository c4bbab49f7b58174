/**
 * What several verdicts share: which verdict owns a file (a Python extension is AA205's, a Node
 * addon AA206's, every other binary AA201's, so that one file gets one verdict), a dynamic ELF's
 * loader problem (AA203 or AA204), and the platform words of Python and Node.
 */
import { architectureToNodeArch, isPythonExtensionPath, nodePackageOf, parseNodePlatformName, type NodeTarget } from '../../binary/index.js';
import type { ElfFacts } from '../../binary/types.js';
import { normalizePlatform, type Platform } from '../../platform/index.js';
import { fitsPlatform, loaderFacts } from '../binary-kit.js';
import type { KeptFile, VariantView } from './types.js';

/** Is the file a Python extension module (`*.so` under site-packages, dist-packages or lib-dynload)? */
export function isPythonBinary(path: string): boolean {
  return isPythonExtensionPath(path);
}

/** A package of a platform-per-package family (napi-rs, esbuild, sharp) a file belongs to. */
export interface PlatformPackage {
  /** the package's directory (`usr/lib/node_modules/@esbuild/linux-x64`) */
  readonly dir: string;
  /** the node_modules directory plus scope and name prefix: the family (`.../node_modules/@esbuild/`) */
  readonly family: string;
  readonly target: NodeTarget;
}

/** The platform package a path lies in (`node_modules/@esbuild/linux-x64/bin/esbuild`), if any. */
export function platformPackage(path: string): PlatformPackage | undefined {
  const pkg = nodePackageOf(path);
  if (!pkg || pkg.dir === path) return undefined;
  const target = parseNodePlatformName(pkg.name);
  if (!target) return undefined;
  const base = pkg.name.slice(pkg.name.lastIndexOf('/') + 1);
  const prefix = base.slice(0, Math.max(0, base.lastIndexOf(target.nodePlatform)));
  return { dir: pkg.dir, family: `${pkg.dir.slice(0, pkg.dir.length - base.length)}${prefix}`, target };
}

/** Is the file a Node addon, or a binary of a per-platform npm package (AA206's files)? */
export function isNodeBinary(path: string): boolean {
  return path.endsWith('.node') || platformPackage(path) !== undefined;
}

/** Node's `process.arch` word for a platform (`x64`, `arm64`, `arm`...). */
export function nodeArch(platform: Platform): string | undefined {
  return architectureToNodeArch(normalizePlatform(platform).architecture);
}

/**
 * What is wrong with a dynamic ELF's loader: `missing` (PT_INTERP leads nowhere in the tree, AA203),
 * `libc` (it is another C library's loader than the image has, AA204), or undefined.
 */
export function loaderProblem(facts: ElfFacts, view: VariantView): { kind: 'missing' | 'libc'; libc?: 'glibc' | 'musl' } | undefined {
  const interp = facts.interpreter;
  if (!interp) return undefined;
  if (view.tree.resolve(interp.replace(/^\/+/, ''))) return undefined;
  const loader = loaderFacts(interp, facts);
  if (loader && view.libcs.size > 0 && !view.libcs.has(loader.libc)) return { kind: 'libc', libc: loader.libc };
  return { kind: 'missing' };
}

/**
 * Each dynamic ELF of the variant that fits its platform (or may) and has a loader problem (AA203,
 * AA204). Files of a secondary architecture the kernel runs in compatibility mode (i386 or x32 in
 * amd64, as Debian's valgrind and perf ship them) are AA201's one summary: their loaders belong to
 * a multiarch set the image need not have.
 */
export function* loaderProblems(view: VariantView, platform: Platform): Generator<{ readonly file: KeptFile; readonly facts: ElfFacts; readonly problem: NonNullable<ReturnType<typeof loaderProblem>> }> {
  for (const k of view.kept) {
    if (k.facts.format !== 'elf' || !k.facts.interpreter) continue;
    const fit = fitsPlatform(k.facts, platform);
    if (fit.fits === 'no' || (fit.fits === 'some' && fit.limit === 'compat')) continue;
    const problem = loaderProblem(k.facts, view);
    if (problem) yield { file: k, facts: k.facts, problem };
  }
}

/** The image's C libraries in words (`musl`, `glibc and musl`). */
export function libcWords(libcs: ReadonlySet<string>): string {
  return [...libcs].sort().join(' and ') || 'no C library';
}
