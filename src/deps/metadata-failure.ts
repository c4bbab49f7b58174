/**
 * A metadata source's failure as a value (`MetadataFailure`), and the one test of whether an
 * answer is one: an object, not an array, whose `error` is an `AnyarchError`. Shared by the npm
 * registry, the Python index and the analysers that read their answers.
 */
import { AnyarchError } from '../errors.js';
import type { MetadataFailure } from './types.js';

export function metadataFailure(error: AnyarchError): MetadataFailure {
  return { error };
}

export function isMetadataFailure(v: unknown): v is MetadataFailure {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { error?: unknown }).error instanceof AnyarchError;
}
