import rule from './arch-detect-on-build-platform.js';
import { ruleTester } from './tester.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

ruleTester(rule, {
  valid: [
    {
      name: 'a tmpfs mount with from= builds the stage but reads none of its files',
      code: lines(
        'FROM --platform=$BUILDPLATFORM alpine AS fetch',
        'RUN wget -O /dl/pkg.apk "https://example.com/pkg-$(apk --print-arch).apk"',
        'FROM alpine',
        'RUN --mount=type=tmpfs,from=fetch,target=/dl true',
      ),
    },
    {
      name: 'a normal stage runs on the target: the detector is right there',
      code: lines('FROM debian:bookworm', 'RUN curl -fsSLo /usr/local/bin/tool "https://example.com/tool-linux-$(uname -m)"'),
    },
    {
      name: 'dpkg in the target stage chooses a URL per branch',
      code: lines(
        'FROM debian:bookworm-slim',
        'RUN set -eu; debArch="$(dpkg --print-architecture)"; \\',
        "    case \"$debArch\" in amd64) pkg='https://downloads.example.org/agent/1.8.0/agent-linux-amd64.tgz' ;; esac; \\",
        '    curl -fsSL -o agent.tgz "$pkg"',
      ),
    },
    {
      name: 'the stage cross-compiles with TARGETARCH: uname fetches a tool for the builder',
      code: lines(
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'ARG TARGETOS TARGETARCH',
        'RUN curl -fsSLo /tmp/protoc.zip "https://github.com/protocolbuffers/protobuf/releases/download/v25.1/protoc-25.1-linux-$(uname -m).zip"',
        'RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .',
        'FROM alpine',
        'COPY --from=build /out/app /app',
      ),
    },
    {
      name: 'tonistiigi/xx picks the target',
      code: lines(
        'FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx',
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build',
        'COPY --from=xx / /',
        'RUN wget -O /usr/local/bin/protoc "https://example.com/protoc-$(apk --print-arch)"',
        'RUN xx-go build -o /out/app .',
        'FROM alpine',
        'COPY --from=build /out/app /app',
      ),
    },
    {
      name: 'a tools stage only feeds another build-platform stage',
      code: lines(
        'FROM --platform=$BUILDPLATFORM alpine AS tools',
        'RUN wget -O /usr/local/bin/buf "https://example.com/buf-Linux-$(uname -m)" && chmod +x /usr/local/bin/buf',
        'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
        'COPY --from=tools /usr/local/bin/buf /usr/local/bin/buf',
        'ARG TARGETARCH',
        'RUN buf generate && GOARCH=$TARGETARCH go build -o /out/app .',
        'FROM alpine',
        'COPY --from=build /out/app /app',
      ),
    },
    {
      name: 'the target stage copies arch-independent output, not what the detector fetched',
      code: lines(
        'FROM --platform=$BUILDPLATFORM debian:bookworm AS site',
        'WORKDIR /src',
        'RUN curl -fsSL "https://example.com/hugo-linux-$(dpkg --print-architecture).tar.gz" | tar -xz -C /usr/local/bin',
        'COPY . .',
        'RUN hugo --destination /src/public',
        'FROM nginx:alpine',
        'COPY --from=site /src/public /usr/share/nginx/html',
      ),
    },
    {
      name: 'only printed',
      code: lines(
        'FROM --platform=$BUILDPLATFORM alpine AS fetch',
        'RUN echo "building on $(uname -m)" && wget -O /tool https://example.com/tool',
        'FROM alpine',
        'COPY --from=fetch /tool /tool',
      ),
    },
    {
      name: 'autotools --build names the build machine on purpose',
      code: lines(
        'FROM --platform=$BUILDPLATFORM debian AS build',
        'RUN ./configure --prefix=/out --build=$(uname -m)-linux-gnu --host=aarch64-linux-gnu && make install',
        'FROM debian',
        'COPY --from=build /out /usr/local',
      ),
    },
    {
      name: 'assigned but never used to choose anything',
      code: lines(
        'FROM --platform=$BUILDPLATFORM alpine AS fetch',
        'RUN ARCH=$(uname -m); echo "host: $ARCH"; wget -O /tool https://example.com/tool',
        'FROM alpine',
        'COPY --from=fetch /tool /tool',
      ),
    },
    {
      name: 'a build-platform stage nobody uses from the target',
      code: lines(
        'FROM --platform=$BUILDPLATFORM alpine AS lint',
        'RUN wget -O /usr/local/bin/hadolint "https://example.com/hadolint-Linux-$(uname -m)"',
        'FROM alpine',
        'RUN echo hi',
      ),
    },
  ],
  invalid: [
    {
      name: 'a download stage fetches the builder binary for the target image',
      code: lines(
        'FROM --platform=$BUILDPLATFORM alpine AS fetch',
        'RUN ARCH=$(uname -m) && wget -O /usr/local/bin/tool "https://example.com/tool-linux-$ARCH" && chmod +x /usr/local/bin/tool',
        'FROM alpine',
        'COPY --from=fetch /usr/local/bin/tool /usr/local/bin/tool',
      ),
      errors: [{ messageId: 'builderArch', line: 2, column: 10, endColumn: 21 }],
      output: null,
    },
    {
      name: 'case on dpkg in a final build-platform stage',
      code: lines(
        'FROM --platform=$BUILDPLATFORM debian:bookworm',
        'RUN case "$(dpkg --print-architecture)" in amd64) url=https://example.com/a ;; arm64) url=https://example.com/b ;; esac; curl -o /tool "$url"',
      ),
      errors: [{ messageId: 'builderArch', line: 2, column: 11, endColumn: 39 }],
      output: null,
    },
    {
      name: 'a test in a stage that the final stage is built FROM',
      code: lines(
        'FROM --platform=$BUILDPLATFORM debian AS base',
        'RUN if [ "$(uname -m)" = "aarch64" ]; then apt-get install -y libfoo-arm; fi',
        'FROM base',
        'CMD ["app"]',
      ),
      errors: [{ messageId: 'builderArch', line: 2, column: 11, endColumn: 22 }],
      output: null,
    },
    {
      name: 'apk arch in a URL extracted into a copied directory',
      code: lines(
        'FROM --platform=$BUILDPLATFORM alpine AS fetch',
        'RUN wget -O- "https://example.com/tool-$(apk --print-arch).tar.gz" | tar -xz -C /opt/tool',
        'FROM alpine',
        'COPY --from=fetch /opt/tool/bin/tool /usr/bin/tool',
      ),
      errors: [{ messageId: 'builderArch', line: 2, column: 40, endColumn: 59 }],
      output: null,
    },
    {
      name: 'a relative output under WORKDIR, two detectors',
      code: lines(
        'FROM --platform=$BUILDPLATFORM debian AS fetch',
        'WORKDIR /out',
        'RUN curl -o tool "https://example.com/tool-$(arch)" && curl -o lib.so "https://example.com/lib-`uname -m`.so"',
        'FROM debian',
        'COPY --from=fetch /out/tool /usr/bin/tool',
      ),
      errors: [
        { messageId: 'builderArch', line: 3, column: 44, endColumn: 51 },
        { messageId: 'builderArch', line: 3, column: 96, endColumn: 106 },
      ],
      output: null,
    },
    {
      name: 'read through RUN --mount from a target stage',
      code: lines(
        'FROM --platform=$BUILDPLATFORM alpine AS fetch',
        'RUN wget -O /dl/pkg.apk "https://example.com/pkg-$(apk --print-arch).apk"',
        'FROM alpine',
        'RUN --mount=from=fetch,source=/dl,target=/dl apk add --allow-untrusted /dl/pkg.apk',
      ),
      errors: [{ messageId: 'builderArch', line: 2, column: 50 }],
      output: null,
    },
    {
      name: 'read through a mount whose from= is a quoted CSV field (BuildKit reads it; a from= regular expression did not)',
      code: lines(
        'FROM --platform=$BUILDPLATFORM alpine AS fetch',
        'RUN wget -O /dl/pkg.apk "https://example.com/pkg-$(apk --print-arch).apk"',
        'FROM alpine',
        `RUN --mount='type=bind,"from=fetch",source=/dl,target=/dl' apk add --allow-untrusted /dl/pkg.apk`,
      ),
      errors: [{ messageId: 'builderArch', line: 2, column: 50 }],
      output: null,
    },
    {
      // a fetch script of the build context run by a build-platform stage whose download the image copies
      name: 'uname -m inside a context script',
      code: lines('FROM --platform=$BUILDPLATFORM alpine AS fetch', 'COPY fetch.sh /fetch.sh', 'RUN sh /fetch.sh', 'FROM alpine', 'COPY --from=fetch /usr/local/bin/tool /usr/local/bin/tool'),
      files: { 'fetch.sh': '#!/bin/sh\nARCH=$(uname -m)\nwget -O /usr/local/bin/tool "https://example.com/tool-linux-$ARCH"\n' },
      errors: [{ messageId: 'builderArch', line: 2, column: 6, file: 'fetch.sh' }],
    },
  ],
});
