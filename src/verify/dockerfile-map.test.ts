import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDockerfile } from '../dockerfile/parser.js';
import type { HistoryStep } from '../oci/image.js';
import type { Layer } from '../oci/layer.js';
import { parsePlatform } from '../platform/index.js';
import { alignHistory, dockerfileSources, parseCreatedBy } from './dockerfile-map.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

test('parseCreatedBy reads BuildKit steps (with |N build args and # buildkit) and the classic builder\'s', () => {
  assert.deepEqual(parseCreatedBy('RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit'), { keyword: 'run', text: 'apt-get update && apt-get install -y curl' });
  assert.deepEqual(parseCreatedBy('RUN |1 DEBIAN_FRONTEND=noninteractive /bin/sh -c apt update -y && apt upgrade -y && apt install -y     aptly # buildkit'), {
    keyword: 'run',
    text: 'apt update -y && apt upgrade -y && apt install -y aptly',
  });
  assert.deepEqual(parseCreatedBy('RUN |2 /bin/bash -c pip install -e /vllm-workspace/vllm # buildkit'), { keyword: 'run', text: 'pip install -e /vllm-workspace/vllm' });
  assert.deepEqual(parseCreatedBy('RUN |2 TARGETARCH=arm64 X=y /bin/sh -c make # buildkit'), { keyword: 'run', text: 'make' });
  assert.deepEqual(parseCreatedBy('COPY --from=build /out/app /usr/local/bin/app # buildkit'), { keyword: 'copy', text: '/out/app /usr/local/bin/app' });
  assert.deepEqual(parseCreatedBy('COPY /usr/local/Ascend /usr/local/Ascend # buildkit'), { keyword: 'copy', text: '/usr/local/Ascend /usr/local/Ascend' });
  assert.deepEqual(parseCreatedBy('WORKDIR /app'), { keyword: 'workdir', text: '/app' });
  assert.deepEqual(parseCreatedBy('ARG VLLM_TAG=v0.23.0'), { keyword: 'arg', text: 'VLLM_TAG=v0.23.0' });
  // the classic builder
  assert.deepEqual(parseCreatedBy('/bin/sh -c #(nop) ADD file:abc in / '), { keyword: 'add', text: '', destination: '/' });
  assert.deepEqual(parseCreatedBy('/bin/sh -c #(nop) COPY file:4f1d0e1a2b in /usr/local/bin/ '), { keyword: 'copy', text: '', destination: '/usr/local/bin/' });
  assert.deepEqual(parseCreatedBy('/bin/sh -c #(nop)  CMD ["bash"]'), { keyword: 'cmd', text: '["bash"]' });
  assert.deepEqual(parseCreatedBy('/bin/sh -c #(nop) WORKDIR /opt'), { keyword: 'workdir', text: '/opt' });
  assert.deepEqual(parseCreatedBy('/bin/sh -c mkdir -p copied'), { keyword: 'run', text: 'mkdir -p copied' });
  assert.deepEqual(parseCreatedBy('|1 A=b /bin/sh -c rm /tmp/x'), { keyword: 'run', text: 'rm /tmp/x' });
  assert.deepEqual(parseCreatedBy('/bin/ash -c #(nop)  VOLUME [/mnt/foo /mnt/bar]'), { keyword: 'volume', text: '[/mnt/foo /mnt/bar]' });
  assert.equal(parseCreatedBy(''), undefined);
  assert.deepEqual(parseCreatedBy('|2 A=b C=d make all'), { keyword: 'run', text: 'make all' });
  // hostile lengths are read in one pass: a step of many build args, a huge step
  assert.equal(parseCreatedBy(`|1 ${'a= '.repeat(100_000)}x`)?.keyword, 'run');
  assert.equal(parseCreatedBy(`|1 ${'a'.repeat(1_000_000)}`)?.keyword, 'run');
});

