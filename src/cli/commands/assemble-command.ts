/**
 * `anyarch assemble`: its flags (commander), kept beside the command so that main.ts stays a table.
 * The action lazily imports `./assemble.js`, which is glue only: flags to the library, its result to
 * a reporter, an outcome to main.ts.
 */
import { Option, type Command } from '../packages.js';
import { repeat, repeatList, seconds } from '../flags.js';
import type { Io, Outcome } from '../io.js';

const FORMATS = ['text', 'json'] as const;
const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;

export interface AssembleFlags {
  base?: string;
  platform?: string;
  add?: string[];
  addDir?: string[];
  entrypoint?: string;
  cmd?: string;
  env?: string[];
  workdir?: string;
  user?: string;
  label?: string[];
  expose?: string[];
  tag?: string[];
  output?: string;
  verify: boolean;
  scanCache?: boolean;
  failOn?: (typeof FAIL_ON)[number];
  format: (typeof FORMATS)[number];
  insecureRegistry?: string[];
  timeout?: number;
  color: boolean;
}

const FOOTER = `
--add and --add-dir: [PLATFORM=]SRC:DEST. DEST is the text after the last ":/" (an absolute
path in the image; ending in "/" puts the file in that directory under its own name), so SRC may
hold ":" and "=" (C:\\dist\\app.exe:/app/app.exe). PLATFORM= is read only before a known OS
(linux/arm64=...); without it the file goes to every platform, in one layer they share. No
escaping: for anything else give JSON, e.g. '{"platform":"linux/arm64","from":"a","to":"/x:/y"}'.

--entrypoint and --cmd: a JSON array (exec form) is taken as it is; any other string is split
into words as a POSIX shell splits them (quotes, backslashes; no variables, globs or operators),
and is NOT run through /bin/sh -c (Docker's --change would; a scratch image has no shell): write
'["/bin/sh","-c","..."]' for a shell. --entrypoint '[]' clears the base's.

Every added ELF or PE binary is checked against its platform before anything is written or
pushed: one of another architecture exits 2 naming the file, what it is and the platform.
Reproducible: mtimes are SOURCE_DATE_EPOCH (else 0), owners 0:0, entries sorted, gzip fixed.

Exit codes: 0 assembled (pushed and tagged, or written) · 1 a variant refused by verify (nothing
tagged or written) · 2 usage, input (a binary of the wrong architecture included), registry or
network error · 3 bug

Examples:
  anyarch assemble --base debian:bookworm-slim \\
    --add linux/amd64=dist/amd64/app:/usr/local/bin/app \\
    --add linux/arm64=dist/arm64/app:/usr/local/bin/app \\
    --add-dir static:/srv/static --entrypoint /usr/local/bin/app -t registry.example/app:1.4
  anyarch assemble --platform linux/amd64,linux/arm64 --add-dir linux/amd64=out/amd64:/ \\
    --add-dir linux/arm64=out/arm64:/ --output oci-archive:app.tar
`;

export function registerAssemble(program: Command, io: Io, done: (o: Outcome) => void): void {
  program
    .command('assemble')
    .summary('make a multi-platform image from a base and per-platform files, without an engine')
    .description(
      'Assemble a multi-platform image: a base image (an index or image from any source; default scratch) plus files per platform plus config, as a new index pushed by digest, verified, then tagged (-t), or written as an OCI layout or archive (--output). No engine, no emulation: nothing runs.',
    )
    .option('--base <image>', 'the base image: a reference or source specifier (oci:, oci-archive:, docker-archive:, docker-daemon:); default scratch (nothing)')
    .option('--platform <platforms>', 'platforms to assemble, comma-separated (default: those the --add flags name, else every platform of the base)')
    .option('--add <[platform=]src:dest>', 'add a file, for one platform or (no platform) for every one (repeatable)', repeat)
    .option('--add-dir <[platform=]dir:dest>', "add a directory's contents under dest (repeatable)", repeat)
    .option('--entrypoint <command>', 'ENTRYPOINT: a JSON array, or words split as a shell would (not run through sh -c)')
    .option('--cmd <command>', 'CMD: a JSON array, or words split as a shell would (not run through sh -c)')
    .option('--env <key=value>', 'ENV (repeatable)', repeat)
    .option('--workdir <dir>', 'WORKDIR')
    .option('--user <user>', 'USER (name, uid, uid:gid)')
    .option('--label <key=value>', 'LABEL on every platform\'s config (repeatable)', repeat)
    .option('--expose <port>', 'EXPOSE: 8080, 8080/tcp, 53/udp (repeatable)', repeat)
    .option('-t, --tag <reference>', 'push to this reference: every tag of one repository (repeatable); pushed by digest, verified, then tagged', repeatList)
    .option('-o, --output <destination>', 'write the image instead of (or as well as) pushing it: oci:DIR[:TAG] or oci-archive:FILE[:TAG], after verify')
    .option('--no-verify', 'push or write without verifying the variants first (no verdicts, no verify annotation on the index)')
    .option('--no-scan-cache', 'verify reads every layer: neither use nor fill the cache of layer scans (also ANYARCH_NO_SCAN_CACHE=1)')
    .addOption(new Option('--fail-on <severity>', 'refuse the image (exit 1, nothing tagged) when a verdict is at least this severe (default warning)').choices(FAIL_ON))
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .option('--insecure-registry <host>', 'allow plain HTTP to this registry (repeatable; loopback registries always may)', repeat)
    .addOption(new Option('--timeout <seconds>', 'how long one registry request may take (default 30)').argParser(seconds))
    .option('--no-color', 'do not colour the output')
    .addHelpText('after', FOOTER)
    .action(async (flags: AssembleFlags) => {
      const { assembleCommand, assembleOptionsFromFlags } = await import('./assemble.js');
      done(await assembleCommand(assembleOptionsFromFlags(flags), io));
    });
}
