#!/usr/bin/env node
// `npm run fuzz -- [--seconds N] [--seed N] [target...]`: the fuzz targets with a time budget (after `npm run build`).
// `npm run fuzz -- --help` lists the options; docs/security.md ("Fuzzing") says what each target holds.
import { fuzzMain } from '../dist/test/support/fuzz.js';

process.exitCode = await fuzzMain(process.argv.slice(2));
