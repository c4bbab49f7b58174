/**
 * SARIF output checked against the OASIS SARIF 2.1.0 schema (the `rtm.5` JSON schema, draft-04,
 * as Microsoft's @microsoft/jest-sarif ships it: the one file of that package the tests use),
 * validated with Ajv. Structure assertions in the reporter tests say what the log means; this says
 * that GitHub code scanning and other SARIF readers will take it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

// CommonJS modules: their classes and functions are the `default` of what ESM imports
const Ajv = ajvDraft04.default;
const addFormats = ajvFormats.default;

let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (validate) return validate;
  const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
  // the schema's language-tag pattern is not valid with the `u` flag
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  validate = ajv.compile(schema);
  return validate;
}

/** Fails with the schema's first errors when `log` (text or parsed) is not a valid SARIF 2.1.0 log. */
export function assertValidSarif(log: string | object): void {
  const value = typeof log === 'string' ? (JSON.parse(log) as unknown) : log;
  const v = validator();
  const ok = v(value);
  assert.ok(ok, `not valid SARIF 2.1.0: ${JSON.stringify((v.errors ?? []).slice(0, 5))}`);
}
