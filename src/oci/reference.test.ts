import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AnyarchError } from '../errors.js';
import {
  familiarReference,
  formatReference,
  isLoopbackRegistry,
  parseReference,
  referenceTarget,
  registryApiHost,
  tryParseReference,
  type ImageReference,
} from './reference.js';

const HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const D = `sha256:${HEX}`;
const D512 = `sha512:${'0123456789abcdef'.repeat(8)}`;
const TAG128 = `t${'x'.repeat(127)}`;
/** `docker.io/library/` is 18 characters; this makes the normalised name exactly 255. */
const NAME237 = 'n'.repeat(237);

function assertRefError(fn: () => unknown, input: string, detail?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AnyarchError, `an AnyarchError for ${JSON.stringify(input)}`);
    assert.equal(e.code, 'E_REFERENCE');
    assert.ok(e.message.includes(`"${input}"`), `message names "${input}": ${e.message}`);
    if (detail) assert.match(e.message, detail);
    return true;
  });
}

// input, registry, repository, tag, digest, familiar form
type Valid = [string, string, string, string | undefined, string | undefined, string];

const VALID: Valid[] = [
  // Docker Hub normalisation
  ['alpine', 'docker.io', 'library/alpine', 'latest', undefined, 'alpine:latest'],
  ['alpine:3.19', 'docker.io', 'library/alpine', '3.19', undefined, 'alpine:3.19'],
  [`alpine@${D}`, 'docker.io', 'library/alpine', undefined, D, `alpine@${D}`],
  [`alpine:3.19@${D}`, 'docker.io', 'library/alpine', '3.19', D, `alpine:3.19@${D}`],
  ['user/app', 'docker.io', 'user/app', 'latest', undefined, 'user/app:latest'],
  ['user/app:1', 'docker.io', 'user/app', '1', undefined, 'user/app:1'],
  ['docker.io/alpine', 'docker.io', 'library/alpine', 'latest', undefined, 'alpine:latest'],
  ['docker.io/library/alpine:edge', 'docker.io', 'library/alpine', 'edge', undefined, 'alpine:edge'],
  ['index.docker.io/alpine', 'docker.io', 'library/alpine', 'latest', undefined, 'alpine:latest'],
  ['index.docker.io/user/app:v2', 'docker.io', 'user/app', 'v2', undefined, 'user/app:v2'],
  ['docker.io/user/app', 'docker.io', 'user/app', 'latest', undefined, 'user/app:latest'],
  ['library/alpine', 'docker.io', 'library/alpine', 'latest', undefined, 'alpine:latest'],
  ['library/a/b', 'docker.io', 'library/a/b', 'latest', undefined, 'library/a/b:latest'],
  ['a/b/c/d', 'docker.io', 'a/b/c/d', 'latest', undefined, 'a/b/c/d:latest'],
  [`docker.io/library/alpine:latest@${D}`, 'docker.io', 'library/alpine', 'latest', D, `alpine:latest@${D}`],
  ['docker.io/docker:dind', 'docker.io', 'library/docker', 'dind', undefined, 'docker:dind'],
  ['docker:dind', 'docker.io', 'library/docker', 'dind', undefined, 'docker:dind'],
  // only docker.io and index.docker.io are Docker Hub names; others stay as written
  ['registry-1.docker.io/library/alpine', 'registry-1.docker.io', 'library/alpine', 'latest', undefined, 'registry-1.docker.io/library/alpine:latest'],
  ['Docker.io/alpine', 'Docker.io', 'alpine', 'latest', undefined, 'Docker.io/alpine:latest'],
  // a name without '/' is always on Docker Hub, even when it looks like a host
  ['example.com', 'docker.io', 'library/example.com', 'latest', undefined, 'example.com:latest'],
  ['localhost', 'docker.io', 'library/localhost', 'latest', undefined, 'localhost:latest'],
  ['localhost:5000', 'docker.io', 'library/localhost', '5000', undefined, 'localhost:5000'],
  // registry hosts: '.', ':', localhost, or upper case in the first component
  ['localhost/app', 'localhost', 'app', 'latest', undefined, 'localhost/app:latest'],
  ['localhost:5000/app:dev', 'localhost:5000', 'app', 'dev', undefined, 'localhost:5000/app:dev'],
  [`localhost:5000/a/b@${D}`, 'localhost:5000', 'a/b', undefined, D, `localhost:5000/a/b@${D}`],
  ['127.0.0.1:5000/a/b', '127.0.0.1:5000', 'a/b', 'latest', undefined, '127.0.0.1:5000/a/b:latest'],
  ['[::1]:5000/a', '[::1]:5000', 'a', 'latest', undefined, '[::1]:5000/a:latest'],
  ['[::1]/a', '[::1]', 'a', 'latest', undefined, '[::1]/a:latest'],
  // the ends of the port range
  ['127.0.0.1:1/a', '127.0.0.1:1', 'a', 'latest', undefined, '127.0.0.1:1/a:latest'],
  ['[::1]:65535/a', '[::1]:65535', 'a', 'latest', undefined, '[::1]:65535/a:latest'],
  ['[2001:db8::1]:443/ns/app:1', '[2001:db8::1]:443', 'ns/app', '1', undefined, '[2001:db8::1]:443/ns/app:1'],
  ['myreg.example/a', 'myreg.example', 'a', 'latest', undefined, 'myreg.example/a:latest'],
  ['a.b/c', 'a.b', 'c', 'latest', undefined, 'a.b/c:latest'],
  ['ghcr.io/owner/app:1.2.3', 'ghcr.io', 'owner/app', '1.2.3', undefined, 'ghcr.io/owner/app:1.2.3'],
  [`quay.io/org/app@${D512}`, 'quay.io', 'org/app', undefined, D512, `quay.io/org/app@${D512}`],
  ['MyReg.Example:5000/app', 'MyReg.Example:5000', 'app', 'latest', undefined, 'MyReg.Example:5000/app:latest'],
  ['Example/app', 'Example', 'app', 'latest', undefined, 'Example/app:latest'],
  ['registry.example:443/team/sub/app:latest', 'registry.example:443', 'team/sub/app', 'latest', undefined, 'registry.example:443/team/sub/app:latest'],
  ['gcr.io/distroless/static-debian12:nonroot', 'gcr.io', 'distroless/static-debian12', 'nonroot', undefined, 'gcr.io/distroless/static-debian12:nonroot'],
  ['public.ecr.aws/docker/library/alpine:3', 'public.ecr.aws', 'docker/library/alpine', '3', undefined, 'public.ecr.aws/docker/library/alpine:3'],
  ['host-with-dash.example/x', 'host-with-dash.example', 'x', 'latest', undefined, 'host-with-dash.example/x:latest'],
  ['xn--bcher-kva.example/a', 'xn--bcher-kva.example', 'a', 'latest', undefined, 'xn--bcher-kva.example/a:latest'],
  ['mcr.microsoft.com/windows/servercore:ltsc2022', 'mcr.microsoft.com', 'windows/servercore', 'ltsc2022', undefined, 'mcr.microsoft.com/windows/servercore:ltsc2022'],
  // path components and separators
  ['0/1', 'docker.io', '0/1', 'latest', undefined, '0/1:latest'],
  ['a', 'docker.io', 'library/a', 'latest', undefined, 'a:latest'],
  ['a.b_c__d-e--f', 'docker.io', 'library/a.b_c__d-e--f', 'latest', undefined, 'a.b_c__d-e--f:latest'],
  ['my-app_v2/sub---x.y', 'docker.io', 'my-app_v2/sub---x.y', 'latest', undefined, 'my-app_v2/sub---x.y:latest'],
  ['localhost:5000/foo__bar', 'localhost:5000', 'foo__bar', 'latest', undefined, 'localhost:5000/foo__bar:latest'],
  [NAME237, 'docker.io', `library/${NAME237}`, 'latest', undefined, `${NAME237}:latest`],
  // tags
  ['alpine:_under', 'docker.io', 'library/alpine', '_under', undefined, 'alpine:_under'],
  ['alpine:UPPER.case-Tag_1', 'docker.io', 'library/alpine', 'UPPER.case-Tag_1', undefined, 'alpine:UPPER.case-Tag_1'],
  [`alpine:${TAG128}`, 'docker.io', 'library/alpine', TAG128, undefined, `alpine:${TAG128}`],
  ['alpine:1.0-rc.1', 'docker.io', 'library/alpine', '1.0-rc.1', undefined, 'alpine:1.0-rc.1'],
  [`ghcr.io/o/app:v1@${D512}`, 'ghcr.io', 'o/app', 'v1', D512, `ghcr.io/o/app:v1@${D512}`],
];

