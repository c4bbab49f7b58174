/**
 * anyarch as a library: parse Dockerfiles, check them for CPU-architecture assumptions, fix
 * them, and work with platforms in every vocabulary. The CLI (`anyarch check`) is a thin shell
 * over exactly these functions.
 *
 * ```ts
 * import { checkSource, parsePlatformList } from 'anyarch';
 * const result = checkSource(text, 'Dockerfile', { platforms: parsePlatformList('linux/amd64,linux/arm64') });
 * for (const f of result.findings) console.log(`${f.file}:${f.range.start.line} ${f.ruleId} ${f.message}`);
 * ```
 *
 * What `anyarch check` does for a whole tree (discovery, base images, fixes) is `checkPaths`:
 *
 * ```ts
 * import { checkOutcome, checkPaths } from 'anyarch';
 * const run = await checkPaths(['.'], { cwd: process.cwd(), baseImages: false });
 * console.log(run.summary.problems, checkOutcome(run, 'error'));
 * ```
 */

// Errors: a code for programs, a sentence for people, a hint for what to do next.
export { AnyarchError, isAnyarchError } from './errors.js';
export type { ErrorCode, ErrorLocation } from './errors.js';

// Platforms and architecture vocabularies (the platform module's own public surface).
export * from './platform/index.js';

// Dockerfile syntax tree, parser and debugging views.
export type {
  Comment,
  Directive,
  Dockerfile,
  Flag,
  Heredoc,
  Instruction,
  ParseWarning,
  Position,
  Range,
  Segment,
  SourceText,
} from './dockerfile/ast.js';
export { INSTRUCTIONS, MAX_DOCKERFILE_BYTES, parseDockerfile } from './dockerfile/parser.js';
export { dumpBuildkit, toJSON } from './dockerfile/dump.js';
export type { DockerfileJSON, InstructionJSON } from './dockerfile/dump.js';

// The semantic model rules work on: stages, ARG/ENV scopes, per-platform views.
export { PLATFORM_ARGS, Scope, buildModel, isPlatformArg, splitWords } from './dockerfile/model.js';
export type { ArgDecl, Binding, Model, ShellSource, Stage, StageView, Word } from './dockerfile/model.js';
export type { StageEdge, StageEdgeKind, StageGraph } from './dockerfile/graph.js';
export { parseMount } from './dockerfile/mount.js';
export type { Mount, MountOption } from './dockerfile/mount.js';

// Checking and fixing: one text (checkSource, fixSource) or what `anyarch check` does (checkPaths).
export {
  DEFAULT_PLATFORMS,
  MAX_FIX_PASSES,
  applyEdits,
  checkSource,
  computeSelection,
  defaultBuildPlatform,
  fixSource,
  lineRange,
  resolveRuleRef,
  resolveRuleRefs,
  ruleOptions,
  rulesNeeding,
  runRules,
  selectRules,
} from './check/engine.js';
export type { CheckOptions, FileResult, FixResult, Selected, SeverityOverride } from './check/engine.js';
export { STDIN_NAME, checkPaths } from './check/check-paths.js';
export type { CheckPathsOptions, CheckProgress, CheckRun } from './check/check-paths.js';
export { summarize } from './check/summary.js';
export type { Summary } from './check/summary.js';
export { DEFAULT_FAIL_ON, FAIL_ON_VALUES, checkOutcome, failsOn } from './check/outcome.js';
export type { CheckOutcome, FailOn } from './check/outcome.js';
export { MAX_INPUT_BYTES, decodeDockerfile, dockerfileText, inputReadError } from './check/input.js';
// Local reads as check makes them: bounded, never opening a FIFO, device or socket (give
// checkPaths's `readStdin` `(limit) => readAtMost(process.stdin, limit)`).
export { NotRegularFileError, TooLargeError, readAtMost, readRegularFile, readRegularFileSync } from './fs/bounded-read.js';
export { splitBom } from './dockerfile/text.js';
export { MAX_GITIGNORE_BYTES, NO_DOCKERFILES_FOUND, SKIPPED_DIRECTORIES, discoverDockerfiles, isDockerfileName } from './check/discover.js';
export type { DiscoverOptions, Discovery } from './check/discover.js';

// .anyarch.yaml
export { CONFIG_FILE_NAMES, FIX_STYLES, MAX_CONFIG_FILE_BYTES, MAX_CONFIG_FLOW_DEPTH, MAX_CONFIG_INDENT, findConfig, loadConfig, parseConfig } from './config.js';
export type { Config, LoadConfigOptions } from './config.js';

// Rules: the built-in set and what a rule (and a finding) is.
export { RULES } from './rules/index.js';
export { DOCS_BASE, defineRule, docsUrl } from './rules/types.js';
export type {
  Edit,
  Finding,
  FixStyle,
  Messages,
  ReportDescriptor,
  Rule,
  RuleContext,
  RuleMeta,
  Severity,
  Suggestion,
} from './rules/types.js';

