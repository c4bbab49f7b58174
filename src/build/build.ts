/**
 * `anyarch build` without printing: the whole of it for a program.
 *
 *   check the Dockerfile for the platforms asked (errors stop the build unless `check: false`)
 *     -> the engine builds every platform (findEngine: buildx, docker, buildah)
 *     -> each variant readable (docker's exports gzipped with compressImage, buildah's layout and
 *        buildx's registry index as they are)
 *     -> one index composed in a temporary blob store (buildx: the index it pushed by digest)
 *     -> publish: pushed by digest, every variant verified, only then tagged;
 *        or `pushByDigest`: one platform pushed and verified, nothing tagged (its digest is for
 *        `anyarch merge`); or `output`: verified here, then written as an OCI layout or archive
 *
 * Nothing is tagged or written when check stops the build, when a platform's build fails (the
 * result says which, with the engine's last lines, and which built) or when verify refuses a
 * variant. Registry, network and usage failures are thrown as `AnyarchError`s; the verdicts, the
 * check's findings and the engine's failure are results.
 */
import * as path from 'node:path';
import { checkPaths, type CheckPathsOptions, type CheckRun } from '../check/check-paths.js';
import type { CheckOptions } from '../check/engine.js';
import { MAX_INPUT_BYTES, decodeDockerfile, inputReadError } from '../check/input.js';
import { checkOutcome, DEFAULT_FAIL_ON, type CheckOutcome, type FailOn } from '../check/outcome.js';
import { AnyarchError, isBug } from '../errors.js';
import { readRegularFile } from '../fs/bounded-read.js';
import type { Digest } from '../oci/digest.js';
import type { Image, Index } from '../oci/image.js';
import { formatReference, tryParseReference, type ImageReference } from '../oci/reference.js';
import { buildModel, type Stage } from '../dockerfile/model.js';
import { parseDockerfile } from '../dockerfile/parser.js';
import { writeOciArchive } from '../oci/write-archive.js';
import { writeOciLayout } from '../oci/write-layout.js';
import type { Platform } from '../platform/index.js';
import { RegistryClient } from '../registry/client.js';
import type { DockerfileInput } from '../verify/dockerfile-map.js';
import type { VerifyReport } from '../verify/types.js';
import { verifyImage, type VerifyOptions } from '../verify/verify.js';
import { annotationsFromEnvironment, baseAnnotations, standardAnnotations } from './annotations.js';
import { BlobStore } from './blob-store.js';
import { composeIndex } from './compose.js';
import { findEngine, type FindEngineOptions } from './engines/detect.js';
import { EngineBuildError } from './engines/failure.js';
import { compressImage } from './image-writer.js';
import { epochFromEnvironment } from './layer.js';
import { publish, publishRepository, reportOutcome, withVerifyAnnotations, type PublishEvent } from './publish.js';
import type { BuildRequest, BuiltVariant, Engine, EngineResult, ImageAnnotations, PublishedVariant, PublishResult } from './types.js';

/** Where a build goes besides (or instead of) a registry. */
export type BuildOutput = { readonly kind: 'oci-layout'; readonly dir: string; readonly tag?: string } | { readonly kind: 'oci-archive'; readonly file: string; readonly tag?: string };

export interface BuildCheckOptions {
  /** how to check (rules, severities, build platform); the platforms are the build's */
  readonly options?: Omit<CheckOptions, 'platforms'>;
  /** base images looked up (registry client options), or `false`: offline */
  readonly baseImages?: CheckPathsOptions['baseImages'];
  /** the least severe finding that stops the build (default `error`) */
  readonly stopOn?: FailOn;
}

/** What a build is busy with, for a progress display (nothing is printed by the library). */
export type BuildEvent =
  /** the engine chosen (for `--go`, name `assemble`: no engine) */
  | { readonly kind: 'engine'; readonly engine: Pick<Engine, 'name' | 'version' | 'why' | 'program'> }
  | { readonly kind: 'phase'; readonly phase: 'check' | 'build' | 'compress' | 'compose' | 'write'; readonly platform?: Platform }
  /** a line of the engine's own output, with its platform when known */
  | { readonly kind: 'output'; readonly line: string; readonly platform?: Platform }
  | { readonly kind: 'publish'; readonly event: PublishEvent }
  /** the check ended and the build goes on: its findings below the stopping severity (warnings), to show before building */
  | { readonly kind: 'check'; readonly check: CheckRun };

