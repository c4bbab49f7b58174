import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, truncate, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { AnyarchError } from '../errors.js';
import {
  DOCKER_HUB_KEY,
  MAX_DOCKER_CONFIG_BYTES,
  dockerConfigPath,
  isDockerHub,
  redact,
  registryHostname,
  resolveCredential,
  type Credential,
} from './credentials.js';

let root: string;
let counter = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'anyarch-cred-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** a fresh directory for one test */
async function fresh(): Promise<string> {
  const dir = join(root, `t${++counter}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

async function configFile(content: unknown): Promise<string> {
  const dir = await fresh();
  const file = join(dir, 'config.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/**
 * A directory holding `docker-credential-<name>` scripts (sh bodies), and the env that puts it
 * first on PATH.
 */
async function helpers(scripts: Record<string, string>): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const dir = await fresh();
  for (const [name, body] of Object.entries(scripts)) {
    await writeFile(join(dir, `docker-credential-${name}`), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  return { dir, env: { PATH: `${dir}:${process.env['PATH'] ?? '/usr/bin:/bin'}` } };
}

/** a helper that answers with a fixed credential (and records what it read on stdin) */
function answering(user: string, secret: string, record?: string): string {
  const save = record ? `cat > '${record}'` : 'cat >/dev/null';
  return `[ "$1" = get ] || exit 3\n${save}\nprintf '%s' '${JSON.stringify({ ServerURL: 'x', Username: user, Secret: secret })}'`;
}

/** every text an error exposes: message, hint, stack, inspection, cause */
function everyText(e: unknown): string {
  const parts = [String(e), inspect(e, { depth: 5 })];
  if (e instanceof Error) parts.push(e.message, e.stack ?? '', String(e.cause ?? ''));
  if (e instanceof AnyarchError) parts.push(e.hint ?? '', e.describe());
  return parts.join('\n');
}

async function rejectsWithout(
  p: Promise<unknown>,
  code: string,
  secrets: readonly string[],
  check?: (e: AnyarchError) => void,
): Promise<AnyarchError> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof AnyarchError, `an AnyarchError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  const all = everyText(caught);
  for (const s of secrets) {
    assert.ok(!all.includes(s), `the error text must not contain ${JSON.stringify(s)}:\n${all}`);
    assert.ok(!all.includes(b64(s)), `the error text must not contain base64 of ${JSON.stringify(s)}`);
  }
  check?.(caught);
  return caught;
}

describe('registryHostname / isDockerHub / dockerConfigPath', () => {
  test('strips scheme and path, keeps the port, lower-cases', () => {
    assert.equal(registryHostname('https://Registry.Example.com:5000/v1/'), 'registry.example.com:5000');
    assert.equal(registryHostname('http://localhost:5000/v2/'), 'localhost:5000');
    assert.equal(registryHostname('ghcr.io'), 'ghcr.io');
    assert.equal(registryHostname('ghcr.io/owner/repo'), 'ghcr.io');
  });
  test('the Docker Hub names', () => {
    for (const n of ['docker.io', 'index.docker.io', 'registry-1.docker.io', DOCKER_HUB_KEY, 'https://registry-1.docker.io']) {
      assert.ok(isDockerHub(n), n);
    }
    assert.ok(!isDockerHub('ghcr.io'));
    assert.ok(!isDockerHub('docker.io.example.com'));
  });
  test('DOCKER_CONFIG, else HOME', () => {
    assert.equal(dockerConfigPath({ DOCKER_CONFIG: '/x/y' }), '/x/y/config.json');
    assert.equal(dockerConfigPath({ HOME: '/home/u' }), '/home/u/.docker/config.json');
    assert.equal(dockerConfigPath({ DOCKER_CONFIG: '', HOME: '/home/u' }), '/home/u/.docker/config.json');
  });
});

describe('config file', () => {
  test('a missing file means no credentials', async () => {
    const dir = await fresh();
    assert.equal(await resolveCredential('ghcr.io', { configPath: join(dir, 'nope', 'config.json') }), undefined);
    assert.equal(await resolveCredential('ghcr.io', { env: { DOCKER_CONFIG: join(dir, 'missing') } }), undefined);
  });

  test('an empty file means no credentials (as in docker)', async () => {
    assert.equal(await resolveCredential('ghcr.io', { configPath: await configFile('  \n') }), undefined);
  });

  test('found through DOCKER_CONFIG', async () => {
    const file = await configFile({ auths: { 'ghcr.io': { auth: b64('alice:pw-docker-config') } } });
    const dir = join(file, '..');
    const cred = await resolveCredential('ghcr.io', { env: { DOCKER_CONFIG: dir, HOME: '/nonexistent' } });
    assert.deepEqual(cred, { username: 'alice', password: 'pw-docker-config' });
  });

  test('found through HOME/.docker when DOCKER_CONFIG is unset', async () => {
    const home = await fresh();
    await mkdir(join(home, '.docker'));
    await writeFile(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { 'quay.io': { username: 'bob', password: 'pw-home' } } }));
    assert.deepEqual(await resolveCredential('quay.io', { env: { HOME: home } }), { username: 'bob', password: 'pw-home' });
  });

  test('invalid JSON is E_CONFIG naming the file, never quoting it', async () => {
    const secret = 'pw-in-broken-json-4711';
    const file = await configFile(`{"auths": {"ghcr.io": {"auth": "${b64(`u:${secret}`)}", "password": "${secret}" }}`);
    const e = await rejectsWithout(resolveCredential('ghcr.io', { configPath: file }), 'E_CONFIG', [secret, `u:${secret}`]);
    assert.ok(e.message.includes(file), e.message);
    assert.match(e.message, /not valid JSON/);
    assert.equal(e.cause, undefined);
  });

  test('a JSON value that is not an object, and fields of the wrong type, are E_CONFIG', async () => {
    await rejectsWithout(resolveCredential('ghcr.io', { configPath: await configFile('[1,2]') }), 'E_CONFIG', []);
    await rejectsWithout(resolveCredential('ghcr.io', { configPath: await configFile({ auths: 'x' }) }), 'E_CONFIG', []);
    const secret = 'pw-not-a-string-1234';
    await rejectsWithout(
      resolveCredential('ghcr.io', { configPath: await configFile({ auths: { 'ghcr.io': { username: 'u', password: [secret] } } }) }),
      'E_CONFIG',
      [secret],
    );
  });

  test('an unreadable path (a directory) is E_CONFIG', async () => {
    const dir = await fresh();
    const e = await rejectsWithout(resolveCredential('ghcr.io', { configPath: dir }), 'E_CONFIG', []);
    assert.ok(e.message.includes(dir));
  });

  test('a FIFO, a device and a file above MAX_DOCKER_CONFIG_BYTES are E_CONFIG, never opened or read whole', async () => {
    const fifo = join(await fresh(), 'config.json');
    execFileSync('mkfifo', [fifo]);
    const big = await configFile('');
    await truncate(big, MAX_DOCKER_CONFIG_BYTES + 1);
    for (const [file, why] of [
      [fifo, 'a named pipe (FIFO), not a regular file'],
      ['/dev/zero', 'a character device, not a regular file'],
      [big, 'larger than 4 MiB'],
    ] as const) {
      const e = await rejectsWithout(resolveCredential('ghcr.io', { configPath: file }), 'E_CONFIG', []);
      assert.equal(e.message, `The Docker config file ${file} cannot be read (${why}).`);
    }
  });
});

