// The real registry (registry.ts) behind the fault proxy (fault-proxy.ts) for the tests of one
// describe block: started before them, stopped after, the proxy's rules and log cleared before
// each test. Call it inside the describe, before the block's own hooks.
import { after, before, beforeEach } from 'node:test';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { startRegistry, type RegistryAuth, type TestRegistry } from './registry.js';

export interface ProxiedRegistry {
  /** the registry itself (push fixtures here, or check what it holds) */
  readonly registry: TestRegistry;
  /** the proxy in front of it (talk to `proxy.host` to meet the faults) */
  readonly proxy: FaultProxy;
}

export function proxiedRegistry(opts: { auth?: RegistryAuth } = {}): ProxiedRegistry {
  let registry: TestRegistry | undefined;
  let proxy: FaultProxy | undefined;
  before(async () => {
    registry = await startRegistry(opts);
    proxy = await startFaultProxy(registry.url);
  });
  after(async () => {
    await proxy?.stop();
    await registry?.stop();
  });
  beforeEach(() => {
    proxy?.setRules([]);
    if (proxy) proxy.log.length = 0;
  });
  const started = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`proxiedRegistry: the ${what} is not started yet (use it inside tests and hooks)`);
    return v;
  };
  return {
    get registry() {
      return started(registry, 'registry');
    },
    get proxy() {
      return started(proxy, 'fault proxy');
    },
  };
}