/** History steps as an image config pairs them with layers (empty ones have none). */
function history(steps: readonly (readonly [string, boolean])[]): HistoryStep[] {
  let n = 0;
  return steps.map(([created_by, layer]) => ({
    entry: { created_by, ...(layer ? {} : { empty_layer: true }) },
    ...(layer ? { layer: { index: n++ } as Layer } : {}),
  }));
}

test("the Zasper Dockerfile: the go download layer maps to line 16, which AA101 flags; the base's layers to FROM", () => {
  const source = readFileSync(resolve(root, 'examples/zasper/Dockerfile'), 'utf8');
  const steps = history([
    ['/bin/sh -c #(nop)  ARG RELEASE', false],
    ['/bin/sh -c #(nop)  LABEL org.opencontainers.image.ref.name=ubuntu', false],
    ['/bin/sh -c #(nop) ADD file:6df775300d76441aa33f31b22c1afce8dfe35c8ffbc14ef27c27009235b12a95 in / ', true],
    ['/bin/sh -c #(nop)  CMD ["/bin/bash"]', false],
    [
      'RUN /bin/sh -c apt-get update && apt-get install -y     curl     git     build-essential     libzmq3-dev     pkg-config     nodejs     npm     && rm -rf /var/lib/apt/lists/* # buildkit',
      true,
    ],
    ['RUN /bin/sh -c curl -LO https://go.dev/dl/go1.23.4.linux-amd64.tar.gz && rm -rf /usr/local/go && tar -C /usr/local -xzf go1.23.4.linux-amd64.tar.gz && rm -rf go1.23.4.linux-amd64.tar.gz # buildkit', true],
    ['RUN /bin/sh -c git clone https://github.com/zasper-io/zasper.git # buildkit', true],
    ['RUN /bin/sh -c cd zasper/ui && npm install && npm run build # buildkit', true],
    ['RUN /bin/sh -c cd zasper && export PATH=/usr/local/go/bin:$PATH && go build -tags webapp && cp zasper /usr/local/bin # buildkit', true],
    ['EXPOSE map[8048/tcp:{}]', false],
    ['CMD ["/bin/sh" "-c" "/usr/local/bin/zasper"]', false],
  ]);
  const map = dockerfileSources({ file: 'examples/zasper/Dockerfile', source }, steps, [parsePlatform('linux/arm64')]);
  const go = map.get(2)!;
  assert.equal(go.line, 16);
  assert.equal(go.instruction, 'RUN');
  assert.ok(go.findings.some((f) => f.id === 'AA101' && /amd64/.test(f.message)), JSON.stringify(go.findings));
  assert.equal(map.get(1)!.line, 6);
  assert.equal(map.get(1)!.endLine, 14);
  assert.equal(map.get(5)!.line, 20);
  assert.equal(map.get(0)!.instruction, 'FROM');
  assert.equal(map.get(0)!.line, 4);
});

test('alignment is backwards and per stage: the final stage only, base steps that look alike left alone', () => {
  const df = parseDockerfile(['FROM golang AS build', 'RUN make', 'FROM debian', 'RUN make', 'COPY --from=build /out /app', ''].join('\n'));
  const final = df.instructions.slice(3);
  // the base image's own `RUN make` (index 0) must not take the final stage's
  const aligned = alignHistory(['RUN /bin/sh -c make # buildkit', 'RUN /bin/sh -c make # buildkit', 'COPY /out /app # buildkit'], final);
  assert.deepEqual([...aligned.keys()].sort(), [1, 2]);
  assert.equal(aligned.get(1)!.range.start.line, 4);
  // the classic builder's COPY is matched by its destination
  const classic = alignHistory(['/bin/sh -c make', '/bin/sh -c #(nop) COPY dir:0a1b2c in /app '], final);
  assert.equal(classic.get(1)!.range.start.line, 5);
});

