/**
 * `anyarch build`: its flags (commander), kept beside the command so that main.ts stays a table.
 * The action lazily imports `./build.js`, which is glue only: flags to the library, its result to
 * text or JSON, an outcome to main.ts.
 */
import { type Command, Option } from '../packages.js';
import { repeatList as collect, repeat, seconds } from '../flags.js';
import type { Io, Outcome } from '../io.js';

const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;
const ENGINES = ['buildx', 'docker', 'buildah'] as const;

export const BUILD_DESCRIPTION = [
  'Build a multi-platform image with the engine you have, verify every variant, and only then tag it: a wrong-architecture variant is never tagged.',
  "Before building, the Dockerfile is checked for the platforms asked (check's rules; an error stops the build unless --no-check). The engine builds every platform; each variant is pushed by digest (no tag), verified as `anyarch verify` would, and the tags are written on the index only when every platform passes. Nothing is tagged when a check error, a failed build or a refused variant stops it.",
].join('\n\n');

export const BUILD_FOOTER = `
Engines (the first that can build, or --engine):
  buildx    when \`docker buildx version\` answers: one buildx build, pushed by digest
  docker    a Docker client that builds without buildx (before Docker 23: BuildKit is in the
            client) and an engine at DOCKER_HOST or /var/run/docker.sock: one docker build per
            platform, each exported and pushed by anyarch
  buildah   buildah on PATH, else podman (or --buildah PATH), --isolation chroot
A Docker 23+ client without buildx is skipped and said so. The engine chosen says why.

Examples:
  anyarch build -t registry.example/app:1.4 .
  anyarch build -t registry.example/app:1.4 --platform linux/amd64,linux/arm64,linux/arm/v7 -f docker/Dockerfile .
  anyarch build --output oci:./out:1.4 .                        no registry: an OCI layout
  anyarch build --platform linux/arm64 --push-by-digest -t registry.example/app .
                                                               one platform per native builder,
  anyarch merge registry.example/app:1.4 sha256:… sha256:…      then one index for all of them
  anyarch build --go ./cmd/app -t registry.example/app:1.4 .      Go, no Dockerfile, no engine
  anyarch build --engine buildah --no-verify -t localhost:5000/app:dev .

Exit codes: 0 built and tagged (or written) · 1 check errors stopped it, or verify refused a
variant (nothing tagged) · 2 usage, input, registry or network error · 3 internal error ·
4 the engine's build failed (nothing tagged)

The summary lists the index digest, each platform's manifest digest, size and verify verdict,
and the tags written. The index tagged is the one carrying the verify annotation
(dev.anyarch.verify.platforms), put after verifying; \`anyarch platforms\` shows it.
Docs: docs/cli.md, "anyarch build [context]"`;

export interface BuildFlags {
  tag?: string[];
  file?: string;
  platform?: string;
  buildArg?: string[];
  target?: string;
  label?: string[];
  cache: boolean;
  network?: string;
  engine?: (typeof ENGINES)[number];
  docker?: string;
  buildah?: string;
  check: boolean;
  verify: boolean;
  scanCache?: boolean;
  pushByDigest?: boolean;
  output?: string;
  go?: string;
  base?: string;
  cgo?: boolean;
  caCertificates?: boolean;
  failOn?: (typeof FAIL_ON)[number];
  format: 'text' | 'json';
  config?: string | false;
  offline?: boolean;
  insecureRegistry?: string[];
  timeout?: number;
  color: boolean;
}

export function registerBuild(program: Command, io: Io, done: (o: Outcome) => void): void {
  program
    .command('build')
    .summary('build a multi-platform image with your engine, verify every variant, then tag it')
    .description(BUILD_DESCRIPTION)
    .argument('[context]', 'the build context directory', '.')
    .option('-t, --tag <ref>', 'name and tag the image (repeatable; all in one repository), e.g. registry.example/app:1.4', collect)
    .option('-f, --file <Dockerfile>', 'the Dockerfile (default: CONTEXT/Dockerfile)')
    .option('--platform <platforms>', 'platforms to build, comma-separated (default: platforms in .anyarch.yaml, else linux/amd64,linux/arm64)')
    .option('--build-arg <KEY=VALUE>', 'a build-time variable (repeatable)', repeat)
    .option('--target <stage>', 'build this stage of the Dockerfile')
    .option('--label <KEY=VALUE>', 'set an image label (repeatable)', repeat)
    .option('--no-cache', "do not use the engine's build cache")
    .option('--network <mode>', 'network of RUN steps (e.g. none; buildah with chroot isolation takes only host)')
    .addOption(new Option('--engine <engine>', 'build with this engine (default: the first of buildx, docker, buildah that can)').choices(ENGINES))
    .option('--docker <path>', 'the docker client to use (default: each docker on PATH, then /usr/bin/docker)')
    .option('--buildah <path>', 'the buildah (or podman) program to use (default: buildah on PATH, else podman)')
    .option('--no-check', 'build even when check finds errors in the Dockerfile')
    .option('--no-verify', 'tag without verifying the variants (no verdicts, no dev.anyarch.verify annotation): a wrong-architecture variant would be tagged')
    .option('--no-scan-cache', 'verify reads every layer: neither use nor fill the cache of layer scans (also ANYARCH_NO_SCAN_CACHE=1)')
    .option('--push-by-digest', 'build one platform, push it by digest to the -t repository without a tag, and print its digest (for anyarch merge)')
    .option('--output <dest>', 'write the verified image as an OCI layout (oci:DIR[:TAG]) or archive (oci-archive:FILE[:TAG]), instead of or besides -t')
    .option('--go <package>', 'no Dockerfile, no engine: go build this package (e.g. ./cmd/app) per platform and put it on scratch (or --base) as the entrypoint')
    .option('--base <image>', 'with --go: the base image (a reference or source specifier; default scratch)')
    .option('--cgo', 'with --go: CGO_ENABLED=1 (default 0: static binaries)')
    .option('--ca-certificates', "with --go: add this machine's CA bundle at /etc/ssl/certs/ca-certificates.crt")
    .addOption(new Option('--fail-on <severity>', 'refuse a variant whose verdicts are at least this severe (default: failOn in .anyarch.yaml, else warning)').choices(FAIL_ON))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json'] as const).default('text'))
    .option('-c, --config <file>', 'config file (default: .anyarch.yaml or .anyarch.yml here or in a parent directory, up to the git root)')
    .option('--no-config', 'use no config file')
    .option('--offline', 'do not ask registries which platforms base images publish during the check (also ANYARCH_OFFLINE=1)')
    .option('--insecure-registry <host>', 'allow plain HTTP to this registry (repeatable; loopback registries always may)', collect)
    .addOption(new Option('--timeout <seconds>', 'how long one registry request may take (default 30)').argParser(seconds))
    .option('--no-color', 'do not colour the output')
    .addHelpText('after', BUILD_FOOTER)
    .action(async (context: string, flags: BuildFlags) => {
      const { build } = await import('./build.js');
      done(await build({ context, ...flags }, io));
    });
}
