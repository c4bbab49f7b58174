// A child process for the memory test of streamed pushes (src/registry/push-large.test.ts): it
// pushes a generated blob of SIZE bytes to REGISTRY/REPOSITORY with anyarch's client and prints
// one JSON line ({ digest, size, how, hashSeconds, pushSeconds }). Run under `/usr/bin/time -f
// %M`, its peak RSS is measured from outside.
//
//   node push-large-blob.js REGISTRY REPOSITORY SIZE [CHUNK_SIZE]
import { RegistryClient } from '../../src/registry/client.js';
import { generatedBlob, generatedBlobDigest } from './generated-blob.js';

async function push(registry: string, repository: string, size: number, chunkSize?: number): Promise<void> {
  const t0 = Date.now();
  const digest = await generatedBlobDigest(size);
  const t1 = Date.now();
  const client = new RegistryClient({ credentials: async () => undefined });
  const how = await client.pushBlob({ registry, repository }, { mediaType: 'application/octet-stream', digest, size }, async () => generatedBlob(size), chunkSize ? { chunkSize } : {});
  const t2 = Date.now();
  process.stdout.write(`${JSON.stringify({ digest, size, how, hashSeconds: (t1 - t0) / 1000, pushSeconds: (t2 - t1) / 1000 })}\n`);
}

// (`node --test dist/` runs every file under test/ without arguments: then there is nothing to push)
const [registry, repository, sizeArg, chunkArg] = process.argv.slice(2);
if (registry && repository && sizeArg) await push(registry, repository, Number(sizeArg), chunkArg ? Number(chunkArg) : undefined);
