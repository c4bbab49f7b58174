/** Help text: what a newcomer needs to run anyarch and read its answers. */

export const REPO_URL = 'https://github.com/anyarch/anyarch';
export const ISSUES_URL = `${REPO_URL}/issues`;
export const DOCS_URL = `${REPO_URL}#readme`;
export const RULES_DOCS_URL = `${REPO_URL}/tree/main/docs/rules`;

export const PROGRAM_DESCRIPTION = `Find CPU-architecture assumptions in container builds.

anyarch reads Dockerfiles the way BuildKit does and reports what breaks when the
image is built for another CPU than the one it was written on: FROM --platform
pins, downloads of amd64-only binaries, $TARGETARCH used without ARG, base
images that lack a platform, and more. It also reads images (registries, OCI
layouts, archives, a Docker engine), tells which platforms they publish, and
proves from the bytes that each platform variant holds binaries built for it.`;

export const EXIT_CODES = `Exit codes:
  0  no problems at or above --fail-on
  1  problems at or above --fail-on (default: warning: info findings are advice; --fail-on never: always 0)
  2  usage error, bad configuration, a file that could not be read or parsed
     (the other files are still checked and reported), a path or glob naming
     no Dockerfile, or output that could not be written (a full disk; a closed
     pipe, as with | head, is not an error)
  3  internal error: a bug in anyarch (please report it at ${ISSUES_URL})`;

export const PROGRAM_FOOTER = `
Examples:
  $ anyarch check                        check every Dockerfile under the current directory
  $ anyarch check docker/ api.Dockerfile check a directory and a file
  $ anyarch check --fix-dry-run          show what --fix would change, as a diff
  $ anyarch rules                        list the rules
  $ anyarch platforms alpine:3.20        list the platforms an image publishes
  $ anyarch verify ghcr.io/acme/api:1.4  prove each variant's binaries are built for its platform

${EXIT_CODES}

Run 'anyarch <command> --help' for the options of a command.
Docs: ${DOCS_URL}
Rules: ${RULES_DOCS_URL}
Bugs: ${ISSUES_URL}`;

export const CHECK_DESCRIPTION = `Check Dockerfiles for CPU-architecture assumptions.`;

const CHECK_DETAILS = `
Files:
  Without paths, anyarch checks every file named Dockerfile, *.Dockerfile,
  Dockerfile.*, Containerfile, *.Containerfile or Containerfile.* under the
  current directory, skipping what .gitignore files ignore, node_modules and .git.
  A path may be a file, a directory (searched the same way), a quoted glob
  pattern, or - for standard input.

Configuration:
  .anyarch.yaml (or .anyarch.yml) in the current directory or the nearest parent
  up to the git root; flags override it.

    platforms: [linux/amd64, linux/arm64]  # one entry: single-arch on purpose
    rules: { AA101: off, AA102: error }    # id or name: off|info|warning|error
    ignore: [vendor/, "**/testdata/**"]    # gitignore-style, relative to file
    fixStyle: targetarch                   # or detect
    failOn: warning                        # error | warning | info | never

Suppressing a finding:
  # anyarch ignore=AA101 <reason>          (comment above the instruction)
  # anyarch global ignore=AA101            (anywhere: the whole file)
  hadolint (# hadolint ignore=DL3029) and BuildKit (# check=skip=...) comments
  are honoured for rules that have a counterpart there.
`;

export const CHECK_FOOTER = `${CHECK_DETAILS}
Examples:
  $ anyarch check
  $ anyarch check docker/ 'services/**/Dockerfile*'
  $ anyarch check --platforms linux/amd64,linux/arm64,linux/arm/v7 Dockerfile
  $ anyarch check - < Dockerfile
  $ anyarch check --fix-dry-run > anyarch.patch     # review, then: git apply anyarch.patch
  $ anyarch check --fix
  $ anyarch check --format sarif --output anyarch.sarif   # for GitHub code scanning
  $ anyarch check --format github                         # annotations in GitHub Actions
  $ anyarch check --fail-on error --disable AA104

Output formats:
  text    one block per problem with the source line (default)
  json    the findings as data ({ version: 1, files: [...], summary: {...} })
  sarif   SARIF 2.1.0, for code-scanning dashboards
  github  GitHub Actions workflow commands (annotations on the pull request)

${EXIT_CODES}

Docs: ${DOCS_URL}
Rules: ${RULES_DOCS_URL}`;

