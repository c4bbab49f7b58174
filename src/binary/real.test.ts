/**
 * The readers against real binaries made on this machine at test time (Go cross-compiled for
 * seven architectures, gcc's four link modes) and against readelf and file over this machine's
 * own /usr/bin. No network: golang-go, gcc, binutils and file are test dependencies.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeFacts } from './describe.js';
import { ElfCapture, readElf } from './elf.js';
import { fitsPlatform } from './fit.js';
import { inspectFile } from './inspect.js';
import { libcOfElf } from './loaders.js';
import { elfArchitecture } from './machines.js';
import type { ElfFacts, FileFacts } from './types.js';

const execFileAsync = promisify(execFile);
let dir = '';
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'anyarch-binary-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function streamedFile(bytes: Uint8Array, chunk: number): FileFacts | undefined {
  const c = inspectFile({ path: 'x', kind: 'file', mode: 0o755, size: bytes.length });
  assert.ok(c);
  for (let off = 0; off < bytes.length; off += chunk) if (!c.push(bytes.subarray(off, off + chunk), off)) break;
  return c.finish(bytes.length);
}

const GO_TARGETS: [string, string, string][] = [
  // GOARCH, GOARM, the ELF words
  ['amd64', '', 'ELF 64-bit LSB x86-64, static'],
  ['arm64', '', 'ELF 64-bit LSB aarch64, static'],
  ['arm', '6', 'ELF 32-bit LSB ARM, EABI5, GOARM=6, static'],
  ['arm', '7', 'ELF 32-bit LSB ARM, EABI5, GOARM=7, static'],
  ['s390x', '', 'ELF 64-bit MSB IBM S/390, static'],
  ['386', '', 'ELF 32-bit LSB Intel 80386, static'],
  ['ppc64le', '', 'ELF 64-bit LSB PowerPC64, static'],
  ['riscv64', '', 'ELF 64-bit LSB RISC-V, static'],
];

describe('Go binaries cross-compiled at test time', () => {
  const built = new Map<string, Uint8Array>();
  before(async () => {
    const src = path.join(dir, 'go');
    mkdirSync(src);
    writeFileSync(path.join(src, 'go.mod'), 'module example.com/hello\n\ngo 1.19\n');
    writeFileSync(path.join(src, 'main.go'), 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n');
    const build = async ([goarch, goarm]: readonly [string, string, string]): Promise<void> => {
      const out = path.join(dir, `hello-${goarch}${goarm}`);
      await execFileAsync('go', ['build', '-o', out, '.'], {
        cwd: src,
        env: { ...process.env, GOOS: 'linux', GOARCH: goarch, GOARM: goarm, CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GOPROXY: 'off' },
      });
      built.set(goarch + goarm, new Uint8Array(readFileSync(out)));
    };
    // two at a time: the machine's two cores
    for (let i = 0; i < GO_TARGETS.length; i += 2) await Promise.all(GO_TARGETS.slice(i, i + 2).map(build));
  });

  for (const [goarch, goarm, words] of GO_TARGETS) {
    test(`GOARCH=${goarch}${goarm ? ` GOARM=${goarm}` : ''}`, () => {
      const bytes = built.get(goarch + goarm)!;
      const facts = readElf(bytes);
      assert.equal(facts.problem, undefined);
      assert.equal(elfArchitecture(facts).architecture, goarch);
      assert.equal(facts.goBuild?.['GOARCH'], goarch);
      if (goarm) assert.equal(facts.goBuild?.['GOARM'], goarm);
      assert.equal(describeFacts(facts), words);
      assert.deepEqual(streamedFile(bytes, 1 << 16), facts);
      assert.deepEqual(streamedFile(bytes, 4093), facts);
      const own = goarch === 'arm' ? { architecture: 'arm', variant: `v${goarm}` } : { architecture: goarch };
      assert.equal(fitsPlatform(facts, own).fits, 'yes');
      // containerd's compatible platforms: amd64 runs 386, arm64 runs arm where the CPU has AArch32
      const compat = (goarch === '386' && 'amd64') || (goarch === 'arm' && 'arm64');
      for (const [other] of GO_TARGETS) if (other !== goarch) assert.equal(fitsPlatform(facts, { architecture: other }).fits, other === compat ? 'some' : 'no', `${goarch} on ${other}`);
      if (goarm === '7') assert.equal(fitsPlatform(facts, { architecture: 'arm', variant: 'v6' }).fits, 'no');
      if (goarm === '6') assert.equal(fitsPlatform(facts, { architecture: 'arm', variant: 'v7' }).fits, 'yes');
    });
  }

  test('a Go binary is read to its build info and no further (32-bit ARM too: its section table comes first)', () => {
    for (const key of ['arm64', 'arm7', 'amd64']) {
      const bytes = built.get(key)!;
      const c = new ElfCapture(bytes.length);
      let off = 0;
      for (; off < bytes.length; off += 65536) if (!c.push(bytes.subarray(off, off + 65536), off)) break;
      assert.ok(off + 65536 < bytes.length, `${key}: stopped at ${off} of ${bytes.length}`);
    }
  });
});

describe('gcc on this machine: the four link modes', () => {
  const modes: [string, string[], (f: ElfFacts) => void, RegExp][] = [
    ['dynamic', [], (f) => assert.equal(f.interpreter, '/lib64/ld-linux-x86-64.so.2'), /^ELF 64-bit LSB x86-64, dynamic, interpreter \/lib64\/ld-linux-x86-64\.so\.2$/],
    ['static', ['-static'], (f) => assert.equal(f.type, 'exec'), /^ELF 64-bit LSB x86-64, static$/],
    ['static-pie', ['-static-pie'], (f) => assert.equal(f.pie, true), /^ELF 64-bit LSB x86-64, static-pie$/],
    ['shared', ['-shared', '-fPIC'], (f) => assert.equal(f.pie, false), /^ELF 64-bit LSB x86-64, shared object$/],
  ];
  for (const [name, flags, check, words] of modes) {
    test(name, () => {
      const c = path.join(dir, 'h.c');
      writeFileSync(c, '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n');
      const out = path.join(dir, `h-${name}`);
      execFileSync('gcc', [...flags, '-o', out, c], { stdio: 'pipe' });
      const bytes = new Uint8Array(readFileSync(out));
      const facts = readElf(bytes);
      check(facts);
      assert.match(describeFacts(facts), words);
      assert.equal(libcOfElf(facts), name === 'dynamic' ? 'glibc' : undefined);
      assert.deepEqual(streamedFile(bytes, 1), facts);
      const fileSays = execFileSync('file', ['-b', out], { encoding: 'utf8' });
      if (name === 'static-pie') assert.match(fileSays, /static-pie linked/);
      if (name === 'shared') assert.match(fileSays, /shared object/);
    });
  }
});

describe("readelf over this machine's /usr/bin and libraries", () => {
  test('machine, class, byte order, type and loader agree with readelf -h -l', () => {
    const files: string[] = [];
    for (const d of ['/usr/bin', '/usr/lib/x86_64-linux-gnu']) {
      for (const name of readdirSync(d).sort()) {
        const p = path.join(d, name);
        try {
          const st = statSync(p);
          if (!st.isFile() || st.size < 64 || st.size > 4 << 20) continue;
          const head = new Uint8Array(4);
          const fd = openSync(p, 'r');
          readSync(fd, head, 0, 4, 0);
          closeSync(fd);
          if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) files.push(p);
        } catch {
          /* unreadable: not ours to judge */
        }
        if (files.length >= 200) break;
      }
    }
    assert.ok(files.length >= 100, `found ${files.length} ELF files`);
    const out = execFileSync('readelf', ['-h', '-l', '-W', ...files], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const parts = files.length === 1 ? [out] : out.split(/^File: /m).slice(1);
    assert.equal(parts.length, files.length);
    const TYPES: Record<string, string> = { EXEC: 'exec', DYN: 'dyn', REL: 'rel', CORE: 'core' };
    for (const [i, part] of parts.entries()) {
      const file = files[i]!;
      const facts = readElf(new Uint8Array(readFileSync(file)));
      assert.equal(facts.problem, undefined, file);
      assert.equal(facts.class, /Class:\s+ELF64/.test(part) ? 64 : 32, file);
      assert.equal(facts.endian, /little endian/.test(part) ? 'le' : 'be', file);
      assert.equal(facts.machine, 62, file);
      assert.equal(facts.type, TYPES[/Type:\s+(\w+)/.exec(part)?.[1] ?? ''], file);
      assert.equal(facts.interpreter, /Requesting program interpreter: ([^\]]+)\]/.exec(part)?.[1], file);
      assert.equal(facts.dynamic, /^\s+DYNAMIC\s/m.test(part), file);
    }
  });
});
