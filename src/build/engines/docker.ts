/**
 * The Docker engine without buildx (Debian's docker.io 20.10 here, BuildKit built in): one
 * `DOCKER_BUILDKIT=1 docker build --platform P` per platform, all at once (the engine's BuildKit
 * schedules them; RUN steps of foreign platforms go through QEMU's binfmt handlers), each image
 * written to an `--iidfile` and tagged `anyarch-build-<random>:<platform>` so that nothing else
 * names it, then exported through the Engine API (`openDockerDaemon`, by id). The exports hold
 * layers as plain tars; `buildImage` gzips them (`compressImage`) before anything is pushed.
 * `close()` removes the temporary tags and the exports.
 *
 * DOCKER_HOST comes from the environment given (the client and the export use the same engine).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { connectDockerEngine } from '../../engine/api.js';
import { openDockerDaemon } from '../../engine/source.js';
import { AnyarchError } from '../../errors.js';
import { errnoReason } from '../../fs/errno.js';
import { temporaryDirs } from '../../fs/temporary.js';
import { isDigest, type Digest } from '../../oci/digest.js';
import { openRoot } from '../../oci/image.js';
import type { ImageSource } from '../../oci/source.js';
import { formatPlatform, type Platform } from '../../platform/index.js';
import type { BuildRequest, BuiltVariant, EngineBuildOptions, EngineResult } from '../types.js';
import { EngineBuildError, type PlatformFailure } from './failure.js';
import { commonBuildFlags, failingStep, lastLines, stepExit, platformTagWord } from './flags.js';
import { ClientEngine, endedWith, once, runProgram } from './run.js';

/** `docker build` for one platform, as run (the program itself not included). */
export function dockerBuildArgs(request: BuildRequest, platform: Platform, out: { readonly tag: string; readonly iidfile: string }): string[] {
  return ['build', '--progress=plain', '--platform', formatPlatform(platform), ...commonBuildFlags(request), '--iidfile', out.iidfile, '-t', out.tag, request.context];
}

/** The client's environment: the caller's (DOCKER_HOST, DOCKER_CONFIG…) with BuildKit on. */
export function dockerBuildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, DOCKER_BUILDKIT: '1' };
}

/** A fresh name for the temporary tags of one build (`anyarch-build-<16 hex>`). */
export function temporaryImageName(): string {
  return `anyarch-build-${randomBytes(8).toString('hex')}`;
}

export class DockerBuildEngine extends ClientEngine {
  readonly name = 'docker' as const;

  async build(request: BuildRequest, opts: EngineBuildOptions = {}): Promise<EngineResult> {
    const env = dockerBuildEnv(this.env);
    const dir = await temporaryDirs.make(opts.tmpDir ?? tmpdir(), 'anyarch-docker-build-');
    const name = temporaryImageName();
    const tags: string[] = [];
    const sources: ImageSource[] = [];
    const close = once(async () => {
      await Promise.allSettled(sources.map((s) => s.close()));
      if (tags.length) {
        try {
          const engine = await connectDockerEngine({ env: this.env, subject: 'removing the temporary tags' });
          await Promise.allSettled(tags.map((t) => engine.imageRemove(t)));
        } catch {
          // the engine went away: the tags stay, named anyarch-build-*: `docker rmi` removes them
        }
      }
      await temporaryDirs.remove(dir);
    });

    try {
      // every platform at once; a failure does not stop the others (each is reported)
      const results = await Promise.all(
        request.platforms.map(async (platform, i) => {
          const tag = `${name}:${platformTagWord(platform)}`;
          const iidfile = path.join(dir, `iid-${i}`);
          const r = await runProgram(this.program, dockerBuildArgs(request, platform, { tag, iidfile }), {
            env,
            ...(opts.signal ? { signal: opts.signal } : {}),
            onLine: (line) => opts.onOutput?.(line, platform),
          });
          if (r.code === 0) tags.push(tag);
          return { platform, r, iidfile };
        }),
      );
      const failed: PlatformFailure[] = results
        .filter((x) => x.r.code !== 0)
        .map(({ platform, r }) => {
          const step = failingStep(r.tail);
          return { platform, reason: stepExit(r.tail) ?? endedWith(r), lines: lastLines(r.tail), ...(step !== undefined ? { step } : {}) };
        });
      if (failed.length) throw new EngineBuildError('docker', failed, results.filter((x) => x.r.code === 0).map((x) => x.platform));

      // export each image by id (what --iidfile wrote), one at a time: each is a `docker save`
      const variants: BuiltVariant[] = [];
      for (const { platform, iidfile } of results) {
        const id = await readImageId(iidfile, platform);
        const source = await openDockerDaemon({ id }, { env: this.env, ...(opts.tmpDir !== undefined ? { tmpDir: opts.tmpDir } : {}) });
        sources.push(source);
        const root = await openRoot(source);
        if (root.kind !== 'image') throw new AnyarchError('E_SOURCE', `the Docker engine exported an index for ${formatPlatform(platform)}, not one image`);
        variants.push({ platform, image: root });
      }
      return { variants, close };
    } catch (e) {
      await close();
      throw e;
    }
  }
}

async function readImageId(file: string, platform: Platform): Promise<Digest> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (e) {
    throw new AnyarchError('E_BUILD', `docker build for ${formatPlatform(platform)} ended well but wrote no image id (${errnoReason(e)})`);
  }
  if (!isDigest(text)) throw new AnyarchError('E_BUILD', `docker build for ${formatPlatform(platform)} wrote an image id anyarch cannot read: ${JSON.stringify(text.slice(0, 100))}`);
  return text;
}