export const PARSE_DESCRIPTION = `Print how anyarch parses a Dockerfile (for debugging and bug reports).

json prints the instructions with their flags, arguments and lines;
buildkit prints BuildKit's parser dump format, to compare with BuildKit.`;

export const PARSE_FOOTER = `
Examples:
  $ anyarch parse Dockerfile
  $ anyarch parse --format buildkit Dockerfile

Exit codes: 0 parsed; 2 the file could not be read or parsed (the error names file:line:column),
or the output could not be written.`;

export const RULES_DESCRIPTION = `List the rules: id, name, default severity, whether --fix can fix it, title and docs.`;

export const RULES_FOOTER = `
Examples:
  $ anyarch rules
  $ anyarch rules --format json

Each rule's page (what it finds, why, how to fix it): ${RULES_DOCS_URL}`;

export const PLATFORMS_DESCRIPTION = `List the platforms each image publishes.

For every entry of the image's index: the platform (os/architecture/variant,
os.version), the manifest digest, the image size, the os/architecture its
config declares (a warning when that disagrees with the index) and when it was
created. Attestations (BuildKit's unknown/unknown entries) are listed apart,
with the platform they describe.`;

export const PLATFORMS_FOOTER = `
Where images are read from:
  REF, docker://REF         a registry: HTTPS; plain HTTP only for loopback
                            and --insecure-registry hosts
  oci:DIR[:TAG]             an OCI image layout directory (also ocidir://DIR)
  oci-archive:FILE[:TAG]    a tar of an OCI image layout
  docker-archive:FILE[:NAME:TAG|@N]
                            the output of docker save
  docker-daemon:IMAGE       a Docker engine (DOCKER_HOST, /var/run/docker.sock)

Credentials come from the Docker config (DOCKER_CONFIG, ~/.docker/config.json),
including credsStore and credHelpers. They are never printed.

Examples:
  $ anyarch platforms docker.io/library/alpine:3.20
  $ anyarch platforms --require linux/amd64,linux/arm64 ghcr.io/acme/api:1.4
  $ anyarch platforms oci:./build/layout:latest docker-archive:image.tar
  $ anyarch platforms --format json localhost:5000/app:dev
  $ anyarch platforms --format sarif --require linux/arm64 ghcr.io/acme/api:1.4

Exit codes:
  0  every image was read (and has the --require platforms)
  1  a required platform is missing
  2  an image could not be read, or content failed its digest (the other
     images are still listed), or the output could not be written`;

export const VERIFY_DESCRIPTION = `Prove from the bytes that each platform variant of an image was built for
its platform.

For every variant (linux/amd64, linux/arm64, ...) anyarch streams its layers
once, nothing extracted to disk, merges them as a container runtime would
(deleted and overwritten files are judged by what is left), and reads the
headers of every binary: ELF machine, class and byte order, ARM CPU and float
ABI, the dynamic loader, the C library, Python extensions, Node addons, script
interpreters and the config's Entrypoint/Cmd. An x86-64 program in a
linux/arm64 image is reported with its path, the layer and the step that made
it, and, with --dockerfile, the line of the Dockerfile (and the check finding
on it). Verdicts are AA201..AA212 (anyarch rules lists them).`;

export const VERIFY_FOOTER = `
Where images are read from: as for anyarch platforms (REF, docker://REF,
oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE, docker-daemon:IMAGE).

Files that are foreign on purpose (a cross toolchain, test data) are declared in
.anyarch.yaml and become information (AA212):
  verify:
    allow:
      - path: usr/aarch64-linux-gnu/**
        reason: the arm64 cross toolchain's sysroot

Smoke runs (--run, --run-entrypoint) run each variant under qemu-<arch>-static
named explicitly (never a registered binfmt handler, which would let a wrong
binary pass), in a temporary root that is always removed, with no network.

Examples:
  $ anyarch verify ghcr.io/acme/api:1.4
  $ anyarch verify --platform linux/arm64 --dockerfile Dockerfile oci:./layout:latest
  $ anyarch verify --base docker.io/library/debian:bookworm localhost:5000/app:dev
  $ anyarch verify --run '/usr/local/bin/app --version' ghcr.io/acme/api:1.4
  $ anyarch verify --format sarif ghcr.io/acme/api:1.4 > verify.sarif

Exit codes:
  0  no verdict at or above --fail-on (default: warning)
  1  a verdict at or above --fail-on
  2  an image or a variant could not be read, or content failed its digest
     (never a success), a usage or config error, or output that could not be
     written
  3  internal error: a bug in anyarch`;
