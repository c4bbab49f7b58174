/** The stage graph: parents, COPY --from, RUN --mount from=, consumers, the image, reachability. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StageEdge } from './graph.js';
import { buildModel, type Model, type Stage } from './model.js';
import { parseDockerfile } from './parser.js';

function model(src: string): Model {
  return buildModel(parseDockerfile(src));
}

const label = (s: Stage): string => s.name ?? String(s.index);
const edge = (e: StageEdge): string => `${label(e.from)} -${e.kind}-> ${label(e.to)} ${e.paths.join(' ')}`;

describe('stage graph', () => {
  const m = model(`FROM golang AS build
RUN go build -o /out/app
FROM alpine AS certs
RUN apk add ca-certificates
FROM build AS test
RUN go test
FROM debian AS tools
RUN --mount=type=bind,from=build,source=/out,target=/in cp /in/app /usr/bin
FROM alpine AS unused
COPY --from=certs /etc/ssl /etc/ssl
FROM certs
COPY --from=build /out/app /usr/bin/app
COPY --from=0 /go/bin /go/bin
RUN --mount=type=cache,target=/root/.cache --mount=type=bind,from=tools,target=/t true
`);
  const [build, , test_, tools, unused, final] = m.stages as [Stage, Stage, Stage, Stage, Stage, Stage];
  test('edges: parents first, then flags in instruction order', () => {
    assert.deepEqual(m.graph.edges.map(edge), [
      'build -from-> test /',
      'build -mount-> tools /out',
      'certs -copy-> unused /etc/ssl',
      'certs -from-> 5 /',
      'build -copy-> 5 /out/app',
      'build -copy-> 5 /go/bin',
      'tools -mount-> 5 /',
    ]);
  });
  test('each edge keeps its instruction and the range of its flag', () => {
    const [copy] = m.graph.dependencies(unused);
    assert.equal(copy?.instruction.keyword, 'copy');
    assert.equal(copy?.flag?.raw, '--from=certs');
    assert.deepEqual([copy?.range.start.line, copy?.range.start.column, copy?.range.end.column], [10, 6, 18]);
    const parent = m.graph.dependencies(test_)[0];
    assert.equal(parent?.flag, null);
    assert.equal(parent?.instruction, test_.from);
    assert.equal(parent?.range, test_.image.range);
    const mount = m.graph.dependencies(tools)[0];
    assert.equal(mount?.mount?.target, '/in');
  });
  test('dependencies and consumers are the two directions of the same edges', () => {
    assert.deepEqual(m.graph.dependencies(final).map(edge), ['certs -from-> 5 /', 'build -copy-> 5 /out/app', 'build -copy-> 5 /go/bin', 'tools -mount-> 5 /']);
    assert.deepEqual(m.graph.consumers(build).map(edge), ['build -from-> test /', 'build -mount-> tools /out', 'build -copy-> 5 /out/app', 'build -copy-> 5 /go/bin']);
    assert.deepEqual(m.graph.consumers(unused), []);
    for (const e of m.graph.edges) {
      assert.ok(m.graph.consumers(e.from).includes(e));
      assert.ok(m.graph.dependencies(e.to).includes(e));
    }
  });
  test('the image is the final stage and its FROM chain', () => {
    assert.deepEqual([...m.graph.imageStages].map(label), ['5', 'certs']);
  });
  test('reachability: what the final stage needs through any edge, read once with the edges (Stage.reachable)', () => {
    assert.deepEqual(m.stages.filter((s) => s.reachable).map(label), ['build', 'certs', 'tools', '5']);
    assert.equal(test_.reachable, false);
    assert.equal(unused.reachable, false);
    // @ts-expect-error one source: the graph does not keep a second copy
    assert.equal(m.graph.reachable, undefined);
  });
});

describe('references', () => {
  test('by name (case-insensitive) or index, to earlier stages only', () => {
    const m = model('FROM a AS Base\nFROM b\nCOPY --from=BASE /x /x\nCOPY --from=1 /y /y\nCOPY --from=2 /z /z\nCOPY --from=later /w /w\nFROM c AS later\n');
    assert.deepEqual(m.graph.edges.map(edge), ['base -copy-> 1 /x']);
  });
  test('a name that is no stage is an image: no edge', () => {
    assert.deepEqual(model('FROM a\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\n').graph.edges, []);
  });
  test('ADD --from (BuildKit refuses the flag, but it can only mean the stage) and no other instruction', () => {
    const m = model('FROM a AS s\nFROM b\nADD --from=s /x /x\nWORKDIR --from=s /w\n');
    assert.deepEqual(m.graph.edges.map(edge), ['s -copy-> 1 /x']);
  });
  test('mounts read as BuildKit reads them', () => {
    const m = model(`FROM a AS builder
FROM b AS other
FROM c
RUN --mount=type=bind,"from=builder",target=/x true
RUN --mount='type=cache,"target=/a,from=other"' true
RUN --mount=type=tmpfs,from=other,target=/t true
RUN --mount=TYPE=bind,FROM=other,SRC=/o,target=/o true
`);
    assert.deepEqual(m.graph.edges.map(edge), ['builder -mount-> 2 /', 'other -mount-> 2 ', 'other -mount-> 2 /o']);
  });
  test('a tmpfs mount with from= is an edge (BuildKit builds that stage) that reads no paths', () => {
    const m = model('FROM a AS tools\nRUN true\nFROM b\nRUN --mount=type=tmpfs,from=tools,target=/t true\n');
    const [e] = m.graph.edges;
    assert.deepEqual([e?.kind, e?.mount?.type, e?.paths], ['mount', 'tmpfs', []]);
    assert.equal(m.stages[0]?.reachable, true, 'the stage is built: the dispatcher adds from= of every mount type');
  });
  test('a mount value BuildKit refuses reads nothing', () => {
    const m = model('FROM a AS s\nFROM b\nRUN --mount=type=cache,from=s,target="/a,b" true\n');
    assert.deepEqual(m.graph.edges, []);
    assert.equal(m.stages[0]?.reachable, false);
  });
  test('one stage: no edges, the stage is the image', () => {
    const m = model('FROM alpine\nRUN true\n');
    assert.deepEqual([m.graph.edges, [...m.graph.imageStages], m.stages.filter((s) => s.reachable)], [[], m.stages, m.stages]);
  });
});

test('stages chosen per platform: FROM build-${TARGETARCH} and FROM ${ARG} that names a stage', () => {
  const amd64 = { os: 'linux', architecture: 'amd64', variant: '' };
  const arm64 = { os: 'linux', architecture: 'arm64', variant: '' };
  const m = buildModel(
    parseDockerfile(
      [
        'ARG FLAVOUR=common',
        'FROM alpine AS common',
        'ENV FROM_COMMON=1',
        'FROM common AS build-amd64',
        'ENV WORD=x86_64',
        'FROM common AS build-arm64',
        'ENV WORD=aarch64',
        'FROM alpine AS build-s390x',
        'FROM ${FLAVOUR} AS flavoured',
        'FROM build-${TARGETARCH} AS final',
        'COPY --from=flavoured /a /a',
        '',
      ].join('\n'),
    ),
  );
  const [common, bAmd, bArm, bS390, flavoured, final] = m.stages as Stage[];
  // a global ARG default naming a stage is a parent on every platform
  assert.equal(flavoured?.parent, common);
  assert.equal(m.perPlatformStages, true);
  assert.deepEqual([...m.chosenPerPlatform].map((s) => s.name).sort(), ['build-amd64', 'build-arm64', 'build-s390x']);
  assert.equal(m.parentFor(final as Stage, amd64), bAmd);
  assert.equal(m.parentFor(final as Stage, arm64), bArm);
  assert.ok(m.stagesFor(amd64).has(bAmd as Stage) && !m.stagesFor(amd64).has(bArm as Stage));
  assert.ok(m.stagesFor(arm64).has(bArm as Stage) && m.stagesFor(arm64).has(common as Stage));
  assert.ok(!m.stagesFor(amd64).has(bS390 as Stage) && !m.stagesFor(arm64).has(bS390 as Stage));
  // the final stage inherits ENV through the chosen parent
  assert.equal(m.view(final as Stage, arm64).end.get('WORD')?.value, 'aarch64');
  assert.equal(m.view(final as Stage, amd64).end.get('FROM_COMMON')?.value, '1');
});
