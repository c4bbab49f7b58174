/**
 * Fuzz target for the Docker Engine API client: whatever an engine at DOCKER_HOST answers to
 * `/_ping`, `/version`, an image inspect, an export or a load — any status, headers and body —
 * connecting and each call end in a value or an AnyarchError, never a TypeError or a hang (an
 * export through the `docker-daemon:` source, which reads the stream). The engine is a loopback
 * HTTP server (tcp://127.0.0.1) answering from the generated script.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { connectDockerEngine } from '../../src/engine/api.js';
import { openDockerDaemon } from '../../src/engine/source.js';
import { parseReference } from '../../src/oci/reference.js';
import { expectAnyarchError, jsonCodec, mutatedBytes, scriptedServer, utf8, type Answer, type FuzzTarget, type ScriptedServer } from '../support/fuzz.js';

const OPS = ['inspect', 'exists', 'export', 'load'] as const;
type Op = (typeof OPS)[number];

const engineSeeds = (): Uint8Array[] =>
  [
    'OK',
    '{"ApiVersion":"1.43","MinAPIVersion":"1.12","Version":"24.0.7","Os":"linux","Arch":"amd64"}',
    '{"Id":"sha256:abc","RepoTags":["alpine:3.20"],"Architecture":"arm64","Variant":"v8","Os":"linux","RootFS":{"Type":"layers","Layers":[]}}',
    '{"stream":"Loaded image: alpine:3.20\\n"}\n{"stream":"Loaded image ID: sha256:abc\\n"}\n',
    '{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}\n',
    '{"message":"No such image: x:y"}',
  ].map(utf8);

const answer: fc.Arbitrary<Answer> = fc.record({
  status: fc.constantFrom(200, 200, 200, 204, 301, 400, 404, 409, 500),
  headers: fc.dictionary(
    fc.constantFrom('api-version', 'content-type', 'content-length', 'docker-experimental', 'ostype'),
    fc.oneof(fc.constantFrom('1.41', '1.99', '0.1', '9999.9999', 'x', '', 'application/json', '-1', '3'), fc.string({ maxLength: 12 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s))),
    { maxKeys: 3 },
  ),
  body: fc.oneof(mutatedBytes(engineSeeds), fc.jsonValue({ maxDepth: 2 }).map((v) => utf8(JSON.stringify(v))), fc.uint8Array({ maxLength: 40 })),
});

export const engineTarget: FuzzTarget<[Op, Answer[]], ScriptedServer> = {
  name: 'engine-api',
  reads: 'Docker Engine API answers: ping, version, image inspect, export and load (src/engine/api.ts)',
  input: fc.tuple(fc.constantFrom(...OPS), fc.array(answer, { minLength: 1, maxLength: 5 })),
  ...jsonCodec,
  ciRuns: 300,
  setup: () => scriptedServer({ status: 404, headers: {}, body: utf8('{"message":"page not found"}') }),
  async check([op, answers], { port, play }) {
    play(answers);
    try {
      const engine = await connectDockerEngine({ host: `tcp://127.0.0.1:${port}`, env: {} });
      assert.match(engine.apiVersion, /^[0-9]+\.[0-9]+$/);
      switch (op) {
        case 'inspect': {
          const got = await engine.imageInspect('alpine:3.20');
          assert.ok(got === undefined || (typeof got === 'object' && got !== null));
          break;
        }
        case 'exists':
          assert.equal(typeof (await engine.imageExists('alpine:3.20')), 'boolean');
          break;
        case 'export': {
          // through the docker-daemon: source, which turns a broken-off export into E_SOURCE (the
          // stream imageExport returns ends with the socket's own error, as documented)
          const source = await openDockerDaemon(parseReference('alpine:3.20'), { host: `tcp://127.0.0.1:${port}`, env: {} });
          await source.close();
          break;
        }
        case 'load': {
          const loaded = await engine.imageLoad(Readable.from([utf8('not really a tarball')]));
          assert.ok(loaded.every((l) => typeof l === 'string'));
          break;
        }
      }
    } catch (e) {
      expectAnyarchError(e);
    }
  },
};
