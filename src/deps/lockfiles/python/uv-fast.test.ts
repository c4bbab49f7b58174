import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'smol-toml';
import { fastUvLock } from './uv-fast.js';

/** the same values as plain objects (smol-toml's tables have no prototype) */
const plain = (v: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

/** What readUvLock reads of a parsed uv.lock: the fast scanner must give exactly this. */
function projection(parsed: Record<string, unknown>): Record<string, unknown> {
  const doc = plain(parsed);
  const keep = (o: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)));
  const out = keep(doc, ['version', 'requires-python']);
  if (Array.isArray(doc['package'])) {
    out['package'] = (doc['package'] as Record<string, unknown>[]).map((p) =>
      keep(p, ['name', 'version', 'source', 'sdist', 'wheels', 'dependencies', 'optional-dependencies', 'dev-dependencies']),
    );
  }
  return out;
}

const H = `sha256:${'e'.repeat(64)}`;
// uv's layout as uv 0.5-0.8 writes it (shaped like dannystewart/dsbin's uv.lock), with the
// sections deps does not read, groups, a fork, and a git source.
const UV = `version = 1
revision = 3
requires-python = ">=3.11"
resolution-markers = [
    "python_full_version >= '3.12'",
    "python_full_version < '3.12'",
]

[options]
exclude-newer = "2024-10-01T00:00:00Z"

[manifest]
members = ["app", "lib"]

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "numpy", version = "2.1.0", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= '3.12'" },
    { name = "pywin32", marker = "sys_platform == 'win32'" },
]

[package.optional-dependencies]
fast = [
    { name = "orjson" },
]

[package.dev-dependencies]
dev = [
    { name = "pytest" },
]

[package.metadata]
requires-dist = [
    { name = "numpy", specifier = ">=1.26" },
    { name = "orjson", marker = "extra == 'fast'", specifier = ">=3" },
]
provides-extras = ["fast"]

[[package]]
name = "numpy"
version = "2.1.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = [
    "python_full_version >= '3.12'",
]
sdist = { url = "https://files.pythonhosted.org/packages/aa/numpy-2.1.0.tar.gz", hash = "${H}", size = 18868922, upload-time = "2024-08-18T21:00:00.000Z" }
wheels = [
    { url = "https://files.pythonhosted.org/packages/bb/numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", hash = "${H}", size = 13089 },
    { url = "https://files.pythonhosted.org/packages/cc/numpy-2.1.0-cp312-cp312-musllinux_1_2_x86_64.whl", hash = "${H}", size = 1 },
]

[[package]]
name = "mylib"
version = "1.0.0"
source = { git = "https://github.com/example/mylib?rev=main#0123456789abcdef" }

[[package]]
name = "empty"
version = "1"
source = { registry = "https://pypi.org/simple" }
wheels = []
dependencies = []
`;

describe('fastUvLock reads what the TOML parser reads', () => {
  test("uv's layout: the same values as smol-toml", () => {
    const fast = fastUvLock(UV);
    assert.ok(fast);
    assert.deepEqual(plain(fast), projection(parse(UV) as Record<string, unknown>));
  });
  test('a generated lock of many packages: the same values', () => {
    let text = 'version = 1\nrequires-python = ">=3.12"\n';
    for (let i = 0; i < 300; i++) {
      text += `\n[[package]]\nname = "p${i}"\nversion = "1.${i}"\nsource = { registry = "https://pypi.org/simple" }\n`;
      text += `dependencies = [\n    { name = "p${i + 1}", marker = "platform_machine == 'x86_64'" },\n]\n`;
      text += `wheels = [\n    { url = "https://f/p${i}-1.${i}-cp312-cp312-manylinux_2_28_aarch64.whl", hash = "${H}", size = ${i} },\n]\n`;
    }
    assert.deepEqual(plain(fastUvLock(text)), projection(parse(text) as Record<string, unknown>));
  });
  test('CRLF line ends (a Windows checkout): the same values', () => {
    const crlf = UV.replace(/\n/g, '\r\n');
    assert.deepEqual(plain(fastUvLock(crlf)), projection(parse(crlf) as Record<string, unknown>));
    assert.deepEqual(plain(fastUvLock(crlf)), plain(fastUvLock(UV)));
  });
  test('what it doubts is left to the TOML parser', () => {
    for (const doubtful of [
      'version = 1\nx = """\nmulti\n"""\n',
      'version = 1\n[[package]]\nname = "a\\"b"\n',
      'version = 1\n[[package]]\nname = "a"\nwheels = [\n  { url = "x" },\n]\n',
      'version = 1\n[[package]]\n"name" = "a"\n',
      'version = 1\n[[package]]\nname = "a"\nname = "b"\n',
      'version = 1\n[[package]]\nsdist = { url = "x", url = "y" }\n',
      'version = 1\n[[package]]\nsdist = { url = "x"\n',
      'version = 1\n[[package]]\nwheels = [\n    { url = "x" },\n',
      'version = 1\r\n\r[[package]]\n',
      'version = 1\r\n[[package]]\nname = "a"\r\n',
      '[weird header\n',
    ]) {
      assert.equal(fastUvLock(doubtful), undefined, doubtful);
    }
  });
});