test('heredoc RUNs and exec-form RUNs match', () => {
  const df = parseDockerfile(['FROM debian', 'RUN <<EOF', 'set -e', 'apt-get update', 'EOF', 'RUN ["/usr/bin/make", "all"]', ''].join('\n'));
  const ins = df.instructions.slice(1);
  const aligned = alignHistory(['RUN /bin/sh -c <<EOF\nset -e\napt-get update\nEOF # buildkit', 'RUN /usr/bin/make all # buildkit'], ins);
  assert.equal(aligned.get(0)?.range.start.line, 2);
  assert.equal(aligned.get(1)?.range.start.line, 6);
});

test('a Dockerfile that cannot be parsed, or history that matches nothing, maps nothing', () => {
  assert.equal(dockerfileSources({ file: 'x', source: 'FROM\n' }, history([['RUN /bin/sh -c x # buildkit', true]]), [parsePlatform('linux/amd64')]).size, 0);
  assert.equal(dockerfileSources({ file: 'x', source: 'FROM a\nRUN y\n' }, history([['RUN /bin/sh -c x # buildkit', true]]), [parsePlatform('linux/amd64')]).size, 0);
});

/** `layer INSTRUCTION line` of each mapped layer, in layer order. */
function layerLines(map: ReadonlyMap<number, { readonly instruction: string; readonly line: number }>): string[] {
  return [...map].sort((a, b) => a[0] - b[0]).map(([layer, s]) => `${layer} ${s.instruction} ${s.line}`);
}

test('SHELL ["/bin/bash", "-o", "pipefail", "-c"]: the RUN layer maps to its RUN, the COPY to its COPY, the base layer to FROM', () => {
  const source = [
    'FROM golang:1.22 AS build',
    'WORKDIR /src',
    'COPY . .',
    'RUN go build -o /out/app .',
    '',
    'FROM debian:bookworm-slim',
    'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
    'RUN curl -fsSL https://example.com/tool-amd64.tar.gz | tar -xz -C /usr/local/bin',
    'COPY --from=build /out/app /usr/local/bin/app',
    'ENTRYPOINT ["/usr/local/bin/app"]',
    '',
  ].join('\n');
  // BuildKit's history of such a build (debian's rootfs layer, then the final stage's steps)
  const steps = history([
    ["# debian.sh --arch 'arm64' out/ 'bookworm' '@1718582400'", true],
    ['CMD ["bash"]', false],
    ['SHELL [/bin/bash -o pipefail -c]', false],
    ['RUN /bin/bash -o pipefail -c curl -fsSL https://example.com/tool-amd64.tar.gz | tar -xz -C /usr/local/bin # buildkit', true],
    ['COPY /out/app /usr/local/bin/app # buildkit', true],
    ['ENTRYPOINT ["/usr/local/bin/app"]', false],
  ]);
  const map = dockerfileSources({ file: 'Dockerfile', source }, steps, [parsePlatform('linux/arm64')]);
  assert.deepEqual(layerLines(map), ['0 FROM 6', '1 RUN 8', '2 COPY 9']);
  assert.ok(map.get(1)!.findings.some((f) => f.id === 'AA101'), JSON.stringify(map.get(1)!.findings));
});

test('a final-stage layer no step matches points nowhere, not at FROM; only layers older than the stage do', () => {
  const source = ['FROM debian', 'RUN ./configure && make', 'RUN make install', ''].join('\n');
  const steps = history([
    ['/bin/sh -c #(nop) ADD file:abc in / ', true],
    ['/bin/sh -c #(nop)  CMD ["bash"]', false],
    // made by this RUN, but recorded in a form nothing here reads
    ['RUN something-a-future-builder-writes # buildkit', true],
    ['RUN /bin/sh -c make install # buildkit', true],
  ]);
  const map = dockerfileSources({ file: 'Dockerfile', source }, steps, [parsePlatform('linux/amd64')]);
  assert.deepEqual(layerLines(map), ['0 FROM 1', '2 RUN 3']);
});