// Images: references, sources (registry, OCI layout, archives, Docker engine), platforms.
export { DOCKER_HUB, familiarReference, formatReference, isLoopbackRegistry, parseReference, referenceTarget, registryApiHost, tryParseReference } from './oci/reference.js';
export type { ImageReference } from './oci/reference.js';
export { SOURCE_TRANSPORTS, formatSourceSpec, parseSourceSpec } from './oci/source-spec.js';
export type { SourceSpec, SourceSpecOptions } from './oci/source-spec.js';
export { openSource } from './sources.js';
export type { OpenOptions } from './sources.js';
export type { FetchedManifest, ImageSource, SourceKind } from './oci/source.js';
export { DigestVerifier, digestOf, isDigest, parseDigest, verifyBytes } from './oci/digest.js';
export type { Digest, DigestAlgorithm } from './oci/digest.js';
export { MANIFEST_ACCEPT, MediaType, isIndexMediaType, isManifestMediaType, layerCompression } from './oci/media.js';
export {
  MAX_CONFIG_BYTES,
  MAX_JSON_DEPTH,
  MAX_MANIFEST_BYTES,
  isAttestationEntry,
  parseConfig as parseImageConfig,
  parseConfigDetails,
  parseDescriptor,
  parseManifest,
} from './oci/manifest.js';
export type { ConfigDetails, ContainerConfig, Descriptor, HistoryEntry, ImageConfig, ImageIndex, ImageManifest, Manifest, OciPlatform } from './oci/manifest.js';
import { formatPlatform } from './platform/index.js';
/** @deprecated Use `formatPlatform`: the same `os/arch[/variant]`, for any `{ os, architecture, variant? }`. */
export const platformString = formatPlatform;
export { DEFAULT_MAX_IMAGE_BYTES, MAX_CONCURRENT_READS, openRoot, readLimitError } from './oci/image.js';
export type { HistoryStep, Image, Index, Layer, LayerCompression, OpenRootOptions } from './oci/image.js';
export { DEFAULT_MAX_DEPTH, MAX_INDEX_ENTRIES, walkIndex } from './oci/walk.js';
export { imageContents } from './oci/contents.js';
export type { ContentBlob, ContentsOptions, ImageContents } from './oci/contents.js';
export { writeOciLayout } from './oci/write-layout.js';
export type { WriteLayoutOptions, WriteLayoutResult } from './oci/write-layout.js';
export type { IndexWalk, WalkOptions, WalkedAttestation, WalkedImage } from './oci/walk.js';
export { inspectPlatforms, platformMismatch } from './oci/platforms.js';
export type { AttestationEntry, ConfigSummary, InspectOptions, PlatformReport, PlatformVariant } from './oci/platforms.js';
// What the platforms of several images add up to (`anyarch platforms`): --require, problems, outcome.
export { missingPlatforms } from './oci/required-platforms.js';
export { imageError, imageResult, imagesOutcome, isIntegrityFailure, missingRequired, summarizeImages } from './oci/image-results.js';
export type { ImageProblem, ImageResult, ImagesOutcome, ImagesSummary } from './oci/image-results.js';
// The whole of `anyarch platforms` without printing: parse, open, inspect and close each image.
export { inspectImages } from './images.js';
export type { ImagesProgress, ImagesRun, InspectImagesOptions } from './images.js';

// Registries: the distribution-spec client, its errors in the registry's words, credentials, pushing.
export { RegistryClient } from './registry/client.js';
export type { BlobOpener, ClientEvent, PushBlobOptions, RegistryClientOptions, RepositoryRef } from './registry/client.js';
export { RegistryError, SPEC_ERROR_CODES } from './registry/errors.js';
export type { RegistryCode, RegistryDiagnostic } from './registry/errors.js';
export { redact, resolveCredential } from './registry/credentials.js';
export type { Credential, ResolveCredentialOptions } from './registry/credentials.js';
export { credentialedClient } from './registry/credentialed.js';
export type { CredentialedClientOptions } from './registry/credentialed.js';
export { pushImage } from './registry/push.js';
export type { PushImageOptions, PushStats } from './registry/push.js';
export { DEFAULT_RETRY } from './net/retry.js';
export type { RetryPolicy } from './net/retry.js';

// The Docker engine: its API (ping, version, image inspect, export and load) over DOCKER_HOST.
export { DEFAULT_DOCKER_SOCKET, MAX_API_VERSION, connectDockerEngine, dockerEndpoint, negotiateApiVersion } from './engine/api.js';
export type { DockerEndpoint, DockerEngine, DockerEngineOptions } from './engine/api.js';

// Temporary directories the library holds (an exported image): remove them from your own exit
// and signal handlers; the library installs none (the anyarch command does, src/cli/signals.ts).
export { removeTemporaryDirs, temporaryDirs } from './fs/temporary.js';