describe('auths entries', () => {
  test('auth is base64 user:password; the password may contain colons', async () => {
    const file = await configFile({ auths: { 'registry.example.com': { auth: b64('alice:pa:ss:word') } } });
    assert.deepEqual(await resolveCredential('registry.example.com', { configPath: file }), { username: 'alice', password: 'pa:ss:word' });
  });

  test('username/password, identitytoken and registrytoken', async () => {
    const file = await configFile({
      auths: {
        'a.example': { username: 'u', password: 'p' },
        'b.example': { identitytoken: 'refresh-abc' },
        'c.example': { registrytoken: 'bearer-xyz' },
        'd.example': { auth: b64('dockerhubuser:x'), identitytoken: 'refresh-def' },
      },
    });
    const r = (h: string) => resolveCredential(h, { configPath: file });
    assert.deepEqual(await r('a.example'), { username: 'u', password: 'p' });
    assert.deepEqual(await r('b.example'), { identityToken: 'refresh-abc' });
    assert.deepEqual(await r('c.example'), { registryToken: 'bearer-xyz' });
    assert.deepEqual(await r('d.example'), { username: 'dockerhubuser', password: 'x', identityToken: 'refresh-def' });
  });

  test('an empty entry or no entry means no credentials', async () => {
    const file = await configFile({ auths: { 'ghcr.io': {} } });
    assert.equal(await resolveCredential('ghcr.io', { configPath: file }), undefined);
    assert.equal(await resolveCredential('quay.io', { configPath: file }), undefined);
    assert.equal(await resolveCredential('ghcr.io', { configPath: await configFile({}) }), undefined);
  });

  test('keys are normalised like docker: scheme and path are ignored, ports are kept', async () => {
    const file = await configFile({
      auths: {
        'https://one.example/': { username: 'one', password: '1' },
        'http://two.example:5000/v1/': { username: 'two', password: '2' },
        'three.example/v2/': { username: 'three', password: '3' },
        'two.example': { username: 'two-without-port', password: '2b' },
      },
    });
    const r = (h: string) => resolveCredential(h, { configPath: file });
    assert.equal((await r('one.example'))?.username, 'one');
    assert.equal((await r('two.example:5000'))?.username, 'two');
    assert.equal((await r('https://two.example:5000'))?.username, 'two');
    assert.equal((await r('two.example'))?.username, 'two-without-port');
    assert.equal((await r('THREE.example'))?.username, 'three');
    assert.equal(await r('two.example:5001'), undefined);
  });

  test('an exact key wins over a key that only normalises to the host', async () => {
    const file = await configFile({
      auths: { 'https://ghcr.io/v1/': { username: 'normalised', password: 'n' }, 'ghcr.io': { username: 'exact', password: 'e' } },
    });
    assert.equal((await resolveCredential('ghcr.io', { configPath: file }))?.username, 'exact');
  });

  test('Docker Hub: docker.io, index.docker.io and registry-1.docker.io use https://index.docker.io/v1/', async () => {
    const file = await configFile({ auths: { [DOCKER_HUB_KEY]: { auth: b64('hubuser:hubpass') }, 'docker.io.example': { auth: b64('x:y') } } });
    for (const name of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://registry-1.docker.io/v2/']) {
      assert.deepEqual(await resolveCredential(name, { configPath: file }), { username: 'hubuser', password: 'hubpass' }, name);
    }
    // written by other tools under a plain Hub name
    const other = await configFile({ auths: { 'docker.io': { username: 'plain', password: 'p' } } });
    assert.equal((await resolveCredential('registry-1.docker.io', { configPath: other }))?.username, 'plain');
  });

  test('a broken auth field is E_CONFIG without any part of it', async () => {
    const secret = 'pw-broken-auth-8472';
    const cases = [
      `${b64(`u:${secret}`)}!!`, // not base64
      b64(`no-colon-${secret}`), // no colon
      b64(`:${secret}`), // empty user name
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`u:${secret}`)]).toString('base64'), // not UTF-8
    ];
    for (const auth of cases) {
      const file = await configFile({ auths: { 'ghcr.io': { auth } } });
      const e = await rejectsWithout(resolveCredential('ghcr.io', { configPath: file }), 'E_CONFIG', [secret, auth, auth.slice(0, 12)]);
      assert.ok(e.message.includes(file));
      assert.match(e.message, /"auth"/);
      assert.match(e.message, /ghcr\.io/);
    }
  });
});

