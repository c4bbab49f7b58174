/**
 * AA101 through variables: an architecture word written in an ENV/ARG value or a shell
 * assignment, and downloaded later through the variable. Reported once, at the assignment.
 * Real cases are rewritten in our own words; the repository they come from is named above each.
 */
import rule from './hardcoded-arch-download.js';
import { ruleTester } from './tester.js';

ruleTester(rule, {
  valid: [
    {
      name: 'a shell variable set in one RUN is gone in the next',
      code: 'FROM alpine\nRUN ARCH=amd64\nRUN wget https://example.com/tool_linux_${ARCH}.tar.gz\n',
    },
    {
      // fjzhangZzzzzz/hello-world (Dockerfile): ARCH set by `uname -m` in one RUN, used in another
      name: 'a value from uname in an earlier RUN is not carried over',
      code: 'FROM alpine:3.15\nRUN ARCH=$(uname -m)\nRUN wget "https://github.com/o/hello/releases/download/v1/hello_linux_${ARCH}" -O /usr/bin/hello\n',
    },
    {
      name: 'a variable assigned in a subshell does not reach the parent shell',
      code: 'FROM alpine\nRUN (A=amd64); wget "https://example.com/tool_linux_${A}.tar.gz"\n',
    },
    {
      name: 'a variable assigned in one pipeline element does not reach the next command',
      code: 'FROM alpine\nRUN A=amd64 | cat; wget "https://example.com/tool_linux_${A}.tar.gz"\n',
    },
    {
      name: 'a mapping: the word is chosen per architecture (h11-map checks its branches)',
      code:
        'FROM debian\nRUN case "$(dpkg --print-architecture)" in amd64) A=x86_64 ;; arm64) A=aarch64 ;; esac; \\\n' +
        '    curl -fsSLO "https://example.com/tool-linux-${A}.tar.gz"\n',
    },
    {
      name: 'an if on uname -m choosing the word',
      code: 'FROM debian\nRUN if [ "$(uname -m)" = aarch64 ]; then A=arm64; else A=amd64; fi; curl -LO "https://example.com/t_linux_${A}.tgz"\n',
    },
    {
      name: 'derived from TARGETARCH',
      code: 'FROM alpine\nARG TARGETARCH\nENV ARCH=${TARGETARCH}\nRUN wget https://go.dev/dl/go1.22.0.linux-${ARCH}.tar.gz\n',
    },
    {
      name: 'the word only names things: echo, rm, ls, test -f',
      code:
        'FROM alpine\nENV TARBALL=tool-linux-amd64.tar.gz\nRUN echo "fetching $TARBALL" && ls /tmp/$TARBALL; rm -f /tmp/$TARBALL; test -f /opt/$TARBALL || true\n',
    },
    {
      // lnls-sirius EPICS images (ENV ARCH linux-x86_64 used in PATH and library paths, never downloaded)
      name: 'an architecture word in ENV used only for paths',
      code: 'FROM debian:buster-slim\nENV ARCH linux-x86_64\nENV EPICS_BASE /opt/epics/base\nENV PATH ${EPICS_BASE}/bin/${ARCH}:${PATH}\nRUN make -C /opt/ioc\n',
    },
    {
      name: 'deliberate fan-out: every architecture downloaded in a for loop',
      code: 'FROM alpine\nRUN for a in amd64 arm64; do wget "https://example.com/tool_linux_${a}.tar.gz"; done\n',
    },
    {
      name: 'deliberate fan-out through variables',
      code: 'FROM alpine\nRUN A=amd64; B=arm64; wget https://example.com/t_linux_${A}.tgz https://example.com/t_linux_${B}.tgz\n',
    },
    {
      name: 'single-arch on purpose',
      code: 'FROM alpine\nENV GO_TARBALL=go1.22.0.linux-amd64.tar.gz\nRUN wget https://go.dev/dl/$GO_TARBALL\n',
      platforms: 'linux/amd64',
    },
    {
      name: 'an ARG whose default is just an architecture word is AA117\'s',
      code: 'FROM alpine\nARG ARCH=amd64\nRUN wget https://example.com/tool_linux_${ARCH}.tar.gz\n',
    },
    {
      name: 'a function body that reads a variable set by its caller from a mapping',
      code:
        'FROM debian\nRUN get() { curl -fsSLO "https://example.com/tool-linux-${A}.tar.gz"; }; \\\n' +
        '    case "$(uname -m)" in x86_64) A=amd64 ;; aarch64) A=arm64 ;; esac; get\n',
    },
    {
      // terraform installers in the code corpus (find_string "RUN ARCH=amd64 &&", ids 6692911231, 6709675099):
      // ARCH=amd64 as a default, replaced in an `if` on uname -m, then …_linux_${ARCH}.zip: a mapping
      name: 'a default overridden in a branch chosen by the architecture',
      code:
        'FROM alpine\nARG VERSION=1.8.4\nRUN ARCH=amd64 && \\\n    if [ "$(uname -m)" = "aarch64" ]; then ARCH=arm64; fi && \\\n' +
        '    wget https://releases.hashicorp.com/terraform/${VERSION}/terraform_${VERSION}_linux_${ARCH}.zip\n',
    },
    {
      name: 'read sets the variable: its value cannot be known',
      code: 'FROM alpine\nRUN A=amd64; read A < /etc/arch; wget "https://example.com/tool_linux_${A}.tar.gz"\n',
    },
  ],
  invalid: [
    {
      // the issue's own example: an ENV file name downloaded through the variable
      name: 'ENV file name, downloaded and unpacked through the variable',
      code: 'FROM ubuntu:noble\nENV GO_TARBALL=go1.22.0.linux-amd64.tar.gz\nRUN curl -fsSLO https://go.dev/dl/$GO_TARBALL && tar -C /usr/local -xzf $GO_TARBALL\n',
      errors: [{ messageId: 'flow', line: 2, column: 31, endColumn: 36 }],
      output:
        'FROM ubuntu:noble\nARG TARGETARCH\nENV GO_TARBALL=go1.22.0.linux-${TARGETARCH}.tar.gz\nRUN curl -fsSLO https://go.dev/dl/$GO_TARBALL && tar -C /usr/local -xzf $GO_TARBALL\n',
    },
    {
      // p2pderivatives/p2pderivatives-client (Dockerfile): ENV PROTOC_ZIP=protoc-<v>-linux-x86_64.zip,
      // then curl …/v<v>/${PROTOC_ZIP}; protoc names arm64 `aarch_64`, which no ENV can map
      name: 'ENV zip name of protoc, downloaded through the variable',
      code:
        'FROM node AS env-protoc\nARG ARG_PROTOC_VERSION=3.7.1\nENV PROTOC_VERSION=${ARG_PROTOC_VERSION}\n' +
        'ENV PROTOC_ZIP=protoc-${ARG_PROTOC_VERSION}-linux-x86_64.zip\n' +
        'RUN curl -OL https://github.com/protocolbuffers/protobuf/releases/download/v${PROTOC_VERSION}/${PROTOC_ZIP}\n' +
        'RUN unzip -o ${PROTOC_ZIP} -d /usr/local bin/protoc\n',
      errors: [{ messageId: 'flow', line: 4 }],
      output: null,
    },
    {
      // a golang builder in the code corpus (find_string "ENV ARCH linux-x86_64", id 59572864242;
      // repository not named there): ENV ARCH linux-x86_64, then protoc-$V-$ARCH.zip in curl
      name: 'legacy ENV form, word through two variables',
      code:
        'FROM golang:1.25 AS builder\nENV PROTOBUF_VERSION 21.12\nENV ARCH linux-x86_64\n' +
        'RUN apt-get update && apt-get install -y unzip && \\\n' +
        '    curl -SLo protoc.zip https://github.com/google/protobuf/releases/download/v$PROTOBUF_VERSION/protoc-$PROTOBUF_VERSION-$ARCH.zip && \\\n' +
        '    unzip -d /usr/local protoc.zip\n',
      errors: [{ messageId: 'flow', line: 3, column: 16, endColumn: 22 }],
      output: null,
    },
    {
      // a Helm image in the code corpus (search "ENV HELM_TARBALL helm-linux-amd64", rank 6; repository not
      // named there): ENV BASE_URL and ENV TAR_FILE="helm-v3.5.2-linux-amd64.tar.gz", curl ${BASE_URL}/${TAR_FILE}
      name: 'Helm: base URL and file name in two ENVs',
      code:
        'FROM alpine:3\nENV BASE_URL="https://get.helm.sh"\nENV TAR_FILE="helm-v3.5.2-linux-amd64.tar.gz"\n' +
        'RUN apk add --no-cache curl && curl -L ${BASE_URL}/${TAR_FILE} | tar xvz && mv linux-amd64/helm /usr/bin/helm\n',
      errors: [{ messageId: 'flow', line: 3, column: 33 }],
      output:
        'FROM alpine:3\nARG TARGETARCH\nENV BASE_URL="https://get.helm.sh"\nENV TAR_FILE="helm-v3.5.2-linux-${TARGETARCH}.tar.gz"\n' +
        'RUN apk add --no-cache curl && curl -L ${BASE_URL}/${TAR_FILE} | tar xvz && mv linux-amd64/helm /usr/bin/helm\n',
    },
    {
      // a kubebuilder test image in the code corpus (search "kubebuilder_${KB_VER}_linux_${ARCH}", rank 12):
      // ENV version=1.0.4 and ENV arch=amd64, then the kubebuilder tarball from both
      name: 'kubebuilder: ENV arch=amd64',
      code:
        'FROM golang:1.11.5-alpine3.8\nENV version=1.0.4\nENV arch=amd64\n' +
        'RUN curl -L -O "https://github.com/kubernetes-sigs/kubebuilder/releases/download/v${version}/kubebuilder_${version}_linux_${arch}.tar.gz" && \\\n' +
        '    tar -zxvf kubebuilder_${version}_linux_${arch}.tar.gz\n',
      errors: [{ messageId: 'flow', line: 3, column: 10 }],
      output:
        'FROM golang:1.11.5-alpine3.8\nARG TARGETARCH\nENV version=1.0.4\nENV arch=${TARGETARCH}\n' +
        'RUN curl -L -O "https://github.com/kubernetes-sigs/kubebuilder/releases/download/v${version}/kubebuilder_${version}_linux_${arch}.tar.gz" && \\\n' +
        '    tar -zxvf kubebuilder_${version}_linux_${arch}.tar.gz\n',
    },
    {
      // the second example: ENV ARCH, then ENV URL=…${ARCH}…, then RUN curl $URL
      name: 'ENV to ENV to RUN',
      code:
        'FROM alpine\nENV ARCH=linux-amd64\nENV URL=https://example.com/releases/tool-1.0-${ARCH}.tar.gz\nRUN curl -fsSL $URL | tar -xz -C /usr/local/bin\n',
      errors: [{ messageId: 'flow', line: 2, column: 16 }],
      output:
        'FROM alpine\nARG TARGETARCH\nENV ARCH=linux-${TARGETARCH}\nENV URL=https://example.com/releases/tool-1.0-${ARCH}.tar.gz\nRUN curl -fsSL $URL | tar -xz -C /usr/local/bin\n',
    },
    {
      name: 'ENV set in one stage, downloaded in a stage built FROM it',
      code: 'FROM alpine AS base\nENV KUBECTL_ARCH=amd64\nFROM base\nRUN wget https://dl.k8s.io/release/v1.30.0/bin/linux/${KUBECTL_ARCH}/kubectl\n',
      errors: [{ messageId: 'flow', line: 2, column: 18 }],
      output: 'FROM alpine AS base\nARG TARGETARCH\nENV KUBECTL_ARCH=${TARGETARCH}\nFROM base\nRUN wget https://dl.k8s.io/release/v1.30.0/bin/linux/${KUBECTL_ARCH}/kubectl\n',
    },
    {
      name: 'ADD of a URL built from ENV',
      code: 'FROM alpine\nENV TINI_FILE=tini-static-amd64\nADD https://github.com/krallin/tini/releases/download/v0.19.0/${TINI_FILE} /tini\n',
      errors: [{ messageId: 'flow', line: 2, column: 27 }],
      output: 'FROM alpine\nARG TARGETARCH\nENV TINI_FILE=tini-static-${TARGETARCH}\nADD https://github.com/krallin/tini/releases/download/v0.19.0/${TINI_FILE} /tini\n',
    },
    {
      // the shell example: GH_ARCH="linux_amd64"; curl …/${GH_ARCH}…
      name: 'shell variable across ;',
      code: 'FROM debian\nRUN GH_ARCH="linux_amd64"; curl -fsSL -o gh.tgz "https://github.com/cli/cli/releases/download/v2.40.0/gh_2.40.0_${GH_ARCH}.tar.gz"\n',
      errors: [{ messageId: 'flow', line: 2, column: 20, endColumn: 25 }],
      output:
        'FROM debian\nARG TARGETARCH\nRUN GH_ARCH="linux_${TARGETARCH}"; curl -fsSL -o gh.tgz "https://github.com/cli/cli/releases/download/v2.40.0/gh_2.40.0_${GH_ARCH}.tar.gz"\n',
    },
    {
      // code-server derived images in the code corpus (find_string "RUN ARCH=amd64 &&", ids 43556527220,
      // 15113615534, 14969960606, 34209666522): ARCH=amd64 && curl …/fixuid-<v>-linux-$ARCH.tar.gz | tar
      name: 'fixuid through a shell variable, piped to tar',
      code:
        'FROM ubuntu:18.04\nRUN ARCH=amd64 && \\\n' +
        '    curl -sSL "https://github.com/boxboat/fixuid/releases/download/v0.4.1/fixuid-0.4.1-linux-$ARCH.tar.gz" | tar -C /usr/local/bin -xzf - && \\\n' +
        '    chmod 4755 /usr/local/bin/fixuid\n',
      errors: [{ messageId: 'flow', line: 2, column: 10, endColumn: 15 }],
      output:
        'FROM ubuntu:18.04\nARG TARGETARCH\nRUN ARCH=${TARGETARCH} && \\\n' +
        '    curl -sSL "https://github.com/boxboat/fixuid/releases/download/v0.4.1/fixuid-0.4.1-linux-$ARCH.tar.gz" | tar -C /usr/local/bin -xzf - && \\\n' +
        '    chmod 4755 /usr/local/bin/fixuid\n',
    },
    {
      // eksctl installers in the code corpus (find_string "RUN ARCH=amd64 &&", ids 56694901118, 40756129205):
      // ARCH=amd64 && PLATFORM=Linux_${ARCH} && curl …/eksctl_${PLATFORM}.tar.gz: two shell variables
      name: 'through two shell variables (eksctl)',
      code:
        'FROM debian\nRUN ARCH=amd64 && PLATFORM=Linux_${ARCH} && \\\n' +
        '    curl -sLO "https://github.com/eksctl-io/eksctl/releases/latest/download/eksctl_${PLATFORM}.tar.gz" && \\\n' +
        '    tar -xzf eksctl_${PLATFORM}.tar.gz -C /tmp && rm -f eksctl_${PLATFORM}.tar.gz\n',
      errors: [{ messageId: 'flow', line: 2, column: 10 }],
      output:
        'FROM debian\nARG TARGETARCH\nRUN ARCH=${TARGETARCH} && PLATFORM=Linux_${ARCH} && \\\n' +
        '    curl -sLO "https://github.com/eksctl-io/eksctl/releases/latest/download/eksctl_${PLATFORM}.tar.gz" && \\\n' +
        '    tar -xzf eksctl_${PLATFORM}.tar.gz -C /tmp && rm -f eksctl_${PLATFORM}.tar.gz\n',
    },
    {
      // a PhoneInfoga install in the code corpus (find_string "RUN ARCH=amd64 &&", id 57644711793): ARCH=amd64,
      // the latest tag read with curl, then …/phoneinfoga_Linux_${ARCH}.tar.gz
      name: 'phoneinfoga: the version from an API call, the architecture from a constant',
      code:
        'FROM debian\nRUN ARCH=amd64 && \\\n' +
        '    LATEST=$(curl -sSL https://api.github.com/repos/sundowndev/phoneinfoga/releases/latest | grep tag_name | cut -d\'"\' -f4) && \\\n' +
        '    curl -sSL "https://github.com/sundowndev/phoneinfoga/releases/download/${LATEST}/phoneinfoga_Linux_${ARCH}.tar.gz" | tar -xzf - -C /usr/local/bin\n',
      errors: [{ messageId: 'flow', line: 2, column: 10 }],
      output:
        'FROM debian\nARG TARGETARCH\nRUN ARCH=${TARGETARCH} && \\\n' +
        '    LATEST=$(curl -sSL https://api.github.com/repos/sundowndev/phoneinfoga/releases/latest | grep tag_name | cut -d\'"\' -f4) && \\\n' +
        '    curl -sSL "https://github.com/sundowndev/phoneinfoga/releases/download/${LATEST}/phoneinfoga_Linux_${ARCH}.tar.gz" | tar -xzf - -C /usr/local/bin\n',
    },
    {
      // a 3x-ui desktop image in the code corpus (find_string "RUN ARCH=amd64 &&", id 67320624704)
      name: '3x-ui through a shell variable',
      code: 'FROM ubuntu\nRUN ARCH=amd64 && wget -q https://github.com/MHSanaei/3x-ui/releases/latest/download/x-ui-linux-${ARCH}.tar.gz -O /tmp/x-ui.tar.gz\n',
      errors: [{ messageId: 'flow', line: 2, column: 10 }],
      output: 'FROM ubuntu\nARG TARGETARCH\nRUN ARCH=${TARGETARCH} && wget -q https://github.com/MHSanaei/3x-ui/releases/latest/download/x-ui-linux-${ARCH}.tar.gz -O /tmp/x-ui.tar.gz\n',
    },
    {
      name: 'exported, across &&, used in a subshell and a pipeline',
      code: 'FROM debian\nRUN export ARCH=amd64 && (cd /tmp && wget -qO- "https://example.com/tool_1.0_linux_${ARCH}.tar.gz" | tar -xz)\n',
      errors: [{ messageId: 'flow', line: 2 }],
      output: 'FROM debian\nARG TARGETARCH\nRUN export ARCH=${TARGETARCH} && (cd /tmp && wget -qO- "https://example.com/tool_1.0_linux_${ARCH}.tar.gz" | tar -xz)\n',
    },
    {
      name: 'set in a { } group, used after it',
      code: 'FROM debian\nRUN { A=amd64; V=1.0; }; curl -LO "https://example.com/tool_${V}_linux_${A}.deb" && dpkg -i tool_${V}_linux_${A}.deb\n',
      errors: [{ messageId: 'flow', line: 2 }],
      output: 'FROM debian\nARG TARGETARCH\nRUN { A=${TARGETARCH}; V=1.0; }; curl -LO "https://example.com/tool_${V}_linux_${A}.deb" && dpkg -i tool_${V}_linux_${A}.deb\n',
    },
    {
      name: 'a function defined first and called after the assignment',
      code: 'FROM debian\nRUN fetch() { curl -fsSLO "https://example.com/tool-1.0-linux-${A}.tar.gz"; }; A=amd64; fetch\n',
      errors: [{ messageId: 'flow', line: 2 }],
      output: 'FROM debian\nARG TARGETARCH\nRUN fetch() { curl -fsSLO "https://example.com/tool-1.0-linux-${A}.tar.gz"; }; A=${TARGETARCH}; fetch\n',
    },
    {
      name: 'a global ARG holding a whole file name (AA101, not AA117): no declaration needed',
      code: 'ARG TARBALL=go1.22.0.linux-amd64.tar.gz\nFROM debian\nARG TARBALL\nRUN curl -fsSLO https://go.dev/dl/${TARBALL}\n',
      errors: [{ messageId: 'flow', line: 1, column: 28 }],
      output: 'ARG TARBALL=go1.22.0.linux-${TARGETARCH}.tar.gz\nFROM debian\nARG TARBALL\nRUN curl -fsSLO https://go.dev/dl/${TARBALL}\n',
    },
    {
      name: 'a package file installed through ENV (dpkg -i)',
      code: 'FROM debian\nENV PKG=tool_1.0-1_amd64.deb\nCOPY pkgs/ /tmp/pkgs/\nRUN dpkg -i /tmp/pkgs/$PKG\n',
      errors: [{ messageId: 'flow', line: 2, column: 20 }],
      output: 'FROM debian\nARG TARGETARCH\nENV PKG=tool_1.0-1_${TARGETARCH}.deb\nCOPY pkgs/ /tmp/pkgs/\nRUN dpkg -i /tmp/pkgs/$PKG\n',
    },
    {
      name: 'local in a function body, declare -x at the top',
      code: 'FROM debian\nRUN declare -x V=1.0; get() { local A=arm64; curl -fsSLO "https://example.com/tool-${V}-linux-${A}.tar.gz"; }; get\n',
      errors: [{ messageId: 'flow', line: 2 }],
      output: 'FROM debian\nARG TARGETARCH\nRUN declare -x V=1.0; get() { local A=${TARGETARCH}; curl -fsSLO "https://example.com/tool-${V}-linux-${A}.tar.gz"; }; get\n',
    },
    {
      name: 'a vendor word: a mapping is inserted at the top of the RUN',
      code: 'FROM debian\nRUN NODE_ARCH=x64 && curl -fsSLO "https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-${NODE_ARCH}.tar.xz"\n',
      errors: [{ messageId: 'flow', line: 2, column: 15 }],
      output:
        "FROM debian\nARG TARGETARCH\nRUN case \"${TARGETARCH}\" in amd64) node_arch='x64' ;; arm64) node_arch='arm64' ;; *) echo \"node: no build for ${TARGETARCH}\" >&2; exit 1 ;; esac; \\\n" +
        '    NODE_ARCH=${node_arch} && curl -fsSLO "https://nodejs.org/dist/v20.11.0/node-v20.11.0-linux-${NODE_ARCH}.tar.xz"\n',
    },
    {
      name: 'in a heredoc script',
      code: 'FROM debian\nRUN <<EOF\nset -e\nA=amd64\ncurl -fsSLO "https://example.com/tool_1.0_linux_${A}.tar.gz"\nEOF\n',
      errors: [{ messageId: 'flow', line: 4, column: 3 }],
      output: 'FROM debian\nARG TARGETARCH\nRUN <<EOF\nset -e\nA=${TARGETARCH}\ncurl -fsSLO "https://example.com/tool_1.0_linux_${A}.tar.gz"\nEOF\n',
    },
    {
      name: 'single quotes: reported, not fixed',
      code: "FROM debian\nRUN A='amd64'; curl -LO \"https://example.com/tool_1.0_linux_${A}.tar.gz\"\n",
      errors: [{ messageId: 'flow', line: 2 }],
      output: null,
    },
    {
      name: 'one report for an assignment used twice',
      code: 'FROM debian\nENV A=amd64\nRUN curl -LO "https://example.com/a_linux_${A}.tgz"\nRUN curl -LO "https://example.com/a_linux_${A}.tgz.sha256"\n',
      errors: [{ messageId: 'flow', line: 2 }],
      output: 'FROM debian\nARG TARGETARCH\nENV A=${TARGETARCH}\nRUN curl -LO "https://example.com/a_linux_${A}.tgz"\nRUN curl -LO "https://example.com/a_linux_${A}.tgz.sha256"\n',
    },
    {
      // iits-consulting/otc-auth (Dockerfile): a full URL in ENV DOWNLOAD_LINK, then curl -LO $DOWNLOAD_LINK;
      // the URL itself is reported (as before), once
      name: 'a whole URL in ENV: reported once, as a download',
      code:
        'FROM alpine:3.16\nARG VERSION\nENV DOWNLOAD_LINK="https://github.com/o/otc-auth/releases/download/${VERSION}/otc-cli_${VERSION}_linux_amd64.tar.gz"\n' +
        'RUN curl -LO $DOWNLOAD_LINK && tar -zxvf otc-cli* && mv otc-cli* /usr/local/bin/\n',
      errors: [{ messageId: 'download', line: 3 }],
      output:
        'FROM alpine:3.16\nARG VERSION\nARG TARGETARCH\nENV DOWNLOAD_LINK="https://github.com/o/otc-auth/releases/download/${VERSION}/otc-cli_${VERSION}_linux_${TARGETARCH}.tar.gz"\n' +
        'RUN curl -LO $DOWNLOAD_LINK && tar -zxvf otc-cli* && mv otc-cli* /usr/local/bin/\n',
    },
    {
      name: 'in a build-platform stage: BUILDARCH',
      code: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nENV LINT=golangci-lint-1.55.2-linux-amd64\nRUN curl -fsSLO https://github.com/golangci/golangci-lint/releases/download/v1.55.2/${LINT}.tar.gz\n',
      errors: [{ messageId: 'flowBuilder', line: 2, severity: 'warning' }],
      output:
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nARG BUILDARCH\nENV LINT=golangci-lint-1.55.2-linux-${BUILDARCH}\nRUN curl -fsSLO https://github.com/golangci/golangci-lint/releases/download/v1.55.2/${LINT}.tar.gz\n',
    },
  ],
});
