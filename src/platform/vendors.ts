/**
 * Download URLs of commonly fetched tools and the word each vendor uses for each platform.
 *
 * Converted by hand from the research notes (archdata.json `tools[]`, 42 tools). Each entry names
 * its source. Token keys are platforms written without `linux/` (`amd64`, `arm/v7`, `386`).
 * A missing key means "not known"; `null` means "the vendor publishes nothing for it";
 * `'*'` means one arch-independent file serves every platform.
 *
 * URL patterns: `{arch}` is the architecture token; any other `{name}` stands for text without a
 * slash (version, tag, major version, file stem, file extension).
 */
import { PLATFORM_DATA } from './data.js';
import { TOOL_SPECS } from './vendors-tools.js';

/** Another family of assets of a vendor (musl builds, .deb packages, legacy names). */
export interface VendorVariant {
  /** e.g. `musl`, `deb`, `legacy`, `alpine`, `baseline` */
  readonly label: string;
  readonly tokens: Readonly<Record<string, string>>;
}

/** A tool whose downloads are per-architecture files (or, for a few, one arch-independent file). */
export interface Vendor {
  /** short stable id: `go`, `node`, `aws-cli`, `temurin`, `rust` ... */
  readonly name: string;
  /** human name, as in the research notes */
  readonly title: string;
  /** the main URL pattern ('' when the vendor publishes no binaries) */
  readonly urlPattern: string;
  /** every URL pattern `findVendor` matches, the main one first */
  readonly urlPatterns: readonly string[];
  /** lower-case host names of `urlPatterns` */
  readonly hosts: readonly string[];
  /** platform key (`amd64`, `arm/v7`) -> the vendor's token; null: not published; '*': arch-independent */
  readonly tokens: Readonly<Record<string, string | null>>;
  /** other asset families and their tokens */
  readonly variants: readonly VendorVariant[];
  /** one file for every platform (maven, gradle): never rewrite */
  readonly archIndependent: boolean;
  /** the Docker Official Image that ships this tool for every platform, when there is one */
  readonly officialImage?: string;
  /** whether the pattern and tokens were seen in the cited source */
  readonly verified: boolean;
  readonly source: string;
  readonly notes?: string;
  /**
   * Assets named with no architecture word at all that are one platform's build (k3s's plain
   * `k3s` is x86-64 beside `k3s-arm64`): that platform's key and the URL patterns (no `{arch}`).
   */
  readonly unsuffixed?: { readonly platform: string; readonly urlPatterns: readonly string[] };
}

/** A vendor as written in the tables (hosts, main pattern and defaults filled in by freezing). */
export type VendorSpec = Omit<Vendor, 'hosts' | 'urlPattern' | 'variants' | 'archIndependent'> & {
  readonly variants?: readonly VendorVariant[];
  readonly archIndependent?: boolean;
};

const GH = 'https://github.com';

/** The same '*' token for each of the ten platforms. */
const EVERY_PLATFORM_SAME: Readonly<Record<string, string>> = {
  amd64: '*',
  arm64: '*',
  'arm/v7': '*',
  'arm/v6': '*',
  '386': '*',
  ppc64le: '*',
  s390x: '*',
  riscv64: '*',
  mips64le: '*',
  loong64: '*',
};

/**
 * The Rust target triple of each platform named, from the platform table: what cargo-dist and
 * most Rust projects name their release assets by.
 */
function rustTriples(libc: 'gnu' | 'musl', keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    keys.map((key) => {
      const data = PLATFORM_DATA.find((d) => d.key === key);
      if (!data) throw new Error(`no platform ${key}`);
      return [key, libc === 'gnu' ? data.rustGnu : data.rustMusl];
    }),
  );
}

const DOTNET_HOSTS = [
  'https://dotnetcli.azureedge.net',
  'https://dotnetcli.blob.core.windows.net',
  'https://builds.dotnet.microsoft.com',
];