test('parseCreatedBy strips any shell with options before -c, the stage SHELL, build args with spaces, and the classic #(nop) under a SHELL', () => {
  const bashPipefail = [['/bin/bash', '-o', 'pipefail', '-c']];
  assert.deepEqual(parseCreatedBy('RUN /bin/bash -o pipefail -c curl -fsSL https://x | tar -xz # buildkit'), { keyword: 'run', text: 'curl -fsSL https://x | tar -xz' });
  assert.deepEqual(parseCreatedBy('RUN |2 A=1 B=2 /bin/bash -o pipefail -c make all # buildkit'), { keyword: 'run', text: 'make all' });
  assert.deepEqual(parseCreatedBy('RUN /bin/bash -euxo pipefail -c apt-get update # buildkit'), { keyword: 'run', text: 'apt-get update' });
  assert.deepEqual(parseCreatedBy('RUN /usr/bin/env bash -lc make # buildkit'), { keyword: 'run', text: 'make' });
  assert.deepEqual(parseCreatedBy('RUN |1 MSG=hello world /bin/sh -c echo "$MSG" # buildkit'), { keyword: 'run', text: 'echo "$MSG"' });
  // the classic builder: build args sorted, shell from SHELL, #(nop) after the SHELL too
  assert.deepEqual(parseCreatedBy('|2 A=1 B=2 /bin/bash -o pipefail -c make all', bashPipefail), { keyword: 'run', text: 'make all' });
  assert.deepEqual(parseCreatedBy('/bin/bash -o pipefail -c #(nop)  CMD ["/app"]', bashPipefail), { keyword: 'cmd', text: '["/app"]' });
  assert.deepEqual(parseCreatedBy('/bin/bash -o pipefail -c #(nop) COPY file:0a1b2c3d in /usr/local/bin/ ', bashPipefail), { keyword: 'copy', text: '', destination: '/usr/local/bin/' });
  assert.deepEqual(parseCreatedBy('sh -c #(nop) WORKDIR /app'), { keyword: 'workdir', text: '/app' });
  // Windows: the SHELL the stage declares, cmd's default
  const ps = [['powershell', '-Command', "$ErrorActionPreference = 'Stop';"]];
  assert.deepEqual(parseCreatedBy("RUN powershell -Command $ErrorActionPreference = 'Stop'; Install-WindowsFeature Web-Server # buildkit", ps), { keyword: 'run', text: 'Install-WindowsFeature Web-Server' });
  assert.deepEqual(parseCreatedBy('cmd /S /C #(nop)  CMD ["app.exe"]'), { keyword: 'cmd', text: '["app.exe"]' });
  // an exec-form RUN has no shell: its words as they are
  assert.deepEqual(parseCreatedBy('RUN /usr/bin/python3 -c print(1) # buildkit'), { keyword: 'run', text: '/usr/bin/python3 -c print(1)' });
  // hostile: many option words, no -c, read in one pass
  assert.equal(parseCreatedBy(`RUN /bin/bash ${'-o x '.repeat(20_000)}`)?.keyword, 'run');
});

test('RUN forms as BuildKit records them: exec form through a shell, a heredoc with a shebang, a heredoc fed to a command', () => {
  const df = parseDockerfile(
    ['FROM debian', 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]', 'RUN ["/bin/bash", "-c", "make all"]', 'RUN <<EOF', '#!/usr/bin/env python3', 'print(1)', 'EOF', 'RUN cat <<EOF > /etc/app.conf', 'x=1', 'EOF', ''].join('\n'),
  );
  const ins = df.instructions.slice(1);
  const aligned = alignHistory(
    [
      'SHELL [/bin/bash -o pipefail -c]',
      'RUN /bin/bash -c make all # buildkit',
      'RUN /bin/bash -o pipefail -c /dev/pipes/EOF # buildkit',
      'RUN /bin/bash -o pipefail -c cat <<EOF > /etc/app.conf\nx=1\nEOF # buildkit',
    ],
    ins,
  );
  assert.deepEqual(
    [...aligned].sort((a, b) => a[0] - b[0]).map(([i, x]) => `${i} ${x.range.start.line}`),
    ['0 2', '1 3', '2 4', '3 8'],
  );
});
