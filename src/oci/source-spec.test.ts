import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { resolve } from 'node:path';
import { AnyarchError } from '../errors.js';
import { parseReference } from './reference.js';
import { SOURCE_TRANSPORTS, formatSourceSpec, parseSourceSpec, type SourceSpec } from './source-spec.js';

const CWD = '/work/cwd';
const HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const D = `sha256:${HEX}`;
const opts = { cwd: CWD } as const;

const registry = (ref: string): SourceSpec => ({ kind: 'registry', reference: parseReference(ref) });
const layout = (dir: string, tag?: string): SourceSpec => ({ kind: 'oci-layout', dir, ...(tag !== undefined ? { tag } : {}) });
const ociArchive = (file: string, tag?: string): SourceSpec => ({ kind: 'oci-archive', file, ...(tag !== undefined ? { tag } : {}) });
const dockerArchive = (file: string, reference?: string): SourceSpec => ({
  kind: 'docker-archive',
  file,
  ...(reference !== undefined ? { reference } : {}),
});
const daemon = (ref: string): SourceSpec => ({ kind: 'docker-daemon', reference: parseReference(ref) });
const daemonId = (id: `sha256:${string}`): SourceSpec => ({ kind: 'docker-daemon', reference: { id } });

const VALID: [string, SourceSpec][] = [
  // registries: bare references and docker://
  ['alpine', registry('docker.io/library/alpine:latest')],
  ['docker://alpine', registry('alpine')],
  ['docker://ghcr.io/o/app:1', registry('ghcr.io/o/app:1')],
  ['docker://docker.io/library/alpine', registry('alpine')],
  [`ghcr.io/o/app@${D}`, registry(`ghcr.io/o/app@${D}`)],
  ['localhost:5000/app', registry('localhost:5000/app')],
  ['localhost:5000/app:1', registry('localhost:5000/app:1')],
  [`127.0.0.1:5000/a/b@${D}`, registry(`127.0.0.1:5000/a/b@${D}`)],
  ['[::1]:5000/a', registry('[::1]:5000/a')],
  ['myhost:5000/app', registry('myhost:5000/app')],
  // `docker:` without // is the image `docker`, as skopeo only writes the transport with //
  ['docker:dind', registry('docker.io/library/docker:dind')],
  ['docker:latest', registry('docker.io/library/docker:latest')],
  // an unknown word before ':' is fine when the whole is a reference
  ['foo:bar', registry('docker.io/library/foo:bar')],
  // docker:// forces a registry where a transport would otherwise be read
  ['docker://oci:1', registry('docker.io/library/oci:1')],
  ['docker://dir:x', registry('docker.io/library/dir:x')],
  // OCI layouts, skopeo syntax: the first ':' after the path splits
  ['oci:layout', layout(`${CWD}/layout`)],
  ['oci:./layout:v1', layout(`${CWD}/layout`, 'v1')],
  ['oci:../up', layout('/work/up')],
  ['oci:/abs/layout:v1', layout('/abs/layout', 'v1')],
  ['oci:/abs/layout:1.0', layout('/abs/layout', '1.0')],
  ['oci:/abs/layout:example.com/app:1', layout('/abs/layout', 'example.com/app:1')],
  ['oci:my layout:v1', layout(`${CWD}/my layout`, 'v1')],
  // OCI layouts, regclient syntax: the last ':' splits when a tag follows
  ['ocidir://layout', layout(`${CWD}/layout`)],
  ['ocidir://layout:v1', layout(`${CWD}/layout`, 'v1')],
  ['ocidir://./x:latest', layout(`${CWD}/x`, 'latest')],
  ['ocidir:///abs/a:b/layout', layout('/abs/a:b/layout')],
  ['ocidir:///abs/a:b/layout:v2', layout('/abs/a:b/layout', 'v2')],
  // OCI archives
  ['oci-archive:img.tar', ociArchive(`${CWD}/img.tar`)],
  ['oci-archive:/tmp/img.tar:v1', ociArchive('/tmp/img.tar', 'v1')],
  ['oci-archive:dir with space/img.tar', ociArchive(`${CWD}/dir with space/img.tar`)],
  // docker save archives: names in the familiar form of RepoTags, or @index
  ['docker-archive:img.tar', dockerArchive(`${CWD}/img.tar`)],
  ['docker-archive:img.tar:alpine', dockerArchive(`${CWD}/img.tar`, 'alpine:latest')],
  ['docker-archive:img.tar:alpine:3.19', dockerArchive(`${CWD}/img.tar`, 'alpine:3.19')],
  ['docker-archive:/x/img.tar:docker.io/library/alpine:3', dockerArchive('/x/img.tar', 'alpine:3')],
  ['docker-archive:img.tar:user/app:1', dockerArchive(`${CWD}/img.tar`, 'user/app:1')],
  ['docker-archive:img.tar:localhost:5000/app:1', dockerArchive(`${CWD}/img.tar`, 'localhost:5000/app:1')],
  ['docker-archive:img.tar:@0', dockerArchive(`${CWD}/img.tar`, '@0')],
  ['docker-archive:img.tar:@12', dockerArchive(`${CWD}/img.tar`, '@12')],
  // the local engine, by name or id
  ['docker-daemon:alpine', daemon('alpine:latest')],
  ['docker-daemon:alpine:3.19', daemon('alpine:3.19')],
  [`docker-daemon:ghcr.io/o/app@${D}`, daemon(`ghcr.io/o/app@${D}`)],
  [`docker-daemon:${D}`, daemonId(D)],
  [`docker-daemon:${HEX}`, daemonId(D)],
  ['docker-daemon:abc123def456', daemon('docker.io/library/abc123def456:latest')],
];

