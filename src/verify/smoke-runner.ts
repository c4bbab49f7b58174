/**
 * The default smoke runner of verify (src/smoke): through the Docker engine when one answers
 * (DOCKER_HOST, else the default socket; the variant loaded into it for the run and removed
 * afterwards), otherwise, or when the engine cannot run it (an engine on another machine, a
 * layer it cannot load), extracted and run with qemu named explicitly. The engine is asked once
 * per process and DOCKER_HOST (of the caller's `env`, else the process's).
 */
import { connectDockerEngine, type DockerEngine } from '../engine/api.js';
import { smokeRun } from '../smoke/run.js';
import type { SmokeRunner } from './verify.js';

/** The engines asked, by the DOCKER_HOST they were asked under. */
const answering = new Map<string, Promise<DockerEngine | undefined>>();

/** The engine DOCKER_HOST of `env` (or the default socket) names, when it answers; asked once per DOCKER_HOST. */
function answeringEngine(env: NodeJS.ProcessEnv): Promise<DockerEngine | undefined> {
  const key = env.DOCKER_HOST ?? '';
  let p = answering.get(key);
  if (!p) {
    p = connectDockerEngine({ env }).then(
      (e) => e,
      () => undefined,
    );
    answering.set(key, p);
  }
  return p;
}

export const smokeRunner: SmokeRunner = async (image, platform, command, options) => {
  const timeout = options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {};
  const engine = await answeringEngine((options.env ?? process.env) as NodeJS.ProcessEnv);
  if (!engine) return smokeRun(image, platform, command, timeout);
  const viaEngine = await smokeRun(image, platform, command, { ...timeout, engine: { engine } });
  if (viaEngine.notRun === undefined) return viaEngine;
  const extracted = await smokeRun(image, platform, command, timeout);
  return { ...extracted, notes: [`the Docker engine at ${engine.endpoint.display} could not run it (${viaEngine.notRun}); run extracted instead`, ...(extracted.notes ?? [])] };
};