export interface BuildOptions {
  /** the engine (default: {@link findEngine} with `find`) */
  readonly engine?: Engine;
  readonly find?: FindEngineOptions;
  /** the references to tag, in one repository; none: no registry (then `output` is needed) */
  readonly tags: readonly ImageReference[];
  /** one platform, pushed by digest to the tags' repository and verified, nothing tagged (for `anyarch merge`) */
  readonly pushByDigest?: boolean;
  /** an OCI layout or archive, written only once every variant passed verify */
  readonly output?: BuildOutput;
  /** false: nothing verified (`--no-verify`); default true */
  readonly verify?: boolean;
  /** the least severe verdict that refuses a variant (default `warning`) */
  readonly failOn?: FailOn;
  /** the check before building; `false` skips it (`--no-check`) */
  readonly check?: false | BuildCheckOptions;
  /** how variants are verified (`verify.allow`, limits) */
  readonly verifyOptions?: VerifyOptions;
  /** the registry client (credentials, insecure registries, timeouts); default a plain client */
  readonly client?: RegistryClient;
  /** the index's standard annotations (default: from git and SOURCE_DATE_EPOCH, `annotationsFromEnvironment`) */
  readonly annotations?: ImageAnnotations;
  readonly env?: NodeJS.ProcessEnv;
  /** where relative paths of the request are read from (default the process's) */
  readonly cwd?: string;
  /** where temporary stores, exports and layouts go (default the system's) */
  readonly tmpDir?: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: BuildEvent) => void;
}

/** How a build ended. */
export type BuildStatus =
  /** built, verified (unless asked not to), pushed and tagged or written */
  | 'built'
  /** check found what stops the build (`checkOutcome` says which); nothing built */
  | 'check-failed'
  /** the engine failed for some platform (`buildError`); nothing pushed or tagged */
  | 'build-failed'
  /** verify refused a variant; nothing tagged or written */
  | 'refused';

/**
 * What `output` got: the image written once verified (or why not), described as a publish is;
 * `tagged` holds what was written (`oci:DIR:TAG`, or `oci:DIR` without a tag), empty when refused.
 */
export interface WrittenImage extends Pick<PublishResult, 'index' | 'variants' | 'report' | 'passed' | 'tagged'> {
  /** `oci:DIR` or `oci-archive:FILE` */
  readonly destination: string;
}

export interface BuildRun {
  readonly request: BuildRequest;
  readonly engine?: { readonly name: Engine['name']; readonly version: string; readonly why: string; readonly program?: string };
  readonly status: BuildStatus;
  /** the check of the Dockerfile (absent with `check: false`) */
  readonly check?: CheckRun;
  readonly checkOutcome?: CheckOutcome;
  readonly buildError?: EngineBuildError;
  /** what was pushed to the registry (tags or push by digest) */
  readonly published?: PublishResult;
  /** with `pushByDigest`: the pushed image manifest's digest (for `anyarch merge`), when it passed */
  readonly digest?: Digest;
  /** what was written to `output` (`passed: false` and nothing written when refused) */
  readonly written?: WrittenImage;
}

function resolveRequest(request: BuildRequest, cwd: string): BuildRequest {
  return { ...request, context: path.resolve(cwd, request.context), dockerfile: path.resolve(cwd, request.dockerfile) };
}

async function readDockerfile(file: string, display: string): Promise<DockerfileInput> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(file, MAX_INPUT_BYTES);
  } catch (e) {
    throw inputReadError(display, e);
  }
  return { file: display, source: decodeDockerfile(bytes, display) };
}