describe('parseSourceSpec: valid specifiers', () => {
  for (const [spec, want] of VALID) {
    test(spec, () => {
      const got = parseSourceSpec(spec, opts);
      assert.deepEqual(got, want);
      const formatted = formatSourceSpec(got);
      assert.deepEqual(parseSourceSpec(formatted, opts), got, `"${formatted}" parses back`);
    });
  }

  test('relative paths default to process.cwd()', () => {
    assert.deepEqual(parseSourceSpec('oci:layout'), layout(resolve('layout')));
  });

  test('Windows drive letters only count on Windows', () => {
    if (process.platform === 'win32') {
      assert.deepEqual(parseSourceSpec('oci:C:\\images\\layout:v1'), layout('C:\\images\\layout', 'v1'));
    } else {
      // `C` is the directory and `/x` is not a reference name, as skopeo would read it on Linux
      assert.throws(() => parseSourceSpec('oci:C:/x', opts), /not a valid OCI reference name/);
    }
  });
});

describe('formatSourceSpec', () => {
  const cases: [string, string][] = [
    ['alpine', 'alpine:latest'],
    ['docker://ghcr.io/o/app:1', 'ghcr.io/o/app:1'],
    ['docker://oci:1', 'docker://oci:1'],
    ['docker://docker-daemon:1', 'docker://docker-daemon:1'],
    ['docker://dir:x', 'docker://dir:x'],
    ['ocidir://layout:v1', `oci:${CWD}/layout:v1`],
    ['ocidir:///abs/a:b/layout:v2', 'ocidir:///abs/a:b/layout:v2'],
    // a Docker tag that is no OCI ref name stays in regclient's syntax (found by the source-spec fuzz target)
    ['ocidir://dir:_', `ocidir://${CWD}/dir:_`],
    ['ocidir://@0/:0_', `ocidir://${CWD}/@0/:0_`],
    ['oci-archive:img.tar:v1', `oci-archive:${CWD}/img.tar:v1`],
    ['docker-archive:img.tar:alpine', `docker-archive:${CWD}/img.tar:alpine:latest`],
    ['docker-archive:img.tar:@3', `docker-archive:${CWD}/img.tar:@3`],
    [`docker-daemon:${HEX}`, `docker-daemon:${D}`],
    ['docker-daemon:index.docker.io/user/app', 'docker-daemon:user/app:latest'],
  ];
  for (const [spec, text] of cases) {
    test(`${spec.slice(0, 50)} -> ${text.slice(0, 50)}`, () => assert.equal(formatSourceSpec(parseSourceSpec(spec, opts)), text));
  }
});

