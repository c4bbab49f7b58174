/**
 * anyarch's library, in one long-lived process, for the `platforms` benchmark: for every image
 * reference it is given, `inspectPlatforms(registrySource(client, ref))` (the index, every
 * platform's manifest and config), all images at once as the CLI does, without the CLI layer.
 *
 * The parent drives it line by line on stdin, so its passes can be interleaved with the other
 * measurements (whole processes) of the benchmark:
 *
 *   run    one timed pass; answers {"ms", "images", "platforms", "attestations", "errors"}
 *   facts  one untimed pass; answers {"images": [...]} with the digests and config platforms,
 *          for the agreement check against skopeo
 *
 * Each pass gets a fresh RegistryClient (no /v2/ ping, token or auth state carried over) and a
 * fresh set of connections (see freshConnections), so no pass profits from the one
 * before it more than a new process would, except for the warm JIT.
 *
 * Usage: node dist/bench/platforms-lib-child.js <refs.json>   (a JSON array of image references)
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { inspectPlatforms, type PlatformReport } from '../src/oci/platforms.js';
import { parseReference } from '../src/oci/reference.js';
import { registrySource } from '../src/registry/source.js';
import { RegistryClient } from '../src/registry/client.js';
import { closeIdleConnections } from '../src/net/http.js';

const refsFile = process.argv[2];
if (!refsFile) {
  process.stderr.write('usage: platforms-lib-child <refs.json>\n');
  process.exit(2);
}
const refs = (JSON.parse(readFileSync(refsFile, 'utf8')) as string[]).map((r) => parseReference(r));

/**
 * anyarch's client keeps one keep-alive pool per scheme (src/net/http.ts). Between passes its idle
 * connections are closed, so every pass opens its own.
 */
async function freshConnections(): Promise<boolean> {
  closeIdleConnections();
  return true;
}

async function pass(): Promise<PlatformReport[]> {
  const client = new RegistryClient({ credentials: async () => undefined });
  return Promise.all(refs.map((ref) => inspectPlatforms(registrySource(client, ref))));
}

let fresh = false;
const answer = (v: unknown): void => void process.stdout.write(JSON.stringify(v) + '\n');
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  const cmd = line.trim();
  try {
    if (cmd === 'run') {
      fresh = (await freshConnections()) || fresh;
      const t0 = process.hrtime.bigint();
      const reports = await pass();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      answer({
        ms,
        images: reports.length,
        platforms: reports.reduce((n, r) => n + r.platforms.length, 0),
        attestations: reports.reduce((n, r) => n + r.attestations.length, 0),
        errors: reports.reduce((n, r) => n + r.platforms.filter((p) => p.error).length, 0),
        freshConnections: fresh,
      });
    } else if (cmd === 'facts') {
      await freshConnections();
      const reports = await pass();
      answer({
        images: reports.map((r) => ({
          image: r.name,
          root: r.root.digest,
          platforms: r.platforms.map((p) => ({
            platform: p.platform,
            digest: p.manifest.digest,
            ...(p.config ? { config: { os: p.config.os, architecture: p.config.architecture, ...(p.config.variant ? { variant: p.config.variant } : {}) } } : {}),
            ...(p.error ? { error: p.error.message } : {}),
          })),
          attestations: r.attestations.length,
        })),
      });
    } else if (cmd !== '') {
      answer({ error: `unknown command ${JSON.stringify(cmd)}` });
    }
  } catch (e) {
    answer({ error: (e as Error).message ?? String(e) });
  }
}
