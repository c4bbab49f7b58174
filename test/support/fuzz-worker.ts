/**
 * The worker thread the fuzz targets run on (see `runJobs` in fuzz.ts). Loaded as a plain test
 * file by `node --test dist/` too, where it does nothing.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { workerMain } from './fuzz.js';

const data = (workerData as { anyarchFuzz?: Parameters<typeof workerMain>[0] } | null)?.anyarchFuzz;
if (!isMainThread && data && parentPort) {
  const port = parentPort;
  void workerMain(data, (m) => port.postMessage(m));
}
