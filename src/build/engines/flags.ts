/**
 * The flags docker build, buildx build, buildah build and podman build share, in one place: the
 * four engines take `-f`, `--build-arg K=V`, `--target`, `--label K=V`, `--no-cache` and
 * `--network` with the same meaning, so a request reads the same whichever engine builds it.
 */
import { AnyarchError } from '../../errors.js';
import { formatPlatform, type Platform } from '../../platform/index.js';
import type { BuildRequest } from '../types.js';

/** `-f FILE --build-arg K=V… --target T --label K=V… --no-cache --network N`, sorted by key where order is free. */
export function commonBuildFlags(request: BuildRequest): string[] {
  const args = ['-f', request.dockerfile];
  for (const [k, v] of Object.entries(request.buildArgs)) args.push('--build-arg', `${k}=${v}`);
  if (request.target !== undefined) args.push('--target', request.target);
  for (const [k, v] of Object.entries(request.labels)) args.push('--label', `${k}=${v}`);
  if (request.noCache) args.push('--no-cache');
  if (request.network !== undefined) args.push('--network', request.network);
  return args;
}

/** `linux/amd64,linux/arm/v7`, as every engine's `--platform` takes a list. */
export function platformList(platforms: readonly Platform[]): string {
  if (platforms.length === 0) throw new AnyarchError('E_USAGE', 'name at least one platform to build', 'e.g. --platform linux/amd64,linux/arm64');
  return platforms.map((p) => formatPlatform(p)).join(',');
}

/** A platform as a tag's word (`linux-arm-v7`): tags allow no `/`. */
export function platformTagWord(p: Platform): string {
  return formatPlatform(p).replace(/[^A-Za-z0-9_.-]/g, '-');
}

/**
 * The step an engine's output says failed, from its last lines: BuildKit's ` > [2/3] RUN make:`
 * (docker, buildx) or buildah's `error building at STEP "RUN make": exit status 2`; undefined
 * when the lines do not say.
 */
export function failingStep(lines: readonly string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] as string).trim();
    const buildkit = /^> (\[[^\]]*\] .+?):?$/.exec(line);
    if (buildkit) return buildkit[1];
    const buildah = /(?:error building at STEP|building at STEP) "(.+?)"/.exec(line);
    if (buildah) return buildah[1];
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    const step = /^#\d+ (\[[^\]]*\] .+)$/.exec((lines[i] as string).trim());
    if (step) return step[1];
    const buildahStep = /^(?:\[[^\]]+\] )?STEP \d+\/\d+: (.+)$/.exec((lines[i] as string).trim());
    if (buildahStep) return buildahStep[1];
  }
  return undefined;
}

/**
 * How the failing step itself ended, from the engine's last lines: BuildKit's `exit code: 3`
 * (`did not complete successfully: exit code: 3`, `executor failed running [...]: exit code: 3`)
 * or buildah's `exit status 3`; undefined when the lines do not say (the client's own exit
 * status is then all there is).
 */
export function stepExit(lines: readonly string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /\bexit (?:code:|status) (\d+)\b/.exec(lines[i] as string);
    if (m) return `the step exited ${m[1]}`;
  }
  return undefined;
}

/** The lines worth showing of a failed build: the last `n` that are not blank. */
export function lastLines(lines: readonly string[], n = 12): string[] {
  return lines.filter((l) => l.trim() !== '').slice(-n);
}
