import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KNOWN_PLATFORMS,
  VENDORS,
  archIndependentReason,
  findVendor,
  isArchIndependentUrl,
  matchUnsuffixedUrl,
  matchVendorUrl,
  parsePlatform,
  platformKey,
  patternToRegExp,
  vendorByName,
  vendorToken,
  type Vendor,
} from './index.js';

const vendor = (name: string): Vendor => {
  const v = vendorByName(name);
  assert.ok(v, `vendor ${name}`);
  return v;
};

describe('VENDORS', () => {
  test('the 42 tools of the reference and at least 80 in all, each named once', () => {
    assert.ok(VENDORS.length >= 80, String(VENDORS.length));
    assert.equal(new Set(VENDORS.map((v) => v.name)).size, VENDORS.length);
    assert.equal(VENDORS[41]?.name, 'dotnet');
  });

  test('every vendor names its source; those beyond the research notes start with a release page or install doc', () => {
    for (const v of VENDORS) assert.ok(v.source.length > 10, v.name);
    for (const v of VENDORS.slice(42)) assert.match(v.source, /^https:\/\/\S+/, v.name);
  });

  test('every vendor has tokens, and a pattern unless it publishes nothing', () => {
    for (const v of VENDORS) {
      assert.ok(Object.keys(v.tokens).length > 0, v.name);
      assert.equal(v.urlPattern, v.urlPatterns[0] ?? '', v.name);
      const publishes = Object.values(v.tokens).some((t) => t !== null);
      assert.equal(v.urlPatterns.length > 0, publishes, v.name);
      for (const pattern of v.urlPatterns) {
        assert.match(pattern, /^https:\/\//, pattern);
        assert.equal(pattern.includes('{arch}'), !v.archIndependent, pattern);
      }
      assert.ok(Object.isFrozen(v) && Object.isFrozen(v.tokens), v.name);
    }
  });

  test('token keys are platform keys', () => {
    const valid = new Set([...KNOWN_PLATFORMS.map(platformKey), 'arm/v5', 'ppc64']);
    for (const v of VENDORS) {
      for (const table of [v.tokens, ...v.variants.map((x) => x.tokens)]) {
        for (const key of Object.keys(table)) {
          assert.ok(valid.has(key), `${v.name}: ${key}`);
          assert.equal(platformKey(parsePlatform(`linux/${key}`)), key);
        }
      }
    }
  });

  test('hosts', () => {
    assert.deepEqual(vendor('go').hosts, ['dl.google.com', 'go.dev', 'golang.org', 'storage.googleapis.com']);
    assert.deepEqual(vendor('yq').hosts, ['github.com']);
    assert.deepEqual(vendor('su-exec').hosts, []);
  });

  test('official images', () => {
    const images = Object.fromEntries(VENDORS.filter((v) => v.officialImage).map((v) => [v.name, v.officialImage]));
    assert.deepEqual(images, {
      go: 'golang',
      node: 'node',
      docker: 'docker',
      temurin: 'eclipse-temurin',
      maven: 'maven',
      gradle: 'gradle',
      caddy: 'caddy',
      rust: 'rust',
      traefik: 'traefik',
      corretto: 'amazoncorretto',
    });
  });

  test('every URL pattern compiles and matches each of its own tokens', () => {
    for (const v of VENDORS) {
      const tables = [v.tokens, ...v.variants.map((x) => x.tokens)];
      const tokens = [...new Set(tables.flatMap((t) => Object.values(t)).filter((t): t is string => t !== null && t !== '*'))];
      for (const pattern of v.urlPatterns) {
        patternToRegExp(pattern, tokens);
        for (const token of pattern.includes('{arch}') ? tokens : []) {
          const url = pattern.replace('{arch}', token).replace(/\{[a-z_]+\}/gi, '1.2.3');
          const m = matchVendorUrl(url);
          assert.equal(m?.vendor.name, v.name, url);
          assert.equal(m?.token, token, url);
          assert.ok((m?.platformKeys.length ?? 0) > 0, url);
        }
      }
    }
  });
});

describe('matchUnsuffixedUrl', () => {
  const yes: [string, string][] = [
    // k3s-io/k3s install.sh: the x86-64 binary is plain `k3s`, others are k3s-<arch>
    ['https://github.com/k3s-io/k3s/releases/download/v1.34.5+k3s1/k3s', 'k3s'],
    ['https://github.com/rancher/k3s/releases/download/v0.10.2/k3s', 'k3s'],
    // mozilla/sops before 3.7.2: sops-v<v>.linux
    ['https://github.com/mozilla/sops/releases/download/v3.6.1/sops-v3.6.1.linux', 'sops'],
    ['https://aka.ms/downloadazcopy-v10-linux', 'azcopy'],
    ['https://github.com/jgm/pandoc/releases/download/2.9.1/pandoc-2.9.1-linux.tar.gz', 'pandoc'],
  ];
  for (const [url, name] of yes) {
    test(`${name}: ${url}`, () => {
      const m = matchUnsuffixedUrl(url);
      assert.equal(m?.vendor.name, name);
      assert.equal(m?.platformKey, 'amd64');
    });
  }
  for (const url of [
    'https://github.com/k3s-io/k3s/releases/download/v1.34.5+k3s1/k3s-arm64',
    'https://github.com/k3s-io/k3s/releases/download/v1.34.5+k3s1/k3s-airgap-images-amd64.tar.zst',
    'https://github.com/getsops/sops/releases/download/v3.8.1/sops-v3.8.1.linux.arm64',
    'https://aka.ms/downloadazcopy-v10-linux-arm64',
    'https://example.com/k3s',
  ]) {
    test(`not unsuffixed: ${url}`, () => assert.equal(matchUnsuffixedUrl(url), undefined));
  }
});

describe('findVendor on real URLs', () => {
  const urls: [string, string][] = [
    ['https://go.dev/dl/go1.23.4.linux-amd64.tar.gz', 'go'],
    ['https://dl.google.com/go/go1.22.5.linux-armv6l.tar.gz', 'go'],
    ['https://nodejs.org/dist/v20.1.0/node-v20.1.0-linux-x64.tar.xz', 'node'],
    ['https://unofficial-builds.nodejs.org/download/release/v20.11.1/node-v20.11.1-linux-x64-musl.tar.xz', 'node'],
    ['https://github.com/mikefarah/yq/releases/download/v4.2/yq_linux_amd64', 'yq'],
    ['https://github.com/mikefarah/yq/releases/latest/download/yq_linux_arm64', 'yq'],
    ['https://dl.k8s.io/release/v1.31.0/bin/linux/arm64/kubectl', 'kubectl'],
    ['https://storage.googleapis.com/kubernetes-release/release/v1.20.0/bin/linux/amd64/kubectl', 'kubectl'],
    ['https://get.helm.sh/helm-v3.14.0-linux-amd64.tar.gz', 'helm'],
    ['https://releases.hashicorp.com/terraform/1.9.5/terraform_1.9.5_linux_arm64.zip', 'terraform'],
    ['https://awscli.amazonaws.com/awscli-exe-linux-x86_64.zip', 'aws-cli'],
    ['https://awscli.amazonaws.com/awscli-exe-linux-aarch64-2.15.30.zip', 'aws-cli'],
    ['https://download.docker.com/linux/static/stable/x86_64/docker-27.3.1.tgz', 'docker'],
    ['https://github.com/docker/compose/releases/download/v2.29.7/docker-compose-linux-aarch64', 'docker-compose'],
    ['https://github.com/docker/buildx/releases/download/v0.17.1/buildx-v0.17.1.linux-arm-v7', 'buildx'],
    ['https://github.com/krallin/tini/releases/download/v0.19.0/tini-static-amd64', 'tini'],
    ['https://github.com/tianon/gosu/releases/download/1.17/gosu-arm64', 'gosu'],
    ['https://github.com/jqlang/jq/releases/download/jq-1.7.1/jq-linux-amd64', 'jq'],
    ['https://github.com/stedolan/jq/releases/download/jq-1.6/jq-linux64', 'jq'],
    ['https://github.com/BurntSushi/ripgrep/releases/download/14.1.1/ripgrep-14.1.1-x86_64-unknown-linux-musl.tar.gz', 'ripgrep'],
    ['https://github.com/sharkdp/fd/releases/download/v10.2.0/fd-v10.2.0-aarch64-unknown-linux-gnu.tar.gz', 'fd'],
    ['https://github.com/sharkdp/bat/releases/download/v0.24.0/bat-v0.24.0-x86_64-unknown-linux-gnu.tar.gz', 'bat'],
    [
      'https://github.com/adoptium/temurin21-binaries/releases/download/jdk-21.0.5%2B11/OpenJDK21U-jdk_x64_linux_hotspot_21.0.5_11.tar.gz',
      'temurin',
    ],
    ['https://archive.apache.org/dist/maven/maven-3/3.9.9/binaries/apache-maven-3.9.9-bin.tar.gz', 'maven'],
    ['https://services.gradle.org/distributions/gradle-8.10.2-bin.zip', 'gradle'],
    ['https://github.com/protocolbuffers/protobuf/releases/download/v28.2/protoc-28.2-linux-aarch_64.zip', 'protoc'],
    ['https://github.com/Kitware/CMake/releases/download/v3.30.5/cmake-3.30.5-linux-x86_64.sh', 'cmake'],
    ['https://github.com/hadolint/hadolint/releases/download/v2.12.0/hadolint-Linux-x86_64', 'hadolint'],
    ['https://github.com/aquasecurity/trivy/releases/download/v0.56.2/trivy_0.56.2_Linux-ARM64.tar.gz', 'trivy'],
    ['https://kind.sigs.k8s.io/dl/v0.24.0/kind-linux-amd64', 'kind'],
    ['https://github.com/derailed/k9s/releases/download/v0.32.5/k9s_Linux_amd64.tar.gz', 'k9s'],
    [
      'https://github.com/kubernetes-sigs/kustomize/releases/download/kustomize%2Fv5.4.3/kustomize_v5.4.3_linux_amd64.tar.gz',
      'kustomize',
    ],
    ['https://github.com/golangci/golangci-lint/releases/download/v1.61.0/golangci-lint-1.61.0-linux-armv6.tar.gz', 'golangci-lint'],
    ['https://github.com/Yelp/dumb-init/releases/download/v1.2.5/dumb-init_1.2.5_x86_64', 'dumb-init'],
    ['https://github.com/just-containers/s6-overlay/releases/download/v3.2.0.2/s6-overlay-x86_64.tar.xz', 's6-overlay'],
    ['https://github.com/caddyserver/caddy/releases/download/v2.8.4/caddy_2.8.4_linux_armv7.tar.gz', 'caddy'],
    ['https://dl.min.io/client/mc/release/linux-amd64/mc', 'mc'],
    ['https://github.com/bazelbuild/bazelisk/releases/download/v1.22.0/bazelisk-linux-arm64', 'bazelisk'],
    ['https://github.com/casey/just/releases/download/1.36.0/just-1.36.0-x86_64-unknown-linux-musl.tar.gz', 'just'],
    ['https://github.com/astral-sh/uv/releases/download/0.4.20/uv-aarch64-unknown-linux-gnu.tar.gz', 'uv'],
    ['https://dl.deno.land/release/v2.0.0/deno-x86_64-unknown-linux-gnu.zip', 'deno'],
    ['https://github.com/oven-sh/bun/releases/download/bun-v1.1.30/bun-linux-x64-baseline.zip', 'bun'],
    ['https://static.rust-lang.org/rustup/archive/1.27.1/x86_64-unknown-linux-gnu/rustup-init', 'rust'],
    [
      'https://github.com/prometheus/node_exporter/releases/download/v1.8.2/node_exporter-1.8.2.linux-amd64.tar.gz',
      'prometheus',
    ],
    ['https://github.com/cli/cli/releases/download/v2.58.0/gh_2.58.0_linux_amd64.tar.gz', 'gh'],
    ['https://github.com/conda-forge/miniforge/releases/latest/download/Miniforge3-Linux-aarch64.sh', 'miniforge'],
    ['https://releases.hashicorp.com/vault/1.17.2/vault_1.17.2_linux_arm64.zip', 'vault'],
    ['https://releases.hashicorp.com/packer/1.11.0/packer_1.11.0_linux_amd64.zip', 'packer'],
    ['https://github.com/anchore/grype/releases/download/v0.67.0/grype_0.67.0_linux_ppc64le.tar.gz', 'grype'],
    ['https://github.com/sigstore/cosign/releases/download/v2.4.1/cosign-linux-amd64', 'cosign'],
    ['https://github.com/google/go-containerregistry/releases/download/v0.20.3/go-containerregistry_Linux_x86_64.tar.gz', 'crane'],
    ['https://github.com/argoproj/argo-cd/releases/latest/download/argocd-linux-amd64', 'argocd'],
    ['https://github.com/fluxcd/flux2/releases/download/v2.2.2/flux_2.2.2_linux_amd64.tar.gz', 'flux'],
    ['https://downloads.rclone.org/v1.54.1/rclone-v1.54.1-linux-amd64.deb', 'rclone'],
    ['https://github.com/restic/restic/releases/download/v0.17.3/restic_0.17.3_linux_arm64.bz2', 'restic'],
    ['https://github.com/traefik/traefik/releases/download/v3.5.1/traefik_v3.5.1_linux_amd64.tar.gz', 'traefik'],
    ['https://ziglang.org/download/0.13.0/zig-linux-x86_64-0.13.0.tar.xz', 'zig'],
    ['https://github.com/bufbuild/buf/releases/download/v1.13.1/buf-Linux-x86_64', 'buf'],
    ['https://github.com/getsops/sops/releases/download/v3.8.1/sops-v3.8.1.linux.amd64', 'sops'],
    ['https://github.com/FiloSottile/age/releases/download/v1.1.1/age-v1.1.1-linux-amd64.tar.gz', 'age'],
    ['https://github.com/FiloSottile/mkcert/releases/download/v1.4.4/mkcert-v1.4.4-linux-amd64', 'mkcert'],
    ['https://johnvansickle.com/ffmpeg/releases/ffmpeg-release-amd64-static.tar.xz', 'ffmpeg-static'],
    ['https://github.com/jgm/pandoc/releases/download/3.1.11.1/pandoc-3.1.11.1-linux-amd64.tar.gz', 'pandoc'],
    ['https://github.com/jgm/pandoc/releases/download/2.9.1/pandoc-2.9.1-1-amd64.deb', 'pandoc'],
    ['https://github.com/junegunn/fzf/releases/download/v0.55.0/fzf-0.55.0-linux_amd64.tar.gz', 'fzf'],
    ['https://github.com/go-task/task/releases/download/v3.45.4/task_linux_arm64.tar.gz', 'task'],
    ['https://github.com/koalaman/shellcheck/releases/download/v0.9.0/shellcheck-v0.9.0.linux.x86_64.tar.xz', 'shellcheck'],
    ['https://github.com/mvdan/sh/releases/download/v3.7.0/shfmt_v3.7.0_linux_amd64', 'shfmt'],
    ['https://dl.google.com/dl/cloudsdk/channels/rapid/downloads/google-cloud-cli-451.0.1-linux-x86_64.tar.gz', 'gcloud'],
    ['https://aka.ms/downloadazcopy-v10-linux-arm64', 'azcopy'],
    ['https://github.com/k3s-io/k3s/releases/download/v1.30.0%2Bk3s1/k3s-arm64', 'k3s'],
    ['https://github.com/etcd-io/etcd/releases/download/v3.5.15/etcd-v3.5.15-linux-amd64.tar.gz', 'etcd'],
    ['https://dl.grafana.com/oss/release/grafana-11.1.4.linux-amd64.tar.gz', 'grafana'],
    ['https://github.com/grafana/loki/releases/download/v2.9.4/promtail-linux-amd64.zip', 'loki'],
    ['https://storage.googleapis.com/chrome-for-testing-public/122.0.6261.57/linux64/chromedriver-linux64.zip', 'chrome-for-testing'],
    ['https://chromedriver.storage.googleapis.com/114.0.5735.90/chromedriver_linux64.zip', 'chrome-for-testing'],
    ['https://github.com/mozilla/geckodriver/releases/download/v0.31.0/geckodriver-v0.31.0-linux64.tar.gz', 'geckodriver'],
    ['https://corretto.aws/downloads/latest/amazon-corretto-11-x64-linux-jdk.deb', 'corretto'],
    ['https://cdn.azul.com/zulu/bin/zulu15.28.13-ca-jre15.0.1-linux_musl_x64.tar.gz', 'zulu'],
    ['https://micro.mamba.pm/api/micromamba/linux-64/latest', 'micromamba'],
    [
      'https://github.com/indygreg/python-build-standalone/releases/download/20220802/cpython-3.8.13+20220802-x86_64-unknown-linux-gnu-install_only.tar.gz',
      'python-build-standalone',
    ],
    ['https://github.com/cloudflare/cloudflared/releases/latest/download/cloudflared-linux-amd64.deb', 'cloudflared'],
    ['https://github.com/jwilder/dockerize/releases/download/v0.6.1/dockerize-alpine-linux-amd64-v0.6.1.tar.gz', 'dockerize'],
    ['https://github.com/digitalocean/doctl/releases/download/v1.104.0/doctl-1.104.0-linux-amd64.tar.gz', 'doctl'],
    ['https://github.com/gohugoio/hugo/releases/download/v0.96.0/hugo_extended_0.96.0_Linux-64bit.deb', 'hugo'],
    ['https://github.com/gohugoio/hugo/releases/download/v0.163.3/hugo_extended_0.163.3_linux-amd64.tar.gz', 'hugo'],
    ['https://github.com/errata-ai/vale/releases/download/v2.15.4/vale_2.15.4_Linux_64-bit.tar.gz', 'vale'],
    ['https://storage.googleapis.com/minikube/releases/latest/minikube-linux-amd64', 'minikube'],
    ['https://dotnetcli.azureedge.net/dotnet/Sdk/8.0.403/dotnet-sdk-8.0.403-linux-arm64.tar.gz', 'dotnet'],
    ['http://go.dev/dl/go1.23.4.linux-amd64.tar.gz?download=1', 'go'],
    ['https://dl.k8s.io/release/v1.31.0/bin/linux/amd64/kubectl.sha256', 'kubectl'],
  ];
  for (const [url, name] of urls) {
    test(`${name}: ${url}`, () => assert.equal(findVendor(url)?.name, name));
  }

  const none = [
    'https://example.com/download/tool-linux-amd64.tar.gz',
    'https://go.dev/dl/go1.23.4.darwin-arm64.tar.gz',
    'https://go.dev/dl/go1.23.4.linux-x64.tar.gz',
    'https://nodejs.org/dist/v20.1.0/node-v20.1.0-headers.tar.gz',
    'https://github.com/krallin/tini/releases/download/v0.19.0/tini-static-${TARGETARCH}',
    'https://github.com/just-containers/s6-overlay/releases/download/v3.2.0.2/s6-overlay-noarch.tar.xz',
    'not a url',
    '',
  ];
  for (const url of none) {
    test(`no vendor: ${JSON.stringify(url)}`, () => assert.equal(findVendor(url), undefined));
  }
});

describe('matchVendorUrl', () => {
  test('says where the token is and what it means', () => {
    const url = 'https://dl.google.com/go/go1.22.5.linux-armv6l.tar.gz';
    const m = matchVendorUrl(url);
    assert.ok(m);
    assert.equal(m.token, 'armv6l');
    assert.equal(url.slice(m.tokenStart, m.tokenEnd), 'armv6l');
    assert.deepEqual(m.platformKeys, ['arm/v7', 'arm/v6']);
    assert.equal(m.isVariable, false);
  });

  test('variant tokens carry their label', () => {
    const m = matchVendorUrl('https://github.com/oven-sh/bun/releases/download/bun-v1.1.30/bun-linux-aarch64-musl.zip');
    assert.equal(m?.variant, 'musl');
    assert.deepEqual(m?.platformKeys, ['arm64']);
    const jq = matchVendorUrl('https://github.com/stedolan/jq/releases/download/jq-1.6/jq-linux64');
    assert.equal(jq?.variant, 'legacy');
    assert.deepEqual(jq?.platformKeys, ['amd64']);
  });

  test('a differently cased token still resolves (trivy S390X)', () => {
    const m = matchVendorUrl('https://github.com/aquasecurity/trivy/releases/download/v0.45.0/trivy_0.45.0_Linux-S390X.tar.gz');
    assert.equal(m?.token, 'S390X');
    assert.deepEqual(m?.platformKeys, ['s390x']);
  });

  test('variables for {arch} only with allowVariables', () => {
    const url = 'https://github.com/krallin/tini/releases/download/v${TINI_VERSION}/tini-static-${TARGETARCH}';
    assert.equal(matchVendorUrl(url), undefined);
    const m = matchVendorUrl(url, { allowVariables: true });
    assert.equal(m?.vendor.name, 'tini');
    assert.equal(m?.isVariable, true);
    assert.equal(m?.token, '${TARGETARCH}');
    assert.deepEqual(m?.platformKeys, []);
    const u2 = 'https://go.dev/dl/go${GOLANG_VERSION}.linux-$(dpkg --print-architecture).tar.gz';
    assert.equal(matchVendorUrl(u2, { allowVariables: true })?.token, '$(dpkg --print-architecture)');
  });

  test('arch-independent vendors match with no token and every platform', () => {
    const m = matchVendorUrl('https://services.gradle.org/distributions/gradle-8.10.2-all.zip');
    assert.equal(m?.vendor.name, 'gradle');
    assert.equal(m?.token, undefined);
    assert.equal(m?.platformKeys.length, 10);
    assert.equal(m?.platformKeys[0], 'amd64');
  });
});

describe('vendorToken', () => {
  const P = parsePlatform;
  const cases: [string, string, string | null | undefined][] = [
    ['go', 'linux/arm/v7', 'armv6l'],
    ['go', 'linux/arm/v6', 'armv6l'],
    ['go', 'linux/amd64', 'amd64'],
    ['node', 'linux/amd64', 'x64'],
    ['node', 'linux/arm/v7', 'armv7l'],
    ['node', 'linux/riscv64', null],
    ['node', 'linux/386', undefined],
    ['aws-cli', 'linux/arm64', 'aarch64'],
    ['aws-cli', 'linux/amd64', 'x86_64'],
    ['aws-cli', 'linux/ppc64le', null],
    ['tini', 'linux/ppc64le', 'ppc64el'],
    ['gosu', 'linux/arm/v6', 'armhf'],
    ['s6-overlay', 'linux/arm/v6', 'armhf'],
    ['s6-overlay', 'linux/arm/v7', 'arm'],
    ['helm', 'linux/arm/v6', undefined],
    ['protoc', 'linux/arm64', 'aarch_64'],
    ['trivy', 'linux/amd64', '64bit'],
    ['docker', 'linux/arm/v6', 'armel'],
    ['buildx', 'linux/arm/v7', 'arm-v7'],
    ['maven', 'linux/s390x', '*'],
    ['su-exec', 'linux/amd64', null],
    ['dotnet', 'linux/s390x', undefined],
  ];
  for (const [name, spec, want] of cases) {
    test(`${name} ${spec} -> ${String(want)}`, () => assert.equal(vendorToken(vendor(name), P(spec)), want));
  }

  test('unnormalised platforms and levels', () => {
    assert.equal(vendorToken(vendor('node'), { os: 'linux', architecture: 'x86_64', variant: '' }), 'x64');
    assert.equal(vendorToken(vendor('go'), { os: 'linux', architecture: 'arm', variant: '' }), 'armv6l');
    assert.equal(vendorToken(vendor('go'), { os: 'linux', architecture: 'arm64', variant: 'v8' }), 'arm64');
    assert.equal(vendorToken(vendor('go'), P('linux/amd64/v3')), 'amd64');
    assert.equal(vendorToken(vendor('gosu'), P('linux/arm/v5')), 'armel');
  });

  test('other OSes are unknown', () => {
    assert.equal(vendorToken(vendor('go'), P('windows/amd64')), undefined);
  });
});

describe('isArchIndependentUrl', () => {
  const yes = [
    'https://repo1.maven.org/maven2/org/foo/bar/1.0/bar-1.0.jar',
    'https://example.com/app.war',
    'https://archive.apache.org/dist/maven/maven-3/3.9.9/binaries/apache-maven-3.9.9-bin.tar.gz',
    'https://services.gradle.org/distributions/gradle-8.10.2-all.zip',
    'https://archive.apache.org/dist/ant/binaries/apache-ant-1.10.14-bin.tar.gz',
    'https://github.com/sbt/sbt/releases/download/v1.10.2/sbt-1.10.2.tgz',
    'https://github.com/just-containers/s6-overlay/releases/download/v3.2.0.2/s6-overlay-noarch.tar.xz',
    'https://github.com/just-containers/s6-overlay/releases/download/v3.2.0.2/s6-overlay-symlinks-noarch.tar.xz',
    'https://github.com/just-containers/s6-overlay/releases/download/v3.2.0.2/s6-overlay-symlinks-arch.tar.xz',
    'https://example.com/repo/foo-1.0-1.noarch.rpm',
    'http://deb.debian.org/debian/pool/main/c/ca-certificates/ca-certificates_20230311_all.deb',
    'https://files.pythonhosted.org/packages/aa/bb/requests-2.32.3-py3-none-any.whl',
    'https://example.com/six-1.16.0-py2.py3-none-any.whl',
    'https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz',
    'https://yarnpkg.com/downloads/1.22.19/yarn-v1.22.19.tar.gz',
    'https://getcomposer.org/download/2.8.1/composer.phar',
    'https://go.dev/dl/go1.23.4.src.tar.gz',
    'https://nodejs.org/dist/v20.1.0/node-v20.1.0-headers.tar.gz',
    'https://raw.githubusercontent.com/helm/helm/main/scripts/get-helm-3',
    'https://dot.net/v1/dotnet-install.sh',
    'https://sh.rustup.rs',
    'https://deno.land/install.sh',
    'https://releases.hashicorp.com/terraform/1.9.5/terraform_1.9.5_SHA256SUMS',
    'https://github.com/aquasecurity/trivy/releases/download/v0.56.2/trivy_0.56.2_checksums.txt',
    'https://nodejs.org/dist/v20.1.0/SHASUMS256.txt.asc',
    'https://download.docker.com/linux/debian/gpg',
    'https://downloads.apache.org/maven/KEYS',
  ];
  for (const url of yes) {
    test(`arch-independent: ${url}`, () => {
      assert.equal(isArchIndependentUrl(url), true);
      assert.equal(typeof archIndependentReason(url), 'string');
    });
  }

  const no = [
    'https://go.dev/dl/go1.23.4.linux-amd64.tar.gz',
    'https://nodejs.org/dist/v20.1.0/node-v20.1.0-linux-x64.tar.xz',
    'https://nodejs.org/dist/v20.1.0/node-v20.1.0-linux-x64.tar.xz.asc',
    'https://github.com/just-containers/s6-overlay/releases/download/v3.2.0.2/s6-overlay-x86_64.tar.xz',
    'https://download.docker.com/linux/static/stable/x86_64/docker-27.3.1.tgz',
    'https://example.com/pool/main/f/foo/foo_1.0_amd64.deb',
    'https://example.com/foo-1.0-1.x86_64.rpm',
    'https://example.com/numpy-2.1.2-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
    'https://static.rust-lang.org/rustup/dist/x86_64-unknown-linux-gnu/rustup-init',
    'https://get.helm.sh/helm-v3.14.0-linux-amd64.tar.gz',
  ];
  for (const url of no) {
    test(`arch-specific: ${url}`, () => assert.equal(isArchIndependentUrl(url), false));
  }

  test('matches SHASUMS256.txt with the JSON rule text', () => {
    assert.equal(archIndependentReason('https://nodejs.org/dist/v20.1.0/SHASUMS256.txt'), 'checksum manifests');
  });
});