// specifier, what the message must say
const INVALID: [string, RegExp][] = [
  ['', /the source is empty/],
  ['foo:/path/x', /"foo:" is not a known transport \(known: docker:\/\/, oci:, ocidir:\/\/, oci-archive:, docker-archive:, docker-daemon:\)/],
  ['OCI:layout', /"OCI:" is not a known transport/],
  ['foo:./x', /"foo:" is not a known transport/],
  ['foo:bar/baz', /"foo:" is not a known transport/],
  ['myhost:5000/App', /repository name must be lowercase/],
  ['dir:/tmp/x', /"dir:" transport is not supported/],
  ['dir:x', /"dir:" transport is not supported/],
  ['containers-storage:alpine', /"containers-storage:" transport is not supported/],
  ['http://ghcr.io/a', /"http:\/\/" is not a known transport/],
  ['ftp://x/y', /"ftp:\/\/" is not a known transport/],
  ['docker://', /reference is empty/],
  ['docker://Alpine', /repository name must be lowercase/],
  ['docker://docker://alpine', /"docker:\/\/" is a source specifier transport/],
  ['Alpine', /repository name must be lowercase/],
  ['alpine:bad tag', /whitespace/],
  ['localhost:5000/App', /repository name must be lowercase/],
  ['oci:', /directory is missing/],
  ['oci::v1', /directory is missing/],
  ['oci:layout:', /':' is not followed by a reference name/],
  ['oci:layout:-bad', /"-bad" is not a valid OCI reference name/],
  ['oci:layout:a//b', /not a valid OCI reference name/],
  ['oci://layout', /"oci:" takes a path directly/],
  ['ocidir://', /directory is missing/],
  ['ocidir://layout:', /':' is not followed by a tag/],
  [`ocidir://layout@${D}`, /by digest is not supported/],
  ['oci-archive:', /archive file is missing/],
  ['oci-archive:img.tar:', /not followed by a reference name/],
  ['docker-archive:', /archive file is missing/],
  ['docker-archive:img.tar:', /not followed by an image name or @index/],
  ['docker-archive:img.tar:@x', /"@x" is not an image index/],
  ['docker-archive:img.tar:@01', /"@01" is not an image index/],
  [`docker-archive:img.tar:alpine@${D}`, /named by tag only/],
  ['docker-archive:img.tar:Alpine', /repository name must be lowercase/],
  ['docker-daemon:', /image name or id is missing/],
  ['docker-daemon:Alpine', /repository name must be lowercase/],
  ['docker-daemon:sha256:abc', /"sha256:abc" is not a full image id/],
  ['docker-daemon:docker://alpine', /source specifier transport/],
];

describe('parseSourceSpec: invalid specifiers', () => {
  test(`the table has at least 20 cases (${INVALID.length})`, () => assert.ok(INVALID.length >= 20));
  for (const [spec, detail] of INVALID) {
    test(JSON.stringify(spec.length > 70 ? `${spec.slice(0, 70)}…` : spec), () => {
      assert.throws(
        () => parseSourceSpec(spec, opts),
        (e: unknown) => {
          assert.ok(e instanceof AnyarchError, 'an AnyarchError');
          assert.equal(e.code, 'E_REFERENCE');
          assert.ok(e.message.includes(`"${spec}"`), `message names "${spec}": ${e.message}`);
          assert.match(e.message, detail);
          return true;
        },
      );
    });
  }

  test('an unknown transport keeps the reference problem as the hint', () => {
    assert.throws(
      () => parseSourceSpec('foo:/path/x', opts),
      (e: unknown) => e instanceof AnyarchError && /^invalid image reference "foo:\/path\/x"/.test(e.hint ?? ''),
    );
  });

  test('a transport in the wrong case is pointed out', () => {
    assert.throws(
      () => parseSourceSpec('Docker-Archive:img.tar', opts),
      (e: unknown) => e instanceof AnyarchError && /lower-case: docker-archive:/.test(e.hint ?? ''),
    );
  });

  test('http:// gets a hint about dropping the scheme', () => {
    assert.throws(
      () => parseSourceSpec('https://ghcr.io/o/app', opts),
      (e: unknown) => e instanceof AnyarchError && /without http/.test(e.hint ?? ''),
    );
  });

  test('SOURCE_TRANSPORTS lists every kind', () => {
    assert.deepEqual([...SOURCE_TRANSPORTS], ['docker://', 'oci:', 'ocidir://', 'oci-archive:', 'docker-archive:', 'docker-daemon:']);
  });
});

describe('parseSourceSpec: properties', () => {
  const pieces = [
    'docker://', 'oci:', 'ocidir://', 'oci-archive:', 'docker-archive:', 'docker-daemon:', 'dir:', 'foo:', 'OCI:',
    'alpine', 'localhost:5000', 'ghcr.io', '/', './', ':', '@', '@0', 'v1', 'img.tar', D, HEX, ' ', 'A', '.',
  ];
  const specish = fc
    .array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...pieces) }, { weight: 1, arbitrary: fc.string({ maxLength: 4 }) }), {
      maxLength: 6,
    })
    .map((parts) => parts.join(''));

  test('throws nothing but E_REFERENCE naming the input; the formatted form of a paths-without-colon result parses back', () => {
    fc.assert(
      fc.property(specish, (s) => {
        let got: SourceSpec;
        try {
          got = parseSourceSpec(s, opts);
        } catch (e) {
          assert.ok(e instanceof AnyarchError && e.code === 'E_REFERENCE', String(e));
          assert.ok(e.message.includes(`"${s}"`), e.message);
          return;
        }
        const path = got.kind === 'oci-layout' ? got.dir : got.kind === 'oci-archive' || got.kind === 'docker-archive' ? got.file : '';
        if (path.includes(':')) return; // not expressible in skopeo's syntax (nor in ours)
        assert.deepEqual(parseSourceSpec(formatSourceSpec(got), opts), got);
      }),
      { seed: 20240612, numRuns: 3000 },
    );
  });
});
