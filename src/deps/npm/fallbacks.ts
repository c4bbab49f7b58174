/**
 * Per-platform families whose parent, when no platform package loads, falls back to a WASM build
 * of its own: a platform the family has no member for is then not a failed install or a failed
 * first run. Only fallbacks the package's own code performs by default are listed, each with why:
 *
 * - `next` (13 and later): `loadBindings` in packages/next/src/build/swc/index.ts tries the
 *   `@next/swc-<platform>` package, then `tryLoadWasmWithFallback`, which loads
 *   `@next/swc-wasm-nodejs` from node_modules or, when it is not installed, downloads it from the
 *   npm registry (`downloadWasmSwc`, the registry `npm config get registry` names) while `next
 *   build` or `next dev` runs; `NEXT_DISABLE_SWC_WASM` turns it off. The WASM bindings do not run
 *   Turbopack (`turbo.createProject is not supported by the wasm bindings`), and Turbopack is what
 *   `next build` and `next dev` use by default from Next 16 (October 2025): there the fallback
 *   works only with `next build --webpack`.
 *
 * Not listed, on purpose: `lightningcss` (its node/index.js requires the platform package, then
 * a local `.node` file, and throws), `esbuild` (its install script and `require` use the platform
 * package; `esbuild-wasm` is a separate package the caller must choose), `rollup` (its
 * native.js requires `@rollup/rollup-<platform>` and throws; `@rollup/wasm-node` is a separate
 * package, swapped in by hand through `overrides`), `@swc/core` (its loader throws when no binding
 * loads; `@swc/wasm` is a separate package), and napi-rs packages with a `-wasm32-wasi` member (that member declares `cpu: ["wasm32"]`, so
 * npm installs it nowhere else unless told `--cpu=wasm32`).
 */
import type { LockedPackage } from '../types.js';

/** What a family's parent does on a platform none of its members fits. */
export type WasmFallback =
  /** it loads `wasm` and works: `artifact` names what runs, `how` says how, in words for a cell */
  | { readonly works: true; readonly wasm: string; readonly artifact: string; readonly how: string }
  /** it tries `wasm` but the default build cannot use it (`why`); `fix` makes it work */
  | { readonly works: false; readonly wasm: string; readonly why: string; readonly fix: string };

function major(version: string): number {
  return Number(/^(\d+)/.exec(version)?.[1] ?? NaN);
}

/**
 * The WASM fallback of the family `parent` at `version`, or undefined when it has none known.
 * `locked`: the lock's entry of the WASM package, when the lock installs it (then nothing is
 * downloaded at build time).
 */
export function wasmFallback(parent: string, version: string, locked: (name: string) => LockedPackage | undefined): WasmFallback | undefined {
  if (parent !== 'next') return undefined;
  const v = major(version);
  if (!(v >= 13)) return undefined;
  const wasm = '@next/swc-wasm-nodejs';
  const have = locked(wasm);
  if (v >= 16) {
    return {
      works: false,
      wasm,
      why: `next ${version} falls back to ${wasm}, which cannot run Turbopack, the bundler next build and next dev use by default since Next 16`,
      fix: `build with next build --webpack, which runs on ${wasm} where no @next/swc package fits`,
    };
  }
  const from = have ? `${wasm}@${have.version} from node_modules` : `${wasm}, which next downloads from the npm registry during next build (the build needs the registry then)`;
  return { works: true, wasm, artifact: have ? `${wasm}@${have.version}` : `${wasm} (WASM, fetched by next at build time)`, how: `next ${version} falls back to ${from}; WASM builds run slower` };
}
