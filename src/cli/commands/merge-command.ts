/**
 * `anyarch merge`: its flags (commander), kept beside the command so that main.ts stays a table.
 * The action lazily imports `./merge.js`, which is glue only: flags to the library, its result to
 * a reporter, an outcome to main.ts.
 */
import { Option, type Command } from '../packages.js';
import type { FailOn } from '../../check/outcome.js';
import { repeat as collect, repeatList as collectList, seconds } from '../flags.js';
import type { Io, Outcome } from '../io.js';

// literal lists, so that --help does not load the library
const FAIL_ON = ['error', 'warning', 'info', 'never'] as const satisfies readonly FailOn[];

export const MERGE_DESCRIPTION = `Compose per-platform images into one multi-platform index, verify every
variant, and tag it.

Each IMAGE is a digest in REF's repository (sha256:..., as anyarch build
--push-by-digest or buildx's push-by-digest prints it), a full reference
(registry/repo@sha256:...) or any source specifier (oci:DIR,
docker-archive:FILE...). Each image's platform comes from its config; an index
given is taken apart into its images. Two images of one platform, or an image
whose config names none, are refused before anything is pushed.

Everything is pushed to REF's repository by digest first (blobs the registry
has are not sent; blobs in another repository of the same registry are
mounted), every variant is verified, and only when all pass is the index
tagged REF, carrying the annotation dev.anyarch.verify.platforms.`;

export const MERGE_FOOTER = `
Examples:
  anyarch merge ghcr.io/acme/app:1.4 sha256:3f2a... sha256:9b1c...
  anyarch merge ghcr.io/acme/app:1.4 ghcr.io/acme/app-amd64@sha256:3f2a... \\
    ghcr.io/acme/app-arm64@sha256:9b1c...
  anyarch merge --annotation org.opencontainers.image.url=https://acme.dev \\
    ghcr.io/acme/app:1.4 sha256:...

The summary prints the digest of the index that was tagged (the one with the
verify annotation). Exit codes: 0 tagged · 1 a variant refused by verify
(nothing tagged) · 2 usage, input, registry or network error · 3 internal
error.`;

interface MergeFlags {
  verify: boolean;
  scanCache?: boolean;
  annotation?: string[];
  format: 'text' | 'json';
  failOn?: FailOn;
  config?: string | false;
  insecureRegistry?: string[];
  timeout?: number;
  trunc: boolean;
  color: boolean;
}

export function registerMerge(program: Command, io: Io, done: (o: Outcome) => void): void {
  program
    .command('merge')
    .summary('compose per-platform images (by digest) into one index, verify every variant, then tag it')
    .description(MERGE_DESCRIPTION)
    .argument('<ref>', 'the image to tag (registry/repository:tag); everything is pushed to its repository')
    .argument('<images...>', "per-platform images: digests in REF's repository, full references, or source specifiers")
    .option('--no-verify', 'tag without verifying: no AA2xx verdicts, no dev.anyarch.verify annotation (a wrong-architecture variant is tagged too)')
    .option('--no-scan-cache', 'verify reads every layer: neither use nor fill the cache of layer scans (also ANYARCH_NO_SCAN_CACHE=1)')
    .option('--annotation <key=value>', 'an annotation of the index (repeatable); beats the standard ones', collect)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json'] as const).default('text'))
    .addOption(new Option('--fail-on <severity>', 'refuse (and tag nothing) when a verdict is at least this severe (default: failOn in .anyarch.yaml, else warning)').choices(FAIL_ON))
    .option('-c, --config <file>', 'config file (default: .anyarch.yaml here or in a parent directory, up to the git root); verify.allow declares intended foreign files')
    .option('--no-config', 'use no config file')
    .option('--insecure-registry <host>', 'allow plain HTTP to this registry (repeatable; loopback registries always may)', collectList)
    .addOption(new Option('--timeout <seconds>', 'how long one registry request may take, every try and the whole answer included (default 30; e.g. 10 or 2.5s)').argParser(seconds))
    .option('--no-trunc', 'print full digests')
    .option('--no-color', 'do not colour the output')
    .addHelpText('after', MERGE_FOOTER)
    .action(async (ref: string, images: string[], flags: MergeFlags) => {
      const { merge } = await import('./merge.js');
      done(
        await merge(
          {
            ref,
            images,
            verify: flags.verify,
            scanCache: flags.scanCache,
            annotations: flags.annotation ?? [],
            format: flags.format,
            ...(flags.failOn ? { failOn: flags.failOn } : {}),
            ...(flags.config !== undefined ? { config: flags.config } : {}),
            insecureRegistries: flags.insecureRegistry ?? [],
            ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
            noTrunc: !flags.trunc,
            color: flags.color,
          },
          io,
        ),
      );
    });
}