function validate(request: BuildRequest, opts: BuildOptions): void {
  if (request.platforms.length === 0) throw new AnyarchError('E_USAGE', 'name at least one platform to build', 'e.g. --platform linux/amd64,linux/arm64, or platforms in .anyarch.yaml');
  if (opts.pushByDigest) {
    if (request.platforms.length !== 1) {
      throw new AnyarchError('E_USAGE', `--push-by-digest builds one platform, not ${request.platforms.length}`, 'run it once per platform (one native builder each), then anyarch merge REF DIGEST...');
    }
    if (opts.tags.length === 0) throw new AnyarchError('E_USAGE', '--push-by-digest needs the repository to push to', 'e.g. -t registry.example/app (the tag is not written)');
    if (opts.output) throw new AnyarchError('E_USAGE', '--push-by-digest and --output cannot be used together');
  }
  if (opts.tags.length === 0 && !opts.output) {
    throw new AnyarchError('E_USAGE', 'nowhere to put the image', 'name it with -t REGISTRY/REPOSITORY:TAG, or write it with --output oci:DIR or --output oci-archive:FILE');
  }
  if (opts.tags.length) publishRepository(opts.tags); // one repository
}

/**
 * The image the built stage starts from (`--target`, else the last stage; followed through the
 * stages it is built FROM), for the `base.name` annotation (`base.digest` when the FROM pins
 * one): undefined for `scratch`, a reference left with a `$` or naming a `--build-arg` (the
 * model knows only the Dockerfile's defaults), or a Dockerfile anyarch cannot read.
 */
export function dockerfileBase(source: string, request: Pick<BuildRequest, 'target' | 'platforms'> & { readonly buildArgs?: BuildRequest['buildArgs'] }): { name: string; digest?: Digest } | undefined {
  try {
    const model = buildModel(parseDockerfile(source));
    let stage: Stage | null | undefined = request.target !== undefined ? model.stageByName(request.target) : model.finalStage;
    while (stage?.parent) stage = stage.parent;
    const platform = request.platforms[0];
    if (!stage || !platform) return undefined;
    // a --build-arg that the FROM line expands: the default the model sees is not what was built
    const raw = stage.image.value;
    if (raw.includes('$') && Object.keys(request.buildArgs ?? {}).some((k) => raw.includes(k))) return undefined;
    const written = model.view(stage, platform).image.trim();
    if (written === '' || written.toLowerCase() === 'scratch' || written.includes('$')) return undefined;
    const ref = tryParseReference(written);
    if (!ref) return undefined;
    return { name: formatReference({ registry: ref.registry, repository: ref.repository, ...(ref.tag !== undefined ? { tag: ref.tag } : {}) }), ...(ref.digest ? { digest: ref.digest } : {}) };
  } catch {
    return undefined; // the check reports what cannot be parsed
  }
}

/** The variant as publish can push it: gzipped when the engine exported plain tars (docker save). */
async function pushable(store: BlobStore, v: BuiltVariant, onEvent: BuildOptions['onEvent']): Promise<Image> {
  const layers = await v.image.layers();
  if (!layers.some((l) => l.compression === 'none')) return v.image;
  onEvent?.({ kind: 'phase', phase: 'compress', platform: v.platform });
  return compressImage(store, v.image);
}

/** Writes `root` as the OCI layout or archive `output` names (relative paths from `cwd`). */
export async function writeLocal(root: Index, output: BuildOutput, cwd: string): Promise<void> {
  const opts = output.tag !== undefined ? { tag: output.tag } : {};
  if (output.kind === 'oci-layout') await writeOciLayout(root, path.resolve(cwd, output.dir), opts);
  else await writeOciArchive(root, path.resolve(cwd, output.file), opts);
}

