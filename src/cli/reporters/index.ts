/** Loads the reporter of a format (each lives in its own module, imported only when used). */
import type { Format, Reporter } from './types.js';

export async function loadReporter(format: Format): Promise<Reporter> {
  switch (format) {
    case 'text':
      return (await import('./text.js')).textReporter;
    case 'json':
      return (await import('./json.js')).jsonReporter;
    case 'sarif':
      return (await import('./sarif.js')).sarifReporter;
    case 'github':
      return (await import('./github.js')).githubReporter;
  }
}

export { FORMATS, type CheckReportContext, type Format, type PlatformsReportContext, type Reporter, type VerifyReportContext } from './types.js';
