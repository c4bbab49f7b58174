/**
 * buildx (`docker buildx`, a client plug-in over BuildKit): one `buildx build --platform a,b`
 * builds every platform, and pushes the result by digest itself
 * (`--output type=image,name=REPO,push-by-digest=true,name-canonical=true,push=true`: no tag is
 * written, so nothing unverified is ever named); `--metadata-file` says what it pushed
 * (`containerimage.digest`, and `containerimage.descriptor` with its media type and size), which
 * anyarch opens from the registry and hands to publish, which verifies it and only then tags
 * it. Without a registry (`--output oci:DIR`), buildx writes an OCI archive
 * (`type=oci,dest=FILE`) that anyarch reads in place.
 *
 * buildx is not installable on the machines anyarch is developed on: these command lines and the
 * metadata reading follow buildx's documentation (docs/reference/buildx_build.md, "--metadata-file"
 * and "--output"), and are tested as command lines and with a stand-in `docker` that answers as
 * buildx does, not with buildx itself.
 */
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AnyarchError } from '../../errors.js';
import { errnoReason } from '../../fs/errno.js';
import { temporaryDirs } from '../../fs/temporary.js';
import { isDigest, type Digest } from '../../oci/digest.js';
import { openRoot, type Image, type Index } from '../../oci/image.js';
import type { Descriptor } from '../../oci/manifest.js';
import type { ImageReference } from '../../oci/reference.js';
import type { ImageSource } from '../../oci/source.js';
import { openOciArchive } from '../../oci/sources/archive.js';
import { formatPlatform, type Platform } from '../../platform/index.js';
import { RegistryClient } from '../../registry/client.js';
import { registrySource } from '../../registry/source.js';
import type { BuildRequest, BuiltVariant, EngineBuildOptions, EngineResult } from '../types.js';
import { EngineBuildError } from './failure.js';
import { commonBuildFlags, failingStep, lastLines, stepExit, platformList } from './flags.js';
import { ClientEngine, endedWith, once, runProgram } from './run.js';

/** Where buildx puts the result: pushed by digest to a repository, or an OCI archive file. */
export type BuildxOutput = { readonly kind: 'registry'; readonly repository: ImageReference } | { readonly kind: 'oci-archive'; readonly file: string };

/** The repository as buildx's `name=` takes it: canonical (`docker.io/library/app`), no tag. */
export function canonicalRepository(r: ImageReference): string {
  return `${r.registry}/${r.repository}`;
}

/** The `--output` value for `out`. */
export function buildxOutputFlag(out: BuildxOutput): string {
  if (out.kind === 'oci-archive') return `type=oci,dest=${out.file}`;
  return `type=image,name=${canonicalRepository(out.repository)},push-by-digest=true,name-canonical=true,push=true`;
}

/** `buildx build …` (after the program, `docker`). */
export function buildxBuildArgs(request: BuildRequest, out: BuildxOutput, metadataFile: string): string[] {
  return ['buildx', 'build', '--progress=plain', '--platform', platformList(request.platforms), ...commonBuildFlags(request), '--output', buildxOutputFlag(out), '--metadata-file', metadataFile, request.context];
}

/** What `--metadata-file` says buildx made. */
export interface BuildxMetadata {
  /** `containerimage.digest`: the pushed index (or, for one platform without attestations, manifest) */
  readonly digest: Digest;
  /** `containerimage.descriptor`, when written (buildx ≥ 0.8) */
  readonly descriptor?: Descriptor;
  /** `image.name`, when written */
  readonly imageName?: string;
}

/**
 * Reads a `--metadata-file` (a JSON object; other keys such as `buildx.build.ref` and
 * `buildx.build.provenance` ignored). `E_BUILD` when there is no digest, when it is not one, or
 * when the descriptor names another digest than `containerimage.digest`.
 */
