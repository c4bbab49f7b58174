/**
 * The base-image lookup at library level, without a registry: answers come from a seeded cache,
 * and a registry that cannot be reached (a closed loopback port) gives error facts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { jsonCache } from '../fs/cache.js';
import { formatPlatform, parsePlatformList, type Platform } from '../platform/index.js';
import { RegistryClient } from '../registry/client.js';
import { lookUpBaseImages, resolveBaseImages } from './base-image-lookup.js';
import { defaultBuildPlatform } from './engine.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
/** Nothing listens on port 1: every request fails at once. */
const NOWHERE = '127.0.0.1:1';

function unreachable(): RegistryClient {
  return new RegistryClient({ retry: { attempts: 1 } });
}

/** A cache directory holding `answers` (reference -> index digest and platforms) as anyarch stores them. */
async function seeded(answers: Record<string, { digest: string; platforms: string[] }>): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-lookup-'));
  const cache = jsonCache<{ digest: string; platforms: string[] }>({ dir: path.join(dir, 'platforms'), read: (v) => v as never });
  for (const [ref, answer] of Object.entries(answers)) await cache.set(ref, answer);
  return dir;
}

describe('resolveBaseImages', () => {
  test('a cached answer is used without asking the registry; platform words are normalised, unknown ones skipped', async () => {
    const ref = `${NOWHERE}/lib/multi:1`;
    const cacheDir = await seeded({ [ref]: { digest: DIGEST, platforms: ['linux/amd64', 'linux/aarch64', 'plan9/nonsense-arch/x'] } });
    const asked: string[] = [];
    const facts = await resolveBaseImages([ref], { client: unreachable(), cacheDir, onLookup: (r) => asked.push(r) });
    assert.deepEqual(asked, []);
    const fact = facts.get(ref);
    assert.ok(fact && 'platforms' in fact);
    assert.deepEqual(fact.platforms.map(formatPlatform), ['linux/amd64', 'linux/arm64']);
    assert.equal(fact.digest, DIGEST);
  });

  test('an answer an earlier version cached (cache format 1) is still an answer, within its day, and is left as it was', async () => {
    const ref = `${NOWHERE}/lib/old:1`;
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'anyarch-lookup-'));
    mkdirSync(path.join(cacheDir, 'platforms'));
    const hash = createHash('sha256').update(ref).digest('hex');
    const oldFile = path.join(cacheDir, 'platforms', `${hash}.json`);
    const t = 1_800_000_000_000;
    const old = { version: 1, reference: ref, digest: DIGEST, platforms: ['windows/amd64', 'linux/ppc64le'], fetchedAt: t - 1000 };
    writeFileSync(oldFile, JSON.stringify(old));
    const asked: string[] = [];
    // the registry is down: the gate still has its answer
    const facts = await resolveBaseImages([ref], { client: unreachable(), cacheDir, now: () => t, onLookup: (r) => asked.push(r) });
    assert.equal(asked.length, 0);
    const fact = facts.get(ref);
    assert.ok(fact && 'platforms' in fact);
    assert.deepEqual(fact.platforms.map(formatPlatform), ['windows/amd64', 'linux/ppc64le']);
    assert.equal(fact.digest, DIGEST);
    // an old entry past its day, or for another reference, is asked again
    const stale = await resolveBaseImages([ref], { client: unreachable(), cacheDir, now: () => t + 24 * 60 * 60 * 1000, onLookup: (r) => asked.push(r) });
    assert.ok('error' in (stale.get(ref) ?? {}));
    writeFileSync(oldFile, JSON.stringify({ ...old, reference: `${NOWHERE}/lib/other:1` }));
    await resolveBaseImages([ref], { client: unreachable(), cacheDir, now: () => t, onLookup: (r) => asked.push(r) });
    assert.deepEqual(asked, [ref, ref]);
    assert.deepEqual(readdirSync(path.join(cacheDir, 'platforms')), [`${hash}.json`], 'the old entry is left as it was');
  });

  test('a digest reference is answered only by an entry of that digest', async () => {
    const pinned = `${NOWHERE}/lib/x@${DIGEST}`;
    const cacheDir = await seeded({ [pinned]: { digest: OTHER, platforms: ['linux/amd64'] } });
    const asked: string[] = [];
    const facts = await resolveBaseImages([pinned], { client: unreachable(), cacheDir, onLookup: (r) => asked.push(r) });
    assert.deepEqual(asked, [pinned]);
    assert.ok('error' in (facts.get(pinned) ?? {}));
  });

  test('an unreachable registry is an error fact, never an exception, and is not cached', async () => {
    const ref = `${NOWHERE}/lib/down:1`;
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'anyarch-lookup-'));
    const facts = await resolveBaseImages([ref, ref], { client: unreachable(), cacheDir });
    assert.equal(facts.size, 1);
    const fact = facts.get(ref);
    assert.ok(fact && 'error' in fact);
    assert.equal(fact.error.code, 'E_NETWORK');
    assert.deepEqual(readdirSync(cacheDir), []);
  });
});

describe('lookUpBaseImages', () => {
  test('collects what every reachable stage pulls, once, and says how many before asking', async () => {
    const cacheDir = await seeded({
      [`${NOWHERE}/lib/go:1`]: { digest: DIGEST, platforms: ['linux/amd64', 'linux/arm64'] },
      [`${NOWHERE}/lib/run:1`]: { digest: OTHER, platforms: ['linux/amd64'] },
    });
    const started: number[] = [];
    const facts = await lookUpBaseImages(
      [
        { file: 'a/Dockerfile', source: `FROM ${NOWHERE}/lib/go:1 AS build\nFROM ${NOWHERE}/lib/run:1\nCOPY --from=build /x /x\n` },
        { file: 'b/Dockerfile', source: `ARG BASE=${NOWHERE}/lib/run:1\nFROM $BASE\nFROM scratch\n` },
        { file: 'bad/Dockerfile', source: '# escape=x\nFROM nothing\n' },
      ],
      { client: unreachable(), cacheDir, platforms: parsePlatformList('linux/amd64,linux/arm64'), onStart: (n) => started.push(n) },
    );
    assert.deepEqual(started, [2]);
    assert.deepEqual([...facts.keys()].sort(), [`${NOWHERE}/lib/go:1`, `${NOWHERE}/lib/run:1`]);
  });

  test('without a build platform, stages on $BUILDPLATFORM pull for the engine\'s default, defaultBuildPlatform()', async () => {
    const source = `FROM --platform=$BUILDPLATFORM ${NOWHERE}/lib/tool-$BUILDARCH:1 AS tool\nFROM scratch\nCOPY --from=tool /t /t\n`;
    const keys = async (opts: Parameters<typeof lookUpBaseImages>[1]): Promise<string[]> => [...(await lookUpBaseImages([{ file: 'Dockerfile', source }], { client: unreachable(), cacheDir: false, ...opts })).keys()];
    assert.deepEqual(await keys({}), [`${NOWHERE}/lib/tool-${defaultBuildPlatform().architecture}:1`]);
    assert.deepEqual(await keys({ buildPlatform: parsePlatformList('linux/riscv64')[0] as Platform }), [`${NOWHERE}/lib/tool-riscv64:1`]);
  });

  test('no base image (scratch, stage references, unparsable files): nothing asked, nothing said', async () => {
    const started: number[] = [];
    const facts = await lookUpBaseImages([{ file: 'Dockerfile', source: 'FROM scratch AS a\nFROM a\n' }], { client: unreachable(), cacheDir: false, onStart: (n) => started.push(n) });
    assert.equal(facts.size, 0);
    assert.deepEqual(started, []);
  });
});
