/**
 * A child process of the verify benchmark (verify.ts): `verifyImages` of the measured build on
 * one image reference, as a library user calls it; prints the reports as JSON (the same check as
 * the CLI's output applies).
 *
 *   node verify-lib-child.js DIST_SRC_DIR REF
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

type VerifyImages = (images: readonly string[], opts?: Record<string, unknown>) => Promise<{ reports: unknown[] }>;

async function main(distSrc: string, ref: string): Promise<void> {
  // the library's entry point when it exports verify, else the verify module itself
  let fn: VerifyImages | undefined;
  for (const m of ['index.js', 'verify/verify.js']) {
    const mod = (await import(pathToFileURL(path.join(distSrc, m)).href)) as { verifyImages?: VerifyImages };
    if (typeof mod.verifyImages === 'function') {
      fn = mod.verifyImages;
      break;
    }
  }
  if (!fn) throw new Error(`no verifyImages in ${distSrc}`);
  const run = await fn([ref]);
  process.stdout.write(`${JSON.stringify(run.reports)}\n`);
}

const [distSrc, ref] = process.argv.slice(2);
if (distSrc && ref) await main(distSrc, ref);