/** Verifies `root` here (no registry) and writes it to `output` when every variant passed. */
async function writeOutput(store: BlobStore, root: Index, variants: readonly BuiltVariant[], output: BuildOutput, opts: BuildOptions, dockerfile: DockerfileInput | undefined): Promise<WrittenImage> {
  const destination = output.kind === 'oci-layout' ? `oci:${output.dir}` : `oci-archive:${output.file}`;
  const manifest = await root.manifest();
  const verify = opts.verify !== false;
  let report: VerifyReport | undefined;
  if (verify) {
    report = await verifyImage(root, { ...opts.verifyOptions, ...(opts.client ? { client: opts.client } : {}), ...(dockerfile ? { dockerfile } : {}) }, destination);
  }
  const passed = !report || reportOutcome(report, opts.failOn ?? DEFAULT_FAIL_ON) === 'clean';
  const published = await Promise.all(
    manifest.manifests
      .filter((d) => d.platform && d.platform.architecture !== 'unknown')
      .map(async (d): Promise<PublishedVariant> => {
        const image = await root.image(d);
        const m = await image.manifest();
        const platform = variants.find((v) => v.image.descriptor.digest === d.digest)?.platform ?? { os: d.platform?.os ?? '', architecture: d.platform?.architecture ?? '', variant: d.platform?.variant ?? '' };
        const verification = report?.platforms.find((p) => p.digest === d.digest);
        return { platform, descriptor: d, size: d.size + m.config.size + m.layers.reduce((n, l) => n + l.size, 0), ...(verification ? { verification } : {}) };
      }),
  );
  if (!passed) return { destination, index: root.descriptor, variants: published, ...(report ? { report } : {}), passed, tagged: [] };
  const final = verify ? await withVerifyAnnotations(store, root, published.map((p) => p.platform)) : root;
  opts.onEvent?.({ kind: 'phase', phase: 'write' });
  await writeLocal(final, output, opts.cwd ?? process.cwd());
  return { destination, index: final.descriptor, variants: published, ...(report ? { report } : {}), passed, tagged: [output.tag !== undefined ? `${destination}:${output.tag}` : destination] };
}

/**
 * Builds `request` (see the module comment). `E_USAGE` for what cannot be asked (no platform,
 * push by digest of several, nowhere to put the image, tags in two repositories, no engine);
 * registry and network errors as publish throws them; `E_BUILD` only when an engine cannot be
 * run at all (a build that fails is `status: 'build-failed'`).
 */
export async function buildImage(requestIn: BuildRequest, opts: BuildOptions): Promise<BuildRun> {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const request = resolveRequest(requestIn, cwd);
  validate(request, opts);
  if (request.go) return buildGo(request, opts, cwd, env);
  const display = path.relative(cwd, request.dockerfile) || request.dockerfile;

  // 1. check
  let check: CheckRun | undefined;
  let outcome: CheckOutcome | undefined;
  if (opts.check !== false) {
    opts.onEvent?.({ kind: 'phase', phase: 'check' });
    const c = opts.check ?? {};
    check = await checkPaths([request.dockerfile], {
      cwd,
      check: { ...c.options, platforms: request.platforms },
      baseImages: c.baseImages ?? false,
    });
    outcome = checkOutcome(check, c.stopOn ?? 'error');
    if (outcome !== 'clean') {
      const unreadable = check.results.find((r) => r.error && !isBug(r.error));
      if (outcome === 'input-error' && unreadable?.error) throw unreadable.error;
      return { request, status: 'check-failed', check, checkOutcome: outcome };
    }
    if (check.summary.problems > 0) opts.onEvent?.({ kind: 'check', check });
  }
  const dockerfile = await readDockerfile(request.dockerfile, display);

  // 2. the engine
  const engine = opts.engine ?? (await findEngine({ ...opts.find, env: opts.find?.env ?? env }));
  opts.onEvent?.({ kind: 'engine', engine });
  const engineInfo = { name: engine.name, version: engine.version, why: engine.why, ...(engine.program !== undefined ? { program: engine.program } : {}) };
  const client = opts.client ?? new RegistryClient();
  const repository = opts.tags.length ? publishRepository(opts.tags) : undefined;
  const base = { request, engine: engineInfo, ...(check ? { check } : {}), ...(outcome ? { checkOutcome: outcome } : {}) };

  opts.onEvent?.({ kind: 'phase', phase: 'build' });
  let built: EngineResult;
  try {
    built = await engine.build(request, {
      ...(repository && engine.name === 'buildx' ? { repository } : {}),
      client,
      onOutput: (line, platform) => opts.onEvent?.({ kind: 'output', line, ...(platform ? { platform } : {}) }),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.tmpDir !== undefined ? { tmpDir: opts.tmpDir } : {}),
    });
  } catch (e) {
    if (e instanceof EngineBuildError) return { ...base, status: 'build-failed', buildError: e };
    throw e;
  }

  const store = await BlobStore.create({ ...(opts.tmpDir !== undefined ? { tmpDir: opts.tmpDir } : {}), name: 'build' });
  try {
    // 3. the index
    let root: Index;
    if (built.pushed) root = built.pushed.index;
    else {
      const entries = [];
      for (const v of built.variants) entries.push({ platform: v.platform, image: await pushable(store, v, opts.onEvent) });
      opts.onEvent?.({ kind: 'phase', phase: 'compose' });
      const base = dockerfileBase(dockerfile.source, request);
      const annotations = opts.annotations ?? { ...(await annotationsFromEnvironment(request.context, env)), ...baseAnnotations(base?.name, base?.digest) };
      root = await composeIndex(store, entries, { annotations: standardAnnotations(annotations) });
    }
    // 4. publish: registry, then the output
    return { ...base, ...(await deliver(root, built.variants, store, { ...opts, client }, repository, dockerfile)) };
  } finally {
    await Promise.allSettled([built.close(), store.close()]);
  }
}

