/**
 * A child for the layer-size bound test (src/verify/verify.test.ts), run under /usr/bin/time:
 * verifies a linux/arm64 image whose second layer is a gzip bomb (BYTES of zeros in one tar
 * entry, about a thousandth of that stored) with `maxLayerBytes` LIMIT, and prints JSON with each
 * variant's error code and message. Test code only.
 *
 *   node dist/test/support/gzip-bomb-child.js BYTES LIMIT
 */
import { verifyImage } from '../../src/verify/verify.js';
import { builtImageSource } from './images.js';
import { gzipBombImage } from './verify-images.js';

const bytes = Number(process.argv[2] ?? 4 * 1024 ** 3);
const limit = Number(process.argv[3] ?? 256 * 1024 ** 2);
const report = await verifyImage(builtImageSource(gzipBombImage(bytes)), { maxLayerBytes: limit });
process.stdout.write(`${JSON.stringify({ errors: report.platforms.map((p) => p.error ?? null), verdicts: report.platforms.flatMap((p) => p.verdicts.map((v) => `${v.id} ${v.layer?.index ?? ''}`)) })}\n`);
