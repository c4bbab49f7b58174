/**
 * `anyarch parse FILE`: how anyarch reads a Dockerfile, for debugging rules and reporting parser
 * bugs. `json` is the instruction list with flags, arguments and lines; `buildkit` is BuildKit's
 * `Node.Dump()` text, to compare with BuildKit's parser.
 */
import * as path from 'node:path';
import { MAX_INPUT_BYTES, decodeDockerfile, inputReadError } from '../../check/input.js';
import { dumpBuildkit, toJSON } from '../../dockerfile/dump.js';
import { parseDockerfile } from '../../dockerfile/parser.js';
import { readRegularFile } from '../../fs/bounded-read.js';
import type { Io, Outcome } from '../io.js';

export type ParseFormat = 'json' | 'buildkit';
export const PARSE_FORMATS: readonly ParseFormat[] = ['json', 'buildkit'];

export interface ParseCommandOptions {
  /** the Dockerfile; `-` reads standard input */
  readonly file: string;
  readonly format: ParseFormat;
}

export async function parse(opts: ParseCommandOptions, io: Io): Promise<Outcome> {
  const name = opts.file === '-' ? '<stdin>' : opts.file;
  let bytes: Uint8Array;
  try {
    // bounded, and never opening a FIFO, device or socket (as check reads)
    bytes = opts.file === '-' ? await io.readStdin(MAX_INPUT_BYTES) : await readRegularFile(path.resolve(io.cwd, opts.file), MAX_INPUT_BYTES);
  } catch (e) {
    throw inputReadError(name, e);
  }
  const df = parseDockerfile(decodeDockerfile(bytes, name), name);
  io.stdout.write(opts.format === 'buildkit' ? dumpBuildkit(df) : JSON.stringify(toJSON(df), null, 2) + '\n');
  return 'clean';
}