describe('credential helpers', () => {
  test('credHelpers beats credsStore beats auths', async () => {
    const { env } = await helpers({ specific: answering('from-specific', 's1'), store: answering('from-store', 's2') });
    const file = await configFile({
      credHelpers: { 'ghcr.io': 'specific' },
      credsStore: 'store',
      auths: { 'ghcr.io': { auth: b64('from-auths:s3') }, 'quay.io': { auth: b64('from-auths:s4') } },
    });
    assert.deepEqual(await resolveCredential('ghcr.io', { configPath: file, env }), { username: 'from-specific', password: 's1' });
    assert.deepEqual(await resolveCredential('quay.io', { configPath: file, env }), { username: 'from-store', password: 's2' });
    const noStore = await configFile({ credHelpers: { 'ghcr.io': 'specific' }, auths: { 'quay.io': { auth: b64('from-auths:s4') } } });
    assert.deepEqual(await resolveCredential('quay.io', { configPath: noStore, env }), { username: 'from-auths', password: 's4' });
  });

  test('the helper gets "get" and the host on stdin (the index URL for Docker Hub)', async () => {
    const dir = await fresh();
    const { env } = await helpers({ test: answering('u', 'p', join(dir, 'stdin')) });
    const file = await configFile({ credsStore: 'test' });
    await resolveCredential('https://localhost:5000/v2/', { configPath: file, env });
    assert.equal(await readFile(join(dir, 'stdin'), 'utf8'), 'localhost:5000');
    await resolveCredential('registry-1.docker.io', { configPath: file, env });
    assert.equal(await readFile(join(dir, 'stdin'), 'utf8'), DOCKER_HUB_KEY);
  });

  test('credHelpers keys are normalised too; Docker Hub by its index URL', async () => {
    const { env } = await helpers({ test: answering('u', 'p') });
    const file = await configFile({ credHelpers: { 'https://index.docker.io/v1/': 'test', 'https://gcr.example/': 'test' } });
    assert.deepEqual(await resolveCredential('docker.io', { configPath: file, env }), { username: 'u', password: 'p' });
    assert.deepEqual(await resolveCredential('gcr.example', { configPath: file, env }), { username: 'u', password: 'p' });
    assert.equal(await resolveCredential('quay.io', { configPath: file, env }), undefined);
  });

  test('Username "<token>" means the Secret is an identity token', async () => {
    const { env } = await helpers({ test: answering('<token>', 'refresh-token-123') });
    const file = await configFile({ credsStore: 'test' });
    assert.deepEqual(await resolveCredential('ghcr.io', { configPath: file, env }), { identityToken: 'refresh-token-123' });
  });

  test('"credentials not found" means no credentials, and auths are not consulted (as in docker)', async () => {
    const { env } = await helpers({ test: 'cat >/dev/null\necho "credentials not found in native keychain"\nexit 1' });
    const file = await configFile({ credsStore: 'test', auths: { 'ghcr.io': { auth: b64('u:p') } } });
    assert.equal(await resolveCredential('ghcr.io', { configPath: file, env }), undefined);
  });

  test('an empty answer means no credentials', async () => {
    const { env } = await helpers({ test: `cat >/dev/null\nprintf '{"ServerURL":"","Username":"","Secret":""}'` });
    assert.equal(await resolveCredential('ghcr.io', { configPath: await configFile({ credsStore: 'test' }), env }), undefined);
  });

  test('a failing helper is E_AUTH with its name and exit status; nothing it printed is quoted', async () => {
    const secret = 'hunter2-helper-secret';
    const { env } = await helpers({
      test: [
        'cat >/dev/null',
        `printf '{"ServerURL":"ghcr.io","Username":"alice","Secret":"${secret}"}'`,
        `echo "keychain locked, secret was ${secret}" >&2`,
        'echo "second line" >&2',
        'exit 2',
      ].join('\n'),
    });
    const file = await configFile({ credsStore: 'test' });
    const e = await rejectsWithout(resolveCredential('ghcr.io', { configPath: file, env }), 'E_AUTH', [secret]);
    assert.equal(e.message, 'The credential helper docker-credential-test failed (exit status 2) when asked for ghcr.io.');
    assert.doesNotMatch(`${e.message} ${e.hint ?? ''}`, /keychain|alice|second line/);
    assert.match(e.hint ?? '', /docker-credential-test get/);
  });

  test('a secret in a form no scrubbing knows (a token split, encoded, or not token-shaped) is not shown either', async () => {
    const pieces = ['sk-live', '4242', 'otter'];
    const { env } = await helpers({ test: `cat >/dev/null\necho "refusing ${pieces.join('-')} / ${Buffer.from(pieces.join('')).toString('hex')}" >&2\necho "${pieces.join(' ')}"\nexit 1` });
    const e = await rejectsWithout(resolveCredential('ghcr.io', { configPath: await configFile({ credsStore: 'test' }), env }), 'E_AUTH', pieces);
    assert.match(e.message, /docker-credential-test failed \(exit status 1\)/);
  });

  test('a secret in a failing helper’s answer on stderr, in no form redaction knows, is not shown either', async () => {
    // found by the credentials fuzz target: the answer went to stderr and stdout held no JSON
    const secret = 'hunter2-Zq8wX1vB7nK3';
    const { env } = await helpers({ test: `cat >/dev/null\necho "${secret}"\necho '{"Username":"u","Secret":"${secret}"}' >&2\nexit 1` });
    await rejectsWithout(resolveCredential('ghcr.io', { configPath: await configFile({ credsStore: 'test' }), env }), 'E_AUTH', [secret]);
  });

  test('an answer that is not JSON is E_AUTH without the answer', async () => {
    const secret = 'pw-in-bad-answer-5521';
    const { env } = await helpers({ test: `cat >/dev/null\nprintf '{"Username":"u","Secret":"${secret}"'` });
    const e = await rejectsWithout(resolveCredential('ghcr.io', { configPath: await configFile({ credsStore: 'test' }), env }), 'E_AUTH', [secret]);
    assert.match(e.message, /not valid JSON/);
  });

  test('a helper that is not installed is E_AUTH naming the program', async () => {
    const dir = await fresh();
    const file = await configFile({ credHelpers: { 'ghcr.io': 'nonexistent' }, auths: { 'ghcr.io': { auth: b64('u:pw-unused-777') } } });
    const e = await rejectsWithout(resolveCredential('ghcr.io', { configPath: file, env: { PATH: dir } }), 'E_AUTH', ['pw-unused-777']);
    assert.match(e.message, /docker-credential-nonexistent/);
    assert.match(e.message, /not installed/);
    assert.match(e.hint ?? '', /docker-credential-nonexistent/);
  });

  test('a helper that hangs is E_AUTH after the timeout, and is killed', async () => {
    const dir = await fresh();
    const { env } = await helpers({ test: `echo $$ > '${join(dir, 'pid')}'\nsleep 30\necho never` });
    const started = Date.now();
    const e = await rejectsWithout(
      resolveCredential('ghcr.io', { configPath: await configFile({ credsStore: 'test' }), env, helperTimeoutMs: 300 }),
      'E_AUTH',
      [],
    );
    assert.ok(Date.now() - started < 5000, 'gave up at the timeout');
    assert.match(e.message, /did not answer within 300 ms/);
    const pid = Number((await readFile(join(dir, 'pid'), 'utf8')).trim());
    await new Promise((r) => setTimeout(r, 100));
    assert.throws(() => process.kill(pid, 0), 'the helper was killed');
  });

  test('a helper name that is not a plain suffix is refused', async () => {
    const file = await configFile({ credsStore: '../../bin/evil' });
    await rejectsWithout(resolveCredential('ghcr.io', { configPath: file, env: { PATH: '/nonexistent' } }), 'E_CONFIG', []);
  });
});