const SPECS: readonly VendorSpec[] = [
  {
    name: 'go',
    title: 'Go',
    urlPatterns: [
      'https://dl.google.com/go/go{version}.linux-{arch}.tar.gz',
      'https://go.dev/dl/go{version}.linux-{arch}.tar.gz',
      'https://golang.org/dl/go{version}.linux-{arch}.tar.gz',
      'https://storage.googleapis.com/golang/go{version}.linux-{arch}.tar.gz',
    ],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'armv6l',
      'arm/v6': 'armv6l',
      '386': '386',
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: 'riscv64',
      loong64: 'loong64',
      mips64le: 'mips64le',
    },
    officialImage: 'golang',
    verified: true,
    source: 'docker-library/golang@7c8c182b 1.26/trixie/Dockerfile + Dockerfile-linux.template',
    notes:
      'Only armv6l is published for 32-bit ARM (docker-library appends GOARM=7 to go.env for armhf). loong64 and mips64le tokens unverified.',
  },
  {
    name: 'node',
    title: 'Node.js',
    urlPatterns: [
      'https://nodejs.org/dist/v{version}/node-v{version}-linux-{arch}.{ext}',
      'https://nodejs.org/download/release/v{version}/node-v{version}-linux-{arch}.{ext}',
      'https://unofficial-builds.nodejs.org/download/release/v{version}/node-v{version}-linux-{arch}.{ext}',
    ],
    tokens: {
      amd64: 'x64',
      arm64: 'arm64',
      'arm/v7': 'armv7l',
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: null,
    },
    variants: [{ label: 'musl', tokens: { amd64: 'x64-musl' } }],
    officialImage: 'node',
    verified: true,
    source: 'nodejs/docker-node@f27d936f 22/trixie/Dockerfile (armhf -> armv7l), 24/ and 26/trixie/Dockerfile',
    notes:
      'armv7l exists for Node 22 and older only. musl, riscv64 and loong64 builds come from unofficial-builds.nodejs.org.',
  },
  {
    name: 'kubectl',
    title: 'kubectl',
    urlPatterns: [
      'https://dl.k8s.io/release/v{version}/bin/linux/{arch}/{binary}',
      'https://dl.k8s.io/v{version}/bin/linux/{arch}/{binary}',
      'https://storage.googleapis.com/kubernetes-release/release/v{version}/bin/linux/{arch}/{binary}',
    ],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'arm',
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: null,
      '386': '386',
    },
    verified: true,
    source:
      'kubernetes/kubernetes hack/lib/golang.sh KUBE_SUPPORTED_CLIENT_PLATFORMS; kubernetes/website install-kubectl-linux.md',
    notes: 'kubeadm and kubelet share the path scheme. Whether current releases still ship arm and 386 is unverified.',
  },
  {
    name: 'helm',
    title: 'Helm',
    urlPatterns: ['https://get.helm.sh/helm-v{version}-linux-{arch}.{ext}'],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'arm',
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: 'riscv64',
      '386': '386',
      loong64: 'loong64',
    },
    verified: true,
    source: 'helm/helm scripts/get-helm-3 verifySupported() + Makefile TARGETS',
    notes: "'arm' carries no variant: do not hand it to an arm/v6 build.",
  },
  {
    name: 'terraform',
    title: 'Terraform (HashiCorp releases)',
    urlPatterns: ['https://releases.hashicorp.com/terraform/{version}/terraform_{version}_linux_{arch}.zip'],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'arm',
      ppc64le: null,
      s390x: null,
      riscv64: null,
      '386': '386',
    },
    verified: true,
    source: 'hashicorp/terraform .github/workflows/build.yml build matrix',
    notes: 'Other HashiCorp products use the same naming; their arch sets differ.',
  },
  {
    name: 'aws-cli',
    title: 'AWS CLI v2',
    urlPatterns: [
      'https://awscli.amazonaws.com/awscli-exe-linux-{arch}.zip',
      'https://awscli.amazonaws.com/awscli-exe-linux-{arch}-{version}.zip',
    ],
    tokens: {
      amd64: 'x86_64',
      arm64: 'aarch64',
      'arm/v7': null,
      'arm/v6': null,
      '386': null,
      ppc64le: null,
      s390x: null,
      riscv64: null,
    },
    verified: true,
    source: 'public Dockerfiles and scripts; AWS getting-started-install docs',
    notes: 'glibc-linked installer: does not run on musl/Alpine.',
  },
  {
    name: 'docker',
    title: 'Docker static CLI/engine',
    urlPatterns: ['https://download.docker.com/linux/static/{channel}/{arch}/{file}.tgz'],
    tokens: {
      amd64: 'x86_64',
      arm64: 'aarch64',
      'arm/v7': 'armhf',
      'arm/v6': 'armel',
      ppc64le: null,
      s390x: null,
      riscv64: null,
    },
    officialImage: 'docker',
    verified: true,
    source: 'docker-library/docker@3289af88 29/cli/Dockerfile + versions.sh dockerArches + versions.json',
    notes: 'ppc64le/s390x directories are not listed for 29.x (older releases had them).',
  },
  {
    name: 'docker-compose',
    title: 'docker compose v2',
    urlPatterns: [`${GH}/docker/compose/releases/download/v{version}/docker-compose-linux-{arch}`],
    tokens: {
      amd64: 'x86_64',
      arm64: 'aarch64',
      'arm/v7': 'armv7',
      'arm/v6': 'armv6',
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: 'riscv64',
    },
    verified: true,
    source: 'docker-library/docker@3289af88 29/cli/Dockerfile + versions.sh compose map',
  },
  {
    name: 'buildx',
    title: 'docker buildx',
    urlPatterns: [`${GH}/docker/buildx/releases/download/v{version}/buildx-v{version}.linux-{arch}`],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'arm-v7',
      'arm/v6': 'arm-v6',
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: 'riscv64',
    },
    verified: true,
    source: 'docker-library/docker@3289af88 29/cli/Dockerfile + versions.sh buildx map',
  },
  {
    name: 'tini',
    title: 'tini',
    urlPatterns: [
      `${GH}/krallin/tini/releases/download/v{version}/tini-{arch}`,
      `${GH}/krallin/tini/releases/download/v{version}/tini-static-{arch}`,
    ],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'armhf',
      'arm/v6': 'armel',
      '386': 'i386',
      ppc64le: 'ppc64el',
      s390x: 's390x',
      riscv64: null,
      mips64le: 'mips64el',
    },
    variants: [{ label: 'musl', tokens: { amd64: 'muslc-amd64' } }],
    verified: true,
    source: 'krallin/tini .travis.yml ARCH_SUFFIX matrix + ci/run_build.sh',
    notes: 'Debian arch names: tini-static-$TARGETARCH breaks on ppc64le (the asset is ppc64el).',
  },
  {
    name: 'gosu',
    title: 'gosu',
    urlPatterns: [`${GH}/tianon/gosu/releases/download/{version}/gosu-{arch}`],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'armhf',
      'arm/v6': 'armhf',
      'arm/v5': 'armel',
      '386': 'i386',
      ppc64le: 'ppc64el',
      s390x: 's390x',
      riscv64: 'riscv64',
      mips64le: 'mips64el',
      loong64: 'loong64',
    },
    verified: true,
    source: 'tianon/gosu@40506998 Dockerfile build lines + INSTALL.md (dpkg --print-architecture)',
    notes: 'gosu-armhf is built with GOARM=6, so it runs on v6 and v7.',
  },
  {
    name: 'yq',
    title: 'yq (mikefarah)',
    urlPatterns: [
      `${GH}/mikefarah/yq/releases/download/v{version}/yq_linux_{arch}`,
      `${GH}/mikefarah/yq/releases/download/v{version}/yq_linux_{arch}.tar.gz`,
    ],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'arm',
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: 'riscv64',
      '386': '386',
      loong64: 'loong64',
      mips64le: 'mips64le',
    },
    verified: true,
    source: 'mikefarah/yq .goreleaser.yaml targets',
    notes: "'arm' is built with GoReleaser's default GOARM.",
  },
  {
    name: 'jq',
    title: 'jq (>=1.7)',
    urlPatterns: [
      `${GH}/jqlang/jq/releases/download/jq-{version}/jq-linux-{arch}`,
      `${GH}/jqlang/jq/releases/download/jq-{version}/jq-{arch}`,
      `${GH}/stedolan/jq/releases/download/jq-{version}/jq-{arch}`,
    ],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'armhf',
      'arm/v6': 'armel',
      '386': 'i386',
      ppc64le: 'ppc64el',
      s390x: 's390x',
      riscv64: 'riscv64',
      mips64le: 'mips64el',
    },
    variants: [{ label: 'legacy', tokens: { amd64: 'linux64', '386': 'linux32' } }],
    verified: true,
    source: 'jqlang/jq .github/workflows/ci.yml linux matrix + release step',
    notes: 'jq 1.6 and older had only jq-linux64 / jq-linux32 (github.com/stedolan/jq).',
  },
  {
    name: 'ripgrep',
    title: 'ripgrep',
    urlPatterns: [`${GH}/BurntSushi/ripgrep/releases/download/{version}/ripgrep-{version}-{arch}.tar.gz`],
    tokens: {
      amd64: 'x86_64-unknown-linux-musl',
      arm64: 'aarch64-unknown-linux-gnu',
      'arm/v7': 'armv7-unknown-linux-gnueabihf',
      '386': 'i686-unknown-linux-gnu',
      ppc64le: null,
      s390x: 's390x-unknown-linux-gnu',
      riscv64: 'riscv64gc-unknown-linux-gnu',
    },
    variants: [
      {
        label: 'musl',
        tokens: { arm64: 'aarch64-unknown-linux-musl', 'arm/v7': 'armv7-unknown-linux-musleabihf' },
      },
    ],
    verified: true,
    source: 'BurntSushi/ripgrep .github/workflows/release.yml matrix',
    notes: 'No x86_64 glibc asset (musl only). riscv64 only in recent releases. The tag has no v prefix.',
  },
  {
    name: 'fd',
    title: 'fd',
    urlPatterns: [`${GH}/sharkdp/fd/releases/download/v{version}/fd-v{version}-{arch}.tar.gz`],
    tokens: {
      amd64: 'x86_64-unknown-linux-gnu',
      arm64: 'aarch64-unknown-linux-gnu',
      'arm/v7': 'arm-unknown-linux-gnueabihf',
      'arm/v6': 'arm-unknown-linux-gnueabihf',
      '386': 'i686-unknown-linux-gnu',
      ppc64le: null,
      s390x: null,
      riscv64: null,
    },
    variants: [
      {
        label: 'musl',
        tokens: {
          amd64: 'x86_64-unknown-linux-musl',
          arm64: 'aarch64-unknown-linux-musl',
          'arm/v7': 'arm-unknown-linux-musleabihf',
          'arm/v6': 'arm-unknown-linux-musleabihf',
          '386': 'i686-unknown-linux-musl',
        },
      },
    ],
    verified: true,
    source: 'sharkdp/fd .github/workflows/CICD.yml build matrix + PKG_BASENAME',
    notes: 'The ARM build is ARMv6 hard-float (arm-*), used for v6 and v7.',
  },
  {
    name: 'bat',
    title: 'bat',
    urlPatterns: [`${GH}/sharkdp/bat/releases/download/v{version}/bat-v{version}-{arch}.tar.gz`],
    tokens: {
      amd64: 'x86_64-unknown-linux-gnu',
      arm64: 'aarch64-unknown-linux-gnu',
      'arm/v7': 'arm-unknown-linux-gnueabihf',
      'arm/v6': 'arm-unknown-linux-gnueabihf',
      '386': 'i686-unknown-linux-gnu',
      ppc64le: null,
      s390x: null,
      riscv64: null,
    },
    variants: [{ label: 'musl', tokens: { amd64: 'x86_64-unknown-linux-musl', '386': 'i686-unknown-linux-musl' } }],
    verified: true,
    source: 'sharkdp/bat .github/workflows/CICD.yml (older revision) build matrix',
    notes: 'Matrix seen is an older revision; newer releases may add targets (unverified). arm-* is ARMv6 hard-float.',
  },
  {
    name: 'temurin',
    title: 'Eclipse Temurin JDK',
    urlPatterns: [
      `${GH}/adoptium/temurin{major}-binaries/releases/download/{tag}/OpenJDK{major}U-{kind}_{arch}_linux_hotspot_{version}.{ext}`,
      `${GH}/adoptium/temurin{major}-binaries/releases/download/{tag}/OpenJDK{major}U-{kind}_{arch}_hotspot_{version}.{ext}`,
    ],
    tokens: {
      amd64: 'x64',
      arm64: 'aarch64',
      'arm/v7': 'arm',
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: 'riscv64',
    },
    variants: [{ label: 'alpine', tokens: { amd64: 'x64_alpine-linux', arm64: 'aarch64_alpine-linux' } }],
    officialImage: 'eclipse-temurin',
    verified: true,
    source: 'adoptium/containers@d8d18d67 {11,17,21,25}/jdk/ubuntu/noble/Dockerfile; 21/jdk/alpine/3.23/Dockerfile',
    notes:
      "arm (32-bit) only for 11 and 17; riscv64 for 17, 21 and 25. '+' in the version is %2B in the tag and '_' in the file name. jdk_ and jre_ files.",
  },
  {
    name: 'maven',
    title: 'Apache Maven',
    urlPatterns: [
      'https://archive.apache.org/dist/maven/maven-{major}/{version}/binaries/apache-maven-{version}-bin.{ext}',
      'https://dlcdn.apache.org/maven/maven-{major}/{version}/binaries/apache-maven-{version}-bin.{ext}',
      'https://downloads.apache.org/maven/maven-{major}/{version}/binaries/apache-maven-{version}-bin.{ext}',
      'https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/{version}/apache-maven-{version}-bin.{ext}',
    ],
    tokens: EVERY_PLATFORM_SAME,
    archIndependent: true,
    officialImage: 'maven',
    verified: true,
    source: 'public Dockerfiles; the file name carries no arch token',
    notes: 'Arch-independent (JVM). Never rewrite.',
  },
  {
    name: 'gradle',
    title: 'Gradle',
    urlPatterns: [
      'https://services.gradle.org/distributions/gradle-{version}-{kind}.zip',
      'https://downloads.gradle.org/distributions/gradle-{version}-{kind}.zip',
    ],
    tokens: EVERY_PLATFORM_SAME,
    archIndependent: true,
    officialImage: 'gradle',
    verified: true,
    source: 'public Dockerfiles incl. the official gradle image build history',
    notes: 'Arch-independent (JVM). Never rewrite.',
  },
  {
    name: 'protoc',
    title: 'protoc (protobuf compiler)',
    urlPatterns: [`${GH}/protocolbuffers/protobuf/releases/download/v{version}/protoc-{version}-linux-{arch}.zip`],
    tokens: {
      amd64: 'x86_64',
      arm64: 'aarch_64',
      'arm/v7': null,
      '386': 'x86_32',
      ppc64le: 'ppcle_64',
      s390x: 's390_64',
      riscv64: null,
    },
    verified: true,
    source: 'protocolbuffers/protobuf release asset names seen in bazel rules_proto and public Makefiles',
    notes: 'Unique vocabulary (os-maven-plugin classifiers): aarch_64, ppcle_64, s390_64, x86_32.',
  },
  {
    name: 'cmake',
    title: 'CMake',
    urlPatterns: [`${GH}/Kitware/CMake/releases/download/v{version}/cmake-{version}-linux-{arch}.{ext}`],
    tokens: {
      amd64: 'x86_64',
      arm64: 'aarch64',
      'arm/v7': null,
      ppc64le: null,
      s390x: null,
      riscv64: null,
    },
    verified: true,
    source: 'public Dockerfile using cmake-3.22.1-linux-aarch64.tar.gz',
    notes: "Releases before 3.20 used 'Linux-x86_64' (unverified); matching ignores case.",
  },
  {
    name: 'hadolint',
    title: 'hadolint',
    urlPatterns: [`${GH}/hadolint/hadolint/releases/download/v{version}/hadolint-Linux-{arch}`],
    tokens: {
      amd64: 'x86_64',
      arm64: 'arm64',
      'arm/v7': null,
      ppc64le: null,
      s390x: null,
      riscv64: null,
    },
    verified: true,
    source: 'hadolint/hadolint .github/workflows/release.yml (Rename and Checksum step)',
    notes: "Mixed vocabulary: x86_64 for amd64 but arm64 for aarch64; capital 'Linux'.",
  },
  {
    name: 'trivy',
    title: 'Trivy',
    urlPatterns: [`${GH}/aquasecurity/trivy/releases/download/v{version}/trivy_{version}_Linux-{arch}.{ext}`],
    tokens: {
      amd64: '64bit',
      arm64: 'ARM64',
      'arm/v7': 'ARM',
      '386': '32bit',
      ppc64le: 'PPC64LE',
      s390x: 's390x',
      riscv64: null,
    },
    verified: true,
    source: 'aquasecurity/trivy goreleaser.yml replacements + public scripts (0.45.0 used S390X, 0.52.2 s390x)',
    notes: 'The case of the s390x token changed between versions; matching ignores case.',
  },
  {
    name: 'kind',
    title: 'kind',
    urlPatterns: [
      'https://kind.sigs.k8s.io/dl/v{version}/kind-linux-{arch}',
      `${GH}/kubernetes-sigs/kind/releases/download/v{version}/kind-linux-{arch}`,
    ],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': null,
      ppc64le: null,
      s390x: null,
      riscv64: null,
    },
    verified: true,
    source: 'kind quick-start docs; hack/release/build/cross.sh',
  },
  {
    name: 'k9s',
    title: 'k9s',
    urlPatterns: [`${GH}/derailed/k9s/releases/download/v{version}/k9s_Linux_{arch}.{ext}`],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'armv7',
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: null,
    },
    variants: [{ label: 'legacy', tokens: { amd64: 'x86_64' } }],
    verified: true,
    source: 'derailed/k9s .goreleaser.yml @b96b3655',
    notes: 'Older releases used k9s_Linux_x86_64.',
  },
  {
    name: 'kustomize',
    title: 'kustomize',
    urlPatterns: [
      `${GH}/kubernetes-sigs/kustomize/releases/download/kustomize%2Fv{version}/kustomize_v{version}_linux_{arch}.tar.gz`,
      `${GH}/kubernetes-sigs/kustomize/releases/download/kustomize/v{version}/kustomize_v{version}_linux_{arch}.tar.gz`,
    ],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': null,
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: null,
    },
    verified: true,
    source: 'kubernetes-sigs/kustomize releasing/build-kustomize-binary.sh arch_list',
  },
  {
    name: 'golangci-lint',
    title: 'golangci-lint',
    urlPatterns: [
      `${GH}/golangci/golangci-lint/releases/download/v{version}/golangci-lint-{version}-linux-{arch}.tar.gz`,
    ],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'armv7',
      'arm/v6': 'armv6',
      '386': '386',
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: 'riscv64',
      loong64: 'loong64',
      mips64le: 'mips64le',
    },
    verified: true,
    source: 'golangci/golangci-lint .goreleaser.yml',
  },
  {
    name: 'dumb-init',
    title: 'dumb-init',
    urlPatterns: [
      `${GH}/Yelp/dumb-init/releases/download/v{version}/dumb-init_{version}_{arch}`,
      `${GH}/Yelp/dumb-init/releases/download/v{version}/dumb-init_{version}_{arch}.deb`,
    ],
    tokens: {
      amd64: 'x86_64',
      arm64: 'aarch64',
      'arm/v7': null,
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: null,
    },
    variants: [{ label: 'deb', tokens: { amd64: 'amd64', arm64: 'arm64', ppc64le: 'ppc64el', s390x: 's390x' } }],
    verified: true,
    source: 'Yelp/dumb-init Makefile release target + README + .github/workflows/ci.yaml',
    notes: 'The binary uses uname -m names; the .deb uses dpkg names.',
  },
  {
    name: 's6-overlay',
    title: 's6-overlay v3',
    urlPatterns: [`${GH}/just-containers/s6-overlay/releases/download/v{version}/s6-overlay-{arch}.tar.xz`],
    tokens: {
      amd64: 'x86_64',
      arm64: 'aarch64',
      'arm/v7': 'arm',
      'arm/v6': 'armhf',
      '386': 'i686',
      ppc64le: 'powerpc64le',
      ppc64: 'powerpc64',
      s390x: 's390x',
      riscv64: 'riscv64',
    },
    variants: [{ label: 'legacy', tokens: { '386': 'i486' } }],
    verified: true,
    source: "just-containers/s6-overlay@9658b23e README 'Which architecture to use depending on your TARGETARCH' + conf/toolchains",
    notes:
      "'arm' is ARMv7 soft-float, 'armhf' is ARMv6 (Pi 1). Also needs the arch-independent s6-overlay-noarch.tar.xz (and symlinks-noarch / symlinks-arch).",
  },
  {
    name: 'su-exec',
    title: 'su-exec',
    urlPatterns: [],
    tokens: {
      amd64: null,
      arm64: null,
      'arm/v7': null,
      ppc64le: null,
      s390x: null,
      riscv64: null,
    },
    verified: false,
    source: 'not verified; Alpine package name su-exec',
    notes: "No upstream binaries: build from github.com/ncopa/su-exec or 'apk add su-exec'.",
  },
  {
    name: 'caddy',
    title: 'Caddy',
    urlPatterns: [`${GH}/caddyserver/caddy/releases/download/v{version}/caddy_{version}_linux_{arch}.tar.gz`],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'armv7',
      'arm/v6': 'armv6',
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: 'riscv64',
    },
    officialImage: 'caddy',
    verified: true,
    source: 'caddyserver/caddy-docker@62d13264 2.11/alpine/Dockerfile (apk arch -> binArch)',
  },
  {
    name: 'mc',
    title: 'MinIO client (mc)',
    urlPatterns: [
      'https://dl.min.io/client/mc/release/linux-{arch}/mc',
      'https://dl.min.io/client/mc/release/linux-{arch}/archive/{file}',
    ],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'arm',
      ppc64le: 'ppc64le',
      s390x: 's390x',
      riscv64: null,
    },
    verified: true,
    source: 'minio/mc README binary table + LXD docs listing linux-arm',
  },
  {
    name: 'bazelisk',
    title: 'Bazelisk',
    urlPatterns: [
      `${GH}/bazelbuild/bazelisk/releases/download/v{version}/bazelisk-linux-{arch}`,
      `${GH}/bazelbuild/bazelisk/releases/download/v{version}/bazelisk-{arch}.deb`,
    ],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': null,
      ppc64le: null,
      s390x: null,
      riscv64: null,
    },
    variants: [{ label: 'deb', tokens: { amd64: 'amd64', arm64: 'arm64' } }],
    verified: true,
    source: 'bazelbuild/bazelisk@5a7ff389 build.sh',
  },
  {
    name: 'just',
    title: 'just',
    urlPatterns: [`${GH}/casey/just/releases/download/{version}/just-{version}-{arch}.tar.gz`],
    tokens: { ...rustTriples('musl', ['amd64', 'arm64', 'arm/v7', 'arm/v6']), ppc64le: null, s390x: null, riscv64: null },
    verified: true,
    source: 'casey/just .github/workflows/release.yaml matrix + bin/package',
  },
  {
    name: 'uv',
    title: 'uv',
    urlPatterns: [`${GH}/astral-sh/uv/releases/download/{version}/uv-{arch}.tar.gz`],
    tokens: {
      ...rustTriples('gnu', ['amd64', 'arm64', 'arm/v7']),
      'arm/v6': 'arm-unknown-linux-musleabihf',
      ...rustTriples('gnu', ['386', 'ppc64le', 's390x', 'riscv64']),
    },
    variants: [{ label: 'musl', tokens: rustTriples('musl', ['amd64', 'arm64', 'arm/v7', '386']) }],
    verified: true,
    source: 'astral-sh/uv dist-workspace.toml targets (cargo-dist naming uv-<triple>.tar.gz)',
    notes: 'Multi-arch alternative: COPY --from=ghcr.io/astral-sh/uv:{version} /uv /uvx /bin/.',
  },
  {
    name: 'deno',
    title: 'Deno',
    urlPatterns: [
      'https://dl.deno.land/release/v{version}/deno-{arch}.zip',
      `${GH}/denoland/deno/releases/download/v{version}/deno-{arch}.zip`,
    ],
    tokens: {
      amd64: 'x86_64-unknown-linux-gnu',
      arm64: 'aarch64-unknown-linux-gnu',
      'arm/v7': null,
      ppc64le: null,
      s390x: null,
      riscv64: null,
    },
    verified: true,
    source: 'denoland/deno_install install.sh target selection',
  },
  {
    name: 'bun',
    title: 'Bun',
    urlPatterns: [`${GH}/oven-sh/bun/releases/download/bun-v{version}/bun-linux-{arch}.zip`],
    tokens: {
      amd64: 'x64',
      arm64: 'aarch64',
      'arm/v7': null,
      ppc64le: null,
      s390x: null,
      riscv64: null,
    },
    variants: [
      { label: 'musl', tokens: { amd64: 'x64-musl', arm64: 'aarch64-musl' } },
      { label: 'baseline', tokens: { amd64: 'x64-baseline' } },
    ],
    verified: true,
    source: 'oven-sh/bun src/cli/install.sh',
    notes: 'x64-baseline is for CPUs without AVX2.',
  },
  {
    name: 'rust',
    title: 'rustup-init',
    urlPatterns: [
      'https://static.rust-lang.org/rustup/archive/{version}/{arch}/rustup-init',
      'https://static.rust-lang.org/rustup/dist/{arch}/rustup-init',
    ],
    tokens: rustTriples('gnu', ['amd64', 'arm64', 'arm/v7', '386', 'ppc64le', 's390x', 'riscv64']),
    variants: [{ label: 'musl', tokens: rustTriples('musl', ['amd64', 'arm64', 'ppc64le']) }],
    officialImage: 'rust',
    verified: true,
    source: 'rust-lang/docker-rust@7668ee29 x.py + stable/trixie/Dockerfile',
  },
  {
    name: 'prometheus',
    title: 'Prometheus / node_exporter (promu)',
    urlPatterns: [`${GH}/prometheus/{repo}/releases/download/v{version}/{name}-{version}.linux-{arch}.tar.gz`],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'armv7',
      'arm/v6': 'armv6',
      'arm/v5': 'armv5',
      '386': '386',
      ppc64le: 'ppc64le',
      s390x: 's390x',
      mips64le: 'mips64le',
    },
    verified: true,
    source: 'prometheus/node_exporter .promu.yml crossbuild platforms + public URLs with linux-armv7/armv6/armv5',
    notes: 'riscv64 may exist in newer releases (unverified). Other promu-built projects share the naming.',
  },
  {
    name: 'gh',
    title: 'GitHub CLI (gh)',
    urlPatterns: [`${GH}/cli/cli/releases/download/v{version}/gh_{version}_linux_{arch}.{ext}`],
    tokens: {
      amd64: 'amd64',
      arm64: 'arm64',
      'arm/v7': 'armv6',
      'arm/v6': 'armv6',
      '386': '386',
      ppc64le: null,
      s390x: null,
      riscv64: null,
    },
    verified: true,
    source: 'cli/cli .goreleaser.yml (linux goarch 386/arm/amd64/arm64; arm is GOARM=6)',
    notes: 'The revision seen is old; newer releases may add architectures (unverified).',
  },
  {
    name: 'miniforge',
    title: 'Miniforge',
    urlPatterns: [
      `${GH}/conda-forge/miniforge/releases/download/{version}/Miniforge3-{version}-Linux-{arch}.sh`,
      `${GH}/conda-forge/miniforge/releases/latest/download/Miniforge3-Linux-{arch}.sh`,
    ],
    tokens: {
      amd64: 'x86_64',
      arm64: 'aarch64',
      'arm/v7': null,
      ppc64le: 'ppc64le',
      s390x: null,
      riscv64: null,
    },
    verified: true,
    source: "public install scripts using 'Miniforge3-Linux-$(uname -m).sh'",
    notes: 'Uses uname -m names.',
  },
  {
    name: 'dotnet',
    title: '.NET SDK',
    urlPatterns: DOTNET_HOSTS.flatMap((host) => [
      `${host}/dotnet/Sdk/{version}/dotnet-sdk-{version}-linux-{arch}.tar.gz`,
      `${host}/dotnet/Runtime/{version}/dotnet-runtime-{version}-linux-{arch}.tar.gz`,
      `${host}/dotnet/aspnetcore/Runtime/{version}/aspnetcore-runtime-{version}-linux-{arch}.tar.gz`,
    ]),
    tokens: {
      amd64: 'x64',
      arm64: 'arm64',
      'arm/v7': 'arm',
    },
    variants: [{ label: 'musl', tokens: { amd64: 'musl-x64', arm64: 'musl-arm64', 'arm/v7': 'musl-arm' } }],
    verified: true,
    source: 'public Dockerfiles (dotnet-sdk-...-linux-arm64.tar.gz); dotnet/install-scripts dotnet-install.sh',
    notes:
      'dotnet-install.sh also knows s390x, ppc64le, loongarch64 and riscv64; Microsoft-hosted availability for those is unverified (left unknown).',
  },
];