// Base images of Dockerfiles: what they must publish, and looking it up.
export { baseImageRequirements } from './rules/support/base-image-requirements.js';
export type { BaseImageFact, BaseImageFacts, BaseImageRequirement } from './rules/support/base-image-requirements.js';
export { lookUpBaseImages, resolveBaseImages } from './check/base-image-lookup.js';
export type { LookUpBaseImagesOptions, ResolveBaseImagesOptions } from './check/base-image-lookup.js';

// anyarch's on-disk cache (registry answers), usable for any JSON answer.
export { CACHE_FORMAT_VERSION, DEFAULT_CACHE_TTL_MS, MAX_CACHE_ENTRY_BYTES, defaultCacheDir, jsonCache } from './fs/cache.js';
export type { JsonCache, JsonCacheOptions } from './fs/cache.js';

// anyarch verify: each platform variant's bytes judged against its platform (verdicts AA201..AA212).
export { DEFAULT_LAYERS_IN_FLIGHT, MAX_LAYERS_IN_FLIGHT, summarizeVerify, verifyImage, verifyImages, verifyOutcome } from './verify/verify.js';
export type { LayerMemo, LayerReaders, SmokeRunner, VerifyImagesOptions, VerifyOptions, VerifyOutcome, VerifyProgress, VerifyRun } from './verify/verify.js';
export { LAYER_SCAN_FORMAT, MAX_LAYER_SCAN_CACHE_BYTES, MAX_LAYER_SCAN_ENTRY_BYTES, layerScanCache } from './verify/layer-cache.js';
export type { LayerScanCache, LayerScanCacheOptions, LayerScanKey } from './verify/layer-cache.js';
export type { PlatformSummary, PlatformVerification, Verdict, VerdictLayer, VerdictSeverity, VerdictSource, VerifyReport, VerifySummary } from './verify/types.js';
export { VERDICTS } from './verify/verdicts/index.js';
export type { JudgeContext, VerdictMeta, VerdictRule } from './verify/verdicts/types.js';
export { defineVerdict } from './verify/verdicts/types.js';
export { judgeVariant } from './verify/judge.js';
export type { JudgeInput } from './verify/judge.js';
export { AllowList, allowPattern } from './verify/allow.js';
export type { AllowEntry } from './verify/allow.js';
export type { DockerfileInput } from './verify/dockerfile-map.js';

// anyarch build, assemble, merge: per-platform images made (an engine, files and a base, Go),
// composed into one index, pushed by digest, verified, and only then tagged.
export { ENGINE_NAMES, VERIFIED_BY_ANNOTATION, VERIFIED_PLATFORMS_ANNOTATION } from './build/types.js';
export type { BuildRequest, BuiltVariant, Engine, EngineBuildOptions, EngineName, EngineResult, ImageAnnotations, PublishedVariant, PublishResult } from './build/types.js';
export { buildImage, dockerfileBase } from './build/build.js';
export type { BuildEvent, BuildOptions, BuildOutput, BuildRun, BuildStatus, WrittenImage } from './build/build.js';
export { findEngine } from './build/engines/detect.js';
export type { FindEngineOptions } from './build/engines/detect.js';
export { EngineBuildError } from './build/engines/failure.js';
export type { PlatformFailure } from './build/engines/failure.js';
export { BlobStore } from './build/blob-store.js';
export { DEFAULT_GZIP_LEVEL, MAX_DIRECTORY_ENTRIES, createdFromEpoch, entriesFromDirectory, epochFromEnvironment, gzipLayer, writeLayer } from './build/layer.js';
export type { LayerEntry, LayerOptions, WrittenLayer } from './build/layer.js';
export { compressImage, writeImage } from './build/image-writer.js';
export type { ConfigChanges, ImageSpec } from './build/image-writer.js';
export { MAX_COMPOSE_ENTRIES, composeIndex } from './build/compose.js';
export type { ComposeEntry } from './build/compose.js';
export { annotationsFromEnvironment, standardAnnotations } from './build/annotations.js';
export { MAX_MERGE_IMAGES, merge, publish, publishOutcome, publishRepository } from './build/publish.js';
export type { MergeOptions, PublishEvent, PublishOptions } from './build/publish.js';
export { MAX_ADDITION_CHARS, parseAddition } from './build/additions.js';
export type { FileAddition } from './build/additions.js';
export { assemble, assemblyPlatforms } from './build/assemble.js';
export type { AssembleOptions } from './build/assemble.js';
export { buildGoImage, goBuild } from './build/go.js';
export type { GoBuildOptions, GoImage, GoImageOptions } from './build/go.js';
export { writeDockerArchive, writeOciArchive } from './oci/write-archive.js';

// anyarch deps: will every native dependency of a lockfile have a binary for every target
// platform? (src/deps: lockfiles, targets from a Dockerfile's installing stage, npm and Python
// coverage, verdicts AA301..AA305)
export * from './deps/index.js';