describe('redact', () => {
  const cred: Credential = { username: 'alice', password: 's3cr3t:pa ss/+', identityToken: 'idtok-abc', registryToken: 'regtok-xyz' };

  test('replaces every secret and its encoded forms', () => {
    const texts = [
      `password s3cr3t:pa ss/+ here`,
      `Authorization: Basic ${b64('alice:s3cr3t:pa ss/+')}`,
      `base64 ${b64('s3cr3t:pa ss/+')} and url-safe ${Buffer.from('s3cr3t:pa ss/+').toString('base64url')}`,
      `form password=${encodeURIComponent('s3cr3t:pa ss/+')} or ${new URLSearchParams({ p: 's3cr3t:pa ss/+' }).toString()}`,
      `tokens idtok-abc regtok-xyz ${b64('idtok-abc')}`,
      JSON.stringify({ password: 's3cr3t:pa ss/+' }),
    ];
    for (const t of texts) {
      const r = redact(t, cred);
      for (const s of ['s3cr3t', 'idtok-abc', 'regtok-xyz', b64('alice:s3cr3t:pa ss/+'), b64('s3cr3t:pa ss/+').slice(0, 12)]) {
        assert.ok(!r.includes(s), `${JSON.stringify(r)} still holds ${s}`);
      }
      assert.ok(r.includes('***'), r);
    }
  });

  test('keeps the user name and leaves other text alone', () => {
    assert.equal(redact('user alice failed', cred), 'user alice failed');
    assert.equal(redact('nothing to hide', {}), 'nothing to hide');
    assert.equal(redact('pw p', { password: '' }), 'pw p');
  });

  test('a password in a JSON-escaped form', () => {
    const c: Credential = { username: 'u', password: 'a"b\\c' };
    assert.equal(redact(JSON.stringify({ p: 'a"b\\c' }), c), '{"p":"***"}');
  });
});
