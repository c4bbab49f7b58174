/**
 * How a verdict is defined: like check's rules (src/rules/types.ts `defineRule`), with its meta,
 * its message templates `as const` (placeholders type-checked against the data reported), and a
 * `judge` that looks at one platform variant: the final file tree with what the inspector kept
 * of each file, the image config, the platform, the declared allow list. A verdict that cannot
 * tell stays silent.
 */
import type { FileFacts } from '../../binary/types.js';
import type { ContainerConfig, OciPlatform } from '../../oci/manifest.js';
import type { Platform } from '../../platform/index.js';
import type { FileTree, TreeFile } from '../../rootfs/types.js';
import type { MessageData, Messages } from '../../rules/types.js';
import type { SmokeResult } from '../../smoke/types.js';
import type { VerdictSeverity } from '../types.js';

export interface VerdictMeta {
  /** AA2xx */
  readonly id: string;
  /** kebab-case, also the file name (src/verify/verdicts/<name>.ts) */
  readonly name: string;
  readonly title: string;
  readonly severity: VerdictSeverity;
  /** one paragraph on what and why */
  readonly description: string;
  /**
   * a verdict on a file that a `verify.allow` entry or a well-known case may declare intended
   * (it then becomes AA212 information)
   */
  readonly allowable: boolean;
}

/** A file of the final tree with the facts the inspector kept. */
export interface KeptFile {
  /** cleaned path (no leading `/`) */
  readonly path: string;
  readonly file: TreeFile<FileFacts>;
  readonly facts: FileFacts;
}

/** What every verdict reads of a variant, worked out once. */
export interface VariantView {
  readonly tree: FileTree<FileFacts>;
  /** every visible file with facts, in path order */
  readonly kept: readonly KeptFile[];
  /** the C libraries whose loaders are in the tree (by the loader table) */
  readonly libcs: ReadonlySet<'glibc' | 'musl'>;
  /** PATH from the config's Env (Docker's default when unset), as cleaned directories */
  readonly path: readonly string[];
  /** `name` searched in PATH: the cleaned path of the first match (symlinks followed), or undefined */
  which(name: string): string | undefined;
}

export interface JudgeContext<M extends Messages = Messages> {
  /** the variant's platform (as the index entry declares it, normalised) */
  readonly platform: Platform;
  /** the platform as written (`linux/arm64`) */
  readonly name: string;
  readonly view: VariantView;
  /** the image config's container config (Entrypoint, Cmd, Env, WorkingDir) */
  readonly config?: ContainerConfig;
  /** the index entry's platform and the config's, when the variant came from an index */
  readonly declared?: OciPlatform;
  readonly configPlatform?: OciPlatform;
  readonly smoke?: SmokeResult;
  report(d: VerdictDescriptor<M>): void;
}

interface VerdictFields {
  /** the file, cleaned (no leading `/`); the layer is looked up from it */
  readonly path?: string;
  /** what the file is (`ELF 64-bit LSB x86-64, dynamic, ...`) */
  readonly what?: string;
  /** override the verdict's default severity */
  readonly severity?: VerdictSeverity;
  /** a well-known intended case (prebuilds for other platforms...): the verdict becomes AA212 */
  readonly intended?: string;
  /** the layer, when not the one of `path` (a WHEEL file's, say) */
  readonly layer?: number;
}

type Descriptors<T extends Messages> = {
  readonly [Id in keyof T & string]: VerdictFields & { readonly messageId: Id } & MessageData<T[Id]>;
}[keyof T & string];

export type VerdictDescriptor<M extends Messages = Messages> = Descriptors<M>;

export interface VerdictRule<M extends Messages = Messages> {
  readonly meta: VerdictMeta;
  readonly messages: M;
  judge(ctx: JudgeContext<M>): void;
}

export function defineVerdict<const M extends Messages>(v: VerdictRule<M> & { readonly messages: M }): VerdictRule<M> {
  return v;
}

/** A path as the image shows it: `/usr/bin/go`. */
export function shown(path: string): string {
  return `/${path}`;
}