function hostOf(pattern: string): string | undefined {
  const m = /^https?:\/\/([^/]+)\//i.exec(pattern);
  return m?.[1]?.toLowerCase();
}

function freezeVendor(spec: VendorSpec): Vendor {
  const hosts = [...new Set(spec.urlPatterns.map(hostOf).filter((h): h is string => h !== undefined))];
  const variants = (spec.variants ?? []).map((v) => Object.freeze({ label: v.label, tokens: Object.freeze({ ...v.tokens }) }));
  const vendor: Vendor = {
    name: spec.name,
    title: spec.title,
    urlPattern: spec.urlPatterns[0] ?? '',
    urlPatterns: Object.freeze([...spec.urlPatterns]),
    hosts: Object.freeze(hosts),
    tokens: Object.freeze({ ...spec.tokens }),
    variants: Object.freeze(variants),
    archIndependent: spec.archIndependent ?? false,
    ...(spec.officialImage !== undefined ? { officialImage: spec.officialImage } : {}),
    verified: spec.verified,
    source: spec.source,
    ...(spec.notes !== undefined ? { notes: spec.notes } : {}),
    ...(spec.unsuffixed !== undefined
      ? { unsuffixed: Object.freeze({ platform: spec.unsuffixed.platform, urlPatterns: Object.freeze([...spec.unsuffixed.urlPatterns]) }) }
      : {}),
  };
  return Object.freeze(vendor);
}

/**
 * Every vendor the project knows: the 42 tools of the research notes in the notes' order, then
 * the tools of vendors-tools.ts.
 */
export const VENDORS: readonly Vendor[] = Object.freeze([...SPECS, ...TOOL_SPECS].map(freezeVendor));

/** The vendor with this `name`, e.g. `vendorByName('aws-cli')`. */
export function vendorByName(name: string): Vendor | undefined {
  return VENDORS.find((v) => v.name === name);
}