function expected(row: Valid): ImageReference {
  const [, registry, repository, tag, digest] = row;
  return {
    registry,
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest: digest as ImageReference['digest'] } : {}),
  } as ImageReference;
}

describe('parseReference: valid references', () => {
  test(`the table has at least 40 cases (${VALID.length})`, () => {
    assert.ok(VALID.length >= 40);
  });
  for (const row of VALID) {
    const [input, , , , , familiar] = row;
    test(input.length > 70 ? `${input.slice(0, 70)}…` : input, () => {
      const r = parseReference(input);
      assert.deepEqual(r, expected(row));
      assert.equal(familiarReference(r), familiar);
      assert.deepEqual(parseReference(formatReference(r)), r, 'the full form parses back');
      assert.deepEqual(parseReference(familiarReference(r)), r, 'the familiar form parses back');
      assert.deepEqual(tryParseReference(input), r);
    });
  }
});

// input, what the message must say
const INVALID: [string, RegExp][] = [
  ['', /empty/],
  ['Alpine', /repository name must be lowercase/],
  ['ALPINE:latest', /repository name must be lowercase/],
  ['user/App:1', /repository name must be lowercase/],
  ['alpine:-bad', /not a valid tag/],
  ['alpine:.bad', /not a valid tag/],
  ['alpine:', /not followed by a tag/],
  [`alpine:${TAG128}x`, /129 characters long \(at most 128/],
  ['a:b:c', /not a valid tag/],
  ['alpine@sha256:abc', /malformed: sha256 needs 64/],
  [`alpine@sha256:${HEX.toUpperCase()}`, /malformed/],
  [`alpine@sha512:${HEX}`, /malformed: sha512 needs 128/],
  [`alpine@md5:${HEX.slice(0, 32)}`, /algorithm "md5" is not supported/],
  ['alpine@', /'@' is not followed by a digest/],
  ['alpine@latest', /not a digest/],
  [`alpine@${D}@${D}`, /more than one '@'/],
  [`@${D}`, /no repository name before '@'/],
  ['user/app/', /ends with '\/'/],
  ['ghcr.io/o/', /ends with '\/'/],
  ['docker.io/', /repository name ends with|repository name is empty/],
  ['a//b', /empty component/],
  ['/alpine', /starts with '\/'/],
  ['a/-b', /component "-b" is not valid/],
  ['a/b_', /component "b_" is not valid/],
  ['a/b___c', /component "b___c" is not valid/],
  ['a/b..c', /component "b..c" is not valid/],
  ['docker://alpine', /"docker:\/\/" is a source specifier transport/],
  ['https://ghcr.io/o/app', /"https:\/\/" is not part of an image reference/],
  [' alpine', /whitespace/],
  ['alpine latest', /whitespace/],
  ['alpine\t', /whitespace/],
  [HEX, /64-hex-digit image id/],
  [D, /digest alone is not a reference/],
  ['sha256:abc', /looks like a digest or image id/],
  ['sha512:latest', /looks like a digest or image id/],
  ['localhost:port/app', /"localhost:port" is not a valid registry host/],
  // ports a registry cannot listen on: refused when parsed, not at the first request
  ['127.0.0.1:99999/x', /the registry port 99999 is not a TCP port \(1 to 65535\)/],
  ['registry.example:0/x:1', /the registry port 0 is not a TCP port/],
  ['[::1]:65536/x', /the registry port 65536 is not a TCP port/],
  ['localhost:123456789012345678901234567890/x', /the registry port 123456789012… is not a TCP port/],
  ['localhost:-1/x', /"localhost:-1" is not a valid registry host/],
  ['localhost:8o/x', /"localhost:8o" is not a valid registry host/],
  ['localhost:/x', /"localhost:" is not a valid registry host/],
  ['host_name.example/app', /"host_name.example" is not a valid registry host/],
  // a first component with '.' is a host, so '_' is refused there even though a path allows it
  ['my_app.v2/sub', /"my_app.v2" is not a valid registry host/],
  ['-bad.example/app', /not a valid registry host/],
  ['[::1/app', /not a valid registry host/],
  [`${NAME237}x`, /256 characters long \(at most 255/],
  ['ghcr.io/o/app:v1/extra', /not a valid tag|not a valid registry host|component/],
];

describe('parseReference: invalid references', () => {
  test(`the table has at least 20 cases (${INVALID.length})`, () => {
    assert.ok(INVALID.length >= 20);
  });
  for (const [input, detail] of INVALID) {
    test(JSON.stringify(input.length > 70 ? `${input.slice(0, 70)}…` : input), () => {
      assertRefError(() => parseReference(input), input, detail);
      assert.equal(tryParseReference(input), undefined);
    });
  }

  test('docker:// points at source specifiers', () => {
    assert.throws(
      () => parseReference('docker://alpine'),
      (e: unknown) => e instanceof AnyarchError && /parseSourceSpec/.test(e.hint ?? ''),
    );
  });
});

describe('formatReference and familiarReference', () => {
  test('full forms', () => {
    assert.equal(formatReference(parseReference('alpine')), 'docker.io/library/alpine:latest');
    assert.equal(formatReference(parseReference(`ghcr.io/o/app@${D}`)), `ghcr.io/o/app@${D}`);
    assert.equal(formatReference(parseReference(`ghcr.io/o/app:1@${D}`)), `ghcr.io/o/app:1@${D}`);
    assert.equal(formatReference(parseReference('index.docker.io/user/app:2')), 'docker.io/user/app:2');
  });

  test('hand-built values without tag or digest print the bare name', () => {
    const r: ImageReference = { registry: 'docker.io', repository: 'library/alpine' };
    assert.equal(formatReference(r), 'docker.io/library/alpine');
    assert.equal(familiarReference(r), 'alpine');
  });

  test('library/ is dropped only on Docker Hub', () => {
    assert.equal(familiarReference(parseReference('ghcr.io/library/alpine')), 'ghcr.io/library/alpine:latest');
  });

  test('the familiar form keeps docker.io/ before a first component that reads as a host, and library/ before a name that reads as a digest (found by the reference fuzz target)', () => {
    for (const [ref, familiar] of [
      ['docker.io/ncker.io/library/alpine:3.20', 'docker.io/ncker.io/library/alpine:3.20'],
      ['docker.io/docker.io/x', 'docker.io/docker.io/x:latest'],
      ['docker.io/localhost/x', 'docker.io/localhost/x:latest'],
      ['docker.io/user/app', 'user/app:latest'],
      ['library/sha512:0', 'library/sha512:0'],
      ['sha256x:1', 'sha256x:1'],
    ] as const) {
      const r = parseReference(ref);
      assert.equal(familiarReference(r), familiar);
      assert.deepEqual(parseReference(familiarReference(r)), r);
    }
  });
});

describe('referenceTarget', () => {
  const cases: [string, string][] = [
    ['alpine', 'latest'],
    ['alpine:3.19', '3.19'],
    [`alpine@${D}`, D],
    [`alpine:3.19@${D}`, D],
    [`ghcr.io/o/app:v1@${D512}`, D512],
  ];
  for (const [input, target] of cases) {
    test(`${input.slice(0, 40)} -> ${target.slice(0, 20)}`, () => assert.equal(referenceTarget(parseReference(input)), target));
  }
  test('a hand-built value with neither falls back to latest', () => {
    assert.equal(referenceTarget({ registry: 'ghcr.io', repository: 'o/app' }), 'latest');
  });
});

describe('registryApiHost', () => {
  const cases: [string, string][] = [
    ['docker.io', 'registry-1.docker.io'],
    ['ghcr.io', 'ghcr.io'],
    ['localhost:5000', 'localhost:5000'],
    ['registry-1.docker.io', 'registry-1.docker.io'],
    ['[::1]:5000', '[::1]:5000'],
  ];
  for (const [registry, host] of cases) {
    test(`${registry} -> ${host}`, () => assert.equal(registryApiHost(registry), host));
  }
  test('works on what parseReference returns', () => {
    assert.equal(registryApiHost(parseReference('index.docker.io/alpine').registry), 'registry-1.docker.io');
  });
});

describe('isLoopbackRegistry', () => {
  const yes = [
    'localhost',
    'localhost:5000',
    'LOCALHOST:5000',
    '127.0.0.1',
    '127.0.0.1:5000',
    '127.1.2.3:80',
    '127.255.255.255',
    '[::1]',
    '[::1]:5000',
    '::1',
    '0:0:0:0:0:0:0:1',
    '[0:0:0:0:0:0:0:1]:5000',
    '[::ffff:127.0.0.1]:5000',
  ];
  const no = [
    'docker.io',
    '128.0.0.1',
    '10.0.0.1:5000',
    '126.255.255.255',
    'localhost.example',
    'foo.localhost',
    'mylocalhost',
    '[::2]:5000',
    '[::1]x',
    '[::1',
    'localhost:abc',
    '127.0.0.1:',
    '',
  ];
  for (const r of yes) test(`${r} is loopback`, () => assert.equal(isLoopbackRegistry(r), true));
  for (const r of no) test(`${JSON.stringify(r)} is not loopback`, () => assert.equal(isLoopbackRegistry(r), false));
});

describe('parseReference: properties', () => {
  const pieces = [
    'alpine', 'user', 'app', 'docker.io', 'index.docker.io', 'localhost', 'ghcr.io', '127.0.0.1', '[::1]',
    ':', ':5000', '/', '//', '@', '.', '-', '_', '__', 'A', 'latest', '1.0', D, 'sha256:', HEX.slice(0, 10), ' ', 'docker://',
  ];
  const referenceish = fc
    .array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...pieces) }, { weight: 1, arbitrary: fc.string({ maxLength: 4 }) }), {
      maxLength: 8,
    })
    .map((parts) => parts.join(''));

  test('throws nothing but E_REFERENCE, and whatever parses round-trips through both forms', () => {
    fc.assert(
      fc.property(referenceish, (s) => {
        let r: ImageReference;
        try {
          r = parseReference(s);
        } catch (e) {
          assert.ok(e instanceof AnyarchError && e.code === 'E_REFERENCE', String(e));
          assert.ok(e.message.includes(`"${s}"`));
          return;
        }
        assert.deepEqual(parseReference(formatReference(r)), r);
        assert.deepEqual(parseReference(familiarReference(r)), r);
        assert.ok(r.tag !== undefined || r.digest !== undefined);
      }),
      { seed: 20240611, numRuns: 3000 },
    );
  });
});