/** Publishes `root` to the registry (tags or by digest), then writes the output; stops at the first refusal. */
async function deliver(
  root: Index,
  variants: readonly BuiltVariant[],
  store: BlobStore,
  opts: BuildOptions & { readonly client: RegistryClient },
  repository: ImageReference | undefined,
  dockerfile: DockerfileInput | undefined,
): Promise<Pick<BuildRun, 'status' | 'published' | 'written' | 'digest'>> {
  const verify = opts.verify !== false;
  const onProgress = (event: PublishEvent): void => opts.onEvent?.({ kind: 'publish', event });
  let published: PublishResult | undefined;
  if (repository) {
    const tags = opts.pushByDigest ? [repository] : opts.tags;
    const r = await publish(root, { client: opts.client, tags, verify, ...(opts.failOn ? { failOn: opts.failOn } : {}), ...(opts.verifyOptions ? { verifyOptions: opts.verifyOptions } : {}), ...(dockerfile ? { dockerfile } : {}), onProgress });
    published = r;
    if (!r.passed) return { status: 'refused', published };
    if (opts.pushByDigest) {
      const digest = r.variants[0]?.descriptor.digest;
      return { status: 'built', published, ...(digest ? { digest } : {}) };
    }
  }
  let written: WrittenImage | undefined;
  if (opts.output) {
    written = await writeOutput(store, root, variants, opts.output, opts, dockerfile);
    if (!written.passed) return { status: 'refused', ...(published ? { published } : {}), written };
  }
  return { status: 'built', ...(published ? { published } : {}), ...(written ? { written } : {}) };
}

/**
 * `--go ./cmd/app`: no Dockerfile and no engine: `go build` per platform and the binaries put on
 * the base (default scratch) by `buildGoImage` (src/build/go.ts), then delivered as any build.
 * go failing is its `E_BUILD` error (thrown: go's last lines are in it).
 */
async function buildGo(request: BuildRequest, opts: BuildOptions, cwd: string, env: NodeJS.ProcessEnv): Promise<BuildRun> {
  const { buildGoImage } = await import('./go.js');
  const go = request.go as NonNullable<BuildRequest['go']>;
  const engine = { name: 'assemble' as const, version: '', why: `--go ${go.package}: go build per platform, the binaries put on ${go.base ?? 'scratch'} without an engine` };
  opts.onEvent?.({ kind: 'engine', engine });
  const client = opts.client ?? new RegistryClient();
  const repository = opts.tags.length ? publishRepository(opts.tags) : undefined;
  const store = await BlobStore.create({ ...(opts.tmpDir !== undefined ? { tmpDir: opts.tmpDir } : {}), name: 'build-go' });
  let image: Awaited<ReturnType<typeof buildGoImage>> | undefined;
  try {
    opts.onEvent?.({ kind: 'phase', phase: 'build' });
    const epoch = epochFromEnvironment(env);
    image = await buildGoImage(request, {
      store,
      cwd,
      env,
      client,
      ...(opts.tmpDir !== undefined ? { tmpDir: opts.tmpDir } : {}),
      ...(epoch !== undefined ? { epoch } : {}),
      annotations: opts.annotations ?? (await annotationsFromEnvironment(request.context, env)),
      onOutput: (line, platform) => opts.onEvent?.({ kind: 'output', line, platform }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return { request, engine, ...(await deliver(image.index, [], store, { ...opts, client }, repository, undefined)) };
  } finally {
    await Promise.allSettled([image?.close(), store.close()]);
  }
}