export function parseBuildxMetadata(text: string, file = 'the metadata file'): BuildxMetadata {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AnyarchError('E_BUILD', `buildx wrote ${file} that is not JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new AnyarchError('E_BUILD', `buildx wrote ${file} that is not a JSON object`);
  const m = json as Record<string, unknown>;
  const digest = m['containerimage.digest'];
  const d = m['containerimage.descriptor'];
  let descriptor: Descriptor | undefined;
  if (d !== undefined) {
    const o = d as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null || typeof o.digest !== 'string' || !isDigest(o.digest) || typeof o.mediaType !== 'string' || typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) {
      throw new AnyarchError('E_BUILD', `buildx wrote a containerimage.descriptor in ${file} that is not a descriptor (mediaType, digest, size)`);
    }
    descriptor = { mediaType: o.mediaType, digest: o.digest, size: o.size } as Descriptor;
  }
  const chosen = typeof digest === 'string' ? digest : descriptor?.digest;
  if (chosen === undefined) throw new AnyarchError('E_BUILD', `buildx wrote no containerimage.digest in ${file}: nothing was pushed`, 'is the output a registry? buildx writes the digest only for images it exported');
  if (!isDigest(chosen)) throw new AnyarchError('E_BUILD', `buildx wrote a containerimage.digest in ${file} that is not a digest: ${JSON.stringify(String(chosen).slice(0, 100))}`);
  if (descriptor && descriptor.digest !== chosen) throw new AnyarchError('E_BUILD', `buildx's metadata disagrees with itself: containerimage.digest ${chosen}, containerimage.descriptor ${descriptor.digest}`);
  const imageName = typeof m['image.name'] === 'string' ? (m['image.name'] as string) : undefined;
  return { digest: chosen, ...(descriptor ? { descriptor } : {}), ...(imageName !== undefined ? { imageName } : {}) };
}

/** `github.com/docker/buildx v0.12.1 30feaa1` -> `0.12.1` (the whole first line when it says otherwise). */
export function parseBuildxVersion(out: string): string | undefined {
  const line = out.split('\n').find((l) => l.trim() !== '')?.trim();
  if (line === undefined) return undefined;
  return /\bv?(\d+\.\d+\.\d+[^\s]*)/.exec(line)?.[1] ?? line;
}

async function variantsOf(root: Index | Image, platforms: readonly Platform[]): Promise<BuiltVariant[]> {
  const out: BuiltVariant[] = [];
  for (const platform of platforms) out.push({ platform, image: root.kind === 'index' ? await root.imageFor(platform) : root });
  return out;
}

/** buildx through `program`, the docker client with the plug-in; `version` is buildx's. */
export class BuildxEngine extends ClientEngine {
  readonly name = 'buildx' as const;

  async build(request: BuildRequest, opts: EngineBuildOptions = {}): Promise<EngineResult> {
    const dir = await temporaryDirs.make(opts.tmpDir ?? tmpdir(), 'anyarch-buildx-');
    let source: ImageSource | undefined;
    const close = once(async () => {
      await source?.close();
      await temporaryDirs.remove(dir);
    });
    try {
      const metadataFile = path.join(dir, 'metadata.json');
      const out: BuildxOutput = opts.repository ? { kind: 'registry', repository: opts.repository } : { kind: 'oci-archive', file: path.join(dir, 'image.tar') };
      const single = request.platforms.length === 1 ? request.platforms[0] : undefined;
      const r = await runProgram(this.program, buildxBuildArgs(request, out, metadataFile), {
        env: this.env,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onLine: (line) => opts.onOutput?.(line, single),
      });
      if (r.code !== 0) {
        // BuildKit builds the platforms in one solve; its error names the step, not always the platform
        const step = failingStep(r.tail);
        const named = request.platforms.filter((p) => r.tail.some((l) => l.includes(`[${formatPlatform(p)} `) || l.includes(`[${formatPlatform(p)}]`)));
        const failed = (named.length ? named : request.platforms).map((platform) => ({ platform, reason: stepExit(r.tail) ?? endedWith(r), lines: lastLines(r.tail), ...(step !== undefined ? { step } : {}) }));
        throw new EngineBuildError('buildx', failed, []);
      }
      let text: string;
      try {
        text = await readFile(metadataFile, 'utf8');
      } catch (e) {
        throw new AnyarchError('E_BUILD', `buildx ended well but wrote no metadata file (${errnoReason(e)})`, 'anyarch needs buildx 0.6 or later (--metadata-file)');
      }
      const metadata = parseBuildxMetadata(text, metadataFile);
      if (out.kind === 'oci-archive') {
        source = await openOciArchive(out.file);
        const root = await openRoot(source);
        return { variants: await variantsOf(root, request.platforms), close };
      }
      const repository: ImageReference = { registry: out.repository.registry, repository: out.repository.repository, digest: metadata.digest };
      source = registrySource(opts.client ?? new RegistryClient(), repository);
      const root = await openRoot(source);
      const variants = await variantsOf(root, request.platforms);
      return root.kind === 'index' ? { variants, pushed: { repository, index: root }, close } : { variants, close };
    } catch (e) {
      await close();
      throw e;
    }
  }
}
